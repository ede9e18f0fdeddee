#include "crypto/hybrid/hybrid_sig.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/random.h"
#include "crypto/hybrid/der.h"
#include "crypto/hybrid/ecdsa_scalar.h"

namespace hm::crypto::hybrid {
namespace {

using base::AsBytes;
using base::Code;

// Falcon-1024 key generation is slow under sanitizers: two keys for the whole suite.
class HybridSigTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    base::SeededRandom r1(11);
    key_a_ = new HybridSigSecretKey(std::move(HybridSigSecretKey::Generate(r1)).value());
    base::SeededRandom r2(12);
    key_b_ = new HybridSigSecretKey(std::move(HybridSigSecretKey::Generate(r2)).value());
  }
  static void TearDownTestSuite() {
    delete key_a_;
    delete key_b_;
  }
  static const HybridSigSecretKey& A() { return *key_a_; }
  static const HybridSigSecretKey& B() { return *key_b_; }

  static HybridSignature SignParts(const HybridSigSecretKey& key, std::string_view msg,
                                   uint64_t seed = 5) {
    base::SeededRandom random(seed);
    return std::move(key.SignParts(AsBytes(msg), random)).value();
  }

  static HybridSigSecretKey* key_a_;
  static HybridSigSecretKey* key_b_;
};
HybridSigSecretKey* HybridSigTest::key_a_ = nullptr;
HybridSigSecretKey* HybridSigTest::key_b_ = nullptr;

TEST_F(HybridSigTest, SignVerifyRoundTrip) {
  base::SeededRandom random(1);
  for (std::string_view msg : {"", "hello", "a longer message with some bytes \x01\x02"}) {
    auto sig = A().Sign(AsBytes(msg), random);
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    EXPECT_TRUE(A().PublicKey().Verify(AsBytes(msg), *sig).ok());
  }
}

TEST_F(HybridSigTest, BothHalvesSignTheDomainSeparatedMessage) {
  const HybridSignature sig = SignParts(A(), "msg");
  // M' = "hm.hybrid-sig.v1" || 0x00 || message, built here independently of HybridSigMessage.
  const std::string m_prime = std::string("hm.hybrid-sig.v1") + '\0' + "msg";
  EXPECT_EQ(HybridSigMessage(AsBytes("msg")), base::ToBytes(m_prime));
  EXPECT_TRUE(A().PublicKey().ecdsa().Verify(AsBytes(m_prime), sig.ecdsa_der).ok());
  EXPECT_TRUE(falcon::Verify(falcon::Variant::kFalcon1024, A().PublicKey().falcon(),
                             AsBytes(m_prime), sig.falcon)
                  .ok());
  EXPECT_EQ(sig.falcon[0], 0x3A);  // compressed Falcon-1024 header
  // Neither half verifies over the bare message.
  EXPECT_FALSE(A().PublicKey().ecdsa().Verify(AsBytes("msg"), sig.ecdsa_der).ok());
}

TEST_F(HybridSigTest, KeysRoundTripThroughRawAndAreDeterministic) {
  const base::Bytes sk = A().Raw();
  ASSERT_EQ(sk.size(), kHybridSigSecretKeySize);
  auto again = HybridSigSecretKey::FromRaw(sk);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->PublicKey().Raw(), A().PublicKey().Raw());
  EXPECT_EQ(A().PublicKey().Raw().size(), kHybridSigPublicKeySize);
  auto pub = HybridSigPublicKey::FromRaw(A().PublicKey().Raw());
  ASSERT_TRUE(pub.ok());
  base::SeededRandom random(3);
  EXPECT_TRUE(pub->Verify(AsBytes("x"), *again->Sign(AsBytes("x"), random)).ok());

  base::SeededRandom same(11);
  EXPECT_EQ(HybridSigSecretKey::Generate(same)->Raw(), sk);
}

