// CSR parsing (PEM, signature, key type, SANs, the Falcon attribute): never crashes, and a CSR
// that parses has a verified self-signature and only accepted key types.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "trustchain/ca/csr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto csr = hm::trustchain::ca::ParseCsrPem(
      std::string_view(reinterpret_cast<const char*>(data), size));
  (void)csr;
  return 0;
}
