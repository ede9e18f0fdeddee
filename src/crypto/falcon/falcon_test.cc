// Falcon API behaviour: round trips, expanded-key signing, padded signatures, cross-variant
// confusion, public key recomputation.
#include "crypto/falcon/falcon.h"

#include <gtest/gtest.h>

#include "base/random.h"

namespace hm::crypto::falcon {
namespace {

using base::Bytes;
using base::Code;

class FalconApiTest : public ::testing::TestWithParam<Variant> {};

TEST_P(FalconApiTest, SignVerifyRoundTrip) {
  const Variant v = GetParam();
  base::SeededRandom rng(42);
  auto kp = KeyGen(v, rng);
  ASSERT_TRUE(kp.ok());
  EXPECT_EQ(kp->public_key.size(), PublicKeySize(v));
  EXPECT_EQ(kp->secret_key.size(), SecretKeySize(v));
  auto pk2 = PublicKeyFromSecretKey(v, kp->secret_key);
  ASSERT_TRUE(pk2.ok());
  EXPECT_EQ(*pk2, kp->public_key);

  auto sk = SigningKey::Load(v, kp->secret_key);
  ASSERT_TRUE(sk.ok());
  auto vk = VerifyingKey::Load(v, kp->public_key);
  ASSERT_TRUE(vk.ok());
  for (int i = 0; i < 5; ++i) {
    const Bytes msg = base::ToBytes("message " + std::to_string(i));
    auto sig = sk->Sign(msg, rng);
    ASSERT_TRUE(sig.ok());
    EXPECT_EQ((*sig)[0], 0x30 + LogN(v));
    EXPECT_TRUE(vk->Verify(msg, *sig).ok());
    EXPECT_TRUE(Verify(v, kp->public_key, msg, *sig).ok());
    EXPECT_EQ(vk->Verify(base::ToBytes("other"), *sig).code(), Code::kUnauthenticated);
    auto padded = sk->SignPadded(msg, rng);
    ASSERT_TRUE(padded.ok());
    EXPECT_EQ(padded->size(), PaddedSignatureSize(v));
    EXPECT_TRUE(vk->Verify(msg, *padded).ok());
  }
}

TEST_P(FalconApiTest, ExpandedKeyMatchesRawKeySigning) {
  const Variant v = GetParam();
  base::SeededRandom rng(5);
  auto kp = KeyGen(v, rng);
  ASSERT_TRUE(kp.ok());
  std::array<uint8_t, kNonceSize> nonce{};
  std::array<uint8_t, kSeedSize> seed{};
  rng.Fill(nonce);
  rng.Fill(seed);
  const Bytes msg = base::ToBytes("same bytes");
  auto a = SignWithNonceAndSeed(v, kp->secret_key, msg, nonce, seed);
  auto sk = SigningKey::Load(v, kp->secret_key);
  ASSERT_TRUE(a.ok() && sk.ok());
  auto b = sk->SignWithNonceAndSeed(msg, nonce, seed);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
}

TEST_P(FalconApiTest, KeyGenFromSeedIsDeterministic) {
  std::array<uint8_t, kSeedSize> seed{};
  seed[0] = 1;
  auto a = KeyGenFromSeed(GetParam(), seed);
  auto b = KeyGenFromSeed(GetParam(), seed);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->secret_key, b->secret_key);
  seed[0] = 2;
  auto c = KeyGenFromSeed(GetParam(), seed);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->public_key, c->public_key);
}

INSTANTIATE_TEST_SUITE_P(Falcon, FalconApiTest,
                         ::testing::Values(Variant::kFalcon512, Variant::kFalcon1024));

TEST(FalconCrossVariantTest, Falcon512SignatureRejectedByFalcon1024Key) {
  base::SeededRandom rng(9);
  auto kp512 = KeyGen(Variant::kFalcon512, rng);
  auto kp1024 = KeyGen(Variant::kFalcon1024, rng);
  ASSERT_TRUE(kp512.ok() && kp1024.ok());
  const Bytes msg = base::ToBytes("confusion");
  auto sig = Sign(Variant::kFalcon512, kp512->secret_key, msg, rng);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(Verify(Variant::kFalcon1024, kp1024->public_key, msg, *sig).code(),
            Code::kInvalidArgument);
  // A Falcon-1024 key passed as Falcon-512 is rejected by length and header.
  EXPECT_EQ(Verify(Variant::kFalcon512, kp1024->public_key, msg, *sig).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Sign(Variant::kFalcon1024, kp512->secret_key, msg, rng).status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace hm::crypto::falcon
