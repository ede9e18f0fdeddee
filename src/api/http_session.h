// Internal to the HTTP/1.1 front end (not for other layers): ServerCore is the state shared by a
// server's acceptor and connections; HttpSession is one TLS connection's request loop.
// Thread-safety: ServerCore's mutable state is guarded by mu_; an HttpSession runs on its strand.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/http_server.h"
#include "net/tcp_listener.h"

namespace hm::api::internal {

class HttpSession;

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

  void RecordRequest(std::string_view route, std::string_view method, int status, double seconds);
  void SessionEnded(uint64_t id);

 private:
  void DoAccept();
  void OnAccept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
  std::vector<std::shared_ptr<HttpSession>> LiveSessions();

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
  std::shared_ptr<net::TlsContext> tls_;                               // guarded by mu_
  std::unordered_map<uint64_t, std::weak_ptr<HttpSession>> sessions_;  // guarded by mu_
  uint64_t next_id_ = 1;                                               // guarded by mu_
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<ServerCore> core, uint64_t id, boost::asio::ip::tcp::socket socket,
              const std::shared_ptr<net::TlsContext>& tls);
  ~HttpSession();

  void Start();
  // Closes the connection if it is between requests; otherwise the current request finishes
  // and is answered with "Connection: close".
  void BeginShutdown();
  void ForceClose();

 private:
  enum class State { kHandshake, kIdle, kReadingBody, kHandling, kWriting, kClosing, kClosed };
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using ErrorCode = boost::system::error_code;
  // What to do with the connection once a response is written.
  enum class After { kKeepAlive, kClose, kDrainAndClose };

  boost::beast::tcp_stream& Lowest() { return boost::beast::get_lowest_layer(stream_); }
  void OnHandshake(ErrorCode ec);
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
  Stream stream_;
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
