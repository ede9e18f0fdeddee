#include "api/http_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <charconv>
#include <limits>

#include "api/errors.h"
#include "api/http2_session.h"
#include "base/log.h"

namespace hm::api::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// Bounds how long a closing connection waits for the peer's TLS close_notify.
constexpr std::chrono::milliseconds kCloseNotifyWait{2'000};
// After an early error response (413, 431, 400) the client may still be sending its request. We
// read and discard up to this much for up to this long before closing, so it gets to read the
// response instead of a reset (what nginx calls a lingering close).
constexpr std::chrono::milliseconds kDrainTime{2'000};
constexpr uint64_t kDrainBytes = 8u << 20;

std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }

bool IsHttpParseError(const boost::system::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

bool IsValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool IsReservedHeader(std::string_view name) {
  for (std::string_view r : {"content-length", "transfer-encoding", "connection", "server",
                             "content-type", "keep-alive", "upgrade"}) {
    if (EqualsIgnoreCase(name, r)) return true;
  }
  return false;
}

}  // namespace

Response HeaderFieldsTooLarge(uint32_t max_header_bytes) {
  return HttpError(431, "REQUEST_HEADER_FIELDS_TOO_LARGE",
                   fmt::format("request header exceeds the limit of {} bytes", max_header_bytes));
}

std::optional<uint64_t> ParseContentLength(std::string_view text) {
  uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool IsMultiplexedForbiddenField(std::string_view name) {
  return EqualsIgnoreCase(name, "proxy-connection") || EqualsIgnoreCase(name, "te");
}

std::vector<std::pair<std::string, std::string>> MultiplexedResponseFields(
    const Response& response) {
  const bool no_content = response.status == 204 || response.status == 304;
  std::vector<std::pair<std::string, std::string>> fields;
  fields.reserve(4 + response.headers.size());
  fields.emplace_back(":status", std::to_string(response.status));
  fields.emplace_back("server", "hypermeshd");
  if (!no_content) {
    fields.emplace_back("content-type", response.content_type);
    fields.emplace_back("content-length", std::to_string(response.BodySize()));
  }
  for (const auto& [name, value] : response.headers) {
    if (!IsMultiplexedForbiddenField(name)) fields.emplace_back(base::AsciiLowercase(name), value);
  }
  return fields;
}

Response PrepareResponse(Response response, std::string_view route) {
  if (response.status < 200 || response.status > 599) {
    HM_LOG_RATELIMITED(base::LogLevel::kError, 5, "api", "route {} returned invalid status {}",
                       route, response.status);
    response = HttpError(500, "INTERNAL", "internal error");
  }
  std::erase_if(response.headers, [route](const std::pair<std::string, std::string>& h) {
    const auto& [name, value] = h;
    if (IsValidHeaderName(name) && !IsReservedHeader(name) &&
        value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos) {
      return false;
    }
    HM_LOG_RATELIMITED(base::LogLevel::kWarn, 5, "api", "route {}: dropped header '{}'", route,
                       name);
    return true;
  });
  if (response.content_type.empty()) response.content_type = "application/octet-stream";
  return response;
}

HttpSession::HttpSession(std::shared_ptr<ServerCore> core, uint64_t id,
                         asio::ip::tcp::socket socket, const std::shared_ptr<net::TlsContext>& tls)
    : core_(std::move(core)),
      id_(id),
      tls_(tls),
      executor_(socket.get_executor()),
      stream_(std::move(socket), tls->native()),
      continue_(http::status::continue_, 11) {
  boost::system::error_code ec;
  const auto peer = Lowest().socket().remote_endpoint(ec);
  remote_ = ec ? std::string("unknown") : peer.address().to_string();
}

HttpSession::~HttpSession() {
  if (!handed_off_) core_->SessionEnded(id_);
}

void HttpSession::Start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->Lowest().expires_after(self->core_->options().read_timeout);
    self->stream_.async_handshake(asio::ssl::stream_base::server,
                                  beast::bind_front_handler(&HttpSession::OnHandshake, self));
  });
}

