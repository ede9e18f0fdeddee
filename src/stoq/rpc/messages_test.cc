// Request/Response encodings: the spec's examples, round trips and strict rejections.
#include "stoq/rpc/messages.h"

#include <gtest/gtest.h>

#include "base/random.h"

namespace hm::stoq::rpc {
namespace {

using base::HexDecode;
using base::HexEncode;
using base::ToBytes;

Bytes Hex(std::string_view hex) { return *HexDecode(hex); }

// The examples of docs/spec/stoq-rpc.md.
TEST(RpcMessagesTest, SpecExamples) {
  auto ping = EncodeRequestFrame({"stoq.ping", 1000, ToBytes("hi")});
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(HexEncode(*ping),
            "00000013"
            "4801"
            "0973746f712e70696e67"
            "000003e8"
            "026869");

  auto ok = EncodeResponseFrame(Response::Ok(ToBytes("hi")));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(HexEncode(*ok),
            "00000008"
            "4901"
            "0000"
            "00"
            "026869");

  auto bulk = EncodeRequestFrame({"stoq.bulk", 0, Hex("00000000000f4240")});
  ASSERT_TRUE(bulk.ok());
  EXPECT_EQ(HexEncode(*bulk),
            "00000019"
            "4801"
            "0973746f712e62756c6b"
            "00000000"
            "0800000000000f4240");
}

TEST(RpcMessagesTest, RequestRoundTrips) {
  base::SeededRandom rng(7);
  for (int i = 0; i < 200; ++i) {
    Request r;
    r.method = i % 2 ? "a/b.c_9" : "stoq.ping";
    r.deadline_ms = static_cast<uint32_t>(rng.NextU64());
    r.payload.resize(rng.Uniform(300));
    for (auto& b : r.payload) b = static_cast<uint8_t>(rng.NextU64());
    auto frame = EncodeRequestFrame(r);
    ASSERT_TRUE(frame.ok());
    auto back = DecodeRequestFrame(*frame);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, r);
    auto body = EncodeRequest(r);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(Bytes(frame->begin() + 4, frame->end()), *body);
  }
}

TEST(RpcMessagesTest, ResponseRoundTripsEveryCode) {
  for (uint16_t code : {0, 3, 4, 5, 8, 13, 14}) {
    Response r{static_cast<RpcCode>(code), code ? "why \xc3\xa9" : "", ToBytes("data")};
    auto frame = EncodeResponseFrame(r);
    ASSERT_TRUE(frame.ok());
    auto back = DecodeResponseFrame(*frame);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, r);
  }
}

TEST(RpcMessagesTest, MethodNames) {
  EXPECT_TRUE(IsValidMethodName("stoq.ping"));
  EXPECT_TRUE(IsValidMethodName("a"));
  EXPECT_TRUE(IsValidMethodName(std::string(64, 'x')));
  EXPECT_FALSE(IsValidMethodName(""));
  EXPECT_FALSE(IsValidMethodName(std::string(65, 'x')));
  EXPECT_FALSE(IsValidMethodName("Stoq.Ping"));
  EXPECT_FALSE(IsValidMethodName("stoq ping"));
  EXPECT_FALSE(IsValidMethodName("stoq-ping"));
  EXPECT_FALSE(IsValidMethodName(std::string("a\0b", 3)));

  auto bad = EncodeRequestFrame({"Stoq.Ping", 0, {}});
  EXPECT_EQ(bad.status().code(), base::Code::kInvalidArgument);
}

TEST(RpcMessagesTest, DecodeRejectsBadMethodNames) {
  // "Stoq" (upper case), "a b", empty, and a 65-byte name.
  for (std::string_view name_hex :
       {"0453746f71", "03612062", "00",
        "41616161616161616161616161616161616161616161616161616161616161616161616161616161616161"
        "61616161616161616161616161616161616161616161"}) {
    Bytes body = Hex(std::string("4801") + std::string(name_hex) + "00000000" + "00");
    auto r = DecodeRequest(body);
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << name_hex;
  }
}

