#include "stoq/channel/outbound.h"

#include <gtest/gtest.h>

namespace hm::stoq::channel {
namespace {

base::Bytes B(std::string_view s) { return base::Bytes(s.begin(), s.end()); }

std::string Text(const StreamChunk& c) {
  std::string out;
  for (size_t i = 0; i < c.count; ++i) out.append(reinterpret_cast<const char*>(c.vecs[i].base), c.vecs[i].len);
  return out;
}

TEST(OutboundStreams, PartialWritesResumeWhereTheyStoppedAndFinFollowsTheLastByte) {
  OutboundStreams out;
  out.Queue(4, B("hello "), false);
  out.Queue(4, B("world"), true);
  StreamChunk c;
  out.Next(&c);
  EXPECT_EQ(c.stream_id, 4);
  EXPECT_EQ(Text(c), "hello world");
  EXPECT_TRUE(c.fin);
  out.Written(4, 3);  // "hel" went out, the FIN did not
  out.Next(&c);
  EXPECT_EQ(Text(c), "lo world");
  out.Written(4, 8);
  EXPECT_FALSE(out.Pending(4));
  out.Next(&c);
  EXPECT_EQ(c.stream_id, -1);
}

TEST(OutboundStreams, BlockedStreamsAreSkippedUntilUnblocked) {
  OutboundStreams out;
  out.Queue(0, B("a"), false);
  out.Queue(4, B("b"), true);
  out.Blocked(0);
  StreamChunk c;
  out.Next(&c);
  EXPECT_EQ(c.stream_id, 4);
  out.Written(4, 1);
  out.Next(&c);
  EXPECT_EQ(c.stream_id, -1);
  out.Unblocked(0);
  out.Next(&c);
  EXPECT_EQ(c.stream_id, 0);
  EXPECT_FALSE(c.fin);
}

TEST(OutboundStreams, ALoneFinIsOfferedWithNoBytes) {
  OutboundStreams out;
  out.Queue(8, B("x"), false);
  StreamChunk c;
  out.Next(&c);
  out.Written(8, 1);
  EXPECT_FALSE(out.Pending(8));
  out.Queue(8, {}, true);
  out.Next(&c);
  EXPECT_EQ(c.stream_id, 8);
  EXPECT_EQ(c.count, 0u);
  EXPECT_TRUE(c.fin);
  out.Written(8, 0);
  EXPECT_FALSE(out.Pending(8));
  out.Forget(8);
  EXPECT_EQ(out.streams(), 0u);
}

}  // namespace
}  // namespace hm::stoq::channel
