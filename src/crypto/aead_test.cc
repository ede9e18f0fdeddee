#include "crypto/aead.h"

#include <gtest/gtest.h>

#include "base/bytes.h"

namespace hm::crypto {
namespace {

base::Bytes Hex(std::string_view hex) {
  auto r = base::HexDecode(hex);
  EXPECT_TRUE(r.ok()) << hex;
  return r.ok() ? *r : base::Bytes{};
}

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 60-byte
// plaintext, 20-byte AAD).
struct Case16 {
  base::Bytes key = Hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  base::Bytes nonce = Hex("cafebabefacedbaddecaf888");
  base::Bytes aad = Hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  base::Bytes plaintext =
      Hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
          "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
  std::string sealed_hex =
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
      "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
      "76fc6ece0f4e1768cddf8853bb2d551b";
};

TEST(AeadTest, GcmSpecCase16Seal) {
  Case16 v;
  auto sealed = Aes256GcmSeal(v.key, v.nonce, v.aad, v.plaintext);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(base::HexEncode(*sealed), v.sealed_hex);
}

TEST(AeadTest, GcmSpecCase16Open) {
  Case16 v;
  auto opened = Aes256GcmOpen(v.key, v.nonce, v.aad, Hex(v.sealed_hex));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, v.plaintext);
}

// GCM spec test case 13: all-zero key and nonce, empty plaintext and AAD: only a tag.
TEST(AeadTest, GcmSpecCase13EmptyMessage) {
  const base::Bytes key(32, 0), nonce(12, 0);
  auto sealed = Aes256GcmSeal(key, nonce, {}, {});
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(base::HexEncode(*sealed), "530f8afbc74536b9a963b4f1c4cb738b");
  auto opened = Aes256GcmOpen(key, nonce, {}, *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->empty());
}

TEST(AeadTest, TamperingIsUnauthenticated) {
  Case16 v;
  const base::Bytes sealed = Hex(v.sealed_hex);
  for (size_t i : {size_t{0}, size_t{59}, size_t{60}, sealed.size() - 1}) {
    base::Bytes bad = sealed;
    bad[i] ^= 0x01;
    auto r = Aes256GcmOpen(v.key, v.nonce, v.aad, bad);
    ASSERT_FALSE(r.ok()) << "flipped byte " << i;
    EXPECT_EQ(r.status().code(), base::Code::kUnauthenticated);
  }
  base::Bytes bad_aad = v.aad;
  bad_aad[0] ^= 0x80;
  EXPECT_EQ(Aes256GcmOpen(v.key, v.nonce, bad_aad, sealed).status().code(),
            base::Code::kUnauthenticated);
  base::Bytes bad_key = v.key;
  bad_key[31] ^= 1;
  EXPECT_EQ(Aes256GcmOpen(bad_key, v.nonce, v.aad, sealed).status().code(),
            base::Code::kUnauthenticated);
}

TEST(AeadTest, WrongSizesAreInvalidArgument) {
  const base::Bytes key(32, 1), nonce(12, 2);
  EXPECT_EQ(Aes256GcmSeal(base::Bytes(16, 1), nonce, {}, {}).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(Aes256GcmSeal(key, base::Bytes(16, 2), {}, {}).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(Aes256GcmOpen(base::Bytes(31, 1), nonce, {}, base::Bytes(16)).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(Aes256GcmOpen(key, base::Bytes(8, 2), {}, base::Bytes(16)).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(Aes256GcmOpen(key, nonce, {}, base::Bytes(15)).status().code(),
            base::Code::kInvalidArgument);
}

TEST(AeadTest, RoundTripLargeMessage) {
  const base::Bytes key(32, 7), nonce(12, 9);
  base::Bytes msg(100000);
  for (size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<uint8_t>(i * 31);
  auto sealed = Aes256GcmSeal(key, nonce, base::AsBytes("hdr"), msg);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), msg.size() + kAes256GcmTagSize);
  auto opened = Aes256GcmOpen(key, nonce, base::AsBytes("hdr"), *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, msg);
}

}  // namespace
}  // namespace hm::crypto
