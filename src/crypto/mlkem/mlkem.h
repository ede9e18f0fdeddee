// ML-KEM (FIPS 203, final): key generation, encapsulation and decapsulation for
// ML-KEM-512/768/1024. Constant-time in all secret data; uses AVX2 when the CPU has it (runtime
// dispatch), portable C++ else. Thread-safety: stateless pure functions; safe to call from any
// number of threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"

namespace hm::crypto::mlkem {

enum class Params { kMlKem512, kMlKem768, kMlKem1024 };

// Module rank k of a parameter set (2, 3 or 4).
constexpr int Rank(Params p) { return p == Params::kMlKem512 ? 2 : p == Params::kMlKem768 ? 3 : 4; }
// Sizes in bytes (FIPS 203 Table 3).
constexpr size_t EncapsulationKeySize(Params p) { return 384 * Rank(p) + 32; }
constexpr size_t DecapsulationKeySize(Params p) { return 768 * Rank(p) + 96; }
constexpr size_t CiphertextSize(Params p) {
  // 32 * (du * k + dv): du = 10, 10, 11 and dv = 4, 4, 5.
  return p == Params::kMlKem1024 ? 32 * (11 * 4 + 5) : 32 * (10 * Rank(p) + 4);
}
std::string_view ParamsName(Params p);  // "ML-KEM-1024" etc.

inline constexpr size_t kSharedSecretSize = 32;
inline constexpr size_t kSeedSize = 64;  // d || z, the compact private key form
inline constexpr size_t kMlKem512EncapsulationKeySize = 800;
inline constexpr size_t kMlKem512DecapsulationKeySize = 1632;
inline constexpr size_t kMlKem512CiphertextSize = 768;
inline constexpr size_t kMlKem768EncapsulationKeySize = 1184;
inline constexpr size_t kMlKem768DecapsulationKeySize = 2400;
inline constexpr size_t kMlKem768CiphertextSize = 1088;
inline constexpr size_t kMlKem1024EncapsulationKeySize = 1568;
inline constexpr size_t kMlKem1024DecapsulationKeySize = 3168;
inline constexpr size_t kMlKem1024CiphertextSize = 1568;

using SharedSecret = std::array<uint8_t, kSharedSecretSize>;

// dk is secret: callers should wipe it (SecureWipe) when done with it.
struct KeyPair {
  base::Bytes ek;  // encapsulation key, EncapsulationKeySize(p) bytes
  base::Bytes dk;  // decapsulation key (expanded form), DecapsulationKeySize(p) bytes
};

struct EncapsResult {
  base::Bytes ciphertext;
  SharedSecret shared_secret;
};

// ML-KEM.KeyGen_internal(d, z): deterministic key generation (FIPS 203 Algorithm 16).
base::Result<KeyPair> KeyGenInternal(Params p, std::span<const uint8_t, 32> d,
                                     std::span<const uint8_t, 32> z);
// Same from the 64-byte seed d || z; rejects any other length (InvalidArgument).
base::Result<KeyPair> KeyGenFromSeed(Params p, base::ByteSpan seed);
// ML-KEM.KeyGen: d and z drawn from `random` (pass a CSPRNG in production).
base::Result<KeyPair> KeyGen(Params p, base::Random& random);

// FIPS 203 §7.2 input check: size and ByteEncode12(ByteDecode12(ek)) == ek. InvalidArgument if not.
base::Status CheckEncapsulationKey(Params p, base::ByteSpan ek);
// FIPS 203 §7.3 input checks: size and H(ek) stored in dk matches the embedded ek.
base::Status CheckDecapsulationKey(Params p, base::ByteSpan dk);

// ML-KEM.Encaps_internal(ek, m) (Algorithm 17) after the §7.2 check of ek.
base::Result<EncapsResult> EncapsInternal(Params p, base::ByteSpan ek,
                                          std::span<const uint8_t, 32> m);
// ML-KEM.Encaps: m drawn from `random`.
base::Result<EncapsResult> Encaps(Params p, base::ByteSpan ek, base::Random& random);

// ML-KEM.Decaps (Algorithm 18) after the §7.3 checks of dk and the ciphertext length. A ciphertext
// of the right length never fails: a forged one yields the implicit-rejection key J(z || c).
base::Result<SharedSecret> Decaps(Params p, base::ByteSpan dk, base::ByteSpan ciphertext);

// Overwrites memory in a way the compiler may not elide (for keys and shared secrets).
void SecureWipe(std::span<uint8_t> data);

}  // namespace hm::crypto::mlkem
