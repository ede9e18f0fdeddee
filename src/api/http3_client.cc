// HTTP/3 client: URL parsing, the nghttp3 client glue as a stoq::Application, and Http3Fetch,
// which drives one request over a blocking stoq::Client. Mirrors http3_session.cc (the server).
// Thread-safety: everything here runs on the calling thread of Http3Fetch.
#include "api/http3_client.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>

#include "api/http3_base.h"
#include "base/ascii.h"
#include "net/address.h"
#include "stoq/client.h"

namespace hm::api {
namespace {

using internal::kH3NoError;
using internal::Nv;
using internal::View;

constexpr std::string_view kUserAgent = "hm/0.1";

// An RFC 9110 token (method, field name).
bool IsToken(std::string_view s) {
  return !s.empty() && s.find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "0123456789!#$%&'*+-.^_`|~") == std::string_view::npos;
}

// A lowercased DNS name (letters, digits, '-', '_', non-empty labels).
base::Status CheckHostName(std::string_view host) {
  const bool ok =
      !host.empty() && host.size() <= 253 && host.front() != '.' &&
      host.find("..") == std::string_view::npos &&
      host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-._") == std::string_view::npos;
  if (!ok) return base::InvalidArgument(fmt::format("'{}' is not a valid host name", host));
  return base::Status::Ok();
}

// "host[:port]" or "[v6]:port" into url->host, url->port and url->authority.
base::Status ParseAuthority(std::string_view authority, HttpsUrl* url) {
  if (authority.empty()) return base::InvalidArgument("the URL has no host");
  if (authority.find('@') != std::string_view::npos) {
    return base::InvalidArgument("user names or passwords in URLs are not supported");
  }
  const size_t bracket = authority.rfind(']');
  const bool has_port = authority.find(':', bracket == std::string_view::npos ? 0 : bracket) !=
                        std::string_view::npos;
  HM_ASSIGN_OR_RETURN(auto split,
                      net::SplitHostPort(std::string(authority) + (has_port ? "" : ":443")));
  if (split.second == 0) return base::InvalidArgument("port 0 is not a valid port");
  url->port = split.second;
  if (authority.front() == '[') {
    url->host = std::move(split.first);
    in6_addr addr{};
    if (::inet_pton(AF_INET6, url->host.c_str(), &addr) != 1) {
      return base::InvalidArgument(fmt::format("'[{}]' is not an IPv6 address", url->host));
    }
    if (IN6_IS_ADDR_V4MAPPED(&addr)) return net::Ipv4NotSupported(url->host);
  } else {
    url->host = base::AsciiLowercase(split.first);
    if (net::IsIpv4Literal(url->host)) return net::Ipv4NotSupported(url->host);
    HM_TRY(CheckHostName(url->host));
  }
  url->authority = url->host.find(':') != std::string::npos ? "[" + url->host + "]" : url->host;
  if (url->port != 443) url->authority += fmt::format(":{}", url->port);
  return base::Status::Ok();
}

// The request stream ended early: "the server reset the request stream with 0x10c (...)".
base::Status StreamError(std::string_view how, uint64_t code) {
  const std::string_view name = H3ErrorName(code);
  return base::Unavailable(fmt::format("the {} the request stream with 0x{:x}{}{}{}", how, code,
                                       name.empty() ? "" : " (", name, name.empty() ? "" : ")"));
}

// Request fields HTTP/3 forbids (RFC 9114 section 4.2) or that we derive ourselves.
bool IsDroppedRequestField(std::string_view name) {
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
         name == "transfer-encoding" || name == "upgrade" || name == "te";
}

// The request's field list: pseudo-headers, user-agent, then the caller's headers.
base::Result<std::vector<std::pair<std::string, std::string>>> RequestFields(
    const HttpsUrl& url, const Http3FetchOptions& options) {
  if (!IsToken(options.method)) {
    return base::InvalidArgument(fmt::format("'{}' is not a valid HTTP method", options.method));
  }
  std::vector<std::pair<std::string, std::string>> extra;
  std::string authority = url.authority;
  bool has_agent = false, has_length = false;
  for (const auto& [raw_name, value] : options.headers) {
    std::string name = base::AsciiLowercase(raw_name);
    if (!IsToken(name) || value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return base::InvalidArgument(fmt::format("invalid request header '{}'", raw_name));
    }
    if (IsDroppedRequestField(name)) continue;
    if (name == "host") {  // HTTP/3 carries it as :authority
      authority = value;
      continue;
    }
    has_agent = has_agent || name == "user-agent";
    has_length = has_length || name == "content-length";
    extra.emplace_back(std::move(name), value);
  }
  std::vector<std::pair<std::string, std::string>> fields = {{":method", options.method},
                                                             {":scheme", "https"},
                                                             {":authority", authority},
                                                             {":path", url.target}};
  if (!has_agent) fields.emplace_back("user-agent", std::string(kUserAgent));
  if (!has_length &&
      (!options.body.empty() || options.method == "POST" || options.method == "PUT")) {
    fields.emplace_back("content-length", std::to_string(options.body.size()));
  }
  for (auto& f : extra) fields.push_back(std::move(f));
  return fields;
}

// The HTTP/3 application of one fetch: a single request stream on a client connection.
class Http3ClientApp final : public internal::Http3Application {
 public:
  Http3ClientApp(stoq::Connection& conn, const Http3FetchOptions& options)
      : Http3Application(conn, base::Code::kUnavailable), options_(options) {}

