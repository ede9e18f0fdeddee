#include "crypto/keccak/keccak.h"

#include <cstring>

#include "base/check.h"

namespace hm::crypto {

const uint64_t kKeccakRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL, 0x8000000080008000ULL,
    0x000000000000808BULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008AULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL,
    0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800AULL, 0x800000008000000AULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

namespace {

// Rotation offsets r[x + 5y] (FIPS 202 Table 2).
constexpr int kRho[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                          25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

inline uint64_t Rotl(uint64_t v, int n) { return n == 0 ? v : (v << n) | (v >> (64 - n)); }

}  // namespace

void KeccakF1600(std::array<uint64_t, 25>& a) {
  uint64_t b[25];
  uint64_t c[5];
  for (uint64_t rc : kKeccakRoundConstants) {
    // theta
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      const uint64_t d = c[(x + 4) % 5] ^ Rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    // rho and pi: B[y, 2x + 3y] = rot(A[x, y], r[x, y])
    for (int x = 0; x < 5; ++x) {
      for (int y = 0; y < 5; ++y) {
        b[y + 5 * ((2 * x + 3 * y) % 5)] = Rotl(a[x + 5 * y], kRho[x + 5 * y]);
      }
    }
    // chi
    for (int y = 0; y < 25; y += 5) {
      for (int x = 0; x < 5; ++x) {
        a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
      }
    }
    // iota
    a[0] ^= rc;
  }
}

namespace {

inline uint64_t LoadLane(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

inline void StoreLane(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

KeccakSponge::KeccakSponge(size_t rate_bytes, uint8_t domain) : rate_(rate_bytes), domain_(domain) {
  HM_CHECK(rate_bytes > 0 && rate_bytes < 200 && rate_bytes % 8 == 0);
}

KeccakSponge::~KeccakSponge() {
  volatile uint64_t* lanes = state_.data();
  for (size_t i = 0; i < state_.size(); ++i) lanes[i] = 0;
}

void KeccakSponge::Reset() {
  state_.fill(0);
  pos_ = 0;
  squeezing_ = false;
}

void KeccakSponge::Absorb(std::span<const uint8_t> data) {
  HM_CHECK(!squeezing_);
  size_t i = 0;
  auto absorb_byte = [&] {
    state_[pos_ / 8] ^= uint64_t{data[i++]} << (8 * (pos_ % 8));
    if (++pos_ == rate_) {
      KeccakF1600(state_);
      pos_ = 0;
    }
  };
  while (i < data.size() && pos_ % 8 != 0) absorb_byte();
  while (data.size() - i >= 8) {
    state_[pos_ / 8] ^= LoadLane(data.data() + i);
    i += 8;
    pos_ += 8;
    if (pos_ == rate_) {
      KeccakF1600(state_);
      pos_ = 0;
    }
  }
  while (i < data.size()) absorb_byte();
}

void KeccakSponge::Finalize() {
  state_[pos_ / 8] ^= uint64_t{domain_} << (8 * (pos_ % 8));
  state_[(rate_ - 1) / 8] ^= uint64_t{0x80} << (8 * ((rate_ - 1) % 8));
  KeccakF1600(state_);
  pos_ = 0;
  squeezing_ = true;
}

void KeccakSponge::Squeeze(std::span<uint8_t> out) {
  if (!squeezing_) Finalize();
  size_t i = 0;
  while (i < out.size()) {
    if (pos_ == rate_) {
      KeccakF1600(state_);
      pos_ = 0;
    }
    if (pos_ % 8 == 0 && out.size() - i >= 8) {
      StoreLane(out.data() + i, state_[pos_ / 8]);
      i += 8;
      pos_ += 8;
    } else {
      out[i++] = static_cast<uint8_t>(state_[pos_ / 8] >> (8 * (pos_ % 8)));
      ++pos_;
    }
  }
}

void Sha3_256(std::span<const uint8_t> in, std::span<uint8_t, 32> out) {
  KeccakSponge s(136, 0x06);
  s.Absorb(in);
  s.Squeeze(out);
}

void Sha3_512(std::span<const uint8_t> in, std::span<uint8_t, 64> out) {
  KeccakSponge s(72, 0x06);
  s.Absorb(in);
  s.Squeeze(out);
}

}  // namespace hm::crypto
