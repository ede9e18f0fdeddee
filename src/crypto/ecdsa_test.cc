#include "crypto/ecdsa.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "base/bytes.h"
#include "crypto/ed25519.h"

namespace hm::crypto {
namespace {

using base::Code;

base::Bytes Hex(std::string_view hex) {
  auto r = base::HexDecode(hex);
  EXPECT_TRUE(r.ok()) << hex;
  return r.ok() ? *r : base::Bytes{};
}

// RFC 6979 A.2.5: P-256 key and its SHA-256 signature of "sample".
constexpr char kRfc6979Point[] =
    "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
    "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";
constexpr char kRfc6979Sig[] =
    "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
    "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8";

TEST(EcdsaTest, VerifiesRfc6979Vector) {
  auto pub = EcdsaP256PublicKey::FromSec1(Hex(kRfc6979Point));
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  const base::Bytes raw = Hex(kRfc6979Sig);
  EXPECT_TRUE(pub->VerifyRaw(base::AsBytes("sample"), raw).ok());
  EXPECT_EQ(pub->VerifyRaw(base::AsBytes("samplf"), raw).code(), Code::kUnauthenticated);
  // The same signature in DER: SEQUENCE { INTEGER r, INTEGER s }, both need a 0x00 pad byte.
  auto der = EcdsaRawToDer(raw);
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(base::HexEncode(*der), std::string("3046022100") + std::string(kRfc6979Sig, 64) +
                                       "022100" + std::string(kRfc6979Sig + 64));
  EXPECT_TRUE(pub->Verify(base::AsBytes("sample"), *der).ok());
  auto back = EcdsaDerToRaw(*der);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(base::Bytes(back->begin(), back->end()), raw);
}

TEST(EcdsaTest, SignVerifyRoundTrip) {
  const auto key = EcdsaP256PrivateKey::Generate();
  const auto msg = base::AsBytes("block header bytes");
  const base::Bytes sig = key.Sign(msg);
  EXPECT_GE(sig.size(), 8u);
  EXPECT_LE(sig.size(), kEcdsaP256MaxDerSigSize);
  EXPECT_TRUE(key.PublicKey().Verify(msg, sig).ok());
  const auto raw = key.SignRaw(msg);
  EXPECT_TRUE(key.PublicKey().VerifyRaw(msg, raw).ok());
}

TEST(EcdsaTest, TamperedMessageOrSignatureRejected) {
  const auto key = EcdsaP256PrivateKey::Generate();
  const auto msg = base::AsBytes("transfer 10 CAES");
  base::Bytes sig = key.Sign(msg);
  EXPECT_EQ(key.PublicKey().Verify(base::AsBytes("transfer 11 CAES"), sig).code(),
            Code::kUnauthenticated);
  base::Bytes bad = sig;
  bad.back() ^= 0x01;  // last byte of s: still strict DER, wrong value
  EXPECT_EQ(key.PublicKey().Verify(msg, bad).code(), Code::kUnauthenticated);
  auto raw = key.SignRaw(msg);
  raw[5] ^= 0x40;
  EXPECT_EQ(key.PublicKey().VerifyRaw(msg, raw).code(), Code::kUnauthenticated);
  const auto other = EcdsaP256PrivateKey::Generate();
  EXPECT_EQ(other.PublicKey().Verify(msg, sig).code(), Code::kUnauthenticated);
}

TEST(EcdsaTest, MalformedDerRejected) {
  const auto key = EcdsaP256PrivateKey::Generate();
  const auto msg = base::AsBytes("m");
  const base::Bytes sig = key.Sign(msg);
  const auto& pub = key.PublicKey();
  EXPECT_EQ(pub.Verify(msg, {}).code(), Code::kInvalidArgument);
  EXPECT_EQ(pub.Verify(msg, base::Bytes(sig.begin(), sig.end() - 1)).code(),
            Code::kInvalidArgument);
  base::Bytes trailing = sig;
  trailing.push_back(0);
  EXPECT_EQ(pub.Verify(msg, trailing).code(), Code::kInvalidArgument);
  EXPECT_EQ(pub.Verify(msg, base::Bytes(100, 0x30)).code(), Code::kInvalidArgument);
  EXPECT_EQ(pub.Verify(msg, base::AsBytes("not a signature")).code(), Code::kInvalidArgument);
  // BER long-form length where DER needs the short form.
  EXPECT_EQ(pub.Verify(msg, Hex("308106020101020101")).code(), Code::kInvalidArgument);
  // Non-minimal INTEGER (leading zero byte).
  EXPECT_EQ(pub.Verify(msg, Hex("300702020001020101")).code(), Code::kInvalidArgument);
  // Well-formed DER of (1, 1): parses, does not verify.
  EXPECT_EQ(pub.Verify(msg, Hex("3006020101020101")).code(), Code::kUnauthenticated);
  EXPECT_EQ(pub.VerifyRaw(msg, base::Bytes(63, 1)).code(), Code::kInvalidArgument);
  EXPECT_EQ(EcdsaDerToRaw(Hex("3006020101020101")).status().ok(), true);
  // r wider than 32 bytes cannot be a P-256 scalar.
  const std::string wide_r = "3028022100" + std::string(66, 'f') + "020101";
  EXPECT_FALSE(EcdsaDerToRaw(Hex(wide_r)).ok());
}

TEST(EcdsaTest, Sec1RoundTripAndInvalidPoints) {
  const auto key = EcdsaP256PrivateKey::Generate();
  const auto& sec1 = key.PublicKey().Sec1();
  EXPECT_EQ(sec1[0], 0x04);
  auto back = EcdsaP256PublicKey::FromSec1(sec1);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, key.PublicKey());

