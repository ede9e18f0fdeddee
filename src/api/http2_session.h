// Internal to the HTTPS front end: one HTTP/2 (RFC 9113) connection on an established TLS stream
// whose ALPN is "h2". nghttp2 does the framing, HPACK, flow control and protocol checks (a
// malformed frame gets a GOAWAY or RST_STREAM from it); this class feeds it bytes, turns each
// request stream into an api::Request that goes through ServerCore exactly as an HTTP/1.1
// request does, and answers with HEADERS plus DATA from a data provider.
// Thread-safety: all state lives on the connection's strand; BeginShutdown and ForceClose may be
// called from any thread.
#pragma once

#include <nghttp2/nghttp2.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/http_session.h"

namespace hm::api::internal {

class Http2Session : public Connection, public std::enable_shared_from_this<Http2Session> {
 public:
  // `stream` has finished its TLS handshake; `id` is the connection's id in ServerCore, whose
  // SessionEnded(id) the destructor calls.
  Http2Session(std::shared_ptr<ServerCore> core, uint64_t id, TlsStream stream,
               std::shared_ptr<net::TlsContext> tls, std::string remote);
  ~Http2Session() override;
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // Sends the server's SETTINGS and starts reading the client's preface.
  void Start();
  // GOAWAY naming the last stream received: those streams are still answered, then the
  // connection closes.
  void BeginShutdown() override;
  void ForceClose() override;

 private:
  struct Callbacks;  // nghttp2's C callbacks, forwarding to the members below
  friend struct Callbacks;
  struct StreamState;
  using Clock = std::chrono::steady_clock;
  using ErrorCode = boost::system::error_code;

  boost::beast::tcp_stream& Lowest() { return boost::beast::get_lowest_layer(stream_); }
  bool InitSession();
  // After any event: write what nghttp2 has queued, keep reading while it wants input, close
  // once it wants neither, and re-arm the timeout.
  void AfterEvent();
  void DoRead();
  void OnRead(ErrorCode ec, size_t bytes);
  void Flush();
  void OnWrite(ErrorCode ec);

  StreamState* Find(int32_t stream_id);
  int OnBeginHeaders(const nghttp2_frame& frame);
  void OnHeader(const nghttp2_frame& frame, std::string_view name, std::string_view value);
  void OnFrameRecv(const nghttp2_frame& frame);
  void OnDataChunk(int32_t stream_id, const uint8_t* data, size_t length);
  void OnStreamClose(int32_t stream_id);
  ssize_t ReadResponseBody(int32_t stream_id, uint8_t* buf, size_t length, uint32_t* flags);

  void StartRequest(StreamState& s);
  void EndRequest(StreamState& s);
  void RunHandler(StreamState& s);
  void OnHandlerDone(int32_t stream_id, Response response);
  void Respond(StreamState& s, Response response);

  void UpdateDeadline();
  void ArmTimer(Clock::time_point deadline);
  void OnTimer(ErrorCode ec);
  void OnTimeout();
  void CloseGracefully();
  void Abort();

  const std::shared_ptr<ServerCore> core_;
  const uint64_t id_;
  const std::shared_ptr<net::TlsContext> tls_;  // keeps the SSL_CTX alive for this connection
  const std::string remote_;
  TlsStream stream_;
  const boost::asio::any_io_executor executor_;  // the connection's strand
  boost::asio::steady_timer timer_;
  nghttp2_session* session_ = nullptr;

  std::unordered_map<int32_t, std::unique_ptr<StreamState>> streams_;
  size_t handlers_in_flight_ = 0;  // includes handlers of streams the client has reset

  std::vector<uint8_t> read_buf_;
  std::string write_buf_;  // bytes of the async_write in progress
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;  // our side is shut; draining until the peer closes
  bool closed_ = false;
  bool served_ = false;  // a response was sent: idle_timeout instead of read_timeout applies
  Clock::time_point last_activity_;
  Clock::time_point write_started_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool timer_armed_ = false;
};

}  // namespace hm::api::internal