TEST(RpcMessagesTest, DecodeIsStrict) {
  const std::string good =
      "4801"
      "0973746f712e70696e67"
      "000003e8"
      "026869";
  ASSERT_TRUE(DecodeRequest(Hex(good)).ok());
  EXPECT_FALSE(DecodeRequest(Hex(good + "00")).ok());                      // trailing byte
  EXPECT_FALSE(DecodeRequest(Hex("4802" + good.substr(4))).ok());          // version 2
  EXPECT_FALSE(DecodeRequest(Hex("4901" + good.substr(4))).ok());          // response tag
  EXPECT_FALSE(DecodeRequest(Hex(good.substr(0, good.size() - 2))).ok());  // truncated payload
  EXPECT_FALSE(DecodeRequest(Hex("4801"
                                 "0973746f712e70696e67"
                                 "000003e8"
                                 "80026869"))
                   .ok());
  EXPECT_FALSE(DecodeRequest({}).ok());

  ASSERT_TRUE(DecodeResponse(Hex("4901000000026869")).ok());
  EXPECT_FALSE(DecodeResponse(Hex("4901000100026869")).ok());    // code 1 is not defined
  EXPECT_FALSE(DecodeResponse(Hex("4901000000026869ff")).ok());  // trailing byte
  EXPECT_FALSE(DecodeResponse(Hex("490100030280c100")).ok());    // message not UTF-8
  EXPECT_FALSE(DecodeResponse(Hex("4801000000026869")).ok());    // request tag
}

TEST(RpcMessagesTest, FrameLengthMustMatch) {
  Bytes frame = *EncodeRequestFrame({"stoq.ping", 0, ToBytes("x")});
  Bytes longer = frame;
  longer.push_back(0);
  EXPECT_EQ(DecodeRequestFrame(longer).status().code(), base::Code::kInvalidArgument);
  Bytes shorter(frame.begin(), frame.end() - 1);
  EXPECT_EQ(DecodeRequestFrame(shorter).status().code(), base::Code::kInvalidArgument);
  EXPECT_FALSE(DecodeRequestFrame(Hex("000000")).ok());
}

TEST(RpcMessagesTest, OversizeFramesAreRejected) {
  // Length prefix 16 MiB + 1 with no body: refused on the length alone.
  EXPECT_EQ(DecodeRequestFrame(Hex("01000001")).status().code(), base::Code::kResourceExhausted);
  EXPECT_EQ(DecodeResponseFrame(Hex("ffffffff")).status().code(), base::Code::kResourceExhausted);

  const size_t limit = kMinMaxFrameBytes;
  Request r{"m", 0, Bytes(limit)};
  EXPECT_EQ(EncodeRequestFrame(r, limit).status().code(), base::Code::kResourceExhausted);
  r.payload.resize(limit - 2 - 2 - 4 - 2);  // exactly the limit: body = limit bytes
  auto frame = EncodeRequestFrame(r, limit);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->size(), limit + 4);
  EXPECT_TRUE(DecodeRequestFrame(*frame, limit).ok());
  EXPECT_EQ(DecodeRequestFrame(*frame, limit - 1).status().code(), base::Code::kResourceExhausted);
}

TEST(RpcMessagesTest, EncodeRejectsInvalidResponses) {
  EXPECT_FALSE(EncodeResponse({static_cast<RpcCode>(1), "", {}}).ok());
  EXPECT_FALSE(EncodeResponse({RpcCode::kInternal, std::string(1025, 'm'), {}}).ok());
  EXPECT_TRUE(EncodeResponse({RpcCode::kInternal, std::string(1024, 'm'), {}}).ok());
  EXPECT_FALSE(EncodeResponse({RpcCode::kInternal, "\xff", {}}).ok());
}

