#include "crypto/hybrid/pq_keys.h"

#include <gtest/gtest.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <map>
#include <string>

#include "base/random.h"
#include "crypto/ecdsa.h"
#include "crypto/hybrid/der.h"
#include "crypto/hybrid/ecdsa_scalar.h"
#include "crypto/hybrid/hybrid_kem.h"
#include "crypto/hybrid/hybrid_sig.h"
#include "crypto/hybrid/pem.h"

namespace hm::crypto::hybrid {
namespace {

struct RawPair {
  base::Bytes pk;
  base::Bytes sk;
};

RawPair MakeKeys(Algorithm a, uint64_t seed) {
  base::SeededRandom random(seed);
  switch (a) {
    case Algorithm::kEcdsaP256: {
      EcdsaP256PrivateKey key = EcdsaP256Generate(random);
      const EcdsaP256Scalar d = EcdsaP256ScalarOf(key);
      return {base::Bytes(key.PublicKey().Sec1().begin(), key.PublicKey().Sec1().end()),
              base::Bytes(d.begin(), d.end())};
    }
    case Algorithm::kFalcon512:
    case Algorithm::kFalcon1024: {
      auto pair = falcon::KeyGen(FalconVariant(a), random);
      return {pair->public_key, pair->secret_key};
    }
    case Algorithm::kMlKem512:
    case Algorithm::kMlKem768:
    case Algorithm::kMlKem1024: {
      auto pair = mlkem::KeyGen(MlKemParams(a), random);
      return {pair->ek, pair->dk};
    }
    case Algorithm::kHybridSig: {
      auto key = HybridSigSecretKey::Generate(random);
      return {key->PublicKey().Raw(), key->Raw()};
    }
    case Algorithm::kHybridKem: {
      auto pair = HybridKemKeyGen(random);
      return {pair->public_key, pair->secret_key};
    }
  }
  return {};
}

// Falcon key generation is slow under sanitizers: one key pair per algorithm and seed.
const RawPair& Keys(Algorithm a, uint64_t seed = 1) {
  static auto* cache = new std::map<std::pair<Algorithm, uint64_t>, RawPair>();
  auto it = cache->find({a, seed});
  if (it == cache->end()) it = cache->emplace(std::make_pair(a, seed), MakeKeys(a, seed)).first;
  return it->second;
}

base::Bytes Spki(Algorithm a, const base::Bytes& raw) { return *PublicKeyToSpkiDer(a, raw); }
base::Bytes Pkcs8(Algorithm a, const base::Bytes& raw) { return *SecretKeyToPkcs8Der(a, raw); }

base::Bytes Seq(const base::Bytes& body) { return DerTlv(kDerSequence, body); }
base::Bytes Cat(std::initializer_list<base::Bytes> parts) {
  base::Bytes out;
  for (const auto& p : parts) DerAppend(out, p);
  return out;
}
base::Bytes OidTlv(std::string_view dotted) { return DerTlv(kDerOid, *OidContent(dotted)); }

// The same element with one more length octet than DER allows.
base::Bytes NonMinimalLength(const base::Bytes& der) {
  base::Bytes out = der;
  if (der[1] < 0x80) {
    out.insert(out.begin() + 1, 0x81);  // 30 LL -> 30 81 LL
  } else {
    out[1] = static_cast<uint8_t>(der[1] + 1);  // 30 82 LL LL -> 30 83 00 LL LL
    out.insert(out.begin() + 2, 0x00);
  }
  return out;
}

std::string OidTextOf(const ASN1_OBJECT* obj) {
  char buf[256];
  const int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
  return std::string(buf, static_cast<size_t>(n));
}

class PqKeysTest : public ::testing::TestWithParam<Algorithm> {};

TEST_P(PqKeysTest, RawKeysHaveTheDocumentedSizesAndCheck) {
  const Algorithm a = GetParam();
  const RawPair& k = Keys(a);
  EXPECT_EQ(k.pk.size(), RawPublicKeySize(a));
  EXPECT_EQ(k.sk.size(), RawSecretKeySize(a));
  EXPECT_TRUE(CheckPublicKey(a, k.pk).ok()) << CheckPublicKey(a, k.pk).ToString();
  EXPECT_TRUE(CheckSecretKey(a, k.sk).ok()) << CheckSecretKey(a, k.sk).ToString();
  EXPECT_EQ(*PublicKeyFromSecretKey(a, k.sk), k.pk);
  base::Bytes shorter(k.pk.begin(), k.pk.end() - 1);
  EXPECT_FALSE(CheckPublicKey(a, shorter).ok());
  base::Bytes longer = k.sk;
  longer.push_back(0);
  EXPECT_FALSE(CheckSecretKey(a, longer).ok());
}

TEST_P(PqKeysTest, SpkiRoundTripAndOpensslAgrees) {
  const Algorithm a = GetParam();
  const RawPair& k = Keys(a);
  const base::Bytes der = Spki(a, k.pk);
  auto parsed = ParseSpkiDer(der);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->algorithm, a);
  EXPECT_EQ(parsed->public_key, k.pk);
  EXPECT_EQ(*PublicKeyFromSpkiDer(a, der), k.pk);
  EXPECT_EQ(*PublicKeyFromPem(a, PublicKeyToPem(a, k.pk)), k.pk);

