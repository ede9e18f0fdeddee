#include "crypto/mlkem/hash.h"

#include <algorithm>
#include <cstring>

#include "crypto/keccak/keccak.h"
#include "crypto/mlkem/ct_util.h"

namespace hm::crypto::mlkem::internal {

Sponge::~Sponge() {
  WipeObject(state_);
  WipeObject(buf_);
}

void Sponge::XorBlock(const uint8_t* block) {
  for (size_t i = 0; i < rate_ / 8; ++i) state_[i] ^= Load64(block + 8 * i);
  KeccakF1600(state_);
}

void Sponge::Absorb(std::span<const uint8_t> in) {
  while (!in.empty()) {
    if (pos_ == 0 && in.size() >= rate_) {
      XorBlock(in.data());
      in = in.subspan(rate_);
      continue;
    }
    const size_t n = std::min(rate_ - pos_, in.size());
    std::memcpy(buf_.data() + pos_, in.data(), n);
    pos_ += n;
    in = in.subspan(n);
    if (pos_ == rate_) {
      XorBlock(buf_.data());
      pos_ = 0;
    }
  }
}

void Sponge::Finish() {
  std::memset(buf_.data() + pos_, 0, rate_ - pos_);
  buf_[pos_] ^= domain_;
  buf_[rate_ - 1] ^= 0x80;
  XorBlock(buf_.data());
  pos_ = 0;
  squeezed_ = false;
}

void Sponge::SqueezeBlocks(uint8_t* out, size_t blocks) {
  for (size_t b = 0; b < blocks; ++b) {
    if (squeezed_) KeccakF1600(state_);
    for (size_t i = 0; i < rate_ / 8; ++i) Store64(out + 8 * i, state_[i]);
    out += rate_;
    squeezed_ = true;
  }
}

void Sponge::SqueezePrefix(uint8_t* out, size_t len) {
  uint8_t block[168];
  for (size_t i = 0; i < (len + 7) / 8; ++i) Store64(block + 8 * i, state_[i]);
  std::memcpy(out, block, len);
  Wipe(block, sizeof(block));
}

void HashH(std::span<const uint8_t> in, uint8_t out[32]) {
  Sponge s(kSha3_256Rate, 0x06);
  s.Absorb(in);
  s.Finish();
  s.SqueezePrefix(out, 32);
}

void HashG(std::span<const uint8_t> a, std::span<const uint8_t> b, uint8_t out[64]) {
  Sponge s(kSha3_512Rate, 0x06);
  s.Absorb(a);
  s.Absorb(b);
  s.Finish();
  s.SqueezePrefix(out, 64);
}

void HashJ(std::span<const uint8_t> a, std::span<const uint8_t> b, uint8_t out[32]) {
  Sponge s(kShake256Rate, 0x1F);
  s.Absorb(a);
  s.Absorb(b);
  s.Finish();
  s.SqueezePrefix(out, 32);
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
