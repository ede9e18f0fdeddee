#include "base/bytes.h"

#include <gtest/gtest.h>

namespace hm::base {
namespace {

TEST(HexTest, RoundTrip) {
  Bytes b = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(b), "0001abff");
  EXPECT_EQ(*HexDecode("0001ABff"), b);
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
}

// RFC 4648 §10 test vectors.
TEST(Base64Test, Rfc4648Vectors) {
  const char* in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(Base64Encode(AsBytes(in[i])), out[i]);
    auto d = Base64Decode(out[i]);
    ASSERT_TRUE(d.ok()) << out[i];
    EXPECT_EQ(AsString(*d), in[i]);
  }
}

TEST(Base64Test, StrictDecoding) {
  EXPECT_FALSE(Base64Decode("Zg=").ok());     // length
  EXPECT_FALSE(Base64Decode("Zh==").ok());    // non-zero trailing bits
  EXPECT_FALSE(Base64Decode("Z===").ok());    // too much padding
  EXPECT_FALSE(Base64Decode("Zm9v!A==").ok()); // bad character
  EXPECT_FALSE(Base64Decode("Zg==Zg==").ok()); // padding in the middle
}

TEST(Base64Test, UrlSafe) {
  Bytes b = {0xfb, 0xff};
  EXPECT_EQ(Base64UrlEncode(b), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), b);
  EXPECT_FALSE(Base64UrlDecode("-_8=").ok());
}

TEST(BytesTest, ConstantTimeEqual) {
  EXPECT_TRUE(ConstantTimeEqual(AsBytes("abc"), AsBytes("abc")));
  EXPECT_FALSE(ConstantTimeEqual(AsBytes("abc"), AsBytes("abd")));
  EXPECT_FALSE(ConstantTimeEqual(AsBytes("abc"), AsBytes("ab")));
}

}  // namespace
}  // namespace hm::base
