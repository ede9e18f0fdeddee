#include "api/http3_session.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstring>

#include "api/errors.h"
#include "base/log.h"

namespace hm::api::internal {
namespace {

constexpr uint64_t kH3RequestRejected = 0x10b;

std::string PeerAddress(const sockaddr_in6& a) {
  char text[INET6_ADDRSTRLEN] = {0};
  ::inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
  return text;
}

}  // namespace

// nghttp3 callbacks about requests, forwarded to the session.
struct Http3Callbacks {
  static Http3Session* Self(void* ud) { return Http3Session::FromUserData<Http3Session>(ud); }

  static int AckedStreamData(nghttp3_conn*, int64_t, uint64_t, void*, void*) { return 0; }

  static int StreamClose(nghttp3_conn*, int64_t stream_id, uint64_t, void* ud, void*) {
    Self(ud)->streams_.erase(stream_id);
    return 0;
  }

  static int RecvData(nghttp3_conn*, int64_t stream_id, const uint8_t* data, size_t len, void* ud,
                      void*) {
    Http3Session* h = Self(ud);
    h->conn_.ExtendStreamWindow(stream_id, len);
    if (auto* s = h->Find(stream_id)) h->OnData(*s, data, len);
    return 0;
  }

  static int BeginHeaders(nghttp3_conn*, int64_t stream_id, void* ud, void*) {
    Http3Session* h = Self(ud);
    auto s = std::make_unique<Http3Session::Stream>();
    s->id = stream_id;
    s->start = std::chrono::steady_clock::now();
    h->streams_[stream_id] = std::move(s);
    return 0;
  }

  static int RecvHeader(nghttp3_conn*, int64_t stream_id, int32_t token, nghttp3_rcbuf* name,
                        nghttp3_rcbuf* value, uint8_t, void* ud, void*) {
    Http3Session* h = Self(ud);
    if (auto* s = h->Find(stream_id)) h->OnHeader(*s, token, View(name), View(value));
    return 0;
  }

  static int EndHeaders(nghttp3_conn*, int64_t stream_id, int, void* ud, void*) {
    Http3Session* h = Self(ud);
    if (auto* s = h->Find(stream_id)) h->OnEndHeaders(*s);
    return 0;
  }

  static int EndStream(nghttp3_conn*, int64_t stream_id, void* ud, void*) {
    Http3Session* h = Self(ud);
    if (auto* s = h->Find(stream_id)) h->OnEndStream(*s);
    return 0;
  }

