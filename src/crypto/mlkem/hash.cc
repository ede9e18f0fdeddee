#include "crypto/mlkem/hash.h"

#include <algorithm>
#include <cstring>

#include "crypto/keccak/keccak.h"
#include "crypto/mlkem/ct_util.h"

namespace hm::crypto::mlkem::internal {

void HashH(std::span<const uint8_t> in, uint8_t out[32]) {
  KeccakSponge s(kSha3_256Rate, 0x06);
  s.Absorb(in);
  s.Squeeze({out, 32});
}

void HashG(std::span<const uint8_t> a, std::span<const uint8_t> b, uint8_t out[64]) {
  KeccakSponge s(kSha3_512Rate, 0x06);
  s.Absorb(a);
  s.Absorb(b);
  s.Squeeze({out, 64});
}

void HashJ(std::span<const uint8_t> a, std::span<const uint8_t> b, uint8_t out[32]) {
  KeccakSponge s(kShake256Rate, 0x1F);
  s.Absorb(a);
  s.Absorb(b);
  s.Squeeze({out, 32});
}

void KeccakX4PermutePortable(KeccakX4& st) {
  for (int j = 0; j < 4; ++j) {
    std::array<uint64_t, 25> lane;
    for (int i = 0; i < 25; ++i) lane[i] = st.s[i][j];
    KeccakF1600(lane);
    for (int i = 0; i < 25; ++i) st.s[i][j] = lane[i];
  }
}

}  // namespace hm::crypto::mlkem::internal
