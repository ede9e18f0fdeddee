// DNS presentation-format rdata (docs/spec/dns-presentation.md): the first two input bytes are
// the RR type (big-endian), the rest is rdata text. ParseRdataText never crashes; whatever it
// accepts formats to text that parses back to the same rdata and formats identically, and
// survives the wire codec unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/check.h"
#include "trustchain/dns/message.h"
#include "trustchain/dns/registry/rdata_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace dns = hm::trustchain::dns;
  if (size < 2) return 0;
  auto type = static_cast<uint16_t>(data[0] << 8 | data[1]);
  std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  auto rdata = dns::ParseRdataText(type, text);
  if (!rdata.ok()) return 0;

  std::string formatted = dns::FormatRdataText(type, *rdata);
  auto again = dns::ParseRdataText(type, formatted);
  HM_CHECK_MSG(again.ok(), formatted + " -> " + again.status().ToString());
  HM_CHECK_MSG(*again == *rdata, formatted);
  HM_CHECK_MSG(dns::FormatRdataText(type, *again) == formatted, formatted);

  dns::Message msg;
  msg.answers.push_back(dns::ResourceRecord{dns::Name(), type, dns::kClassIn, 0, *rdata});
  bool truncated = false;
  auto wire = dns::SerializeMessage(msg, dns::kMaxMessageSize, &truncated);
  auto parsed = dns::ParseMessage(wire);
  HM_CHECK_MSG(parsed.ok(), formatted + " -> " + parsed.status().ToString());
  if (!truncated) {
    HM_CHECK(parsed->answers.size() == 1);
    HM_CHECK_MSG(parsed->answers[0].rdata == *rdata, formatted);
  }
  return 0;
}
