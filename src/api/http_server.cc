#include "api/http_server.h"

#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "api/errors.h"
#include "api/http3_session.h"
#include "api/http_session.h"
#include "base/log.h"

namespace hm::api {
namespace {

namespace asio = boost::asio;

constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// After a forced close, how long to wait for connections to unwind on the event loop.
constexpr std::chrono::milliseconds kForcedCloseWait{2'000};

std::string_view MethodLabel(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    if (method == m) return m;
  }
  return "OTHER";  // bounds label cardinality against arbitrary method tokens
}

}  // namespace

base::Status HttpServerOptions::Validate() const {
  auto listen = net::ParseListenAddress(listen_host, listen_port);
  if (!listen.ok()) return listen.status().WithContext("listen_host");
  if (max_body_bytes < 1 || max_body_bytes > (uint64_t{1} << 30)) {
    return base::InvalidArgument(
        fmt::format("max_body_bytes {} is outside 1..1073741824", max_body_bytes));
  }
  if (max_header_bytes < 1024 || max_header_bytes > (1u << 20)) {
    return base::InvalidArgument(
        fmt::format("max_header_bytes {} is outside 1024..1048576", max_header_bytes));
  }
  if (read_timeout.count() <= 0) return base::InvalidArgument("read_timeout must be positive");
  if (idle_timeout.count() <= 0) return base::InvalidArgument("idle_timeout must be positive");
  if (shutdown_timeout.count() < 0) {
    return base::InvalidArgument("shutdown_timeout must not be negative");
  }
  if (handler_threads < 1 || handler_threads > 256) {
    return base::InvalidArgument(
        fmt::format("handler_threads {} is outside 1..256", handler_threads));
  }
  if (max_connections < 1 || max_connections > 1'000'000) {
    return base::InvalidArgument(
        fmt::format("max_connections {} is outside 1..1000000", max_connections));
  }
  if (http2_max_concurrent_streams < 1 || http2_max_concurrent_streams > 1000) {
    return base::InvalidArgument(fmt::format("http2_max_concurrent_streams {} is outside 1..1000",
                                             http2_max_concurrent_streams));
  }
  return base::Status::Ok();
}

namespace internal {

ServerCore::ServerCore(const HttpServerOptions& options, const Router& router,
                       base::MetricsRegistry& metrics, asio::io_context& handler_io,
                       std::shared_ptr<net::TlsContext> tls)
    : options_(options),
      router_(router),
      metrics_(metrics),
      handler_io_(handler_io),
      connections_active_(
          metrics.GetGauge("hm_http_connections_active", "Open HTTPS connections.")),
      connections_rejected_(metrics.GetCounter(
          "hm_http_connections_rejected_total",
          "HTTPS connections closed at accept because max_connections was reached.")),
      latency_buckets_(base::LatencyBuckets()),
      tls_(std::move(tls)) {}

void ServerCore::SetTlsContext(std::shared_ptr<net::TlsContext> tls) {
  std::lock_guard<std::mutex> lock(mu_);
  tls_ = std::move(tls);
}

void ServerCore::StartAccepting(std::unique_ptr<net::TcpListener> listener, asio::io_context& io) {
  listener_ = std::move(listener);
  io_ = &io;
  accept_retry_.emplace(listener_->acceptor().get_executor());
  asio::post(listener_->acceptor().get_executor(),
             [self = shared_from_this()] { self->DoAccept(); });
}

void ServerCore::DoAccept() {
  if (shutting_down()) return;
  // Each connection gets its own strand on the event loop.
  listener_->acceptor().async_accept(
      asio::make_strand(*io_), [self = shared_from_this()](const boost::system::error_code& ec,
                                                           asio::ip::tcp::socket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void ServerCore::OnAccept(const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
  if (shutting_down() || ec == asio::error::operation_aborted) return;
  if (ec) {
    // EMFILE and friends: back off instead of spinning on the error.
    HM_LOG_RATELIMITED(base::LogLevel::kWarn, 1, "api", "accept failed: {}", ec.message());
    accept_retry_->expires_after(kAcceptRetryDelay);
    accept_retry_->async_wait([self = shared_from_this()](const boost::system::error_code& e) {
      if (!e) self->DoAccept();
    });
    return;
  }
  std::shared_ptr<HttpSession> session;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (sessions_.size() >= static_cast<size_t>(options_.max_connections)) {
      connections_rejected_.Inc();
      HM_LOG_RATELIMITED(base::LogLevel::kWarn, 1, "api",
                         "connection limit {} reached; closing new connection",
                         options_.max_connections);
    } else {
      const uint64_t id = next_id_++;
      session = std::make_shared<HttpSession>(shared_from_this(), id, std::move(socket), tls_);
      sessions_.emplace(id, session);
      connections_active_.Set(static_cast<double>(sessions_.size()));
    }
  }
  if (session) session->Start();
  DoAccept();
}

void ServerCore::SessionEnded(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(id);
  connections_active_.Set(static_cast<double>(sessions_.size()));
  cv_.notify_all();
}

void ServerCore::HandOff(uint64_t id, std::weak_ptr<Connection> to) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it != sessions_.end()) it->second = std::move(to);
}

std::vector<std::shared_ptr<Connection>> ServerCore::LiveSessions() {
  std::vector<std::shared_ptr<Connection>> live;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, weak] : sessions_) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  return live;
}

