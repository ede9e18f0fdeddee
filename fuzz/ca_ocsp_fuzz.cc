// The OCSP responder on arbitrary request bytes (POST bodies and decoded GET paths reach it
// unauthenticated): never crashes and always produces a DER OCSPResponse.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "trustchain/ca/revocation.h"
#include "trustchain/ca/testing/ca_fixture.h"

namespace ca = hm::trustchain::ca;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& pki = ca::testing::GetTestPki();
  auto lookup = [](hm::base::ByteSpan serial) {
    ca::StatusAnswer a;
    if (!serial.empty()) {
      a.status = serial[0] % 3 == 0 ? ca::CertStatus::kGood
                 : serial[0] % 3 == 1 ? ca::CertStatus::kRevoked
                                      : ca::CertStatus::kUnknown;
    }
    return a;
  };
  auto der = ca::OcspRespond(pki.intermediate, hm::base::ByteSpan(data, size), lookup,
                             ca::testing::kT0 + std::chrono::hours(1));
  if (!der.ok() || der->empty()) std::abort();
  return 0;
}