  base::Status OnHandshakeCompleted() override;

  // Opens the request stream and queues the request (after the handshake).
  base::Status Submit(const HttpsUrl& url);
  bool finished() const { return complete_ || !failure_.ok(); }
  const base::Status& failure() const { return failure_; }
  Http3Response TakeResponse() { return std::move(response_); }

 private:
  friend struct Http3ClientCallbacks;

  void OnPeerReset(int64_t stream_id, uint64_t code) override {
    if (stream_id == stream_id_) Fail(StreamError("server reset", code));
  }
  // The first failure wins; the fetch then stops and closes the connection.
  void Fail(base::Status why) {
    if (failure_.ok() && !complete_) failure_ = std::move(why);
  }
  void OnBeginHeaders() {
    block_status_ = 0;
    block_headers_.clear();
  }
  base::Status TooLarge() const {
    return base::ResourceExhausted(
        fmt::format("the response body exceeds the limit of {} bytes", options_.max_body_bytes));
  }
  void OnHeader(std::string_view name, std::string_view value);
  void OnEndHeaders();
  void OnBody(const uint8_t* data, size_t len);
  void OnEnd();

  const Http3FetchOptions& options_;
  int64_t stream_id_ = -1;
  Http3Response response_;
  int block_status_ = 0;  // :status of the header block being read (1xx blocks are skipped)
  std::vector<std::pair<std::string, std::string>> block_headers_;
  bool have_final_ = false;
  bool complete_ = false;
  bool body_sent_ = false;
  uint64_t body_bytes_ = 0;
  base::Status failure_;
};

// nghttp3 callbacks, forwarded to the application. They never fail: problems are recorded with
// Fail() so the fetch reports them instead of an opaque connection error.
struct Http3ClientCallbacks {
  static Http3ClientApp* Self(void* ud) { return Http3ClientApp::FromUserData<Http3ClientApp>(ud); }

