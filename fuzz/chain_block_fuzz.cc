// Block, signed header, header, genesis and head-record decoding: never crashes; canonical.
#include "base/check.h"
#include "chain/types.h"

template <typename T>
static void RoundTrip(const uint8_t* data, size_t size) {
  auto v = T::Decode(hm::base::ByteSpan(data, size));
  if (v.ok()) {
    auto again = v->Encode();
    HM_CHECK(again.size() == size && std::equal(again.begin(), again.end(), data));
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RoundTrip<hm::chain::Block>(data, size);
  RoundTrip<hm::chain::SignedHeader>(data, size);
  RoundTrip<hm::chain::BlockHeader>(data, size);
  RoundTrip<hm::chain::Genesis>(data, size);
  RoundTrip<hm::chain::Head>(data, size);
  return 0;
}
