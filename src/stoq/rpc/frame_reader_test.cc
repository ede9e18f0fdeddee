// FrameReader: any split of the stream yields the same frames; limits and FIN rules hold.
#include "stoq/rpc/frame_reader.h"

#include <gtest/gtest.h>

#include "base/random.h"

namespace hm::stoq::rpc {
namespace {

using base::Code;
using base::ToBytes;

Bytes PingFrame(std::string_view payload) {
  return *EncodeRequestFrame({"stoq.ping", 5, ToBytes(payload)});
}

TEST(FrameReaderTest, WholeFrameAtOnce) {
  FrameReader reader;
  const Bytes frame = PingFrame("hello");
  ASSERT_TRUE(reader.Feed(frame).ok());
  auto got = reader.Next();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, frame);
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_TRUE(reader.Finish().ok());
}

TEST(FrameReaderTest, ByteByByte) {
  FrameReader reader;
  const Bytes frame = PingFrame("byte by byte");
  for (size_t i = 0; i < frame.size(); ++i) {
    EXPECT_FALSE(reader.Next().has_value()) << "frame yielded early at byte " << i;
    ASSERT_TRUE(reader.Feed(base::ByteSpan(&frame[i], 1)).ok());
  }
  auto got = reader.Next();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, frame);
  EXPECT_TRUE(reader.Finish().ok());
  auto request = DecodeRequestFrame(*got);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->payload, ToBytes("byte by byte"));
}

TEST(FrameReaderTest, SeveralFramesInRandomChunks) {
  base::SeededRandom rng(11);
  Bytes stream;
  std::vector<Bytes> frames;
  for (int i = 0; i < 5; ++i) {
    frames.push_back(PingFrame(std::string(static_cast<size_t>(i * 37), 'p')));
    stream.insert(stream.end(), frames.back().begin(), frames.back().end());
  }
  for (int round = 0; round < 50; ++round) {
    FrameReader reader(kDefaultMaxFrameBytes, frames.size());
    std::vector<Bytes> got;
    for (size_t pos = 0; pos < stream.size();) {
      const size_t n = std::min<size_t>(1 + rng.Uniform(9), stream.size() - pos);
      ASSERT_TRUE(reader.Feed(base::ByteSpan(stream).subspan(pos, n)).ok());
      pos += n;
      while (auto f = reader.Next()) got.push_back(std::move(*f));
    }
    EXPECT_EQ(got, frames);
    EXPECT_TRUE(reader.Finish().ok());
  }
}

TEST(FrameReaderTest, BytesAfterTheOnlyFrameAreRejected) {
  FrameReader reader;
  Bytes two = PingFrame("a");
  const Bytes second = PingFrame("b");
  two.insert(two.end(), second.begin(), second.end());
  EXPECT_EQ(reader.Feed(two).code(), Code::kInvalidArgument);
  // Sticky: later calls report the same failure.
  EXPECT_EQ(reader.Feed(PingFrame("c")).code(), Code::kInvalidArgument);
  EXPECT_FALSE(reader.Finish().ok());
  EXPECT_FALSE(reader.Next().has_value());
}

TEST(FrameReaderTest, OversizeLengthRejectedBeforeBody) {
  FrameReader reader(kMinMaxFrameBytes);
  // Prefix announcing limit + 1 bytes; rejected as soon as the 4th prefix byte arrives.
  const uint32_t len = kMinMaxFrameBytes + 1;
  const uint8_t prefix[4] = {static_cast<uint8_t>(len >> 24), static_cast<uint8_t>(len >> 16),
                             static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
  ASSERT_TRUE(reader.Feed(base::ByteSpan(prefix, 3)).ok());
  EXPECT_EQ(reader.Feed(base::ByteSpan(prefix + 3, 1)).code(), Code::kResourceExhausted);

  FrameReader at_limit(kMinMaxFrameBytes);
  const uint8_t ok_prefix[4] = {0, 0, 0x10, 0x00};  // exactly 4096
  EXPECT_TRUE(at_limit.Feed(ok_prefix).ok());

  FrameReader huge;
  const uint8_t max_prefix[4] = {0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(huge.Feed(max_prefix).code(), Code::kResourceExhausted);
}

TEST(FrameReaderTest, FinishWithPartialFrame) {
  const Bytes frame = PingFrame("partial");
  for (size_t cut : {size_t{1}, size_t{4}, frame.size() - 1}) {
    FrameReader reader;
    ASSERT_TRUE(reader.Feed(base::ByteSpan(frame).first(cut)).ok());
    EXPECT_EQ(reader.Finish().code(), Code::kInvalidArgument) << cut;
    EXPECT_FALSE(reader.Next().has_value());
  }
}

TEST(FrameReaderTest, FinishWithoutFrame) {
  FrameReader reader;
  EXPECT_EQ(reader.Finish().code(), Code::kInvalidArgument);
}

TEST(FrameReaderTest, BytesAfterFinishRejected) {
  FrameReader reader(kDefaultMaxFrameBytes, 2);
  ASSERT_TRUE(reader.Feed(PingFrame("x")).ok());
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(reader.Feed(PingFrame("y")).code(), Code::kInvalidArgument);
}

TEST(FrameReaderTest, EmptyFeedIsHarmless) {
  FrameReader reader;
  EXPECT_TRUE(reader.Feed({}).ok());
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_EQ(reader.frames_seen(), 0u);
}

}  // namespace
}  // namespace hm::stoq::rpc