  static int StreamClose(nghttp3_conn*, int64_t stream_id, uint64_t code, void* ud, void*) {
    if (stream_id == Self(ud)->stream_id_) Self(ud)->Fail(StreamError("connection closed", code));
    return 0;
  }
  static int RecvData(nghttp3_conn*, int64_t stream_id, const uint8_t* data, size_t len, void* ud,
                      void*) {
    Http3ClientApp* a = Self(ud);
    a->conn_.ExtendStreamWindow(stream_id, len);
    if (stream_id == a->stream_id_) a->OnBody(data, len);
    return 0;
  }
  static int BeginHeaders(nghttp3_conn*, int64_t stream_id, void* ud, void*) {
    if (stream_id == Self(ud)->stream_id_) Self(ud)->OnBeginHeaders();
    return 0;
  }
  static int RecvHeader(nghttp3_conn*, int64_t stream_id, int32_t, nghttp3_rcbuf* name,
                        nghttp3_rcbuf* value, uint8_t, void* ud, void*) {
    if (stream_id == Self(ud)->stream_id_) Self(ud)->OnHeader(View(name), View(value));
    return 0;
  }
  static int EndHeaders(nghttp3_conn*, int64_t stream_id, int, void* ud, void*) {
    if (stream_id == Self(ud)->stream_id_) Self(ud)->OnEndHeaders();
    return 0;
  }
  static int EndStream(nghttp3_conn*, int64_t stream_id, void* ud, void*) {
    if (stream_id == Self(ud)->stream_id_) Self(ud)->OnEnd();
    return 0;
  }
  static nghttp3_ssize ReadBody(nghttp3_conn*, int64_t, nghttp3_vec* vec, size_t, uint32_t* flags,
                                void* ud, void*) {
    Http3ClientApp* a = Self(ud);
    *flags |= NGHTTP3_DATA_FLAG_EOF;
    if (a->body_sent_) return 0;
    a->body_sent_ = true;
    // nghttp3 only reads the body; options_ outlives the connection.
    vec[0].base = reinterpret_cast<uint8_t*>(const_cast<char*>(a->options_.body.data()));
    vec[0].len = a->options_.body.size();
    return 1;
  }
};

base::Status Http3ClientApp::OnHandshakeCompleted() {
  nghttp3_callbacks cb{};
  cb.stream_close = Http3ClientCallbacks::StreamClose;
  cb.recv_data = Http3ClientCallbacks::RecvData;
  cb.begin_headers = Http3ClientCallbacks::BeginHeaders;
  cb.recv_header = Http3ClientCallbacks::RecvHeader;
  cb.end_headers = Http3ClientCallbacks::EndHeaders;
  cb.end_stream = Http3ClientCallbacks::EndStream;
  AddStreamCallbacks(&cb);
  const nghttp3_settings settings = Settings(64 << 10);
  int rv = nghttp3_conn_client_new(&h3_, &cb, &settings, Memory(), user_data());
  if (rv != 0) return H3Error(rv, "connection setup");
  return BindCriticalStreams();
}

base::Status Http3ClientApp::Submit(const HttpsUrl& url) {
  if (h3_ == nullptr) return base::FailedPrecondition("HTTP/3 request before the handshake");
  HM_ASSIGN_OR_RETURN(auto fields, RequestFields(url, options_));
  HM_ASSIGN_OR_RETURN(stream_id_, conn_.OpenBidiStream());
  std::vector<nghttp3_nv> nva;
  nva.reserve(fields.size());
  for (auto& [name, value] : fields) nva.push_back(Nv(name, value));
  nghttp3_data_reader reader{Http3ClientCallbacks::ReadBody};
  return Check(nghttp3_conn_submit_request(h3_, stream_id_, nva.data(), nva.size(),
                                           options_.body.empty() ? nullptr : &reader, nullptr),
               "submitting the request");
}

void Http3ClientApp::OnHeader(std::string_view name, std::string_view value) {
  if (name == ":status") {
    int v = 0;
    for (char c : value) v = (c >= '0' && c <= '9' && v < 1000) ? v * 10 + (c - '0') : 1000;
    block_status_ = value.size() == 3 ? v : 0;
  } else if (!name.empty() && name.front() != ':') {
    block_headers_.emplace_back(std::string(name), std::string(value));
  }
}

void Http3ClientApp::OnEndHeaders() {
  if (have_final_) return;                                  // trailers
  if (block_status_ >= 100 && block_status_ < 200) return;  // interim response
  if (block_status_ < 200 || block_status_ > 599) {
    return Fail(base::InvalidArgument("the server sent a response without a valid :status"));
  }
  have_final_ = true;
  response_.status = block_status_;
  response_.headers = std::move(block_headers_);
  for (const auto& [name, value] : response_.headers) {  // fail before the body arrives
    uint64_t n = 0;
    const auto parsed = std::from_chars(value.data(), value.data() + value.size(), n);
    if (name == "content-length" && parsed.ec == std::errc() && n > options_.max_body_bytes) {
      return Fail(TooLarge());
    }
  }
}

void Http3ClientApp::OnBody(const uint8_t* data, size_t len) {
  if (finished()) return;
  if (!have_final_) return Fail(base::InvalidArgument("the server sent data before a :status"));
  body_bytes_ += len;
  if (body_bytes_ > options_.max_body_bytes) return Fail(TooLarge());
  if (options_.on_body) {
    options_.on_body(base::ByteSpan(data, len));
  } else {
    response_.body.append(reinterpret_cast<const char*>(data), len);
  }
}

void Http3ClientApp::OnEnd() {
  if (!have_final_) return Fail(base::InvalidArgument("the response ended without a :status"));
  if (failure_.ok()) complete_ = true;
}

}  // namespace

