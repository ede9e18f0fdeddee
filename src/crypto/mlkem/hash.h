// Internal to ML-KEM: the FIPS 203 hash functions H, G, J (on the shared crypto::KeccakSponge),
// and the interleaved 4-way Keccak state used by the x4 job runner. Thread-safety: value types.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace hm::crypto::mlkem::internal {

inline constexpr size_t kShake128Rate = 168;
inline constexpr size_t kShake256Rate = 136;
inline constexpr size_t kSha3_256Rate = 136;
inline constexpr size_t kSha3_512Rate = 72;

// H = SHA3-256.
void HashH(std::span<const uint8_t> in, uint8_t out[32]);
// G = SHA3-512 of a || b (a 32 or 33 bytes, b possibly empty).
void HashG(std::span<const uint8_t> a, std::span<const uint8_t> b, uint8_t out[64]);
// J = SHAKE256(a || b, 32 bytes).
void HashJ(std::span<const uint8_t> a, std::span<const uint8_t> b, uint8_t out[32]);

// Four Keccak states stored lane-interleaved: s[i][j] is lane i of instance j.
struct alignas(32) KeccakX4 {
  uint64_t s[25][4];
};
// Loads/stores a little-endian 64-bit word.
inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, 8);
  } else {
    v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  }
  return v;
}
inline void Store64(uint8_t* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, 8);
  } else {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

}  // namespace hm::crypto::mlkem::internal