  // OpenSSL's generic X509_PUBKEY parser sees the same OID and key bytes.
  const unsigned char* p = der.data();
  X509_PUBKEY* xpk = d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  ASSERT_NE(xpk, nullptr);
  EXPECT_EQ(p, der.data() + der.size());
  ASN1_OBJECT* obj = nullptr;
  const unsigned char* key = nullptr;
  int key_len = 0;
  ASSERT_EQ(X509_PUBKEY_get0_param(&obj, &key, &key_len, nullptr, xpk), 1);
  EXPECT_EQ(OidTextOf(obj), AlgorithmOid(a));
  EXPECT_EQ(base::Bytes(key, key + key_len), k.pk);
  X509_PUBKEY_free(xpk);
}

TEST_P(PqKeysTest, Pkcs8RoundTripAndOpensslAgrees) {
  const Algorithm a = GetParam();
  const RawPair& k = Keys(a);
  const base::Bytes der = Pkcs8(a, k.sk);
  auto alg = Pkcs8Algorithm(der);
  ASSERT_TRUE(alg.ok()) << alg.status().ToString();
  EXPECT_EQ(*alg, a);
  auto back = SecretKeyFromPkcs8Der(a, der);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, k.sk);
  auto pem = SecretKeyToPem(a, k.sk);
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(pem->substr(0, 27), "-----BEGIN PRIVATE KEY-----");
  EXPECT_EQ(*SecretKeyFromPem(a, *pem), k.sk);

  const unsigned char* p = der.data();
  PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  ASSERT_NE(info, nullptr);
  const ASN1_OBJECT* obj = nullptr;
  ASSERT_EQ(PKCS8_pkey_get0(&obj, nullptr, nullptr, nullptr, info), 1);
  EXPECT_EQ(OidTextOf(obj), AlgorithmOid(a));
  PKCS8_PRIV_KEY_INFO_free(info);
}

TEST_P(PqKeysTest, ParsersRejectOtherAlgorithmsAndLabels) {
  const Algorithm a = GetParam();
  const RawPair& k = Keys(a);
  for (Algorithm other : kAllAlgorithms) {
    if (other == a) continue;
    auto pub = PublicKeyFromSpkiDer(other, Spki(a, k.pk));
    ASSERT_FALSE(pub.ok());
    EXPECT_NE(pub.status().message().find(AlgorithmName(a)), std::string_view::npos)
        << pub.status().message();
    EXPECT_FALSE(SecretKeyFromPkcs8Der(other, Pkcs8(a, k.sk)).ok());
  }
  EXPECT_FALSE(PublicKeyFromPem(a, *SecretKeyToPem(a, k.sk)).ok());
  EXPECT_FALSE(SecretKeyFromPem(a, PublicKeyToPem(a, k.pk)).ok());
}

