#include "api/http2_session.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <cstring>

#include "api/errors.h"
#include "base/ascii.h"
#include "base/log.h"

namespace hm::api::internal {
namespace {

namespace asio = boost::asio;

constexpr size_t kReadChunk = 16 * 1024;
// Frames are gathered up to this size per write so small frames do not become small packets.
constexpr size_t kWriteChunk = 64 * 1024;
// How long a closing connection waits for the peer to close its side.
constexpr std::chrono::milliseconds kCloseWait{2'000};
// A stream answered early (413, 404, ...) is left open for its request body, which is discarded,
// so the client gets to read the answer: curl 7.88 reports a reset stream as an error even after
// a complete response. Past this many discarded bytes the stream is reset (NO_ERROR) after all.
constexpr uint64_t kDiscardBytes = 8u << 20;

uint8_t* Bytes(std::string& s) { return reinterpret_cast<uint8_t*>(s.data()); }

std::string_view View(const uint8_t* data, size_t length) {
  return {reinterpret_cast<const char*>(data), length};
}

}  // namespace

struct Http2Session::StreamState {
  enum class Phase { kHeaders, kBody, kHandling, kResponding, kRefused };
  int32_t id = 0;
  Phase phase = Phase::kHeaders;
  Clock::time_point start;
  Request request;  // moved to the handler pool while it runs
  std::string method;
  std::string target;
  std::string authority;
  size_t header_bytes = 0;  // RFC 9113 accounting: name + value + 32 per field
  bool headers_too_large = false;
  bool request_ended = false;  // END_STREAM received
  RouteMatch match;
  uint64_t body_limit = 0;
  BodyCursor response_body;
  uint64_t discarded = 0;  // request body bytes received after an early answer
};

// nghttp2 passes the Http2Session as user_data. Callback failures would tear the whole session
// down, so every callback returns 0 and handles its own errors per stream.
struct Http2Session::Callbacks {
  static Http2Session& Self(void* user) { return *static_cast<Http2Session*>(user); }

  static int BeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    return Self(user).OnBeginHeaders(*frame);
  }
  static int Header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                    size_t namelen, const uint8_t* value, size_t valuelen, uint8_t /*flags*/,
                    void* user) {
    Self(user).OnHeader(*frame, View(name, namelen), View(value, valuelen));
    return 0;
  }
  static int FrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    Self(user).OnFrameRecv(*frame);
    return 0;
  }
  static int DataChunk(nghttp2_session*, uint8_t /*flags*/, int32_t stream_id, const uint8_t* data,
                       size_t len, void* user) {
    Self(user).OnDataChunk(stream_id, data, len);
    return 0;
  }
  static int StreamClose(nghttp2_session*, int32_t stream_id, uint32_t /*error_code*/, void* user) {
    Self(user).OnStreamClose(stream_id);
    return 0;
  }
  static ssize_t ReadBody(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                          uint32_t* data_flags, nghttp2_data_source*, void* user) {
    return Self(user).ReadResponseBody(stream_id, buf, length, data_flags);
  }
};

Http2Session::Http2Session(std::shared_ptr<ServerCore> core, uint64_t id, TlsStream stream,
                           std::shared_ptr<net::TlsContext> tls, std::string remote)
    : core_(std::move(core)),
      id_(id),
      tls_(std::move(tls)),
      remote_(std::move(remote)),
      stream_(std::move(stream)),
      executor_(stream_.get_executor()),
      timer_(executor_),
      read_buf_(kReadChunk) {}

Http2Session::~Http2Session() {
  if (session_ != nullptr) nghttp2_session_del(session_);
  core_->SessionEnded(id_);
}

bool Http2Session::InitSession() {
  nghttp2_session_callbacks* cbs = nullptr;
  if (nghttp2_session_callbacks_new(&cbs) != 0) return false;
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, &Callbacks::BeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(cbs, &Callbacks::Header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &Callbacks::FrameRecv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &Callbacks::DataChunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &Callbacks::StreamClose);
  const int rv = nghttp2_session_server_new(&session_, cbs, this);
  nghttp2_session_callbacks_del(cbs);
  if (rv != 0) {
    session_ = nullptr;
    return false;
  }
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, core_->options().http2_max_concurrent_streams},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, core_->options().max_header_bytes},
  };
  return nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) == 0;
}

