#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "base/bytes.h"

namespace hm::crypto {
namespace {

using base::AsBytes;
using base::HexEncode;

TEST(HashTest, Sha256Abc) {
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashTest, Sha256Empty) {
  EXPECT_EQ(HexEncode(Sha256({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HashTest, Sha512Abc) {
  EXPECT_EQ(HexEncode(Sha512(AsBytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(HashTest, Sha3_256Abc) {
  EXPECT_EQ(HexEncode(Sha3_256(AsBytes("abc"))),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
}

TEST(HashTest, Sha3_512Empty) {
  EXPECT_EQ(HexEncode(Sha3_512({})),
            "a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a6"
            "15b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26");
}

TEST(HashTest, Shake128Empty) {
  EXPECT_EQ(HexEncode(Shake128Bytes({}, 32)),
            "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
}

TEST(HashTest, Shake256Empty) {
  EXPECT_EQ(HexEncode(Shake256Bytes({}, 32)),
            "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f");
}

TEST(HashTest, ShakeOutputIsAPrefixOfLongerOutput) {
  const auto in = AsBytes("hypermesh");
  base::Bytes short_out = Shake256Bytes(in, 17);
  base::Bytes long_out = Shake256Bytes(in, 300);
  ASSERT_EQ(short_out.size(), 17u);
  ASSERT_EQ(long_out.size(), 300u);
  EXPECT_TRUE(std::equal(short_out.begin(), short_out.end(), long_out.begin()));
  EXPECT_TRUE(Shake128Bytes(in, 0).empty());
}

TEST(HashTest, IncrementalMatchesOneShotAndResets) {
  std::string msg(1000, 'x');
  for (size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<char>('a' + i % 26);
  Sha256Hasher hasher;
  for (size_t off = 0; off < msg.size(); off += 7) {
    hasher.Update(AsBytes(std::string_view(msg).substr(off, 7)));
  }
  EXPECT_EQ(hasher.Finish(), Sha256(AsBytes(msg)));
  // Finish() resets: the same hasher now computes "abc" from scratch.
  hasher.Update(AsBytes("ab"));
  hasher.Update(AsBytes("c"));
  EXPECT_EQ(HexEncode(hasher.Finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashTest, UpdateFieldPrefixesTheLength) {
  Sha256Hasher fields;
  fields.UpdateField(AsBytes("ab"));
  fields.UpdateField(AsBytes("c"));
  const std::string framed = std::string("\0\0\0\0\0\0\0\2ab", 10) +
                             std::string("\0\0\0\0\0\0\0\1c", 9);
  EXPECT_EQ(fields.Finish(), Sha256(AsBytes(framed)));
  Sha256Hasher other;  // the same bytes split differently hash differently
  other.UpdateField(AsBytes("a"));
  other.UpdateField(AsBytes("bc"));
  Sha256Hasher again;
  again.UpdateField(AsBytes("ab"));
  again.UpdateField(AsBytes("c"));
  EXPECT_NE(other.Finish(), again.Finish());
}

TEST(HashTest, HasherIsMovable) {
  Sha256Hasher a;
  a.Update(AsBytes("a"));
  Sha256Hasher b = std::move(a);
  b.Update(AsBytes("bc"));
  EXPECT_EQ(b.Finish(), Sha256(AsBytes("abc")));
}

}  // namespace
}  // namespace hm::crypto
