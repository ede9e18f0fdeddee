#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include <string>

#include "base/bytes.h"

namespace hm::crypto {
namespace {

using base::Code;

base::Bytes Hex(std::string_view hex) {
  auto r = base::HexDecode(hex);
  EXPECT_TRUE(r.ok()) << hex;
  return r.ok() ? *r : base::Bytes{};
}

// RFC 8032 §7.1, TEST 1 (empty message).
constexpr char kSeed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kPublic[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr char kSig[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

TEST(Ed25519Test, Rfc8032Test1) {
  auto key = Ed25519PrivateKey::FromSeed(Hex(kSeed));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(base::HexEncode(key->PublicKey().Raw()), kPublic);
  const auto sig = key->Sign({});
  EXPECT_EQ(base::HexEncode(sig), kSig);
  auto pub = Ed25519PublicKey::FromRaw(Hex(kPublic));
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->Verify({}, Hex(kSig)).ok());
}

TEST(Ed25519Test, RejectsTamperingAndBadSizes) {
  const auto key = Ed25519PrivateKey::Generate();
  const auto msg = base::AsBytes("node announcement");
  auto sig = key.Sign(msg);
  EXPECT_TRUE(key.PublicKey().Verify(msg, sig).ok());
  EXPECT_EQ(key.PublicKey().Verify(base::AsBytes("node announcemenT"), sig).code(),
            Code::kUnauthenticated);
  sig[10] ^= 0x04;
  EXPECT_EQ(key.PublicKey().Verify(msg, sig).code(), Code::kUnauthenticated);
  EXPECT_EQ(key.PublicKey().Verify(msg, base::Bytes(63)).code(), Code::kInvalidArgument);
  EXPECT_EQ(Ed25519PublicKey::FromRaw(base::Bytes(31)).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Ed25519PrivateKey::FromSeed(base::Bytes(33)).status().code(), Code::kInvalidArgument);
  // S >= L (non-canonical) must not verify: RFC 8032 §5.1.7.
  base::Bytes high_s = Hex(kSig);
  high_s[63] |= 0xf0;
  auto pub = Ed25519PublicKey::FromRaw(Hex(kPublic));
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->Verify({}, high_s).code(), Code::kUnauthenticated);
}

TEST(Ed25519Test, PemRoundTrips) {
  const auto key = Ed25519PrivateKey::Generate();
  const std::string priv_pem = key.ToPkcs8Pem();
  auto loaded = Ed25519PrivateKey::FromPkcs8Pem(priv_pem);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->PublicKey(), key.PublicKey());
  // Deterministic signatures: same key, same message, same bytes.
  EXPECT_EQ(loaded->Sign(base::AsBytes("m")), key.Sign(base::AsBytes("m")));

  const std::string pub_pem = key.PublicKey().ToSpkiPem();
  auto pub = Ed25519PublicKey::FromSpkiPem(pub_pem);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(*pub, key.PublicKey());
  // RFC 8410: SPKI is 302a300506032b6570032100 || key.
  EXPECT_EQ(base::HexEncode(key.PublicKey().ToSpkiDer()),
            "302a300506032b6570032100" + base::HexEncode(key.PublicKey().Raw()));
}

TEST(Ed25519Test, Rfc8032SeedPkcs8MatchesRfc8410Layout) {
  auto key = Ed25519PrivateKey::FromSeed(Hex(kSeed));
  ASSERT_TRUE(key.ok());
  // RFC 8410 §7: version 0, id-Ed25519, OCTET STRING { OCTET STRING seed }.
  EXPECT_EQ(base::HexEncode(key->ToPkcs8Der()),
            std::string("302e020100300506032b657004220420") + kSeed);
}

TEST(Ed25519Test, PemRejections) {
  const auto key = Ed25519PrivateKey::Generate();
  EXPECT_EQ(Ed25519PublicKey::FromSpkiPem(key.ToPkcs8Pem()).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Ed25519PrivateKey::FromPkcs8Pem(key.PublicKey().ToSpkiPem()).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Ed25519PublicKey::FromSpkiPem("").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace hm::crypto
