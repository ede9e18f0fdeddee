// CT log entries (add-entry payloads) and SCTs: never crash; what decodes re-encodes canonically.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base/check.h"
#include "trustchain/ct/log_entry.h"
#include "trustchain/ct/signing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hm::base::ByteSpan in(data, size);
  auto entry = hm::trustchain::ct::LogEntry::Decode(in);
  if (entry.ok()) {
    auto again = entry->Encode();
    HM_CHECK(again.size() == size && std::equal(again.begin(), again.end(), data));
    (void)entry->LeafHash();
  }
  auto sct = hm::trustchain::ct::Sct::Parse(in);
  if (sct.ok()) (void)sct->Serialize();
  return 0;
}