  base::Bytes off_curve(sec1.begin(), sec1.end());
  off_curve.back() ^= 0x01;  // (x, y+-1) is not on the curve
  EXPECT_EQ(EcdsaP256PublicKey::FromSec1(off_curve).status().code(), Code::kInvalidArgument);
  base::Bytes zero(65, 0);
  zero[0] = 0x04;
  EXPECT_EQ(EcdsaP256PublicKey::FromSec1(zero).status().code(), Code::kInvalidArgument);
  base::Bytes bad_prefix(sec1.begin(), sec1.end());
  bad_prefix[0] = 0x05;
  EXPECT_EQ(EcdsaP256PublicKey::FromSec1(bad_prefix).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(EcdsaP256PublicKey::FromSec1(base::ByteSpan(sec1).first(33)).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(EcdsaP256PublicKey::FromSec1(Hex("00")).status().code(), Code::kInvalidArgument);
  // x = p (field prime) is out of range even though y might be anything.
  const std::string p_hex = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
  EXPECT_EQ(EcdsaP256PublicKey::FromSec1(Hex("04" + p_hex + std::string(64, '0'))).status().code(),
            Code::kInvalidArgument);
}

TEST(EcdsaTest, SpkiDerAndPemRoundTrip) {
  const auto key = EcdsaP256PrivateKey::Generate();
  const base::Bytes der = key.PublicKey().ToSpkiDer();
  // RFC 5480: SEQUENCE { AlgorithmIdentifier { id-ecPublicKey, prime256v1 }, BIT STRING }.
  const std::string prefix = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
  ASSERT_EQ(der.size(), 91u);
  EXPECT_EQ(base::HexEncode(base::ByteSpan(der).first(26)), prefix);
  EXPECT_EQ(base::HexEncode(base::ByteSpan(der).subspan(26)),
            base::HexEncode(key.PublicKey().Sec1()));
  auto from_der = EcdsaP256PublicKey::FromSpkiDer(der);
  ASSERT_TRUE(from_der.ok()) << from_der.status().ToString();
  EXPECT_EQ(*from_der, key.PublicKey());

  const std::string pem = key.PublicKey().ToSpkiPem();
  EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
  auto from_pem = EcdsaP256PublicKey::FromSpkiPem(pem);
  ASSERT_TRUE(from_pem.ok()) << from_pem.status().ToString();
  EXPECT_EQ(*from_pem, key.PublicKey());
  // A copy shares the key and still verifies.
  EcdsaP256PublicKey copy = *from_pem;
  EXPECT_TRUE(copy.Verify(base::AsBytes("x"), key.Sign(base::AsBytes("x"))).ok());
}

TEST(EcdsaTest, SpkiRejections) {
  const auto key = EcdsaP256PrivateKey::Generate();
  base::Bytes der = key.PublicKey().ToSpkiDer();
  base::Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(EcdsaP256PublicKey::FromSpkiDer(trailing).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(EcdsaP256PublicKey::FromSpkiDer(base::ByteSpan(der).first(50)).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(EcdsaP256PublicKey::FromSpkiDer({}).status().code(), Code::kInvalidArgument);
  base::Bytes off_curve = der;
  off_curve.back() ^= 1;
  EXPECT_EQ(EcdsaP256PublicKey::FromSpkiDer(off_curve).status().code(), Code::kInvalidArgument);
  // Another key type and another curve.
  const auto ed = Ed25519PrivateKey::Generate();
  EXPECT_EQ(EcdsaP256PublicKey::FromSpkiDer(ed.PublicKey().ToSpkiDer()).status().code(),
            Code::kInvalidArgument);
  EVP_PKEY* p384 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  ASSERT_NE(p384, nullptr);
  unsigned char* buf = nullptr;
  const int len = i2d_PUBKEY(p384, &buf);
  ASSERT_GT(len, 0);
  base::Bytes p384_der(buf, buf + len);
  OPENSSL_free(buf);
  EVP_PKEY_free(p384);
  auto r = EcdsaP256PublicKey::FromSpkiDer(p384_der);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("P-256"), std::string_view::npos);
  // PEM with the wrong label or garbage.
  std::string pem = key.PublicKey().ToSpkiPem();
  EXPECT_EQ(EcdsaP256PublicKey::FromSpkiPem(key.ToPkcs8Pem()).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(EcdsaP256PublicKey::FromSpkiPem("hello").status().code(), Code::kInvalidArgument);
  pem[40] = pem[40] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(EcdsaP256PublicKey::FromSpkiPem(pem).ok());
}

TEST(EcdsaTest, PrivateKeyPemRoundTrip) {
  const auto key = EcdsaP256PrivateKey::Generate();
  const std::string pem = key.ToPkcs8Pem();
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  auto loaded = EcdsaP256PrivateKey::FromPkcs8Pem(pem);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->PublicKey(), key.PublicKey());
  const auto msg = base::AsBytes("persisted key");
  EXPECT_TRUE(key.PublicKey().Verify(msg, loaded->Sign(msg)).ok());
  auto from_der = EcdsaP256PrivateKey::FromPkcs8Der(key.ToPkcs8Der());
  ASSERT_TRUE(from_der.ok());
  EXPECT_EQ(from_der->PublicKey(), key.PublicKey());
}

TEST(EcdsaTest, PrivateKeyRejections) {
  const auto key = EcdsaP256PrivateKey::Generate();
  EXPECT_EQ(EcdsaP256PrivateKey::FromPkcs8Pem(key.PublicKey().ToSpkiPem()).status().code(),
            Code::kInvalidArgument);
  const auto ed = Ed25519PrivateKey::Generate();
  EXPECT_EQ(EcdsaP256PrivateKey::FromPkcs8Pem(ed.ToPkcs8Pem()).status().code(),
            Code::kInvalidArgument);
  base::Bytes der = key.ToPkcs8Der();
  der.push_back(0);
  EXPECT_EQ(EcdsaP256PrivateKey::FromPkcs8Der(der).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(EcdsaP256PrivateKey::FromPkcs8Der(base::Bytes(10, 0x30)).status().code(),
            Code::kInvalidArgument);
}

// Keys are documented as safe for concurrent const use (e.g. verifier threads sharing one key).
TEST(EcdsaTest, ConcurrentSignAndVerifyWithOneKey) {
  const auto key = EcdsaP256PrivateKey::Generate();
  const EcdsaP256PublicKey pub = key.PublicKey();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string msg = "msg " + std::to_string(t) + "/" + std::to_string(i);
        const base::Bytes sig = key.Sign(base::AsBytes(msg));
        if (!pub.Verify(base::AsBytes(msg), sig).ok()) ++failures;
        if (pub.Verify(base::AsBytes(msg + "!"), sig).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(EcdsaTest, ExposesEvpPkey) {
  const auto key = EcdsaP256PrivateKey::Generate();
  ASSERT_NE(key.evp_pkey(), nullptr);
  ASSERT_NE(key.PublicKey().evp_pkey(), nullptr);
  EXPECT_EQ(EVP_PKEY_get_bits(key.PublicKey().evp_pkey()), 256);
  EXPECT_EQ(EVP_PKEY_eq(key.evp_pkey(), key.PublicKey().evp_pkey()), 1);
}

}  // namespace
}  // namespace hm::crypto
