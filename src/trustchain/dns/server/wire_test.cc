#include "trustchain/dns/server/internal/wire.h"

#include <gtest/gtest.h>

#include "trustchain/dns/server/test_client.h"

namespace hm::trustchain::dns::internal {
namespace {

TEST(WireTest, QuestionEndCoversNameTypeAndClass) {
  const base::Bytes q = test::MakeQuery(7, "trust.hypermesh");
  EXPECT_EQ(QuestionEnd(q), q.size());
  base::Bytes with_extra = q;
  with_extra.insert(with_extra.end(), {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(QuestionEnd(with_extra), q.size());
}

TEST(WireTest, QuestionEndRejectsUnusableQuestions) {
  base::Bytes q = test::MakeQuery(7, "a.b");
  base::Bytes cut(q.begin(), q.end() - 1);
  EXPECT_EQ(QuestionEnd(cut), kHeaderSize);
  base::Bytes no_question = q;
  no_question[5] = 0;
  EXPECT_EQ(QuestionEnd(no_question), kHeaderSize);
  base::Bytes pointer = q;
  pointer[12] = 0xC0;
  EXPECT_EQ(QuestionEnd(pointer), kHeaderSize);
  base::Bytes header_only(q.begin(), q.begin() + 12);
  EXPECT_EQ(QuestionEnd(header_only), kHeaderSize);
  // A name longer than 255 octets.
  base::Bytes long_name = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 5; ++i) {
    long_name.push_back(63);
    long_name.insert(long_name.end(), 63, 'x');
  }
  long_name.insert(long_name.end(), {0, 0, 1, 0, 1});
  EXPECT_EQ(QuestionEnd(long_name), kHeaderSize);
}

TEST(WireTest, MinimalReplyCopiesIdQuestionAndFlags) {
  base::Bytes q = test::MakeQuery(0xBEEF, "x.hypermesh");
  q[2] |= 0x78 & (4 << 3);                                   // opcode 4 (NOTIFY) to see it copied
  q[3] = 0x10;                                               // CD
  q.insert(q.end(), {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0});  // trailing octets are not copied
  q[11] = 1;
  uint8_t out[kMaxMinimalReply];
  const size_t n = BuildMinimalReply(q, kRcodeServFail, /*tc=*/true, out);
  ASSERT_EQ(n, q.size() - 11);
  EXPECT_EQ(out[0], 0xBE);
  EXPECT_EQ(out[1], 0xEF);
  EXPECT_EQ(out[2], 0x80 | (4 << 3) | 0x02 | 0x01);  // QR, opcode, TC, RD
  EXPECT_EQ(out[3], 0x10 | kRcodeServFail);
  EXPECT_EQ(out[5], 1);
  for (int i = 6; i < 12; ++i) EXPECT_EQ(out[i], 0) << i;
  EXPECT_TRUE(std::equal(out + 12, out + n, q.begin() + 12));
}

TEST(WireTest, MinimalReplyWithoutQuestionAndTooShort) {
  base::Bytes q = test::MakeQuery(1, "a");
  q.resize(14);  // question cut off
  uint8_t out[kMaxMinimalReply];
  EXPECT_EQ(BuildMinimalReply(q, kRcodeRefused, false, out), kHeaderSize);
  EXPECT_EQ(out[5], 0);
  EXPECT_EQ(out[3] & 0x0F, kRcodeRefused);
  const base::Bytes tiny = {1, 2, 3};
  EXPECT_EQ(BuildMinimalReply(tiny, kRcodeRefused, false, out), 0u);
}

}  // namespace
}  // namespace hm::trustchain::dns::internal