void ServerCore::BeginShutdown() {
  {
    // Under mu_ so OnAccept cannot register a session after the snapshot below.
    std::lock_guard<std::mutex> lock(mu_);
    shutting_down_.store(true, std::memory_order_release);
  }
  if (listener_) {
    asio::post(listener_->acceptor().get_executor(), [self = shared_from_this()] {
      self->listener_->Close();
      self->accept_retry_->cancel();
    });
  }
  for (auto& s : LiveSessions()) s->BeginShutdown();
}

bool ServerCore::WaitForSessions(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

void ServerCore::ForceCloseSessions() {
  for (auto& s : LiveSessions()) s->ForceClose();
}

RoutedRequest ServerCore::Route(std::string_view target, std::optional<uint64_t> content_length,
                                Request* request) const {
  RoutedRequest out;
  base::Status parsed = ParseRequestTarget(target, request);
  if (!parsed.ok()) {
    out.early = BadRequest(std::string(parsed.message()));
    return out;
  }
  out.match = router_.Match(request->method, request->path);
  if (out.match.kind == RouteMatch::Kind::kNotFound) {
    out.early = RouteNotFound(request->path);
    return out;
  }
  if (out.match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    out.early = MethodNotAllowed(request->method, out.match.allow);
    return out;
  }
  out.body_limit = out.match.options.max_body_bytes != 0 ? out.match.options.max_body_bytes
                                                         : options_.max_body_bytes;
  if (content_length && *content_length > out.body_limit) {
    out.early = PayloadTooLarge(out.body_limit);
  }
  return out;
}

void ServerCore::Dispatch(Request request, RouteMatch match, asio::any_io_executor reply_on,
                          std::function<void(Response)> reply) {
  asio::post(handler_io_,
             [self = shared_from_this(), request = std::move(request), match = std::move(match),
              reply_on = std::move(reply_on), reply = std::move(reply)]() mutable {
               self->router_.DispatchAsync(
                   request, match, [reply_on, reply = std::move(reply)](Response response) {
                     asio::post(reply_on, [reply, response = std::move(response)]() mutable {
                       reply(std::move(response));
                     });
                   });
             });
}

void ServerCore::RecordRequest(std::string_view route, std::string_view method, int status,
                               double seconds) {
  const std::string route_label(route);
  metrics_
      .GetCounter("hm_http_requests_total", "HTTPS requests by route pattern, method and status.",
                  {{"route", route_label},
                   {"method", std::string(MethodLabel(method))},
                   {"code", std::to_string(status)}})
      .Inc();
  metrics_
      .GetHistogram("hm_http_request_duration_seconds",
                    "HTTPS request latency from header received to response queued.",
                    latency_buckets_, {{"route", route_label}})
      .Observe(seconds);
}

}  // namespace internal

HttpServer::HttpServer(HttpServerOptions options, net::EventLoop& loop,
                       std::shared_ptr<net::TlsContext> tls, const Router& router,
                       base::MetricsRegistry& metrics)
    : options_(std::move(options)),
      loop_(loop),
      handler_pool_("hm-http", options_.handler_threads),
      core_(std::make_shared<internal::ServerCore>(options_, router, metrics,
                                                   handler_pool_.io_context(), std::move(tls))) {}

HttpServer::~HttpServer() { Shutdown(); }

base::Status HttpServer::Start() {
  HM_TRY(options_.Validate().WithContext("HTTPS server options"));
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return base::FailedPrecondition("HTTPS server was already started");
  HM_ASSIGN_OR_RETURN(net::Endpoint endpoint,
                      net::ParseListenAddress(options_.listen_host, options_.listen_port));
  HM_ASSIGN_OR_RETURN(auto listener, net::TcpListener::Open(loop_.io_context(), endpoint));
  HM_TRY(handler_pool_.Start());
  local_ = listener->local_endpoint();
  started_ = true;
  core_->StartAccepting(std::move(listener), loop_.io_context());
  HM_LOG_INFO("api", "HTTPS listening on {}", local_.ToString());
  return base::Status::Ok();
}

net::Endpoint HttpServer::local_endpoint() const {
  std::lock_guard<std::mutex> lock(mu_);
  return local_;
}

void HttpServer::SetTlsContext(std::shared_ptr<net::TlsContext> tls) {
  core_->SetTlsContext(std::move(tls));
}

void HttpServer::Shutdown() { Shutdown(options_.shutdown_timeout); }

void HttpServer::Shutdown(std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_ || stopped_) {
    stopped_ = true;
    return;
  }
  stopped_ = true;
  core_->BeginShutdown();
  if (!core_->WaitForSessions(std::chrono::steady_clock::now() + timeout)) {
    HM_LOG_WARN("api", "HTTPS shutdown: closing connections still busy after {} ms",
                timeout.count());
    core_->ForceCloseSessions();
  }
  handler_pool_.Stop();  // waits for running handlers; queued ones are dropped
  if (!core_->WaitForSessions(std::chrono::steady_clock::now() + kForcedCloseWait)) {
    HM_LOG_WARN("api", "HTTPS shutdown: connections did not unwind; is the event loop running?");
  }
  HM_LOG_INFO("api", "HTTPS server on {} stopped", local_.ToString());
}

stoq::ServerApplicationFactory HttpServer::Http3Factory() {
  std::shared_ptr<internal::ServerCore> core = core_;
  return [core](stoq::Connection& conn,
                stoq::ConnectionPoster& poster) -> std::unique_ptr<stoq::Application> {
    return std::make_unique<internal::Http3Session>(core, conn, poster);
  };
}

}  // namespace hm::api
