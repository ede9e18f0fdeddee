// Internal to the HTTPS front end (not for other layers): ServerCore is the state shared by a
// server's acceptor and connections, including the request-head, dispatch and response logic both
// HTTP versions share; HttpSession is one TLS connection: it does the handshake and serves
// HTTP/1.1, or hands the stream to an Http2Session (http2_session.h) when ALPN picked "h2".
// Thread-safety: ServerCore's mutable state is guarded by mu_; a session runs on its strand.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/http_server.h"
#include "net/tcp_listener.h"

namespace hm::api::internal {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// What ServerCore needs from a live connection of either HTTP version. Both calls may come from
// any thread; they are carried out on the connection's strand.
class Connection {
 public:
  virtual ~Connection() = default;
  // Stop taking requests; finish the ones in flight, then close.
  virtual void BeginShutdown() = 0;
  virtual void ForceClose() = 0;
};

// The outcome of a request head, shared by both HTTP versions.
struct RoutedRequest {
  RouteMatch match;  // label "unmatched" unless a route was found
  uint64_t body_limit = 0;
  std::optional<Response> early;  // set: answer this at once, without reading the body
};

// 431 REQUEST_HEADER_FIELDS_TOO_LARGE naming the limit.
Response HeaderFieldsTooLarge(uint32_t max_header_bytes);

// A handler's response made fit for the wire: a status outside 200..599 becomes a 500, extra
// headers that are malformed or owned by the front end are dropped (logged with `route`), and an
// empty content type becomes application/octet-stream.
Response PrepareResponse(Response response, std::string_view route);

// A Content-Length value as a number; nullopt when absent or malformed.
std::optional<uint64_t> ParseContentLength(std::string_view text);
// Response fields HTTP/2 and HTTP/3 forbid (RFC 9113 section 8.2.2, RFC 9114 section 4.2) beyond
// those PrepareResponse already drops for every version.
bool IsMultiplexedForbiddenField(std::string_view name);
// The header list of an HTTP/2 or HTTP/3 response to a prepared `response`: :status, server,
// content-type and content-length (not for 204/304), then its extra headers in lower case.
std::vector<std::pair<std::string, std::string>> MultiplexedResponseFields(const Response& response);

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(const HttpServerOptions& options, const Router& router, base::MetricsRegistry& metrics,
             boost::asio::io_context& handler_io, std::shared_ptr<net::TlsContext> tls);

  const HttpServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  boost::asio::io_context& handler_io() { return handler_io_; }
  bool shutting_down() const { return shutting_down_.load(std::memory_order_acquire); }

  void SetTlsContext(std::shared_ptr<net::TlsContext> tls);
  // Takes ownership of the listener and starts the accept loop on its strand; connections get
  // their own strands on `io`.
  void StartAccepting(std::unique_ptr<net::TcpListener> listener, boost::asio::io_context& io);
  // Graceful phase of shutdown: stop accepting, tell every session; returns at once.
  void BeginShutdown();
  // Waits until no session is left or `deadline` passes; true if none is left.
  bool WaitForSessions(std::chrono::steady_clock::time_point deadline);
  void ForceCloseSessions();

  // Parses `target` into request->path/query, resolves the route, picks its body limit and
  // rejects (400, 404, 405, 413 for a declared length above the limit) via `early`.
  RoutedRequest Route(std::string_view target, std::optional<uint64_t> content_length,
                      Request* request) const;
  // Runs the matched route on the handler pool; `reply` is then called on `reply_on` (the
  // connection's strand) with the handler's response.
  void Dispatch(Request request, RouteMatch match, boost::asio::any_io_executor reply_on,
                std::function<void(Response)> reply);
  void RecordRequest(std::string_view route, std::string_view method, int status, double seconds);
  // The connection `id` continues as `to` (HTTP/1.1 session handing over to HTTP/2).
  void HandOff(uint64_t id, std::weak_ptr<Connection> to);
  void SessionEnded(uint64_t id);

 private:
  void DoAccept();
  void OnAccept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
  std::vector<std::shared_ptr<Connection>> LiveSessions();

  const HttpServerOptions options_;
  const Router& router_;
  base::MetricsRegistry& metrics_;
  boost::asio::io_context& handler_io_;
  base::Gauge& connections_active_;
  base::Counter& connections_rejected_;
  const std::vector<double> latency_buckets_;
  std::atomic<bool> shutting_down_{false};
  std::unique_ptr<net::TcpListener> listener_;  // used only on its strand after StartAccepting
  boost::asio::io_context* io_ = nullptr;
  std::optional<boost::asio::steady_timer> accept_retry_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<net::TlsContext> tls_;                              // guarded by mu_
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> sessions_;  // guarded by mu_
  uint64_t next_id_ = 1;                                              // guarded by mu_
};

class Http2Session;

class HttpSession : public Connection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<ServerCore> core, uint64_t id, boost::asio::ip::tcp::socket socket,
              const std::shared_ptr<net::TlsContext>& tls);
  ~HttpSession() override;

  void Start();
  // Closes the connection if it is between requests; otherwise the current request finishes
  // and is answered with "Connection: close". Forwarded after a hand-off to HTTP/2.
  void BeginShutdown() override;
  void ForceClose() override;

 private:
  enum class State { kHandshake, kIdle, kReadingBody, kHandling, kWriting, kClosing, kClosed };
  using Stream = TlsStream;
  using ErrorCode = boost::system::error_code;
  // What to do with the connection once a response is written.
  enum class After { kKeepAlive, kClose, kDrainAndClose };

  boost::beast::tcp_stream& Lowest() { return boost::beast::get_lowest_layer(stream_); }
  void OnHandshake(ErrorCode ec);
  void HandOffToHttp2();
  void ReadHeader();
  void OnHeader(ErrorCode ec, size_t bytes);
  void SendContinue();
  void ReadBody();
  void OnBody(ErrorCode ec, size_t bytes);
  void OnReadError(ErrorCode ec);
  void RunHandler();
  void Reply(Response response, After after);
  void BuildWireResponse(Response response, bool close);
  void OnWrite(After after, ErrorCode ec, size_t bytes);
  void CloseGracefully();
  void Drain();  // read and discard what the client still sends, then Abort()
  void Abort();

  const std::shared_ptr<ServerCore> core_;
  const uint64_t id_;
  const std::shared_ptr<net::TlsContext> tls_;  // keeps the SSL_CTX alive for this connection
  // The connection's strand; kept apart from stream_, which is moved out on a hand-off.
  const boost::asio::any_io_executor executor_;
  Stream stream_;
  bool handed_off_ = false;
  std::weak_ptr<Http2Session> h2_;  // set by the hand-off
  std::string remote_;
  State state_ = State::kHandshake;
  bool first_request_ = true;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::empty_body> continue_;
  boost::beast::http::response<boost::beast::http::string_body> wire_;

  // The request being served.
  Request request_;  // moved to the handler pool while it runs
  std::string method_;
  RouteMatch match_;
  uint64_t body_limit_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  std::chrono::steady_clock::time_point start_;
  std::string drain_buffer_;
  uint64_t drained_ = 0;
};

}  // namespace hm::api::internal
