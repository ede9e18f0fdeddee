// HttpServer: HTTPS (TLS 1.3) front end for a Router: HTTP/1.1 (Boost.Beast), or HTTP/2 (nghttp2)
// when the client offers ALPN "h2". Connections live on the EventLoop; handlers run on the
// server's own pool of "hm-http-N" threads, so a handler may block for seconds without stalling
// I/O. Requests on one HTTP/1.1 connection are handled one at a time; HTTP/2 streams concurrently.
// Thread-safety: Start/Shutdown/SetTlsContext may be called from any thread except the loop's
// and the handler pool's. The Router, EventLoop and MetricsRegistry must outlive the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "api/router.h"
#include "base/metrics.h"
#include "base/status.h"
#include "net/address.h"
#include "net/event_loop.h"
#include "net/tls_context.h"
#include "stoq/server.h"

namespace hm::api {

struct HttpServerOptions {
  std::string listen_host = "::1";                 // IPv6 literal: "::1" (dev) or "::"
  uint16_t listen_port = 8443;                     // 0 picks a free port (tests)
  uint64_t max_body_bytes = 1 << 20;               // default per-route limit; larger bodies get 413
  uint32_t max_header_bytes = 8 << 10;             // request line + headers; larger get 431
  std::chrono::milliseconds read_timeout{30'000};  // handshake, one request, one response write
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive wait for the next request
  std::chrono::milliseconds shutdown_timeout{10'000};  // how long Shutdown() waits in-flight work
  int handler_threads = 4;
  int max_connections = 1024;  // further connections are closed right after accept
  // HTTP/2: streams open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS); also caps
  // the handlers one connection may have running, counting those of streams the client reset.
  uint32_t http2_max_concurrent_streams = 100;

  // Errors (kInvalidArgument) name the offending option.
  base::Status Validate() const;
};

namespace internal {
class ServerCore;
}

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, net::EventLoop& loop, std::shared_ptr<net::TlsContext> tls,
             const Router& router, base::MetricsRegistry& metrics);
  ~HttpServer();  // Shutdown()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Errors: kInvalidArgument (options), kUnavailable "address
  // [::1]:8443 is already in use", kFailedPrecondition (already started, no TLS context).
  base::Status Start();

  // The bound endpoint (the real port when listen_port was 0). Valid after Start().
  net::Endpoint local_endpoint() const;
  uint16_t port() const { return local_endpoint().port; }

  // The HTTP/3 application for a STOQ server's "h3" ALPN: requests go through this server's
  // routing, limits, handler pool and metrics. Valid after Start(); the StoqServer must be shut
  // down before this server.
  stoq::ServerApplicationFactory Http3Factory();

  // New connections use `tls`; existing ones keep theirs. For certificate renewal.
  void SetTlsContext(std::shared_ptr<net::TlsContext> tls);

  // Stops accepting, closes idle connections, lets in-flight requests finish and answers them
  // with "Connection: close" (HTTP/2: sends GOAWAY, finishes the streams it covers), then returns.
  // After `timeout` the remaining connections are cut. Idempotent. Requires the EventLoop to be
  // running.
  void Shutdown();
  void Shutdown(std::chrono::milliseconds timeout);

 private:
  HttpServerOptions options_;
  net::EventLoop& loop_;
  net::EventLoop handler_pool_;
  std::shared_ptr<internal::ServerCore> core_;
  mutable std::mutex mu_;  // guards started_, stopped_, local_
  bool started_ = false;
  bool stopped_ = false;
  net::Endpoint local_;
};

}  // namespace hm::api
