// Fuzz target: arbitrary bytes decoded as a Falcon public key and as a signature, then
// verified, for both variants; also arbitrary signatures against a fixed valid key.
// Must never crash; every outcome is a Status.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/falcon/falcon.h"

namespace {

using hm::crypto::falcon::Variant;

const hm::crypto::falcon::KeyPair& FixedKey(Variant v) {
  static const auto make = [](Variant var) {
    std::array<uint8_t, hm::crypto::falcon::kSeedSize> seed{};
    seed[0] = 0x42;
    return *hm::crypto::falcon::KeyGenFromSeed(var, seed);
  };
  static const hm::crypto::falcon::KeyPair k512 = make(Variant::kFalcon512);
  static const hm::crypto::falcon::KeyPair k1024 = make(Variant::kFalcon1024);
  return v == Variant::kFalcon512 ? k512 : k1024;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Variant v = (data[0] & 1) ? Variant::kFalcon1024 : Variant::kFalcon512;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  const size_t pk_size = hm::crypto::falcon::PublicKeySize(v);
  const std::span<const uint8_t> msg = rest.first(rest.size() < 16 ? rest.size() : 16);

  // 1. The input as public key || signature.
  if (rest.size() >= pk_size) {
    (void)hm::crypto::falcon::Verify(v, rest.first(pk_size), msg, rest.subspan(pk_size));
    (void)hm::crypto::falcon::VerifyingKey::Load(v, rest.first(pk_size));
  }
  // 2. The input as a signature under a valid key (exercises the signature decoder fully).
  (void)hm::crypto::falcon::Verify(v, FixedKey(v).public_key, msg, rest);
  (void)hm::crypto::falcon::ToPadded(v, rest);
  // 3. The input as a secret key.
  if (rest.size() == hm::crypto::falcon::SecretKeySize(v)) {
    (void)hm::crypto::falcon::PublicKeyFromSecretKey(v, rest);
  }
  return 0;
}