TEST_P(PqKeysTest, SpkiParserIsStrict) {
  const Algorithm a = GetParam();
  const RawPair& k = Keys(a);
  const base::Bytes good = Spki(a, k.pk);
  base::Bytes alg_body = OidTlv(AlgorithmOid(a));
  if (a == Algorithm::kEcdsaP256) DerAppend(alg_body, OidTlv("1.2.840.10045.3.1.7"));
  const base::Bytes alg = Seq(alg_body);
  const base::Bytes short_key(k.pk.begin(), k.pk.end() - 1);
  base::Bytes long_key = k.pk;
  long_key.push_back(0);
  base::Bytes unused_bits = DerBitString(k.pk);
  unused_bits[unused_bits.size() - k.pk.size() - 1] = 1;
  const base::Bytes non_minimal = NonMinimalLength(good);
  base::Bytes trailing = good;
  trailing.push_back(0);
  const struct {
    base::Bytes der;
    const char* why;
  } kCases[] = {
      {{}, "empty"},
      {trailing, "trailing byte"},
      {base::Bytes(good.begin(), good.end() - 1), "truncated"},
      {non_minimal, "non-minimal length"},
      {Seq(Cat({Seq(Cat({alg_body, DerTlv(kDerNull, {})})), DerBitString(k.pk)})),
       "NULL parameters"},
      {Seq(Cat({alg, DerBitString(short_key)})), "short key"},
      {Seq(Cat({alg, DerBitString(long_key)})), "long key"},
      {Seq(Cat({alg, unused_bits})), "unused bits"},
      {Seq(Cat({alg, DerTlv(kDerOctetString, k.pk)})), "OCTET STRING key"},
      {Seq(Cat({Seq(OidTlv("1.3.9999.3.6")), DerBitString(k.pk)})), "old OQS Falcon OID"},
      {Seq(Cat({Seq(OidTlv("1.2.3.4")), DerBitString(k.pk)})), "unknown OID"},
      {Seq(Cat({alg, DerBitString(k.pk), DerTlv(kDerNull, {})})), "extra element"},
      {Seq(Cat({DerBitString(k.pk), alg})), "swapped fields"},
  };
  for (const auto& c : kCases) {
    EXPECT_FALSE(ParseSpkiDer(c.der).ok()) << AlgorithmName(a) << ": " << c.why;
  }
  EXPECT_TRUE(ParseSpkiDer(Seq(Cat({alg, DerBitString(k.pk)}))).ok());
}

TEST_P(PqKeysTest, Pkcs8ParserIsStrict) {
  const Algorithm a = GetParam();
  const RawPair& k = Keys(a);
  const base::Bytes good = Pkcs8(a, k.sk);
  DerReader outer(good);
  const base::ByteSpan body = *outer.Read(kDerSequence, "pki");
  DerReader r(body);
  ASSERT_TRUE(r.ExpectSmallInteger(0, "v").ok());
  const base::ByteSpan alg_content = *r.Read(kDerSequence, "alg");
  const base::Bytes alg = DerTlv(kDerSequence, alg_content);
  const base::ByteSpan octets = *r.Read(kDerOctetString, "pk");
  const base::Bytes key = DerTlv(kDerOctetString, octets);
  const base::Bytes v0 = DerTlv(kDerInteger, base::Bytes{0});
  base::Bytes trailing = good;
  trailing.push_back(0);
  const struct {
    base::Bytes der;
    const char* why;
  } kCases[] = {
      {trailing, "trailing byte"},
      {base::Bytes(good.begin(), good.end() - 1), "truncated"},
      {Seq(Cat({DerTlv(kDerInteger, base::Bytes{1}), alg, key})), "version 1"},
      {Seq(Cat({DerTlv(kDerInteger, base::Bytes{0, 0}), alg, key})), "non-minimal version"},
      {Seq(Cat({v0, alg, key, DerTlv(0xa0, {})})), "attributes"},
      {Seq(Cat({v0, alg, key, DerTlv(0x81, base::Bytes{0, 1})})), "public key field"},
      {Seq(Cat({v0, Seq(OidTlv("1.2.3.4")), key})), "unknown OID"},
      {Seq(Cat({v0, alg})), "no privateKey"},
      {Seq(Cat({v0, alg, DerTlv(kDerOctetString, {})})), "empty privateKey"},
  };
  for (const auto& c : kCases) {
    EXPECT_FALSE(SecretKeyFromPkcs8Der(a, c.der).ok()) << AlgorithmName(a) << ": " << c.why;
  }
  EXPECT_TRUE(SecretKeyFromPkcs8Der(a, Seq(Cat({v0, alg, key}))).ok());
}

