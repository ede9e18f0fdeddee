#include "stoq/rpc/messages.h"

#include <fmt/format.h>

#include "codec/codec.h"

namespace hm::stoq::rpc {
namespace {

using base::Code;
using base::InvalidArgument;
using base::Result;
using base::Status;

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

size_t LengthPrefixed(size_t len) { return VarintSize(len) + len; }

size_t RequestBodySize(const Request& r) {
  return 2 + LengthPrefixed(r.method.size()) + 4 + LengthPrefixed(r.payload.size());
}

size_t ResponseBodySize(const Response& r) {
  return 2 + 2 + LengthPrefixed(r.message.size()) + LengthPrefixed(r.payload.size());
}

Status CheckRequest(const Request& r) {
  if (!IsValidMethodName(r.method)) {
    return InvalidArgument("rpc: method must be 1..64 bytes of [a-z0-9_./]");
  }
  return Status::Ok();
}

Status CheckResponse(const Response& r) {
  if (!IsValidRpcCode(static_cast<uint16_t>(r.code))) {
    return InvalidArgument(fmt::format("rpc: unknown response code {}", static_cast<int>(r.code)));
  }
  if (r.message.size() > kMaxMessageBytes) {
    return InvalidArgument(
        fmt::format("rpc: message of {} bytes exceeds {}", r.message.size(), kMaxMessageBytes));
  }
  // The codec's Writer only checks UTF-8 in debug builds; an invalid message would produce bytes
  // that every decoder rejects.
  if (!codec::IsValidUtf8(r.message)) return InvalidArgument("rpc: message is not valid UTF-8");
  return Status::Ok();
}

void WriteRequest(codec::Writer& w, const Request& r) {
  w.Header(kTagRequest);
  w.String(r.method);
  w.U32(r.deadline_ms);
  w.Bytes(r.payload);
}

void WriteResponse(codec::Writer& w, const Response& r) {
  w.Header(kTagResponse);
  w.U16(static_cast<uint16_t>(r.code));
  w.String(r.message);
  w.Bytes(r.payload);
}

Status CheckFrameSize(size_t body_size, size_t max_frame_bytes) {
  if (body_size > max_frame_bytes) {
    return base::ResourceExhausted(
        fmt::format("rpc: frame of {} bytes exceeds the limit of {}", body_size, max_frame_bytes));
  }
  return Status::Ok();
}

// Checks the length prefix of a complete frame and returns its body.
Result<ByteSpan> FrameBody(ByteSpan frame, size_t max_frame_bytes) {
  if (frame.size() < kFrameHeaderBytes) return InvalidArgument("rpc: truncated frame length");
  const uint32_t len = (uint32_t{frame[0]} << 24) | (uint32_t{frame[1]} << 16) |
                       (uint32_t{frame[2]} << 8) | uint32_t{frame[3]};
  HM_TRY(CheckFrameSize(len, max_frame_bytes));
  ByteSpan body = frame.subspan(kFrameHeaderBytes);
  if (body.size() != len) {
    return InvalidArgument(fmt::format("rpc: frame length {} but {} body bytes", len, body.size()));
  }
  return body;
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence; replaces stray non-UTF-8
// bytes so the result always encodes.
std::string CutMessage(std::string s, size_t max) {
  if (s.size() > max) {
    size_t cut = max;
    while (cut > 0 && (static_cast<uint8_t>(s[cut]) & 0xc0) == 0x80) --cut;
    s.resize(cut);
  }
  if (!codec::IsValidUtf8(s)) {
    for (char& c : s) {
      if (static_cast<uint8_t>(c) >= 0x80) c = '?';
    }
  }
  return s;
}

}  // namespace

bool IsValidRpcCode(uint16_t code) {
  switch (static_cast<RpcCode>(code)) {
    case RpcCode::kOk:
    case RpcCode::kInvalidArgument:
    case RpcCode::kDeadlineExceeded:
    case RpcCode::kNotFound:
    case RpcCode::kResourceExhausted:
    case RpcCode::kInternal:
    case RpcCode::kUnavailable:
      return true;
  }
  return false;
}

bool IsValidMethodName(std::string_view method) {
  if (method.empty() || method.size() > kMaxMethodBytes) return false;
  for (char c : method) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '/';
    if (!ok) return false;
  }
  return true;
}

Status ValidateMaxFrameBytes(size_t max_frame_bytes) {
  if (max_frame_bytes < kMinMaxFrameBytes || max_frame_bytes > kMaxMaxFrameBytes) {
    return InvalidArgument(fmt::format("rpc: max frame size {} is outside [{}, {}]",
                                       max_frame_bytes, kMinMaxFrameBytes, kMaxMaxFrameBytes));
  }
  return Status::Ok();
}

Result<Bytes> EncodeRequest(const Request& request) {
  HM_TRY(CheckRequest(request));
  codec::Writer w(RequestBodySize(request));
  WriteRequest(w, request);
  return std::move(w).Take();
}

Result<Request> DecodeRequest(ByteSpan body) {
  codec::Reader r(body);
  HM_TRY(r.Header(kTagRequest));
  Request out;
  HM_ASSIGN_OR_RETURN(out.method, r.String(kMaxMethodBytes));
  if (!IsValidMethodName(out.method)) {
    return InvalidArgument("rpc: method must be 1..64 bytes of [a-z0-9_./]");
  }
  HM_ASSIGN_OR_RETURN(out.deadline_ms, r.U32());
  HM_ASSIGN_OR_RETURN(ByteSpan payload, r.Bytes(r.remaining()));
  out.payload.assign(payload.begin(), payload.end());
  HM_TRY(r.Finish());
  return out;
}

Result<Bytes> EncodeResponse(const Response& response) {
  HM_TRY(CheckResponse(response));
  codec::Writer w(ResponseBodySize(response));
  WriteResponse(w, response);
  return std::move(w).Take();
}

Result<Response> DecodeResponse(ByteSpan body) {
  codec::Reader r(body);
  HM_TRY(r.Header(kTagResponse));
  Response out;
  HM_ASSIGN_OR_RETURN(uint16_t code, r.U16());
  if (!IsValidRpcCode(code)) {
    return InvalidArgument(fmt::format("rpc: unknown response code {}", code));
  }
  out.code = static_cast<RpcCode>(code);
  HM_ASSIGN_OR_RETURN(out.message, r.String(kMaxMessageBytes));
  HM_ASSIGN_OR_RETURN(ByteSpan payload, r.Bytes(r.remaining()));
  out.payload.assign(payload.begin(), payload.end());
  HM_TRY(r.Finish());
  return out;
}

Result<Bytes> EncodeRequestFrame(const Request& request, size_t max_frame_bytes) {
  HM_TRY(CheckRequest(request));
  const size_t size = RequestBodySize(request);
  HM_TRY(CheckFrameSize(size, max_frame_bytes));
  codec::Writer w(kFrameHeaderBytes + size);
  w.U32(static_cast<uint32_t>(size));  // size <= max_frame_bytes <= 1 GiB in practice
  WriteRequest(w, request);
  return std::move(w).Take();
}

Result<Request> DecodeRequestFrame(ByteSpan frame, size_t max_frame_bytes) {
  HM_ASSIGN_OR_RETURN(ByteSpan body, FrameBody(frame, max_frame_bytes));
  return DecodeRequest(body);
}

Result<Bytes> EncodeResponseFrame(const Response& response, size_t max_frame_bytes) {
  HM_TRY(CheckResponse(response));
  const size_t size = ResponseBodySize(response);
  HM_TRY(CheckFrameSize(size, max_frame_bytes));
  codec::Writer w(kFrameHeaderBytes + size);
  w.U32(static_cast<uint32_t>(size));
  WriteResponse(w, response);
  return std::move(w).Take();
}

Result<Response> DecodeResponseFrame(ByteSpan frame, size_t max_frame_bytes) {
  HM_ASSIGN_OR_RETURN(ByteSpan body, FrameBody(frame, max_frame_bytes));
  return DecodeResponse(body);
}

std::optional<RpcCode> PeekResponseCode(ByteSpan frame) {
  if (frame.size() < kFrameHeaderBytes) return std::nullopt;
  codec::Reader r(frame.subspan(kFrameHeaderBytes));
  if (!r.Header(kTagResponse).ok()) return std::nullopt;
  auto code = r.U16();
  if (!code.ok() || !IsValidRpcCode(*code)) return std::nullopt;
  return static_cast<RpcCode>(*code);
}

Response ErrorResponse(const Status& status) {
  RpcCode code = RpcCode::kInternal;
  bool same_name = false;
  switch (status.code()) {
    case Code::kOk:
      return Response{};
    case Code::kInvalidArgument:
      code = RpcCode::kInvalidArgument;
      same_name = true;
      break;
    case Code::kOutOfRange:
    case Code::kFailedPrecondition:
      code = RpcCode::kInvalidArgument;
      break;
    case Code::kDeadlineExceeded:
      code = RpcCode::kDeadlineExceeded;
      same_name = true;
      break;
    case Code::kNotFound:
      code = RpcCode::kNotFound;
      same_name = true;
      break;
    case Code::kUnimplemented:
      code = RpcCode::kNotFound;
      break;
    case Code::kResourceExhausted:
      code = RpcCode::kResourceExhausted;
      same_name = true;
      break;
    case Code::kUnavailable:
      code = RpcCode::kUnavailable;
      same_name = true;
      break;
    case Code::kAborted:
      code = RpcCode::kUnavailable;
      break;
    case Code::kInternal:
      same_name = true;
      break;
    default:
      break;
  }
  std::string message = same_name ? std::string(status.message()) : status.ToString();
  return Response{code, CutMessage(std::move(message), kMaxMessageBytes), {}};
}

Status ToStatus(const Response& response) {
  Code code = Code::kInternal;
  switch (response.code) {
    case RpcCode::kOk:
      return Status::Ok();
    case RpcCode::kInvalidArgument:
      code = Code::kInvalidArgument;
      break;
    case RpcCode::kDeadlineExceeded:
      code = Code::kDeadlineExceeded;
      break;
    case RpcCode::kNotFound:
      code = Code::kNotFound;
      break;
    case RpcCode::kResourceExhausted:
      code = Code::kResourceExhausted;
      break;
    case RpcCode::kInternal:
      code = Code::kInternal;
      break;
    case RpcCode::kUnavailable:
      code = Code::kUnavailable;
      break;
  }
  std::string message = response.message.empty()
                            ? fmt::format("rpc: code {}", static_cast<int>(response.code))
                            : response.message;
  return Status(code, std::move(message));
}

size_t MaxResponsePayload(size_t max_frame_bytes) {
  constexpr size_t kFixed = 2 + 2 + 1;  // header, code, empty message
  if (max_frame_bytes <= kFixed + 1) return 0;
  size_t room = max_frame_bytes - kFixed;  // for varint(len) + len
  size_t len = room - 1;
  while (len > 0 && VarintSize(len) + len > room) --len;
  return len;
}

}  // namespace hm::stoq::rpc
