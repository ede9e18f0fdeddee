#include "crypto/hkdf.h"

#include <gtest/gtest.h>

#include "base/bytes.h"

namespace hm::crypto {
namespace {

base::Bytes Hex(std::string_view hex) {
  auto r = base::HexDecode(hex);
  EXPECT_TRUE(r.ok()) << hex;
  return r.ok() ? *r : base::Bytes{};
}

// RFC 5869 Appendix A.1.
TEST(HkdfTest, Rfc5869Case1) {
  const auto ikm = Hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const auto salt = Hex("000102030405060708090a0b0c");
  const auto info = Hex("f0f1f2f3f4f5f6f7f8f9");
  const Digest32 prk = HkdfExtract(salt, ikm);
  EXPECT_EQ(base::HexEncode(prk),
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
  const char kOkm[] =
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865";
  auto okm = HkdfExpand(prk, info, 42);
  ASSERT_TRUE(okm.ok()) << okm.status().ToString();
  EXPECT_EQ(base::HexEncode(*okm), kOkm);
  auto whole = Hkdf(ikm, salt, info, 42);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(base::HexEncode(*whole), kOkm);
}

// RFC 5869 Appendix A.3: zero-length salt and info.
TEST(HkdfTest, Rfc5869Case3) {
  const auto ikm = Hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const Digest32 prk = HkdfExtract({}, ikm);
  EXPECT_EQ(base::HexEncode(prk),
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
  auto okm = Hkdf(ikm, {}, {}, 42);
  ASSERT_TRUE(okm.ok()) << okm.status().ToString();
  EXPECT_EQ(base::HexEncode(*okm),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(HkdfTest, LengthLimits) {
  const Digest32 prk = HkdfExtract({}, base::AsBytes("ikm"));
  auto max = HkdfExpand(prk, {}, kHkdfSha256MaxOutput);
  ASSERT_TRUE(max.ok()) << max.status().ToString();
  EXPECT_EQ(max->size(), 255u * 32u);
  auto too_long = HkdfExpand(prk, {}, kHkdfSha256MaxOutput + 1);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(Hkdf(base::AsBytes("x"), {}, {}, 9000).status().code(), base::Code::kInvalidArgument);
  auto empty = HkdfExpand(prk, {}, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(HkdfTest, ShortPrkRejected) {
  const base::Bytes short_prk(16, 0x42);
  EXPECT_EQ(HkdfExpand(short_prk, {}, 32).status().code(), base::Code::kInvalidArgument);
}

TEST(HkdfTest, EmptyIkmWorks) {
  auto okm = Hkdf({}, {}, base::AsBytes("info"), 32);
  ASSERT_TRUE(okm.ok()) << okm.status().ToString();
  EXPECT_EQ(okm->size(), 32u);
}

}  // namespace
}  // namespace hm::crypto
