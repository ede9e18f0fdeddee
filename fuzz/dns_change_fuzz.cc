// dns module records (docs/spec/dns-registry.md): RrsetChange and RrsetRecord decoding never
// crashes; whatever decodes re-encodes to the same bytes, and content validation never crashes.
#include <cstddef>
#include <cstdint>

#include "base/check.h"
#include "trustchain/dns/registry/dns_module.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace dns = hm::trustchain::dns;
  const hm::base::ByteSpan in(data, size);
  if (auto c = dns::RrsetChange::Decode(in); c.ok()) {
    HM_CHECK(c->Encode() == hm::base::Bytes(in.begin(), in.end()));
    (void)c->ValidateContent();
    (void)c->SigningMessage();
  }
  if (auto r = dns::RrsetRecord::Decode(in); r.ok()) {
    HM_CHECK(r->Encode() == hm::base::Bytes(in.begin(), in.end()));
  }
  return 0;
}