void Http2Session::Start() {
  asio::dispatch(executor_, [self = shared_from_this()] {
    // Timeouts are ours from here on (see UpdateDeadline); a read is nearly always pending.
    self->Lowest().expires_never();
    if (!self->InitSession()) {
      HM_LOG_RATELIMITED(base::LogLevel::kError, 1, "api", "cannot create HTTP/2 session for {}",
                         self->remote_);
      return self->Abort();
    }
    self->last_activity_ = Clock::now();
    if (self->core_->shutting_down()) {
      (void)nghttp2_submit_goaway(self->session_, NGHTTP2_FLAG_NONE, 0, NGHTTP2_NO_ERROR, nullptr,
                                  0);
    }
    self->AfterEvent();
  });
}

void Http2Session::BeginShutdown() {
  asio::dispatch(executor_, [self = shared_from_this()] {
    if (self->closed_ || self->closing_ || self->session_ == nullptr) return;
    (void)nghttp2_submit_goaway(self->session_, NGHTTP2_FLAG_NONE,
                                nghttp2_session_get_last_proc_stream_id(self->session_),
                                NGHTTP2_NO_ERROR, nullptr, 0);
    self->AfterEvent();
  });
}

void Http2Session::ForceClose() {
  asio::dispatch(executor_, [self = shared_from_this()] { self->Abort(); });
}

// ---- I/O ------------------------------------------------------------------------------------

void Http2Session::AfterEvent() {
  if (closed_ || closing_) return;
  Flush();
  if (closed_) return;
  const bool want_read = nghttp2_session_want_read(session_) != 0;
  if (!writing_ && !want_read && nghttp2_session_want_write(session_) == 0) {
    return CloseGracefully();
  }
  if (want_read && !reading_) DoRead();
  UpdateDeadline();
}

void Http2Session::DoRead() {
  reading_ = true;
  stream_.async_read_some(
      asio::buffer(read_buf_),
      [self = shared_from_this()](ErrorCode ec, size_t bytes) { self->OnRead(ec, bytes); });
}

void Http2Session::OnRead(ErrorCode ec, size_t bytes) {
  reading_ = false;
  if (closed_) return;
  if (ec) return Abort();         // the peer left, or a TLS error: nothing more can be delivered
  if (closing_) return DoRead();  // discard until the peer closes or the timer fires
  last_activity_ = Clock::now();
  const ssize_t rv = nghttp2_session_mem_recv(session_, read_buf_.data(), bytes);
  if (rv < 0) {
    // Fatal for the session (bad preface, flood, out of memory). Protocol errors inside frames
    // do not come here: nghttp2 answers those with GOAWAY/RST_STREAM itself.
    HM_LOG_RATELIMITED(base::LogLevel::kDebug, 5, "api", "HTTP/2 from {}: {}", remote_,
                       nghttp2_strerror(static_cast<int>(rv)));
    return Abort();
  }
  AfterEvent();
}

void Http2Session::Flush() {
  if (writing_ || closed_) return;
  write_buf_.clear();
  while (write_buf_.size() < kWriteChunk) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      HM_LOG_RATELIMITED(base::LogLevel::kError, 1, "api", "HTTP/2 send to {} failed: {}", remote_,
                         nghttp2_strerror(static_cast<int>(n)));
      return Abort();
    }
    if (n == 0) break;
    write_buf_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  if (write_buf_.empty()) return;
  writing_ = true;
  write_started_ = Clock::now();
  asio::async_write(stream_, asio::buffer(write_buf_),
                    [self = shared_from_this()](ErrorCode ec, size_t) { self->OnWrite(ec); });
}

void Http2Session::OnWrite(ErrorCode ec) {
  writing_ = false;
  if (closed_) return;
  if (ec) return Abort();
  last_activity_ = Clock::now();
  AfterEvent();
}

// ---- Frames and streams ----------------------------------------------------------------------

Http2Session::StreamState* Http2Session::Find(int32_t stream_id) {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.get();
}