TEST(RpcMessagesTest, StatusMapping) {
  EXPECT_EQ(ErrorResponse(base::Status::Ok()).code, RpcCode::kOk);
  Response r = ErrorResponse(base::InvalidArgument("bad"));
  EXPECT_EQ(r.code, RpcCode::kInvalidArgument);
  EXPECT_EQ(r.message, "bad");
  r = ErrorResponse(base::PermissionDenied("no"));
  EXPECT_EQ(r.code, RpcCode::kInternal);
  EXPECT_EQ(r.message, "PERMISSION_DENIED: no");
  EXPECT_EQ(ErrorResponse(base::Unimplemented("x")).code, RpcCode::kNotFound);
  EXPECT_EQ(ErrorResponse(base::Aborted("x")).code, RpcCode::kUnavailable);
  EXPECT_EQ(ErrorResponse(base::DeadlineExceeded("x")).code, RpcCode::kDeadlineExceeded);
  EXPECT_EQ(ErrorResponse(base::ResourceExhausted("x")).code, RpcCode::kResourceExhausted);

  // Long messages are cut at a character boundary, and stay encodable.
  std::string longmsg;
  for (int i = 0; i < 600; ++i) longmsg += "\xc3\xa9";  // 1200 bytes of 2-byte characters
  longmsg = "x" + longmsg;                              // odd offset: byte 1024 is mid-character
  r = ErrorResponse(base::InvalidArgument(longmsg));
  EXPECT_EQ(r.message.size(), 1023u);
  EXPECT_TRUE(EncodeResponse(r).ok());
  r = ErrorResponse(base::InvalidArgument("raw \xff byte"));
  EXPECT_EQ(r.message, "raw ? byte");

  EXPECT_TRUE(ToStatus(Response::Ok({})).ok());
  base::Status s = ToStatus({RpcCode::kNotFound, "unknown method", {}});
  EXPECT_EQ(s.code(), base::Code::kNotFound);
  EXPECT_EQ(s.message(), "unknown method");
  EXPECT_EQ(ToStatus({RpcCode::kUnavailable, "", {}}).code(), base::Code::kUnavailable);
}

TEST(RpcMessagesTest, MaxResponsePayloadFillsTheFrameExactly) {
  for (size_t max : {kMinMaxFrameBytes, size_t{16384}, size_t{16389}, kDefaultMaxFrameBytes}) {
    const size_t cap = MaxResponsePayload(max);
    auto frame = EncodeResponseFrame(Response::Ok(Bytes(cap)), max);
    ASSERT_TRUE(frame.ok()) << max;
    // One more byte no longer fits.
    EXPECT_EQ(EncodeResponseFrame(Response::Ok(Bytes(cap + 1)), max).status().code(),
              base::Code::kResourceExhausted)
        << max;
  }
  EXPECT_EQ(MaxResponsePayload(kDefaultMaxFrameBytes), 16777207u);  // the spec's figure
}

TEST(RpcMessagesTest, ValidateMaxFrameBytes) {
  EXPECT_TRUE(ValidateMaxFrameBytes(kDefaultMaxFrameBytes).ok());
  EXPECT_TRUE(ValidateMaxFrameBytes(kMinMaxFrameBytes).ok());
  EXPECT_FALSE(ValidateMaxFrameBytes(kMinMaxFrameBytes - 1).ok());
  EXPECT_FALSE(ValidateMaxFrameBytes(kMaxMaxFrameBytes + 1).ok());
}

}  // namespace
}  // namespace hm::stoq::rpc

namespace hm::stoq::rpc {
namespace {

TEST(RpcPeekResponseCode, ReadsTheCodeOfAnEncodedFrameOnly) {
  auto ok = EncodeResponseFrame(Response::Ok(Bytes(1000, 7)));
  auto not_found = EncodeResponseFrame({RpcCode::kNotFound, "no", {}});
  ASSERT_TRUE(ok.ok() && not_found.ok());
  EXPECT_EQ(PeekResponseCode(*ok), RpcCode::kOk);
  EXPECT_EQ(PeekResponseCode(*not_found), RpcCode::kNotFound);
  auto request = EncodeRequestFrame({"stoq.ping", 0, {}});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(PeekResponseCode(*request), std::nullopt);
  EXPECT_EQ(PeekResponseCode(Bytes{0, 0}), std::nullopt);
}

}  // namespace
}  // namespace hm::stoq::rpc
