// Dispatcher and built-in methods: every call ends in exactly one valid Response frame.
#include "stoq/rpc/dispatcher.h"

#include <gtest/gtest.h>

#include <vector>

#include "stoq/rpc/builtins.h"

namespace hm::stoq::rpc {
namespace {

using base::ToBytes;

// Collects every frame a call answers with.
struct Replies {
  std::vector<Bytes> frames;
  FrameReply Sink() {
    return [this](Bytes frame) { frames.push_back(std::move(frame)); };
  }
  Response Only(size_t max_frame_bytes = kDefaultMaxFrameBytes) const {
    EXPECT_EQ(frames.size(), 1u);
    if (frames.empty()) return {RpcCode::kInternal, "no reply", {}};
    auto r = DecodeResponseFrame(frames[0], max_frame_bytes);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Response{RpcCode::kInternal, "undecodable", {}};
  }
};

Bytes Call(std::string method, Bytes payload, size_t max = kDefaultMaxFrameBytes) {
  return *EncodeRequestFrame({std::move(method), 0, std::move(payload)}, max);
}

Dispatcher WithBuiltins(size_t max = kDefaultMaxFrameBytes) {
  Dispatcher d(max);
  EXPECT_TRUE(RegisterBuiltins(d).ok());
  return d;
}

TEST(DispatcherTest, UnknownMethodIsNotFound) {
  Dispatcher d = WithBuiltins();
  Replies replies;
  d.Handle(Call("stoq.nope", {}), replies.Sink());
  Response r = replies.Only();
  EXPECT_EQ(r.code, RpcCode::kNotFound);
  EXPECT_EQ(r.message, "unknown method \"stoq.nope\"");
}

TEST(DispatcherTest, MalformedFramesAreInvalidArgument) {
  Dispatcher d = WithBuiltins();
  Bytes trailing = Call("stoq.ping", ToBytes("x"));
  trailing.push_back(0);
  trailing[3] += 1;  // length covers the extra byte, so the body has a trailing byte
  Bytes bad_version = Call("stoq.ping", {});
  bad_version[5] = 2;
  Bytes response_tag = Call("stoq.ping", {});
  response_tag[4] = kTagResponse;
  for (const Bytes& frame : {trailing, bad_version, response_tag, Bytes{0, 0, 0}, Bytes{}}) {
    Replies replies;
    d.Handle(frame, replies.Sink());
    EXPECT_EQ(replies.Only().code, RpcCode::kInvalidArgument) << base::HexEncode(frame);
  }
}

TEST(DispatcherTest, OversizeRequestIsResourceExhausted) {
  Dispatcher d = WithBuiltins(kMinMaxFrameBytes);
  Replies replies;
  d.Handle(Call("stoq.ping", Bytes(kMinMaxFrameBytes)), replies.Sink());
  EXPECT_EQ(replies.Only(kMinMaxFrameBytes).code, RpcCode::kResourceExhausted);
}

TEST(DispatcherTest, PingEchoes) {
  Dispatcher d = WithBuiltins();
  Replies replies;
  d.Handle(Call("stoq.ping", ToBytes("echo me")), replies.Sink());
  Response r = replies.Only();
  EXPECT_EQ(r.code, RpcCode::kOk);
  EXPECT_EQ(r.payload, ToBytes("echo me"));
}

TEST(DispatcherTest, BulkReturnsThePattern) {
  Dispatcher d = WithBuiltins();
  Replies replies;
  d.Handle(Call("stoq.bulk", EncodeBulkRequestPayload(1000)), replies.Sink());
  Response r = replies.Only();
  ASSERT_EQ(r.code, RpcCode::kOk);
  ASSERT_EQ(r.payload.size(), 1000u);
  for (size_t i = 0; i < r.payload.size(); ++i) ASSERT_EQ(r.payload[i], i % 251) << i;
}

TEST(DispatcherTest, BulkIsCappedByTheFrameLimit) {
  const size_t max = 8192;
  Dispatcher d = WithBuiltins(max);
  Replies replies;
  d.Handle(Call("stoq.bulk", EncodeBulkRequestPayload(UINT64_MAX), max), replies.Sink());
  ASSERT_EQ(replies.frames.size(), 1u);
  EXPECT_LE(replies.frames[0].size(), max + kFrameHeaderBytes);
  Response r = replies.Only(max);
  ASSERT_EQ(r.code, RpcCode::kOk);
  EXPECT_EQ(r.payload.size(), MaxResponsePayload(max));
  EXPECT_GT(r.payload.size(), max - 16);
  Bytes expected(r.payload.size());
  FillPattern(0, expected);
  EXPECT_EQ(r.payload, expected);
}

TEST(DispatcherTest, BulkRejectsBadPayloads) {
  Dispatcher d = WithBuiltins();
  for (const Bytes& payload : {Bytes{}, Bytes(7), Bytes(9)}) {
    Replies replies;
    d.Handle(Call("stoq.bulk", payload), replies.Sink());
    EXPECT_EQ(replies.Only().code, RpcCode::kInvalidArgument) << payload.size();
  }
}

TEST(DispatcherTest, FillPatternFromAnyOffset) {
  Bytes whole(2000);
  FillPattern(0, whole);
  EXPECT_EQ(whole[0], 0);
  EXPECT_EQ(whole[250], 250);
  EXPECT_EQ(whole[251], 0);
  EXPECT_EQ(whole[1000], 1000 % 251);
  // Pieces generated at their offsets equal the whole.
  Bytes pieces(2000);
  for (size_t off = 0; off < pieces.size(); off += 333) {
    const size_t n = std::min<size_t>(333, pieces.size() - off);
    FillPattern(off, std::span<uint8_t>(pieces).subspan(off, n));
  }
  EXPECT_EQ(pieces, whole);
  // Long spans (past the internal copy block) still follow the definition byte for byte.
  for (const uint64_t offset : {uint64_t{0}, uint64_t{7}, uint64_t{250}, uint64_t{1} << 40}) {
    Bytes big(251 * 256 * 3 + 101);
    FillPattern(offset, big);
    for (size_t i = 0; i < big.size(); ++i) {
      ASSERT_EQ(big[i], (offset + i) % 251) << "offset " << offset << " byte " << i;
    }
  }
  uint8_t far[2];
  FillPattern(UINT64_MAX, far);
  EXPECT_EQ(far[0], UINT64_MAX % 251);
  EXPECT_EQ(far[1], (far[0] + 1) % 251);
}

TEST(DispatcherTest, RegisterRules) {
  Dispatcher d;
  auto noop = [](const Request&, std::function<void(Response)> reply) { reply(Response{}); };
  EXPECT_TRUE(d.Register("svc.a", noop).ok());
  EXPECT_EQ(d.Register("svc.a", noop).code(), base::Code::kAlreadyExists);
  EXPECT_EQ(d.Register("Svc.B", noop).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(d.Register("", noop).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(d.Register("svc.b", nullptr).code(), base::Code::kInvalidArgument);
  EXPECT_TRUE(RegisterBuiltins(d).ok());
  EXPECT_EQ(RegisterBuiltins(d).code(), base::Code::kAlreadyExists);
}

TEST(DispatcherTest, AsyncReplyAndOnlyTheFirstAnswerCounts) {
  Dispatcher d;
  std::function<void(Response)> saved;
  ASSERT_TRUE(d.Register("svc.later", [&](const Request&, std::function<void(Response)> reply) {
                 saved = std::move(reply);
               }).ok());
  Replies replies;
  d.Handle(Call("svc.later", {}), replies.Sink());
  EXPECT_TRUE(replies.frames.empty());
  auto copy = saved;
  saved(Response::Ok(ToBytes("first")));
  copy(Response::Ok(ToBytes("second")));
  saved = nullptr;
  copy = nullptr;
  Response r = replies.Only();
  EXPECT_EQ(r.payload, ToBytes("first"));
}

TEST(DispatcherTest, DroppedReplyAnswersInternal) {
  Dispatcher d;
  ASSERT_TRUE(d.Register("svc.drop", [](const Request&, std::function<void(Response)>) {}).ok());
  Replies replies;
  d.Handle(Call("svc.drop", {}), replies.Sink());
  Response r = replies.Only();
  EXPECT_EQ(r.code, RpcCode::kInternal);
  EXPECT_EQ(r.message, "handler dropped the call");
}

TEST(DispatcherTest, InvalidHandlerAnswersAreReplaced) {
  const size_t max = kMinMaxFrameBytes;
  Dispatcher d(max);
  ASSERT_TRUE(d.Register("svc.badcode", [](const Request&, std::function<void(Response)> reply) {
                 reply({static_cast<RpcCode>(2), "", {}});
               }).ok());
  ASSERT_TRUE(d.Register("svc.huge", [](const Request&, std::function<void(Response)> reply) {
                 reply(Response::Ok(Bytes(kMinMaxFrameBytes)));
               }).ok());
  ASSERT_TRUE(d.Register("svc.longmsg", [](const Request&, std::function<void(Response)> reply) {
                 reply({RpcCode::kInvalidArgument, std::string(2000, 'm'), {}});
               }).ok());
  Replies bad, huge, longmsg;
  d.Handle(Call("svc.badcode", {}, max), bad.Sink());
  d.Handle(Call("svc.huge", {}, max), huge.Sink());
  d.Handle(Call("svc.longmsg", {}, max), longmsg.Sink());
  EXPECT_EQ(bad.Only(max).code, RpcCode::kInternal);
  EXPECT_EQ(huge.Only(max).code, RpcCode::kResourceExhausted);
  EXPECT_EQ(longmsg.Only(max).code, RpcCode::kInternal);
}

TEST(DispatcherTest, HandlerSeesTheDecodedRequest) {
  Dispatcher d;
  Request seen;
  ASSERT_TRUE(d.Register("svc.see", [&](const Request& req, std::function<void(Response)> reply) {
                 seen = req;
                 reply(Response::Ok({}));
               }).ok());
  Replies replies;
  d.Handle(*EncodeRequestFrame({"svc.see", 250, ToBytes("p")}), replies.Sink());
  EXPECT_EQ(replies.Only().code, RpcCode::kOk);
  EXPECT_EQ(seen, (Request{"svc.see", 250, ToBytes("p")}));
}

}  // namespace
}  // namespace hm::stoq::rpc
