#include "stoq/pq/messages.h"

#include <gtest/gtest.h>

#include <vector>

namespace hm::stoq::pq {
namespace {

using base::Bytes;

Bytes Filled(size_t n, uint8_t v) { return Bytes(n, v); }

ClientHello SampleClientHello() {
  ClientHello m;
  m.ek = Filled(kKemKeySize, 0x11);
  m.nonce.fill(0x22);
  return m;
}
ServerHello SampleServerHello() {
  return {Filled(kKemKeySize, 0x33), Filled(kKemCiphertextSize, 0x44),
          Filled(kSignatureSize, 0x55)};
}
ClientFinish SampleClientFinish() {
  return {Filled(kKemCiphertextSize, 0x66), Filled(kSignatureSize, 0x77)};
}
ServerConfirm SampleServerConfirm() {
  ServerConfirm m;
  m.mac.fill(0x88);
  return m;
}

// Splits `stream` with a fresh reader; fails the test on a reader error.
std::vector<Frame> ReadAll(const Bytes& stream) {
  MessageReader reader;
  reader.Feed(stream);
  std::vector<Frame> frames;
  while (true) {
    auto next = reader.Next();
    EXPECT_TRUE(next.ok()) << next.status().ToString();
    if (!next.ok() || !next->has_value()) break;
    frames.push_back(std::move(**next));
  }
  EXPECT_EQ(reader.buffered(), 0u);
  return frames;
}

// Rewrites the frame's length field to match its (edited) body.
void FixLength(Bytes& frame) {
  const uint32_t n = static_cast<uint32_t>(frame.size() - kFrameHeaderSize);
  frame[1] = static_cast<uint8_t>(n >> 24);
  frame[2] = static_cast<uint8_t>(n >> 16);
  frame[3] = static_cast<uint8_t>(n >> 8);
  frame[4] = static_cast<uint8_t>(n);
}

TEST(PqMessagesTest, FramesHaveExactSizesAndHeaders) {
  const Bytes ch = EncodeClientHello(SampleClientHello());
  ASSERT_EQ(ch.size(), kFrameHeaderSize + 1602);
  EXPECT_EQ(ch[0], 0x40);
  EXPECT_EQ((Bytes{ch.begin() + 1, ch.begin() + 7}), (Bytes{0x00, 0x00, 0x06, 0x42, 0x40, 0x01}));
  EXPECT_EQ(EncodeServerHello(SampleServerHello()).size(), kFrameHeaderSize + 4418);
  EXPECT_EQ(EncodeClientFinish(SampleClientFinish()).size(), kFrameHeaderSize + 2850);
  const Bytes sc = EncodeServerConfirm(SampleServerConfirm());
  EXPECT_EQ(sc.size(), kFrameHeaderSize + 34);
  EXPECT_EQ((Bytes{sc.begin(), sc.begin() + 7}), (Bytes{0x43, 0, 0, 0, 34, 0x43, 0x01}));
}

TEST(PqMessagesTest, RoundTripThroughReader) {
  Bytes stream = EncodeClientHello(SampleClientHello());
  for (const Bytes& f :
       {EncodeServerHello(SampleServerHello()), EncodeClientFinish(SampleClientFinish()),
        EncodeServerConfirm(SampleServerConfirm())}) {
    stream.insert(stream.end(), f.begin(), f.end());
  }
  const std::vector<Frame> frames = ReadAll(stream);
  ASSERT_EQ(frames.size(), 4u);

  ASSERT_EQ(frames[0].type, MessageType::kClientHello);
  auto ch = DecodeClientHello(frames[0].body());
  ASSERT_TRUE(ch.ok()) << ch.status().ToString();
  EXPECT_EQ(ch->ek, SampleClientHello().ek);
  EXPECT_EQ(ch->nonce, SampleClientHello().nonce);

  ASSERT_EQ(frames[1].type, MessageType::kServerHello);
  auto sh = DecodeServerHello(frames[1].body());
  ASSERT_TRUE(sh.ok()) << sh.status().ToString();
  EXPECT_EQ(sh->ek, SampleServerHello().ek);
  EXPECT_EQ(sh->ct, SampleServerHello().ct);
  EXPECT_EQ(sh->sig, SampleServerHello().sig);

  ASSERT_EQ(frames[2].type, MessageType::kClientFinish);
  auto cf = DecodeClientFinish(frames[2].body());
  ASSERT_TRUE(cf.ok()) << cf.status().ToString();
  EXPECT_EQ(cf->ct, SampleClientFinish().ct);
  EXPECT_EQ(cf->sig, SampleClientFinish().sig);

  ASSERT_EQ(frames[3].type, MessageType::kServerConfirm);
  auto sc = DecodeServerConfirm(frames[3].body());
  ASSERT_TRUE(sc.ok()) << sc.status().ToString();
  EXPECT_EQ(sc->mac, SampleServerConfirm().mac);
  EXPECT_EQ(frames[3].bytes, EncodeServerConfirm(SampleServerConfirm()));
}

TEST(PqMessagesTest, ReaderIsIncremental) {
  const Bytes frame = EncodeServerConfirm(SampleServerConfirm());
  MessageReader reader;
  for (size_t i = 0; i + 1 < frame.size(); ++i) {
    reader.Feed(base::ByteSpan(frame).subspan(i, 1));
    auto next = reader.Next();
    ASSERT_TRUE(next.ok());
    EXPECT_FALSE(next->has_value()) << "frame yielded after " << i + 1 << " bytes";
  }
  reader.Feed(base::ByteSpan(frame).last(1));
  auto next = reader.Next();
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ((*next)->bytes, frame);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(PqMessagesTest, ReaderRejectsUnknownTypeFromHeaderAlone) {
  for (uint8_t type : {0x00, 0x3f, 0x44, 0xff}) {
    MessageReader reader;
    reader.Feed(Bytes{type, 0, 0, 0, 34});
    auto next = reader.Next();
    ASSERT_FALSE(next.ok()) << int{type};
    EXPECT_EQ(next.status().code(), base::Code::kInvalidArgument);
  }
}

TEST(PqMessagesTest, ReaderRejectsOversizeFromHeaderAloneAndStaysFailed) {
  MessageReader reader;
  reader.Feed(Bytes{0x41, 0x00, 0x00, 0x20, 0x01});  // 8193
  auto next = reader.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("8193"), std::string_view::npos);
  reader.Feed(EncodeServerConfirm(SampleServerConfirm()));
  EXPECT_FALSE(reader.Next().ok());

  // 8192 is still a frame; only the decoder, which knows the exact size, rejects it.
  MessageReader at_limit;
  at_limit.Feed(Bytes{0x41, 0x00, 0x00, 0x20, 0x00});
  at_limit.Feed(Bytes(8192, 0));
  auto frame = at_limit.Next();
  ASSERT_TRUE(frame.ok() && frame->has_value());
  EXPECT_FALSE(DecodeServerHello((*frame)->body()).ok());
}

TEST(PqMessagesTest, DecodersRejectWrongSizes) {
  Bytes shorter = EncodeClientHello(SampleClientHello());
  shorter.pop_back();
  FixLength(shorter);
  EXPECT_FALSE(DecodeClientHello(ReadAll(shorter).at(0).body()).ok());

  Bytes longer = EncodeClientFinish(SampleClientFinish());
  longer.push_back(0);
  FixLength(longer);
  EXPECT_FALSE(DecodeClientFinish(ReadAll(longer).at(0).body()).ok());

  EXPECT_FALSE(DecodeServerHello({}).ok());
  EXPECT_FALSE(DecodeServerConfirm(Bytes(kServerConfirmBodySize - 1, 0x43)).ok());
}

TEST(PqMessagesTest, DecodersRejectWrongTagOrVersion) {
  Bytes sc = EncodeServerConfirm(SampleServerConfirm());
  Bytes body(sc.begin() + kFrameHeaderSize, sc.end());
  ASSERT_TRUE(DecodeServerConfirm(body).ok());
  body[1] = 2;  // version
  EXPECT_FALSE(DecodeServerConfirm(body).ok());
  body[1] = 1;
  body[0] = 0x42;  // another message's tag
  EXPECT_FALSE(DecodeServerConfirm(body).ok());
}

}  // namespace
}  // namespace hm::stoq::pq