int Http2Session::OnBeginHeaders(const nghttp2_frame& frame) {
  if (frame.hd.type != NGHTTP2_HEADERS || frame.headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto s = std::make_unique<StreamState>();
  s->id = frame.hd.stream_id;
  s->start = Clock::now();
  // Streams the client resets leave their handlers running; do not let it queue more of them
  // than it may have streams open.
  if (handlers_in_flight_ >= core_->options().http2_max_concurrent_streams) {
    s->phase = StreamState::Phase::kRefused;
  }
  streams_[s->id] = std::move(s);
  return 0;
}

void Http2Session::OnHeader(const nghttp2_frame& frame, std::string_view name,
                            std::string_view value) {
  // Trailers (HEADERS on an open request) are accepted and ignored.
  if (frame.hd.type != NGHTTP2_HEADERS || frame.headers.cat != NGHTTP2_HCAT_REQUEST) return;
  StreamState* s = Find(frame.hd.stream_id);
  if (s == nullptr) return;
  s->header_bytes += name.size() + value.size() + 32;
  if (s->header_bytes > core_->options().max_header_bytes) s->headers_too_large = true;
  if (s->headers_too_large) return;  // answered with 431 once the block is complete
  if (name == ":method") {
    s->request.method = std::string(value);
  } else if (name == ":path") {
    s->target = std::string(value);
  } else if (name == ":authority") {
    s->authority = std::string(value);
  } else if (!name.empty() && name.front() == ':') {
    // :scheme; nghttp2 has already checked the set of pseudo-headers.
  } else {
    auto [it, inserted] = s->request.headers.emplace(std::string(name), std::string(value));
    if (!inserted) {
      // HTTP/2 splits cookies into separate fields (RFC 9113 section 8.2.3).
      it->second += name == "cookie" ? "; " : ", ";
      it->second += value;
    }
  }
}

void Http2Session::OnFrameRecv(const nghttp2_frame& frame) {
  if (frame.hd.type != NGHTTP2_HEADERS && frame.hd.type != NGHTTP2_DATA) return;
  StreamState* s = Find(frame.hd.stream_id);
  if (s == nullptr) return;
  if (frame.hd.type == NGHTTP2_HEADERS && frame.headers.cat == NGHTTP2_HCAT_REQUEST) {
    StartRequest(*s);
  }
  if ((frame.hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) EndRequest(*s);
}

void Http2Session::OnDataChunk(int32_t stream_id, const uint8_t* data, size_t length) {
  StreamState* s = Find(stream_id);
  if (s == nullptr) return;
  if (s->phase != StreamState::Phase::kBody) {  // answered early: discard
    const bool over = s->discarded <= kDiscardBytes && s->discarded + length > kDiscardBytes;
    s->discarded += length;
    if (over) {
      (void)nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_NO_ERROR);
    }
    return;
  }
  if (s->request.body.size() + length > s->body_limit) {
    s->request.body = std::string();
    return Respond(*s, PayloadTooLarge(s->body_limit));
  }
  s->request.body.append(reinterpret_cast<const char*>(data), length);
}

void Http2Session::OnStreamClose(int32_t stream_id) { streams_.erase(stream_id); }

ssize_t Http2Session::ReadResponseBody(int32_t stream_id, uint8_t* buf, size_t length,
                                       uint32_t* flags) {
  StreamState* s = Find(stream_id);
  if (s == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  size_t n = 0;
  while (n < length && !s->response_body.done()) {
    const std::span<const uint8_t> piece = s->response_body.Next(length - n);
    std::memcpy(buf + n, piece.data(), piece.size());
    n += piece.size();
  }
  if (s->response_body.done()) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

void Http2Session::StartRequest(StreamState& s) {
  if (s.phase == StreamState::Phase::kRefused) {
    (void)nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_REFUSED_STREAM);
    return;
  }
  s.method = s.request.method;
  if (s.headers_too_large) {
    return Respond(s, HeaderFieldsTooLarge(core_->options().max_header_bytes));
  }
  RoutedRequest routed =
      core_->Route(s.target, ParseContentLength(s.request.Header("content-length")), &s.request);
  s.match = std::move(routed.match);
  if (routed.early) return Respond(s, std::move(*routed.early));
  s.body_limit = routed.body_limit;
  s.phase = StreamState::Phase::kBody;
}

void Http2Session::EndRequest(StreamState& s) {
  s.request_ended = true;
  if (s.phase == StreamState::Phase::kBody) RunHandler(s);
}

void Http2Session::RunHandler(StreamState& s) {
  s.phase = StreamState::Phase::kHandling;
  ++handlers_in_flight_;
  s.request.remote_address = remote_;
  // Handlers written against HTTP/1.1 look for Host.
  if (!s.authority.empty() && !s.request.HasHeader("host")) {
    s.request.headers.emplace("host", s.authority);
  }
  core_->Dispatch(std::move(s.request), s.match, executor_,
                  [self = shared_from_this(), id = s.id](Response response) {
                    self->OnHandlerDone(id, std::move(response));
                  });
}

void Http2Session::OnHandlerDone(int32_t stream_id, Response response) {
  --handlers_in_flight_;
  if (closed_) return;
  // A stream the client reset meanwhile is gone; like HTTP/1.1 after a disconnect, its response
  // is dropped uncounted.
  if (StreamState* s = Find(stream_id)) Respond(*s, std::move(response));
  AfterEvent();
}

void Http2Session::Respond(StreamState& s, Response response) {
  response = PrepareResponse(std::move(response), s.match.label);
  const double seconds = std::chrono::duration<double>(Clock::now() - s.start).count();
  core_->RecordRequest(s.match.label, s.method, response.status, seconds);
  s.phase = StreamState::Phase::kResponding;
  served_ = true;

  const bool no_content = response.status == 204 || response.status == 304;
  std::vector<std::pair<std::string, std::string>> fields = MultiplexedResponseFields(response);
  std::vector<nghttp2_nv> nva;
  nva.reserve(fields.size());
  for (auto& [name, value] : fields) {
    nva.push_back({Bytes(name), Bytes(value), name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  // HEAD: the same headers as GET, including the length, but no body.
  const bool send_body = !no_content && s.method != "HEAD" && response.BodySize() > 0;
  s.response_body = send_body ? BodyCursor(response) : BodyCursor();
  nghttp2_data_provider provider{};
  provider.read_callback = &Callbacks::ReadBody;
  const int rv = nghttp2_submit_response(session_, s.id, nva.data(), nva.size(),
                                         send_body ? &provider : nullptr);
  if (rv != 0) {
    HM_LOG_RATELIMITED(base::LogLevel::kError, 5, "api", "HTTP/2 response on stream {}: {}", s.id,
                       nghttp2_strerror(rv));
    (void)nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_INTERNAL_ERROR);
  }
}

// ---- Timeouts and closing -----------------------------------------------------------------------

// The connection may wait: for a write to progress, read_timeout; with handlers running,
// indefinitely (as HTTP/1.1 does); with streams still arriving or blocked on flow control,
// read_timeout since the last I/O; with nothing open, read_timeout before the first response and
// idle_timeout after it.
void Http2Session::UpdateDeadline() {
  if (closing_ || closed_) return;
  const auto& o = core_->options();
  Clock::time_point deadline = Clock::time_point::max();
  if (writing_) deadline = write_started_ + o.read_timeout;
  if (handlers_in_flight_ == 0) {
    const auto wait = streams_.empty() && served_ ? o.idle_timeout : o.read_timeout;
    deadline = std::min(deadline, last_activity_ + wait);
  }
  ArmTimer(deadline);
}

void Http2Session::ArmTimer(Clock::time_point deadline) {
  deadline_ = deadline;
  // A pending wait that fires no later re-checks deadline_ itself.
  if (timer_armed_ && timer_.expiry() <= deadline) return;
  timer_.expires_at(deadline);  // cancels the pending wait, if any
  timer_armed_ = true;
  timer_.async_wait([self = shared_from_this()](ErrorCode ec) { self->OnTimer(ec); });
}

void Http2Session::OnTimer(ErrorCode ec) {
  if (ec == asio::error::operation_aborted) return;  // re-armed or closed
  timer_armed_ = false;
  if (closed_) return;
  if (Clock::now() < deadline_) return ArmTimer(deadline_);
  OnTimeout();
}

void Http2Session::OnTimeout() {
  if (closing_) return Abort();
  if (streams_.empty() && handlers_in_flight_ == 0 && !writing_) {
    // Idle: say goodbye properly, then close.
    (void)nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
    return AfterEvent();
  }
  HM_LOG_RATELIMITED(base::LogLevel::kDebug, 5, "api", "HTTP/2 connection from {} stalled",
                     remote_);
  Abort();
}

// nghttp2 is done (GOAWAY out, no stream left). Our side is shut with a TCP FIN rather than a
// TLS close_notify (asio cannot run a TLS shutdown beside the pending read); HTTP/2 framing does
// not need it to detect truncation. Reading on until the peer closes keeps unread input from
// turning the close into a reset that could destroy the final frames in flight.
void Http2Session::CloseGracefully() {
  closing_ = true;
  ErrorCode ignored;
  Lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  deadline_ =
      Clock::now() + std::min<std::chrono::milliseconds>(kCloseWait, core_->options().read_timeout);
  timer_.expires_at(deadline_);
  timer_armed_ = true;
  timer_.async_wait([self = shared_from_this()](ErrorCode ec) { self->OnTimer(ec); });
  if (!reading_) DoRead();
}

void Http2Session::Abort() {
  if (closed_) return;
  closed_ = true;
  timer_.cancel();
  ErrorCode ignored;
  Lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  Lowest().close();
}

}  // namespace hm::api::internal