INSTANTIATE_TEST_SUITE_P(All, PqKeysTest, ::testing::ValuesIn(kAllAlgorithms),
                         [](const ::testing::TestParamInfo<Algorithm>& p) {
                           std::string name(AlgorithmName(p.param));
                           for (char& c : name) {
                             if (c == '-' || c == '+') c = '_';
                           }
                           return name;
                         });

TEST(PqKeysOidTest, OidsAreTheDocumentedOnes) {
  EXPECT_EQ(AlgorithmOid(Algorithm::kFalcon512), "1.3.9999.3.11");
  EXPECT_EQ(AlgorithmOid(Algorithm::kFalcon1024), "1.3.9999.3.14");
  EXPECT_EQ(AlgorithmOid(Algorithm::kMlKem512), "2.16.840.1.101.3.4.4.1");
  EXPECT_EQ(AlgorithmOid(Algorithm::kMlKem768), "2.16.840.1.101.3.4.4.2");
  EXPECT_EQ(AlgorithmOid(Algorithm::kMlKem1024), "2.16.840.1.101.3.4.4.3");
  EXPECT_EQ(AlgorithmOid(Algorithm::kHybridSig), "2.25.5445952541388287336678472237821206818.1.1");
  EXPECT_EQ(AlgorithmOid(Algorithm::kHybridKem), "2.25.5445952541388287336678472237821206818.1.2");
}

TEST(PqKeysOidTest, MlKem1024SpkiHasTheExpectedPrefix) {
  const base::Bytes der = Spki(Algorithm::kMlKem1024, Keys(Algorithm::kMlKem1024).pk);
  EXPECT_EQ(der.size(), 4u + 13u + 4u + 1569u);
  EXPECT_EQ(base::HexEncode(base::ByteSpan(der).first(22)),
            "30820632300b060960864801650304040303820621"
            "00");
}

TEST(PqKeysOidTest, EcdsaSpkiIsByteIdenticalToOpenssl) {
  base::SeededRandom random(7);
  EcdsaP256PrivateKey key = EcdsaP256Generate(random);
  const auto& sec1 = key.PublicKey().Sec1();
  EXPECT_EQ(Spki(Algorithm::kEcdsaP256, base::Bytes(sec1.begin(), sec1.end())),
            key.PublicKey().ToSpkiDer());
  // And an OpenSSL-written PKCS#8 parses to the same scalar.
  const EcdsaP256Scalar d = EcdsaP256ScalarOf(key);
  EXPECT_EQ(*SecretKeyFromPkcs8Der(Algorithm::kEcdsaP256, key.ToPkcs8Der()),
            base::Bytes(d.begin(), d.end()));
}

TEST(PqKeysOidTest, EcdsaRejectsOtherCurvesAndBadScalars) {
  const base::Bytes p384_alg = Seq(Cat({OidTlv("1.2.840.10045.2.1"), OidTlv("1.3.132.0.34")}));
  const base::Bytes& pk = Keys(Algorithm::kEcdsaP256).pk;
  auto r = ParseSpkiDer(Seq(Cat({p384_alg, DerBitString(pk)})));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("P-256"), std::string_view::npos);
  const base::Bytes ec_no_curve = Seq(OidTlv("1.2.840.10045.2.1"));
  EXPECT_FALSE(ParseSpkiDer(Seq(Cat({ec_no_curve, DerBitString(pk)}))).ok());

  const base::Bytes zero(32, 0);
  const base::Bytes order =
      *base::HexDecode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  base::Bytes order_minus_1 = order;
  order_minus_1.back() -= 1;
  EXPECT_FALSE(CheckSecretKey(Algorithm::kEcdsaP256, zero).ok());
  EXPECT_FALSE(CheckSecretKey(Algorithm::kEcdsaP256, order).ok());
  EXPECT_FALSE(CheckSecretKey(Algorithm::kEcdsaP256, base::Bytes(32, 0xff)).ok());
  EXPECT_TRUE(CheckSecretKey(Algorithm::kEcdsaP256, order_minus_1).ok());
  base::Bytes one(32, 0);
  one.back() = 1;
  EXPECT_TRUE(CheckSecretKey(Algorithm::kEcdsaP256, one).ok());
  base::Bytes off_curve = pk;
  off_curve.back() ^= 1;
  EXPECT_FALSE(CheckPublicKey(Algorithm::kEcdsaP256, off_curve).ok());
}