TEST_F(HybridSigTest, RejectsMalformedRawKeys) {
  base::Bytes pk = A().PublicKey().Raw();
  EXPECT_FALSE(HybridSigPublicKey::FromRaw(base::ByteSpan(pk).first(pk.size() - 1)).ok());
  base::Bytes off_curve = pk;
  off_curve[64] ^= 1;
  EXPECT_FALSE(HybridSigPublicKey::FromRaw(off_curve).ok());
  base::Bytes bad_falcon = pk;
  bad_falcon[kP256PointSize] = 0x09;  // Falcon-512 header
  EXPECT_FALSE(HybridSigPublicKey::FromRaw(bad_falcon).ok());
  base::Bytes sk = A().Raw();
  std::fill(sk.begin(), sk.begin() + 32, 0);  // scalar 0
  EXPECT_FALSE(HybridSigSecretKey::FromRaw(sk).ok());
}

TEST_F(HybridSigTest, EncodingRoundTripsAndIsDer) {
  const HybridSignature sig = SignParts(A(), "enc");
  const base::Bytes der = EncodeHybridSignature(sig);
  EXPECT_EQ(der[0], 0x30);
  auto back = DecodeHybridSignature(der);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ecdsa_der, sig.ecdsa_der);
  EXPECT_EQ(back->falcon, sig.falcon);
}

TEST_F(HybridSigTest, DecoderIsStrict) {
  const HybridSignature sig = SignParts(A(), "strict");
  const base::Bytes e = DerBitString(sig.ecdsa_der);
  const base::Bytes f = DerBitString(sig.falcon);
  auto seq = [](std::initializer_list<base::Bytes> parts) {
    base::Bytes body;
    for (const auto& p : parts) DerAppend(body, p);
    return DerTlv(kDerSequence, body);
  };
  base::Bytes body = e;
  DerAppend(body, f);
  base::Bytes trailing = seq({e, f});
  trailing.push_back(0);
  base::Bytes unused = f;
  unused[f.size() - sig.falcon.size() - 1] = 3;
  const struct {
    base::Bytes der;
    const char* why;
  } kCases[] = {
      {{}, "empty"},
      {trailing, "trailing byte"},
      {seq({e}), "one half"},
      {seq({e, f, f}), "three halves"},
      {seq({e, unused}), "unused bits"},
      {seq({DerBitString({}), f}), "empty ECDSA half"},
      {seq({e, DerBitString({})}), "empty Falcon half"},
      {seq({DerBitString(base::Bytes(73, 0x30)), f}), "ECDSA half too long"},
      {seq({e, DerBitString(base::Bytes(kHybridSigMaxFalconSize + 1, 0x3A))}),
       "Falcon half too long"},
      {seq({DerTlv(kDerOctetString, sig.ecdsa_der), f}), "OCTET STRING half"},
      {DerTlv(0x31, body), "SET instead of SEQUENCE"},
  };
  for (const auto& c : kCases) {
    auto r = DecodeHybridSignature(c.der);
    EXPECT_FALSE(r.ok()) << c.why;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.why;
  }
}

TEST_F(HybridSigTest, SwappedHalvesAreRejected) {
  // Halves of two valid signatures by the same key over different messages.
  const HybridSignature sig1 = SignParts(A(), "message one");
  const HybridSignature sig2 = SignParts(A(), "message two");
  const HybridSignature mixed{sig1.ecdsa_der, sig2.falcon};
  auto r1 = A().PublicKey().Verify(AsBytes("message one"), mixed);
  EXPECT_EQ(r1.code(), Code::kUnauthenticated);
  EXPECT_NE(r1.message().find("Falcon half"), std::string_view::npos) << r1.message();
  auto r2 = A().PublicKey().Verify(AsBytes("message two"), mixed);
  EXPECT_EQ(r2.code(), Code::kUnauthenticated);
  EXPECT_NE(r2.message().find("ECDSA half"), std::string_view::npos) << r2.message();
  // Halves of signatures by two different keys over the same message.
  const HybridSignature other = SignParts(B(), "message one");
  EXPECT_FALSE(A().PublicKey().Verify(AsBytes("message one"), {sig1.ecdsa_der, other.falcon}).ok());
  EXPECT_FALSE(A().PublicKey().Verify(AsBytes("message one"), {other.ecdsa_der, sig1.falcon}).ok());
  EXPECT_FALSE(B().PublicKey().Verify(AsBytes("message one"), sig1).ok());
}

