#include "stoq/pq/errors.h"

namespace hm::stoq::pq {

std::string_view AppErrorName(uint64_t app_error_code) {
  switch (app_error_code) {
    case kPqMalformed:
      return "kPqMalformed";
    case kPqBadCertificate:
      return "kPqBadCertificate";
    case kPqBadSignature:
      return "kPqBadSignature";
    case kPqBadConfirm:
      return "kPqBadConfirm";
    case kPqTimeout:
      return "kPqTimeout";
    case kPqUnexpectedMessage:
      return "kPqUnexpectedMessage";
    default:
      return "unknown";
  }
}

}  // namespace hm::stoq::pq