base::Result<Http3Response> Http3Fetch(const std::string& url, const Http3FetchOptions& options) {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  HM_ASSIGN_OR_RETURN(HttpsUrl u, ParseHttpsUrl(url));
  if (options.ca_file.empty() && !options.insecure) {
    return base::InvalidArgument(
        "no CA file to verify the server with: use --cacert or --insecure");
  }
  if (options.timeout.count() <= 0) return base::InvalidArgument("the timeout must be positive");
  HM_TRY(RequestFields(u, options).status());
  HM_ASSIGN_OR_RETURN(
      auto cred, stoq::TlsCredentials::ForClient(options.insecure ? "" : options.ca_file, "", ""));
  stoq::ClientOptions co;
  co.host = u.host;
  co.port = u.port;
  co.server_name = options.server_name;
  co.alpns = {std::string(stoq::kAlpnH3)};
  co.credentials = std::move(cred);
  co.handshake_timeout = options.timeout;
  co.connection.handshake_timeout_ms = static_cast<uint64_t>(options.timeout.count());
  Http3ClientApp* app = nullptr;  // owned by the connection, which the client owns
  auto factory = [&options, &app](const std::string& alpn,
                                  stoq::Connection& conn) -> std::unique_ptr<stoq::Application> {
    if (alpn != stoq::kAlpnH3) return nullptr;
    auto a = std::make_unique<Http3ClientApp>(conn, options);
    app = a.get();
    return a;
  };
  auto client = stoq::Client::Connect(co, factory);
  if (!client.ok()) {
    if (client.status().code() != base::Code::kDeadlineExceeded) return client.status();
    return base::DeadlineExceeded(fmt::format(
        "QUIC handshake with {} timed out after {} ms (no HTTP/3 server on UDP port {}?)",
        u.authority, options.timeout.count(), u.port));
  }
  if (app == nullptr) return base::Internal("HTTP/3 application missing after the handshake");
  base::Status s = app->Submit(u);
  if (s.ok()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    s = (*client)->RunUntil([app] { return app->finished(); },
                            std::max(left, std::chrono::milliseconds(1)));
  }
  (*client)->Close(kH3NoError);
  if (s.code() == base::Code::kDeadlineExceeded) {
    return base::DeadlineExceeded(fmt::format("no complete response from {} within {} ms",
                                              u.authority, options.timeout.count()));
  }
  HM_TRY(s);
  HM_TRY(app->failure());
  return app->TakeResponse();
}

base::Result<HttpsUrl> ParseHttpsUrl(std::string_view url) {
  // Spaces, controls, DEL and non-ASCII bytes must be percent-encoded.
  if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= 0x20 || c >= 0x7f; })) {
    return base::InvalidArgument(
        "the URL has a space, control or non-ASCII byte: percent-encode it");
  }
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return base::InvalidArgument(
        fmt::format("'{}' is not an absolute URL (expected https://host[:port]/path)", url));
  }
  const std::string scheme = base::AsciiLowercase(url.substr(0, sep));
  if (scheme == "http") {
    return base::InvalidArgument("http:// URLs are not supported: HTTP/3 needs https://");
  }
  if (scheme != "https") {
    return base::InvalidArgument(
        fmt::format("unsupported URL scheme '{}' (expected https)", scheme));
  }
  std::string_view rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find('#'));
  const size_t auth_end = rest.find_first_of("/?");
  HttpsUrl out;
  HM_TRY(ParseAuthority(rest.substr(0, auth_end), &out));
  out.target = auth_end == std::string_view::npos ? "/" : std::string(rest.substr(auth_end));
  if (out.target.front() == '?') out.target = "/" + out.target;
  return out;
}

std::string_view H3ErrorName(uint64_t code) {
  // clang-format off
  static constexpr std::array<std::string_view, 17> kNames = {
      "H3_NO_ERROR", "H3_GENERAL_PROTOCOL_ERROR", "H3_INTERNAL_ERROR", "H3_STREAM_CREATION_ERROR",
      "H3_CLOSED_CRITICAL_STREAM", "H3_FRAME_UNEXPECTED", "H3_FRAME_ERROR", "H3_EXCESSIVE_LOAD",
      "H3_ID_ERROR", "H3_SETTINGS_ERROR", "H3_MISSING_SETTINGS", "H3_REQUEST_REJECTED",
      "H3_REQUEST_CANCELLED", "H3_REQUEST_INCOMPLETE", "H3_MESSAGE_ERROR", "H3_CONNECT_ERROR",
      "H3_VERSION_FALLBACK"};
  static constexpr std::array<std::string_view, 3> kQpackNames = {
      "QPACK_DECOMPRESSION_FAILED", "QPACK_ENCODER_STREAM_ERROR", "QPACK_DECODER_STREAM_ERROR"};
  // clang-format on
  if (code >= 0x100 && code < 0x100 + kNames.size()) return kNames[code - 0x100];
  if (code >= 0x200 && code < 0x200 + kQpackNames.size()) return kQpackNames[code - 0x200];
  return "";
}

}  // namespace hm::api
