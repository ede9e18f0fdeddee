// The `ca` module's outside-facing decoders: transaction payloads (issue, revoke), the genesis
// parameters, stored records, serial text and reason names. The first byte picks the decoder;
// whatever decodes must re-encode to the same bytes (strict, canonical decoding).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "trustchain/ca/ca_module.h"

namespace ca = hm::trustchain::ca;

namespace {
template <typename T>
void RoundTrip(hm::base::ByteSpan in) {
  auto v = T::Decode(in);
  if (!v.ok()) return;
  const hm::base::Bytes again = v->Encode();
  if (again.size() != in.size() || !std::equal(again.begin(), again.end(), in.begin())) {
    std::abort();  // a decoder accepted a non-canonical encoding
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const hm::base::ByteSpan in(data + 1, size - 1);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 6) {
    case 0: RoundTrip<ca::IssuedCert>(in); break;
    case 1: RoundTrip<ca::Revocation>(in); break;
    case 2: RoundTrip<ca::CertRecord>(in); break;
    case 3: (void)ca::CaParams::Decode(in); break;  // also parses and checks both certificates
    case 4: {
      auto serial = ca::ParseSerialHex(text);
      if (serial.ok() && ca::SerialHex(*serial).size() != text.size()) {
        // Accepted text is always the canonical lower-case form or its upper-case spelling.
        std::abort();
      }
      break;
    }
    case 5: {
      // An issue transaction with arbitrary payload through a module without parameters.
      ca::CaModule module(std::nullopt);
      hm::chain::Transaction tx;
      tx.module = "ca";
      tx.kind = ca::kKindIssue;
      tx.payload.assign(in.begin(), in.end());
      (void)module.Check(tx);
      tx.kind = ca::kKindRevoke;
      (void)module.Check(tx);
      (void)ca::ParseRevocationReason(text);
      break;
    }
  }
  return 0;
}
