#include "crypto/x25519.h"

#include <gtest/gtest.h>

#include "base/bytes.h"

namespace hm::crypto {
namespace {

base::Bytes Hex(std::string_view hex) {
  auto r = base::HexDecode(hex);
  EXPECT_TRUE(r.ok()) << hex;
  return r.ok() ? *r : base::Bytes{};
}

// RFC 7748 §6.1.
TEST(X25519Test, Rfc7748AliceBob) {
  auto alice = X25519PrivateKey::FromRaw(
      Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = X25519PrivateKey::FromRaw(
      Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_TRUE(alice.ok() && bob.ok());
  EXPECT_EQ(base::HexEncode(alice->PublicRaw()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(base::HexEncode(bob->PublicRaw()),
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  auto k1 = alice->DeriveShared(bob->PublicRaw());
  auto k2 = bob->DeriveShared(alice->PublicRaw());
  ASSERT_TRUE(k1.ok()) << k1.status().ToString();
  ASSERT_TRUE(k2.ok());
  EXPECT_EQ(base::HexEncode(*k1),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_EQ(*k1, *k2);
  EXPECT_EQ(base::HexEncode(alice->PrivateRaw()),
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
}

TEST(X25519Test, GeneratedKeysAgree) {
  const auto a = X25519PrivateKey::Generate();
  const auto b = X25519PrivateKey::Generate();
  auto k1 = a.DeriveShared(b.PublicRaw());
  auto k2 = b.DeriveShared(a.PublicRaw());
  ASSERT_TRUE(k1.ok() && k2.ok());
  EXPECT_EQ(*k1, *k2);
  EXPECT_NE(a.PublicRaw(), b.PublicRaw());
}

TEST(X25519Test, RejectsLowOrderPointsAndBadSizes) {
  const auto a = X25519PrivateKey::Generate();
  // u = 0 and u = 1 are small-order points: the shared secret would be all zero.
  base::Bytes zero(32, 0);
  base::Bytes one(32, 0);
  one[0] = 1;
  for (const auto& peer : {zero, one}) {
    auto r = a.DeriveShared(peer);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
  }
  // A point of order 8 (RFC 7748 / Curve25519 small-subgroup list).
  auto order8 =
      a.DeriveShared(Hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"));
  EXPECT_EQ(order8.status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(a.DeriveShared(base::Bytes(31, 9)).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(X25519PrivateKey::FromRaw(base::Bytes(16)).status().code(),
            base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace hm::crypto
