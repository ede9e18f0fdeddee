#include "stoq/rpc/dispatcher.h"

#include <fmt/format.h>

#include <atomic>
#include <memory>
#include <utility>

#include "base/check.h"

namespace hm::stoq::rpc {
namespace {

// Encodes a handler's answer; an answer that breaks the spec's rules still yields a valid frame.
Bytes EncodeOrReplace(const Response& response, size_t max_frame_bytes) {
  auto frame = EncodeResponseFrame(response, max_frame_bytes);
  if (frame.ok()) return std::move(frame).value();
  const Response replacement = ErrorResponse(
      frame.status().code() == base::Code::kResourceExhausted
          ? frame.status()
          : base::Internal(fmt::format("rpc: handler produced an invalid response: {}",
                                       frame.status().message())));
  auto fallback = EncodeResponseFrame(replacement, max_frame_bytes);
  HM_CHECK_OK(fallback.status());  // an error response with a cut message always fits
  return std::move(fallback).value();
}

// One call's answer slot, shared by every copy of the handler's reply callback. The first answer
// wins; if the last copy dies unanswered, the destructor answers for the handler so the stream
// still ends with a Response.
class CallState {
 public:
  CallState(FrameReply reply, size_t max_frame_bytes)
      : reply_(std::move(reply)), max_frame_bytes_(max_frame_bytes) {}
  CallState(const CallState&) = delete;
  CallState& operator=(const CallState&) = delete;
  ~CallState() {
    if (!answered_.load()) {
      reply_(EncodeOrReplace(ErrorResponse(base::Internal("handler dropped the call")),
                             max_frame_bytes_));
    }
  }

  void Answer(const Response& response) {
    if (answered_.exchange(true)) return;
    reply_(EncodeOrReplace(response, max_frame_bytes_));
  }

 private:
  FrameReply reply_;
  const size_t max_frame_bytes_;
  std::atomic<bool> answered_{false};
};

}  // namespace

Dispatcher::Dispatcher(size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

base::Status Dispatcher::Register(std::string method, Handler handler) {
  if (!IsValidMethodName(method)) {
    return base::InvalidArgument(
        fmt::format("rpc: method name \"{}\" is not 1..64 bytes of [a-z0-9_./]", method));
  }
  if (!handler) return base::InvalidArgument("rpc: empty handler for " + method);
  if (handlers_.contains(method)) {
    return base::AlreadyExists("rpc: method already registered: " + method);
  }
  handlers_.emplace(std::move(method), std::move(handler));
  return base::Status::Ok();
}

void Dispatcher::Handle(ByteSpan request_frame, FrameReply reply) const {
  auto request = DecodeRequestFrame(request_frame, max_frame_bytes_);
  if (!request.ok()) {
    reply(EncodeOrReplace(ErrorResponse(request.status()), max_frame_bytes_));
    return;
  }
  HandleRequest(*request, std::move(reply));
}

void Dispatcher::HandleRequest(const Request& request, FrameReply reply) const {
  auto it = handlers_.find(request.method);
  if (it == handlers_.end()) {
    const Response not_found{
        RpcCode::kNotFound, fmt::format("unknown method \"{}\"", request.method), {}};
    reply(EncodeOrReplace(not_found, max_frame_bytes_));
    return;
  }
  auto state = std::make_shared<CallState>(std::move(reply), max_frame_bytes_);
  it->second(request, [state = std::move(state)](Response response) { state->Answer(response); });
}

Bytes Dispatcher::ErrorFrame(const base::Status& status) const {
  return EncodeOrReplace(ErrorResponse(status), max_frame_bytes_);
}

}  // namespace hm::stoq::rpc
