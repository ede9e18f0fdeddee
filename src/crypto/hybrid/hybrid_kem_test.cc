#include "crypto/hybrid/hybrid_kem.h"

#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <string>

#include "base/random.h"

namespace hm::crypto::hybrid {
namespace {

using base::Code;

base::Bytes Hmac(base::ByteSpan key, base::ByteSpan data) {
  base::Bytes out(32);
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
       &len);
  EXPECT_EQ(len, 32u);
  return out;
}

// RFC 5869 with SHA-256 for one output block, written out with plain HMAC so the test does not
// share code with the implementation under test.
base::Bytes ReferenceHkdf32(base::ByteSpan salt, base::ByteSpan ikm, base::ByteSpan info) {
  const base::Bytes zeros(32, 0);
  const base::Bytes prk = Hmac(salt.empty() ? base::ByteSpan(zeros) : salt, ikm);
  base::Bytes t1_input(info.begin(), info.end());
  t1_input.push_back(0x01);
  return Hmac(prk, t1_input);
}

base::Bytes Cat(std::initializer_list<base::ByteSpan> parts) {
  base::Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

base::Bytes ToVec(const HybridKemSharedSecret& s) { return base::Bytes(s.begin(), s.end()); }

TEST(HybridKemTest, RoundTripAndSizes) {
  base::SeededRandom random(1);
  auto pair = HybridKemKeyGen(random);
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->public_key.size(), kHybridKemPublicKeySize);
  EXPECT_EQ(pair->secret_key.size(), kHybridKemSecretKeySize);
  EXPECT_EQ(kHybridKemPublicKeySize, 1600u);
  EXPECT_EQ(kHybridKemSecretKeySize, 3200u);
  EXPECT_EQ(kHybridKemCiphertextSize, 1600u);
  EXPECT_TRUE(CheckHybridKemPublicKey(pair->public_key).ok());
  EXPECT_TRUE(CheckHybridKemSecretKey(pair->secret_key).ok());
  EXPECT_EQ(*HybridKemPublicKeyFromSecretKey(pair->secret_key), pair->public_key);
  for (int i = 0; i < 3; ++i) {
    auto enc = HybridKemEncaps(pair->public_key, random);
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    EXPECT_EQ(enc->ciphertext.size(), kHybridKemCiphertextSize);
    auto dec = HybridKemDecaps(pair->secret_key, enc->ciphertext);
    ASSERT_TRUE(dec.ok()) << dec.status().ToString();
    EXPECT_EQ(*dec, enc->shared_secret);
  }
}

// The combiner as specified in docs/spec/crypto.md, recomputed from the components.
TEST(HybridKemTest, SharedSecretFollowsTheSpec) {
  base::SeededRandom random(2);
  auto pair = HybridKemKeyGen(random);
  ASSERT_TRUE(pair.ok());
  auto enc = HybridKemEncaps(pair->public_key, random);
  ASSERT_TRUE(enc.ok());
  const base::ByteSpan pk(pair->public_key);
  const base::ByteSpan sk(pair->secret_key);
  const base::ByteSpan ct(enc->ciphertext);
  const base::ByteSpan pk_x = pk.first(32), ek = pk.subspan(32);
  const base::ByteSpan sk_x = sk.first(32), dk = sk.subspan(32);
  const base::ByteSpan ct_x = ct.first(32), ct_m = ct.subspan(32);

  auto x = X25519PrivateKey::FromRaw(sk_x);
  ASSERT_TRUE(x.ok());
  auto ss_x = x->DeriveShared(ct_x);
  ASSERT_TRUE(ss_x.ok());
  auto ss_m = mlkem::Decaps(mlkem::Params::kMlKem1024, dk, ct_m);
  ASSERT_TRUE(ss_m.ok());
  const std::string label("hm.hybrid-kem.v1");
  const base::Bytes info = Cat({base::AsBytes(label), base::Bytes{0x00}, ct_x, ct_m, pk_x, ek});
  const base::Bytes want = ReferenceHkdf32({}, Cat({*ss_m, *ss_x}), info);
  EXPECT_EQ(ToVec(enc->shared_secret), want);
  EXPECT_EQ(ToVec(*HybridKemCombine(*ss_m, *ss_x, ct_x, ct_m, pk_x, ek)), want);
  // Swapping the order of the component secrets gives another key (the order is part of the spec).
  EXPECT_NE(ToVec(*HybridKemCombine(*ss_x, *ss_m, ct_x, ct_m, pk_x, ek)), want);
}

TEST(HybridKemTest, DeterministicFromRandom) {
  base::SeededRandom r1(3), r2(3);
  auto p1 = HybridKemKeyGen(r1);
  auto p2 = HybridKemKeyGen(r2);
  EXPECT_EQ(p1->secret_key, p2->secret_key);
  auto e1 = HybridKemEncaps(p1->public_key, r1);
  auto e2 = HybridKemEncaps(p2->public_key, r2);
  EXPECT_EQ(e1->ciphertext, e2->ciphertext);
  EXPECT_EQ(e1->shared_secret, e2->shared_secret);
}

TEST(HybridKemTest, ModifiedCiphertextHalvesGiveOtherKeys) {
  base::SeededRandom random(4);
  auto pair = HybridKemKeyGen(random);
  auto enc = HybridKemEncaps(pair->public_key, random);
  ASSERT_TRUE(enc.ok());
  // X25519 half: another point, another X25519 secret.
  base::Bytes ct = enc->ciphertext;
  ct[5] ^= 0x01;
  auto k1 = HybridKemDecaps(pair->secret_key, ct);
  ASSERT_TRUE(k1.ok()) << k1.status().ToString();
  EXPECT_NE(*k1, enc->shared_secret);
  // ML-KEM half: implicit rejection, never an error.
  for (size_t pos : {size_t{32}, size_t{800}, kHybridKemCiphertextSize - 1}) {
    ct = enc->ciphertext;
    ct[pos] ^= 0x80;
    auto k2 = HybridKemDecaps(pair->secret_key, ct);
    ASSERT_TRUE(k2.ok()) << pos << ": " << k2.status().ToString();
    EXPECT_NE(*k2, enc->shared_secret) << pos;
    EXPECT_NE(*k2, *k1) << pos;
  }
  // Another recipient cannot recover the key.
  auto other = HybridKemKeyGen(random);
  auto k3 = HybridKemDecaps(other->secret_key, enc->ciphertext);
  ASSERT_TRUE(k3.ok());
  EXPECT_NE(*k3, enc->shared_secret);
}

TEST(HybridKemTest, RejectsMalformedInputs) {
  base::SeededRandom random(5);
  auto pair = HybridKemKeyGen(random);
  auto enc = HybridKemEncaps(pair->public_key, random);
  ASSERT_TRUE(enc.ok());
  const base::Bytes& ct = enc->ciphertext;
  const base::Bytes& sk = pair->secret_key;
  const base::Bytes& pk = pair->public_key;

  EXPECT_EQ(HybridKemDecaps(sk, base::ByteSpan(ct).first(ct.size() - 1)).status().code(),
            Code::kInvalidArgument);
  base::Bytes longer = ct;
  longer.push_back(0);
  EXPECT_EQ(HybridKemDecaps(sk, longer).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(HybridKemDecaps(base::ByteSpan(sk).first(sk.size() - 1), ct).ok());
  base::Bytes bad_dk = sk;
  bad_dk[bad_dk.size() - 40] ^= 1;  // H(ek) inside dk
  EXPECT_FALSE(HybridKemDecaps(bad_dk, ct).ok());
  EXPECT_FALSE(CheckHybridKemSecretKey(bad_dk).ok());

  // A low-order ephemeral X25519 point (0) is an error, not a key.
  base::Bytes zero_point = ct;
  std::fill(zero_point.begin(), zero_point.begin() + 32, 0);
  EXPECT_EQ(HybridKemDecaps(sk, zero_point).status().code(), Code::kInvalidArgument);

  EXPECT_FALSE(HybridKemEncaps(base::ByteSpan(pk).first(pk.size() - 1), random).ok());
  base::Bytes low_order_pk = pk;
  std::fill(low_order_pk.begin(), low_order_pk.begin() + 32, 0);
  EXPECT_FALSE(HybridKemEncaps(low_order_pk, random).ok());
  base::Bytes bad_ek = pk;
  bad_ek[32] = 0xff;
  bad_ek[33] |= 0x0f;  // coefficient 4095 >= q: FIPS 203 7.2 modulus check
  EXPECT_FALSE(CheckHybridKemPublicKey(bad_ek).ok());
  EXPECT_FALSE(HybridKemEncaps(bad_ek, random).ok());
}

}  // namespace
}  // namespace hm::crypto::hybrid
