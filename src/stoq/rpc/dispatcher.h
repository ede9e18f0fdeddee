// Server side of STOQ RPC: method name -> handler, and the rules of docs/spec/stoq-rpc.md "Server
// dispatch" (bad frame -> 3, unknown method -> 5, exactly one Response per call).
// Thread-safety: Register() only before serving; after that Handle() may be called from any
// number of threads at once. A reply callback may be invoked from any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "stoq/rpc/messages.h"

namespace hm::stoq::rpc {

// Answers by calling `reply` exactly once, now or later, from any thread. Extra calls are ignored;
// dropping `reply` (and every copy of it) unanswered sends code 13 for the handler.
using Handler = std::function<void(const Request&, std::function<void(Response)> reply)>;
// Receives the encoded Response frame to write on the stream before FIN.
using FrameReply = std::function<void(Bytes response_frame)>;

class Dispatcher {
 public:
  // The caller validates `max_frame_bytes` (ValidateMaxFrameBytes); it bounds requests read and
  // responses written.
  explicit Dispatcher(size_t max_frame_bytes = kDefaultMaxFrameBytes);

  // Errors: kInvalidArgument (bad method name, empty handler), kAlreadyExists.
  base::Status Register(std::string method, Handler handler);

  // Decodes one complete request frame (as FrameReader yields it) and answers through `reply`
  // exactly once: directly for a bad frame or unknown method, else through the handler.
  void Handle(ByteSpan request_frame, FrameReply reply) const;
  // The same for a request the caller decoded already (to read its deadline, say).
  void HandleRequest(const Request& request, FrameReply reply) const;
  // The frame of an error Response for `status` (always fits the frame limit).
  Bytes ErrorFrame(const base::Status& status) const;

  size_t max_frame_bytes() const { return max_frame_bytes_; }

 private:
  const size_t max_frame_bytes_;
  std::map<std::string, Handler, std::less<>> handlers_;
};

}  // namespace hm::stoq::rpc