void HttpSession::BeginShutdown() {
  asio::dispatch(executor_, [self = shared_from_this()] {
    if (self->handed_off_) {
      if (auto h2 = self->h2_.lock()) h2->BeginShutdown();
      return;
    }
    if (self->state_ == State::kHandshake || self->state_ == State::kIdle) self->Abort();
  });
}

void HttpSession::ForceClose() {
  asio::dispatch(executor_, [self = shared_from_this()] {
    if (self->handed_off_) {
      if (auto h2 = self->h2_.lock()) h2->ForceClose();
      return;
    }
    self->Abort();
  });
}

void HttpSession::OnHandshake(ErrorCode ec) {
  if (ec) {
    HM_LOG_RATELIMITED(base::LogLevel::kDebug, 5, "api", "TLS handshake with {} failed: {}",
                       remote_, ec.message());
    return Abort();
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(stream_.native_handle(), &alpn, &alpn_len);
  if (alpn_len == 2 && alpn[0] == 'h' && alpn[1] == '2') return HandOffToHttp2();
  ReadHeader();
}

void HttpSession::HandOffToHttp2() {
  // The HTTP/2 session takes the TLS stream and the connection's id; this object is done.
  state_ = State::kClosed;
  handed_off_ = true;
  auto h2 = std::make_shared<Http2Session>(core_, id_, std::move(stream_), tls_, remote_);
  h2_ = h2;
  core_->HandOff(id_, h2);
  h2->Start();
}

void HttpSession::ReadHeader() {
  state_ = State::kIdle;
  if (core_->shutting_down()) return Abort();
  request_ = Request();
  method_.clear();
  match_ = RouteMatch();
  keep_alive_ = false;
  version_ = 11;
  parser_.emplace();
  parser_->header_limit(core_->options().max_header_bytes);
  // The route's limit is applied once the header is known. (Not boost::none: Beast 1.74 compares
  // the Content-Length against the optional, and any value is greater than none.)
  parser_->body_limit(std::numeric_limits<uint64_t>::max());
  Lowest().expires_after(first_request_ ? core_->options().read_timeout
                                        : core_->options().idle_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::OnHeader, shared_from_this()));
}

void HttpSession::OnHeader(ErrorCode ec, size_t /*bytes*/) {
  start_ = std::chrono::steady_clock::now();
  if (ec) return OnReadError(ec);
  state_ = State::kReadingBody;
  const auto& req = parser_->get();
  request_.method = std::string(Sv(req.method_string()));
  method_ = request_.method;
  version_ = req.version();
  keep_alive_ = req.keep_alive();
  const auto length = parser_->content_length();
  const bool has_body = parser_->chunked() || (length && *length > 0);
  RoutedRequest routed = core_->Route(
      Sv(req.target()), length ? std::optional<uint64_t>(*length) : std::nullopt, &request_);
  match_ = std::move(routed.match);
  if (routed.early) {
    // Answer without reading a body; a connection with an unread body cannot be reused.
    return Reply(std::move(*routed.early), has_body ? After::kDrainAndClose : After::kKeepAlive);
  }
  body_limit_ = routed.body_limit;
  parser_->body_limit(body_limit_);
  if (parser_->is_done()) return RunHandler();
  if (EqualsIgnoreCase(Sv(req[http::field::expect]), "100-continue")) return SendContinue();
  ReadBody();
}

void HttpSession::SendContinue() {
  continue_.version(version_);
  Lowest().expires_after(core_->options().read_timeout);
  http::async_write(stream_, continue_, [self = shared_from_this()](ErrorCode ec, size_t) {
    if (ec) return self->Abort();
    self->ReadBody();
  });
}

void HttpSession::ReadBody() {
  Lowest().expires_after(core_->options().read_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::OnBody, shared_from_this()));
}

void HttpSession::OnBody(ErrorCode ec, size_t /*bytes*/) {
  if (ec) return OnReadError(ec);
  RunHandler();
}

