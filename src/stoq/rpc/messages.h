// STOQ RPC messages (docs/spec/stoq-rpc.md): Request/Response bodies, their u32-length frames,
// response codes and the stream error codes. Pure functions; value types, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::stoq::rpc {

using base::Bytes;
using base::ByteSpan;

inline constexpr uint8_t kTagRequest = 0x48;
inline constexpr uint8_t kTagResponse = 0x49;

// QUIC application error codes for RESET_STREAM / STOP_SENDING on an RPC stream.
inline constexpr uint64_t kRpcCancelled = 0x5201;
inline constexpr uint64_t kRpcProtocolError = 0x5202;

inline constexpr size_t kFrameHeaderBytes = 4;  // the u32 length prefix
inline constexpr size_t kDefaultMaxFrameBytes = size_t{16} << 20;
inline constexpr size_t kMinMaxFrameBytes = size_t{4} << 10;
inline constexpr size_t kMaxMaxFrameBytes = size_t{1} << 30;
inline constexpr size_t kMaxMethodBytes = 64;
inline constexpr size_t kMaxMessageBytes = 1024;

// Response codes (gRPC numbering). Only these are valid in v1.
enum class RpcCode : uint16_t {
  kOk = 0,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kResourceExhausted = 8,
  kInternal = 13,
  kUnavailable = 14,
};

bool IsValidRpcCode(uint16_t code);

struct Request {
  std::string method;
  uint32_t deadline_ms = 0;  // relative; 0 = none
  Bytes payload;

  bool operator==(const Request&) const = default;
};

struct Response {
  RpcCode code = RpcCode::kOk;
  std::string message;
  Bytes payload;

  bool operator==(const Response&) const = default;

  static Response Ok(Bytes payload) { return {RpcCode::kOk, "", std::move(payload)}; }
};

// 1..64 bytes of [a-z0-9_./].
bool IsValidMethodName(std::string_view method);

// kInvalidArgument unless `max_frame_bytes` is within [kMinMaxFrameBytes, kMaxMaxFrameBytes].
base::Status ValidateMaxFrameBytes(size_t max_frame_bytes);

// Bodies (no length prefix). Encoding fails with kInvalidArgument for a value the spec forbids
// (bad method name, unknown code, message too long or not UTF-8). Decoding is strict and fails with
// kInvalidArgument and the reason.
base::Result<Bytes> EncodeRequest(const Request& request);
base::Result<Request> DecodeRequest(ByteSpan body);
base::Result<Bytes> EncodeResponse(const Response& response);
base::Result<Response> DecodeResponse(ByteSpan body);

// Frames: u32 big-endian body length, then the body. Encoding also fails with kResourceExhausted
// when the body exceeds `max_frame_bytes`; decoding rejects a length that does not match the bytes
// given (kInvalidArgument) or exceeds the limit (kResourceExhausted).
base::Result<Bytes> EncodeRequestFrame(const Request& request,
                                       size_t max_frame_bytes = kDefaultMaxFrameBytes);
base::Result<Request> DecodeRequestFrame(ByteSpan frame,
                                         size_t max_frame_bytes = kDefaultMaxFrameBytes);
base::Result<Bytes> EncodeResponseFrame(const Response& response,
                                        size_t max_frame_bytes = kDefaultMaxFrameBytes);
base::Result<Response> DecodeResponseFrame(ByteSpan frame,
                                           size_t max_frame_bytes = kDefaultMaxFrameBytes);

// The response code of a frame EncodeResponseFrame produced, read without decoding (or copying)
// the rest; nullopt if the frame does not start like a Response. For counting outcomes.
std::optional<RpcCode> PeekResponseCode(ByteSpan frame);
// Local Status -> Response (codes per the spec table; a code whose name differs keeps the original
// as "CODE: message"; the message is cut to 1024 bytes at a UTF-8 boundary). OK -> code 0.
Response ErrorResponse(const base::Status& status);
// Response code -> Status of the same name (OK for code 0), with the response's message.
base::Status ToStatus(const Response& response);

// Largest payload of a Response with an empty message whose body fits `max_frame_bytes`.
size_t MaxResponsePayload(size_t max_frame_bytes);

}  // namespace hm::stoq::rpc
