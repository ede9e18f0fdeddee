// DNS messages (docs/spec/dns.md): ParseMessage never crashes on any input, and whatever it
// accepts re-encodes (SerializeMessage, 64 KiB limit) into a message it accepts again.
#include <cstddef>
#include <cstdint>

#include "base/check.h"
#include "trustchain/dns/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace dns = hm::trustchain::dns;
  auto msg = dns::ParseMessage(hm::base::ByteSpan(data, size));
  if (!msg.ok()) return 0;
  bool truncated = false;
  auto wire = dns::SerializeMessage(*msg, 65535, &truncated);
  HM_CHECK(wire.size() <= 65535);
  auto again = dns::ParseMessage(wire);
  HM_CHECK_MSG(again.ok(), again.status().ToString());
  if (!truncated) HM_CHECK(*again == *msg);  // nothing lost when nothing was dropped
  return 0;
}