TEST(PqKeysContentTest, RejectsInvalidKeyContents) {
  base::Bytes falcon_pk = Keys(Algorithm::kFalcon1024).pk;
  falcon_pk[0] = 0x09;  // Falcon-512 header on a Falcon-1024-sized key
  EXPECT_FALSE(CheckPublicKey(Algorithm::kFalcon1024, falcon_pk).ok());
  base::Bytes ek = Keys(Algorithm::kMlKem1024).pk;
  ek[0] = 0xff;
  ek[1] |= 0x0f;  // first coefficient = 4095 >= q
  EXPECT_FALSE(CheckPublicKey(Algorithm::kMlKem1024, ek).ok());
  base::Bytes dk = Keys(Algorithm::kMlKem1024).sk;
  dk[dk.size() - 40] ^= 1;  // inside H(ek)
  EXPECT_FALSE(CheckSecretKey(Algorithm::kMlKem1024, dk).ok());
  base::Bytes falcon_sk = Keys(Algorithm::kFalcon1024).sk;
  falcon_sk[0] = 0x59;
  EXPECT_FALSE(CheckSecretKey(Algorithm::kFalcon1024, falcon_sk).ok());
}

// ---- ML-KEM private-key CHOICE (draft-ietf-lamps-kyber-certificates) ----

base::Bytes CountingSeed() {
  base::Bytes seed(64);
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i);
  return seed;
}

base::Bytes MlKemPkcs8(const base::Bytes& private_key_octets) {
  return Seq(Cat({DerTlv(kDerInteger, base::Bytes{0}), Seq(OidTlv("2.16.840.1.101.3.4.4.3")),
                  DerTlv(kDerOctetString, private_key_octets)}));
}

TEST(PqKeysMlKemTest, SeedFormBytesMatchTheDraft) {
  const base::Bytes seed = CountingSeed();
  auto der = MlKemSeedToPkcs8Der(Algorithm::kMlKem1024, seed);
  ASSERT_TRUE(der.ok());
  // 30 54 | 02 01 00 | 30 0b 06 09 <id-alg-ml-kem-1024> | 04 42 80 40 <seed>
  EXPECT_EQ(base::HexEncode(base::ByteSpan(*der).first(22)),
            "3054020100300b060960864801650304040304428040");
  EXPECT_EQ(base::Bytes(der->begin() + 22, der->end()), seed);
  auto dk = SecretKeyFromPkcs8Der(Algorithm::kMlKem1024, *der);
  ASSERT_TRUE(dk.ok());
  EXPECT_EQ(*dk, mlkem::KeyGenFromSeed(mlkem::Params::kMlKem1024, seed)->dk);
  auto pem = MlKemSeedToPem(Algorithm::kMlKem1024, seed);
  EXPECT_EQ(*SecretKeyFromPem(Algorithm::kMlKem1024, *pem), *dk);
}

