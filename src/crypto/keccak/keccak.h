// Keccak-f[1600] and the FIPS 202 sponges (SHA3-256/512, SHAKE128/256) with incremental squeeze.
// Our own implementation because the post-quantum code needs many small, incremental XOF calls,
// which OpenSSL 3.0's EVP interface cannot do (one squeeze per context) or does slowly.
// Thread-safety: value types; one instance per thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hm::crypto {

// The 24 iota round constants of Keccak-f[1600] (FIPS 202 §3.2.5), shared with vectorised copies
// of the permutation.
extern const uint64_t kKeccakRoundConstants[24];

// Applies the 24-round permutation to a 25-lane state (lane i = x + 5y, little-endian lanes).
void KeccakF1600(std::array<uint64_t, 25>& state);

// A Keccak sponge with a fixed rate and domain-separation byte. Absorbs and squeezes whole
// 64-bit lanes where it can; wipes its state on destruction (inputs may be secret).
class KeccakSponge {
 public:
  KeccakSponge(size_t rate_bytes, uint8_t domain);
  ~KeccakSponge();
  KeccakSponge(const KeccakSponge&) = delete;
  KeccakSponge& operator=(const KeccakSponge&) = delete;

  // Absorbing after the first Squeeze is a bug (HM_CHECK).
  void Absorb(std::span<const uint8_t> data);
  // May be called any number of times; output is the concatenation (so n blocks of output are
  // Squeeze of n * rate bytes).
  void Squeeze(std::span<uint8_t> out);
  size_t rate() const { return rate_; }
  void Reset();

 private:
  void Finalize();

  std::array<uint64_t, 25> state_{};
  size_t rate_;
  uint8_t domain_;
  size_t pos_ = 0;  // byte offset inside the current block
  bool squeezing_ = false;
};

class Shake128 : public KeccakSponge {
 public:
  static constexpr size_t kRate = 168;
  Shake128() : KeccakSponge(kRate, 0x1F) {}
};

class Shake256 : public KeccakSponge {
 public:
  static constexpr size_t kRate = 136;
  Shake256() : KeccakSponge(kRate, 0x1F) {}
};

void Sha3_256(std::span<const uint8_t> in, std::span<uint8_t, 32> out);
void Sha3_512(std::span<const uint8_t> in, std::span<uint8_t, 64> out);

}  // namespace hm::crypto