  static nghttp3_ssize ReadBody(nghttp3_conn*, int64_t stream_id, nghttp3_vec* vec, size_t veccnt,
                                uint32_t* flags, void* ud, void*) {
    Http3Session::Stream* s = Self(ud)->Find(stream_id);
    if (s == nullptr) return NGHTTP3_ERR_CALLBACK_FAILURE;
    size_t n = 0;
    for (; n < veccnt && !s->response_body.done(); ++n) {
      const std::span<const uint8_t> piece = s->response_body.Next();
      vec[n].base = const_cast<uint8_t*>(piece.data());  // nghttp3 only reads through it
      vec[n].len = piece.size();
    }
    if (s->response_body.done()) *flags |= NGHTTP3_DATA_FLAG_EOF;
    return static_cast<nghttp3_ssize>(n);
  }
};

Http3Session::Http3Session(std::shared_ptr<ServerCore> core, stoq::Connection& conn,
                           stoq::ConnectionPoster& poster)
    : Http3Application(conn, base::Code::kInvalidArgument),
      core_(std::move(core)),
      poster_(poster),
      remote_(PeerAddress(conn.path().remote)) {}

base::Status Http3Session::OnHandshakeCompleted() {
  nghttp3_callbacks cb{};
  cb.acked_stream_data = Http3Callbacks::AckedStreamData;
  cb.stream_close = Http3Callbacks::StreamClose;
  cb.recv_data = Http3Callbacks::RecvData;
  cb.begin_headers = Http3Callbacks::BeginHeaders;
  cb.recv_header = Http3Callbacks::RecvHeader;
  cb.end_headers = Http3Callbacks::EndHeaders;
  cb.end_stream = Http3Callbacks::EndStream;
  AddStreamCallbacks(&cb);
  const nghttp3_settings settings = Settings(core_->options().max_header_bytes);
  int rv = nghttp3_conn_server_new(&h3_, &cb, &settings, Memory(), user_data());
  if (rv != 0) return H3Error(rv, "connection setup");
  nghttp3_conn_set_max_client_streams_bidi(h3_, ngtcp2_conn_get_streams_bidi_left(conn_.raw()));
  return BindCriticalStreams();
}

Http3Session::Stream* Http3Session::Find(int64_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

void Http3Session::OnShutdownNotice() {
  if (h3_ != nullptr) (void)nghttp3_conn_submit_shutdown_notice(h3_);
}

void Http3Session::OnHeader(Stream& s, int32_t, std::string_view name, std::string_view value) {
  s.header_bytes += name.size() + value.size() + 32;
  if (s.header_bytes > core_->options().max_header_bytes) {
    s.headers_too_large = true;
    return;
  }
  if (name == ":method") {
    s.method.assign(value);
  } else if (name == ":path") {
    s.target.assign(value);
  } else if (name == ":authority") {
    s.authority.assign(value);
  } else if (name == ":scheme") {
    s.scheme.assign(value);
  } else if (!name.empty() && name[0] != ':') {
    auto [it, inserted] = s.request.headers.emplace(std::string(name), std::string(value));
    if (!inserted) {
      it->second += name == "cookie" ? "; " : ", ";
      it->second += value;
    }
  }
}

void Http3Session::OnEndHeaders(Stream& s) {
  s.routed = true;
  s.request.method = s.method;
  if (s.headers_too_large) {
    return Respond(s, HeaderFieldsTooLarge(core_->options().max_header_bytes));
  }
  if (s.method.empty() || s.target.empty()) {
    return Respond(s, BadRequest("an HTTP/3 request needs :method and :path"));
  }
  if (core_->shutting_down() || conn_.closing()) {
    conn_.ShutdownStream(s.id, kH3RequestRejected);
    s.answered = true;
    return;
  }
  RoutedRequest routed =
      core_->Route(s.target, ParseContentLength(s.request.Header("content-length")), &s.request);
  s.match = std::move(routed.match);
  if (routed.early) return Respond(s, std::move(*routed.early));
  s.body_limit = routed.body_limit;
}

void Http3Session::OnData(Stream& s, const uint8_t* data, size_t len) {
  if (s.answered || s.handling) return;  // answered early: the rest of the body is discarded
  if (s.request.body.size() + len > s.body_limit) {
    s.request.body = std::string();
    Respond(s, PayloadTooLarge(s.body_limit));
    // RFC 9114 section 4.1: a complete response may come before the request; stop the upload.
    conn_.ShutdownStreamRead(s.id, kH3NoError);
    return;
  }
  s.request.body.append(reinterpret_cast<const char*>(data), len);
}

void Http3Session::OnEndStream(Stream& s) {
  if (!s.routed || s.answered || s.handling) return;
  s.handling = true;
  ++handlers_in_flight_;
  s.request.remote_address = remote_;
  if (!s.authority.empty() && !s.request.HasHeader("host")) {
    s.request.headers.emplace("host", s.authority);
  }
  const uint64_t conn_id = conn_.id();
  const int64_t stream_id = s.id;
  stoq::ConnectionPoster* poster = &poster_;
  core_->Dispatch(std::move(s.request), s.match, core_->handler_io().get_executor(),
                  [poster, conn_id, stream_id](Response response) {
                    poster->PostToConnection(
                        conn_id, [stream_id, r = std::move(response)](stoq::Connection& c) mutable {
                          if (auto* h = dynamic_cast<Http3Session*>(c.application())) {
                            h->Deliver(stream_id, std::move(r));
                          }
                        });
                  });
}

void Http3Session::Deliver(int64_t stream_id, Response response) {
  --handlers_in_flight_;
  // A stream the client reset meanwhile is gone: its response is dropped uncounted.
  if (Stream* s = Find(stream_id)) Respond(*s, std::move(response));
}

void Http3Session::Respond(Stream& s, Response response) {
  if (s.answered) return;
  s.answered = true;
  response = PrepareResponse(std::move(response), s.match.label);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - s.start).count();
  core_->RecordRequest(s.match.label, s.method, response.status, seconds);
  const bool no_content = response.status == 204 || response.status == 304;
  std::vector<std::pair<std::string, std::string>> fields = MultiplexedResponseFields(response);
  std::vector<nghttp3_nv> nva;
  nva.reserve(fields.size());
  for (auto& [name, value] : fields) nva.push_back(Nv(name, value));
  const bool send_body = !no_content && s.method != "HEAD" && response.BodySize() > 0;
  s.response_body = send_body ? BodyCursor(response) : BodyCursor();
  nghttp3_data_reader reader{Http3Callbacks::ReadBody};
  int rv = nghttp3_conn_submit_response(h3_, s.id, nva.data(), nva.size(),
                                        send_body ? &reader : nullptr);
  if (rv != 0) {
    HM_LOG_RATELIMITED(base::LogLevel::kError, 5, "api", "HTTP/3 response on stream {}: {}", s.id,
                       nghttp3_strerror(rv));
    conn_.ShutdownStream(s.id, 0x102 /*H3_INTERNAL_ERROR*/);
  }
}

}  // namespace hm::api::internal