TEST(PqKeysMlKemTest, AcceptsExpandedAndConsistentBoth) {
  const base::Bytes seed = CountingSeed();
  const base::Bytes dk = mlkem::KeyGenFromSeed(mlkem::Params::kMlKem1024, seed)->dk;
  const base::Bytes both = Seq(Cat({DerTlv(kDerOctetString, seed), DerTlv(kDerOctetString, dk)}));
  EXPECT_EQ(*SecretKeyFromPkcs8Der(Algorithm::kMlKem1024, MlKemPkcs8(both)), dk);
  EXPECT_EQ(*SecretKeyFromPkcs8Der(Algorithm::kMlKem1024, MlKemPkcs8(DerTlv(kDerOctetString, dk))),
            dk);
}

TEST(PqKeysMlKemTest, RejectsMalformedChoices) {
  const base::Bytes seed = CountingSeed();
  const base::Bytes dk = mlkem::KeyGenFromSeed(mlkem::Params::kMlKem1024, seed)->dk;
  base::Bytes other_seed = seed;
  other_seed[0] ^= 1;
  base::Bytes bad_dk = dk;
  bad_dk[100] ^= 1;  // s_hat changes: the hash check still passes, but it is not the seed's key
  base::Bytes bad_hash_dk = dk;
  bad_hash_dk[dk.size() - 40] ^= 1;
  const base::Bytes short_seed(seed.begin(), seed.end() - 1);
  const struct {
    base::Bytes octets;
    const char* why;
  } kCases[] = {
      {DerTlv(0x80, short_seed), "63-byte seed"},
      {DerTlv(0x81, seed), "unknown CHOICE tag"},
      {DerTlv(0xa0, DerTlv(kDerOctetString, seed)), "constructed [0]"},
      {DerTlv(kDerOctetString, seed), "seed as expandedKey"},
      {DerTlv(kDerOctetString, bad_hash_dk), "expandedKey failing the hash check"},
      {Seq(Cat({DerTlv(kDerOctetString, other_seed), DerTlv(kDerOctetString, dk)})),
       "both: dk of another seed"},
      {Seq(Cat({DerTlv(kDerOctetString, seed), DerTlv(kDerOctetString, bad_dk)})),
       "both: modified dk"},
      {Seq(DerTlv(kDerOctetString, seed)), "both without dk"},
      {Cat({DerTlv(0x80, seed), base::Bytes{0}}), "trailing byte after the CHOICE"},
      {{}, "empty"},
  };
  for (const auto& c : kCases) {
    EXPECT_FALSE(SecretKeyFromPkcs8Der(Algorithm::kMlKem1024, MlKemPkcs8(c.octets)).ok()) << c.why;
  }
  EXPECT_FALSE(MlKemSeedToPkcs8Der(Algorithm::kFalcon1024, seed).ok());
  EXPECT_FALSE(MlKemSeedToPkcs8Der(Algorithm::kMlKem1024, short_seed).ok());
}

// ---- Falcon private key: OCTET STRING (sk || pk) ----

TEST(PqKeysFalconTest, PrivateKeyMustCarryTheMatchingPublicKey) {
  const RawPair& k = Keys(Algorithm::kFalcon512);
  const RawPair& other = Keys(Algorithm::kFalcon512, 2);
  auto pkcs8 = [](const base::Bytes& octets) {
    return Seq(Cat({DerTlv(kDerInteger, base::Bytes{0}), Seq(OidTlv("1.3.9999.3.11")),
                    DerTlv(kDerOctetString, octets)}));
  };
  EXPECT_TRUE(SecretKeyFromPkcs8Der(Algorithm::kFalcon512,
                                    pkcs8(DerTlv(kDerOctetString, Cat({k.sk, k.pk}))))
                  .ok());
  auto mismatch = SecretKeyFromPkcs8Der(Algorithm::kFalcon512,
                                        pkcs8(DerTlv(kDerOctetString, Cat({k.sk, other.pk}))));
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("does not match"), std::string_view::npos);
  EXPECT_FALSE(SecretKeyFromPkcs8Der(Algorithm::kFalcon512, pkcs8(Cat({k.sk, k.pk}))).ok());
  EXPECT_FALSE(
      SecretKeyFromPkcs8Der(Algorithm::kFalcon512, pkcs8(DerTlv(kDerOctetString, k.sk))).ok());
}

}  // namespace
}  // namespace hm::crypto::hybrid
