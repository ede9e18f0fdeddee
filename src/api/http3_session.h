// Internal to the API front ends: the HTTP/3 application (nghttp3) for STOQ connections whose
// ALPN is "h3". Each request stream becomes an api::Request that goes through the same
// ServerCore routing, dispatch, limits and metrics as HTTP/1.1 and HTTP/2; the response body is
// handed to QUIC straight from the Response (no copy).
// Thread-safety: an Http3Session lives on the QUIC thread; handler results come back through the
// ConnectionPoster.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/http3_base.h"
#include "api/http_session.h"
#include "stoq/server.h"

namespace hm::api::internal {

class Http3Session final : public Http3Application {
 public:
  Http3Session(std::shared_ptr<ServerCore> core, stoq::Connection& conn,
               stoq::ConnectionPoster& poster);

  base::Status OnHandshakeCompleted() override;
  void OnShutdownNotice() override;
  bool Busy() const override { return handlers_in_flight_ > 0; }

  // A handler's response for `stream_id` (on the QUIC thread).
  void Deliver(int64_t stream_id, Response response);

 private:
  struct Stream {
    int64_t id = 0;
    Request request;
    std::string method, target, authority, scheme;
    size_t header_bytes = 0;
    bool headers_too_large = false;
    bool routed = false;    // headers complete and a route looked up
    bool answered = false;  // a response was submitted
    bool handling = false;  // a handler is running
    RouteMatch match;
    uint64_t body_limit = 0;
    BodyCursor response_body;  // its pieces stay put until the stream is gone (ngtcp2 retransmits)
    std::chrono::steady_clock::time_point start;
  };
  friend struct Http3Callbacks;

  Stream* Find(int64_t id);
  void OnHeader(Stream& s, int32_t token, std::string_view name, std::string_view value);
  void OnEndHeaders(Stream& s);
  void OnData(Stream& s, const uint8_t* data, size_t len);
  void OnEndStream(Stream& s);
  void Respond(Stream& s, Response response);

  std::shared_ptr<ServerCore> core_;
  stoq::ConnectionPoster& poster_;
  std::unordered_map<int64_t, std::unique_ptr<Stream>> streams_;
  int handlers_in_flight_ = 0;
  std::string remote_;
};

}  // namespace hm::api::internal