TEST_F(HybridSigTest, OneCorruptHalfFailsTheWholeSignature) {
  const HybridSignature sig = SignParts(A(), "corrupt");
  HybridSignature bad_falcon = sig;
  bad_falcon.falcon[100] ^= 0x01;
  auto r1 = A().PublicKey().Verify(AsBytes("corrupt"), bad_falcon);
  EXPECT_FALSE(r1.ok());
  EXPECT_NE(r1.message().find("Falcon half"), std::string_view::npos) << r1.message();
  EXPECT_TRUE(A().PublicKey()
                  .ecdsa()
                  .Verify(HybridSigMessage(AsBytes("corrupt")),
                          bad_falcon.ecdsa_der)
                  .ok());  // the ECDSA half alone is still valid

  HybridSignature bad_ecdsa = sig;
  bad_ecdsa.ecdsa_der.back() ^= 0x01;
  auto r2 = A().PublicKey().Verify(AsBytes("corrupt"), bad_ecdsa);
  EXPECT_FALSE(r2.ok());
  EXPECT_NE(r2.message().find("ECDSA half"), std::string_view::npos) << r2.message();

  // Every single-byte flip of the encoded signature is rejected.
  const base::Bytes der = EncodeHybridSignature(sig);
  for (size_t i = 0; i < der.size(); i += 7) {
    base::Bytes flipped = der;
    flipped[i] ^= 0x40;
    EXPECT_FALSE(A().PublicKey().Verify(AsBytes("corrupt"), flipped).ok()) << "byte " << i;
  }
}

TEST_F(HybridSigTest, CrossAlgorithmSignaturesAreRejected) {
  const base::Bytes m = HybridSigMessage(AsBytes("cross"));
  const HybridSignature good = SignParts(A(), "cross");
  // A Falcon-512 signature (same M') in the Falcon-1024 slot: wrong header, InvalidArgument.
  base::SeededRandom random(21);
  auto f512 = falcon::KeyGen(falcon::Variant::kFalcon512, random);
  ASSERT_TRUE(f512.ok());
  auto sig512 = falcon::Sign(falcon::Variant::kFalcon512, f512->secret_key, m, random);
  ASSERT_TRUE(sig512.ok());
  auto r = A().PublicKey().Verify(AsBytes("cross"), {good.ecdsa_der, *sig512});
  EXPECT_EQ(r.code(), Code::kInvalidArgument) << r.ToString();
  // And directly: a Falcon-512 signature against a Falcon-1024 key.
  EXPECT_FALSE(
      falcon::Verify(falcon::Variant::kFalcon1024, A().PublicKey().falcon(), m, *sig512).ok());
  // Plain (not domain-separated) component signatures do not combine into a hybrid one.
  base::SeededRandom r2(22);
  auto sk = A().Raw();
  auto plain_falcon = falcon::Sign(falcon::Variant::kFalcon1024, base::ByteSpan(sk).subspan(32),
                                   AsBytes("cross"), r2);
  ASSERT_TRUE(plain_falcon.ok());
  EXPECT_FALSE(A().PublicKey().Verify(AsBytes("cross"), {good.ecdsa_der, *plain_falcon}).ok());
  auto ecdsa = EcdsaP256FromScalar(base::ByteSpan(sk).first(32));
  ASSERT_TRUE(ecdsa.ok());
  EXPECT_FALSE(
      A().PublicKey().Verify(AsBytes("cross"), {ecdsa->Sign(AsBytes("cross")), good.falcon}).ok());
}

}  // namespace
}  // namespace hm::crypto::hybrid
