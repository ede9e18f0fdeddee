#include "base/status.h"

namespace hm::base {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kInvalidArgument: return "INVALID_ARGUMENT";
    case Code::kNotFound: return "NOT_FOUND";
    case Code::kAlreadyExists: return "ALREADY_EXISTS";
    case Code::kPermissionDenied: return "PERMISSION_DENIED";
    case Code::kUnauthenticated: return "UNAUTHENTICATED";
    case Code::kFailedPrecondition: return "FAILED_PRECONDITION";
    case Code::kOutOfRange: return "OUT_OF_RANGE";
    case Code::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case Code::kUnavailable: return "UNAVAILABLE";
    case Code::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case Code::kAborted: return "ABORTED";
    case Code::kCorruption: return "CORRUPTION";
    case Code::kIoError: return "IO_ERROR";
    case Code::kInternal: return "INTERNAL";
    case Code::kUnimplemented: return "UNIMPLEMENTED";
  }
  return "UNKNOWN";
}

Status::Status(Code code, std::string message) {
  if (code != Code::kOk) rep_ = std::make_shared<const Rep>(Rep{code, std::move(message)});
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(CodeName(code()));
  out += ": ";
  out += message();
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message();
  return Status(code(), std::move(msg));
}

#define HM_DEFINE_STATUS_FACTORY(Name)                                           \
  Status Name(std::string message) { return Status(Code::k##Name, std::move(message)); }
HM_DEFINE_STATUS_FACTORY(InvalidArgument)
HM_DEFINE_STATUS_FACTORY(NotFound)
HM_DEFINE_STATUS_FACTORY(AlreadyExists)
HM_DEFINE_STATUS_FACTORY(PermissionDenied)
HM_DEFINE_STATUS_FACTORY(Unauthenticated)
HM_DEFINE_STATUS_FACTORY(FailedPrecondition)
HM_DEFINE_STATUS_FACTORY(OutOfRange)
HM_DEFINE_STATUS_FACTORY(ResourceExhausted)
HM_DEFINE_STATUS_FACTORY(Unavailable)
HM_DEFINE_STATUS_FACTORY(DeadlineExceeded)
HM_DEFINE_STATUS_FACTORY(Aborted)
HM_DEFINE_STATUS_FACTORY(Corruption)
HM_DEFINE_STATUS_FACTORY(IoError)
HM_DEFINE_STATUS_FACTORY(Internal)
HM_DEFINE_STATUS_FACTORY(Unimplemented)
#undef HM_DEFINE_STATUS_FACTORY

}  // namespace hm::base
