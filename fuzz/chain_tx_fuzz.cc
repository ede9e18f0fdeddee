// Transaction decoding: never crashes; anything accepted re-encodes to the same bytes.
#include "base/check.h"
#include "chain/types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hm::base::ByteSpan in(data, size);
  auto tx = hm::chain::Transaction::Decode(in);
  if (tx.ok()) {
    auto again = tx->Encode();
    HM_CHECK(again.size() == size && std::equal(again.begin(), again.end(), data));
  }
  return 0;
}