void HttpSession::OnReadError(ErrorCode ec) {
  if (ec == http::error::header_limit) {
    return Reply(HeaderFieldsTooLarge(core_->options().max_header_bytes), After::kDrainAndClose);
  }
  if (ec == http::error::body_limit) {
    return Reply(PayloadTooLarge(body_limit_), After::kDrainAndClose);
  }
  if (IsHttpParseError(ec)) {
    HM_LOG_RATELIMITED(base::LogLevel::kDebug, 5, "api", "malformed request from {}: {}", remote_,
                       ec.message());
    return Reply(BadRequest("malformed HTTP request: " + ec.message()), After::kDrainAndClose);
  }
  // End of stream, timeout, TLS or socket error: nothing useful can be sent.
  Abort();
}

void HttpSession::RunHandler() {
  state_ = State::kHandling;
  auto& req = parser_->get();
  for (const auto& field : req) {
    auto [it, inserted] = request_.headers.emplace(std::string(Sv(field.name_string())),
                                                   std::string(Sv(field.value())));
    if (!inserted) it->second += ", " + std::string(Sv(field.value()));
  }
  request_.body = std::move(req.body());
  request_.remote_address = remote_;
  core_->Dispatch(std::move(request_), match_, executor_,
                  [self = shared_from_this()](Response response) {
                    self->Reply(std::move(response), After::kKeepAlive);
                  });
}

void HttpSession::Reply(Response response, After after) {
  if (state_ == State::kClosed || state_ == State::kClosing) return;
  state_ = State::kWriting;
  if (after == After::kKeepAlive && (!keep_alive_ || core_->shutting_down())) {
    after = After::kClose;
  }
  const bool close = after != After::kKeepAlive;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  core_->RecordRequest(match_.label, method_, response.status, seconds);
  BuildWireResponse(std::move(response), close);
  Lowest().expires_after(core_->options().read_timeout);
  http::async_write(stream_, wire_,
                    beast::bind_front_handler(&HttpSession::OnWrite, shared_from_this(), after));
}

void HttpSession::BuildWireResponse(Response response, bool close) {
  response = PrepareResponse(std::move(response), match_.label);
  wire_ = {};
  wire_.result(static_cast<unsigned>(response.status));
  wire_.version(version_);
  wire_.set(http::field::server, "hypermeshd");
  for (auto& [name, value] : response.headers) {
    wire_.insert(beast::string_view(name.data(), name.size()), value);
  }
  wire_.keep_alive(!close);
  if (response.status == 204 || response.status == 304) return;  // no body, no length
  wire_.set(http::field::content_type, response.content_type);
  wire_.content_length(response.BodySize());
  // HEAD: same headers as GET, including the length, but no body.
  if (method_ != "HEAD") wire_.body() = response.TakeBody();
}

void HttpSession::OnWrite(After after, ErrorCode ec, size_t /*bytes*/) {
  wire_ = {};
  if (ec) return Abort();
  if (after == After::kDrainAndClose) return Drain();
  if (after == After::kClose) return CloseGracefully();
  first_request_ = false;
  ReadHeader();
}

void HttpSession::CloseGracefully() {
  state_ = State::kClosing;
  Lowest().expires_after(
      std::min<std::chrono::milliseconds>(kCloseNotifyWait, core_->options().read_timeout));
  stream_.async_shutdown([self = shared_from_this()](ErrorCode) { self->Abort(); });
}

void HttpSession::Drain() {
  state_ = State::kClosing;
  if (drained_ == 0) Lowest().expires_after(kDrainTime);
  drain_buffer_.resize(16 * 1024);
  stream_.async_read_some(asio::buffer(drain_buffer_),
                          [self = shared_from_this()](ErrorCode ec, size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ >= kDrainBytes) return self->Abort();
                            self->Drain();
                          });
}

void HttpSession::Abort() {
  state_ = State::kClosed;
  boost::system::error_code ignored;
  Lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  Lowest().close();
}

}  // namespace hm::api::internal
