#include "crypto/secure_random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "base/check.h"
#include "crypto/openssl_util.h"

namespace hm::crypto {

void SecureRandom::Fill(std::span<uint8_t> out) {
  // RAND_bytes takes an int length.
  constexpr size_t kChunk = size_t{1} << 30;
  for (size_t off = 0; off < out.size(); off += kChunk) {
    const int n = static_cast<int>(std::min(kChunk, out.size() - off));
    HM_CHECK_MSG(RAND_bytes(out.data() + off, n) == 1, internal::DrainErrors());
  }
}

base::Bytes RandomBytes(size_t n) {
  base::Bytes out(n);
  SecureRandom().Fill(out);
  return out;
}

}  // namespace hm::crypto
