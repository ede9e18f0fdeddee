#include "codec/codec.h"

#include <gtest/gtest.h>

#include "base/random.h"

namespace hm::codec {
namespace {

using base::HexDecode;
using base::HexEncode;

std::string EncodeVarint(uint64_t v) {
  Writer w;
  w.UVarint(v);
  return HexEncode(w.bytes());
}

base::Result<uint64_t> DecodeVarint(std::string_view hex) {
  auto bytes = *HexDecode(hex);
  Reader r(bytes);
  HM_ASSIGN_OR_RETURN(uint64_t v, r.UVarint());
  HM_TRY(r.Finish());
  return v;
}

// The examples table of docs/spec/encoding.md.
TEST(CodecTest, SpecExamples) {
  EXPECT_EQ(EncodeVarint(0), "00");
  EXPECT_EQ(EncodeVarint(127), "7f");
  EXPECT_EQ(EncodeVarint(128), "8001");
  EXPECT_EQ(EncodeVarint(300), "ac02");
  EXPECT_EQ(EncodeVarint(UINT64_MAX), "ffffffffffffffffff01");
  Writer w;
  w.Bytes(base::AsBytes("hi"));
  w.U32(1);
  EXPECT_EQ(HexEncode(w.bytes()), "02686900000001");
}

TEST(CodecTest, VarintRejections) {
  EXPECT_FALSE(DecodeVarint("8000").ok());                  // non-minimal 0
  EXPECT_FALSE(DecodeVarint("ff00").ok());                  // non-minimal 127
  EXPECT_FALSE(DecodeVarint("ffffffffffffffffff02").ok());  // overflow
  EXPECT_FALSE(DecodeVarint("ffffffffffffffffffff01").ok());  // 11 bytes
  EXPECT_FALSE(DecodeVarint("80").ok());                    // truncated
  EXPECT_EQ(*DecodeVarint("ac02"), 300u);
}

TEST(CodecTest, VarintRoundTripsRandomValues) {
  base::SeededRandom rng(3);
  for (int i = 0; i < 2000; ++i) {
    uint64_t v = rng.NextU64() >> rng.Uniform(64);
    Writer w;
    w.UVarint(v);
    Reader r(w.bytes());
    ASSERT_EQ(*r.UVarint(), v);
    ASSERT_TRUE(r.Finish().ok());
  }
}

TEST(CodecTest, StructureRoundTrip) {
  Writer w;
  w.Header(0x01);
  w.U8(7);
  w.U16(0xbeef);
  w.U64(1ULL << 40);
  w.Bool(true);
  w.String("héllo");
  w.Bytes(base::Bytes{1, 2, 3});
  Reader r(w.bytes());
  ASSERT_TRUE(r.Header(0x01).ok());
  EXPECT_EQ(*r.U8(), 7);
  EXPECT_EQ(*r.U16(), 0xbeef);
  EXPECT_EQ(*r.U64(), 1ULL << 40);
  EXPECT_TRUE(*r.Bool());
  EXPECT_EQ(*r.String(16), "héllo");
  EXPECT_EQ(r.Bytes(3)->size(), 3u);
  EXPECT_TRUE(r.Finish().ok());
}

TEST(CodecTest, RejectsTrailingBytesWrongTagAndVersion) {
  base::Bytes b = {0x01, 0x01, 0x05};
  Reader r(b);
  ASSERT_TRUE(r.Header(0x01).ok());
  EXPECT_FALSE(r.Finish().ok());
  Reader wrong_tag(b);
  EXPECT_FALSE(wrong_tag.Header(0x02).ok());
  base::Bytes v2 = {0x01, 0x02};
  Reader wrong_version(v2);
  EXPECT_FALSE(wrong_version.Header(0x01).ok());
}

TEST(CodecTest, RejectsBadBoolLengthsAndCounts) {
  base::Bytes two = {0x02};
  EXPECT_FALSE(Reader(two).Bool().ok());
  base::Bytes long_len = {0x05, 'a', 'b'};
  EXPECT_FALSE(Reader(long_len).Bytes(100).ok());  // truncated
  EXPECT_FALSE(Reader(long_len).Bytes(4).ok());    // over the limit
  base::Bytes huge_count = {0xff, 0xff, 0xff, 0xff, 0x0f};
  EXPECT_FALSE(Reader(huge_count).Count(1u << 30).ok());  // cannot fit
}

TEST(CodecTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));      // €
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));  // emoji
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  base::Bytes bad = {0x02, 0xc0, 0xaf};
  EXPECT_FALSE(Reader(bad).String(10).ok());
}

}  // namespace
}  // namespace hm::codec
