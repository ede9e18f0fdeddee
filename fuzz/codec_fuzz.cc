// Drives the canonical decoder with arbitrary bytes as a script of reads; checks that whatever
// decodes re-encodes to exactly the bytes consumed (one encoding per value).
#include <cstddef>
#include <cstdint>

#include "base/check.h"
#include "codec/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t program = data[0];
  hm::codec::Reader r(hm::base::ByteSpan(data + 1, size - 1));
  hm::codec::Writer w;
  for (int step = 0; step < 64; ++step) {
    switch ((program >> (step % 4 * 2)) & 3) {
      case 0: {
        auto v = r.UVarint();
        if (!v.ok()) return 0;
        w.UVarint(*v);
        break;
      }
      case 1: {
        auto v = r.Bytes(4096);
        if (!v.ok()) return 0;
        w.Bytes(*v);
        break;
      }
      case 2: {
        auto v = r.String(4096);
        if (!v.ok()) return 0;
        w.String(*v);
        break;
      }
      default: {
        auto v = r.Bool();
        if (!v.ok()) return 0;
        w.Bool(*v);
        break;
      }
    }
    const auto& out = w.bytes();
    HM_CHECK(out.size() == r.position());
    HM_CHECK(std::equal(out.begin(), out.end(), data + 1));
  }
  return 0;
}
