// HTTP/2 front end tests: curl (built with nghttp2) as the real client over [::1], plus a raw
// TLS client that writes hand-made frames for what curl would never send.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl.hpp>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/builtin_routes.h"
#include "api/errors.h"
#include "api/http_server.h"
#include "api/testing/raw_tls.h"
#include "net/test_certs.h"

namespace hm::api {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using nlohmann::json;

constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr uint8_t kData = 0x0, kHeaders = 0x1, kRstStream = 0x3, kSettings = 0x4, kPing = 0x6,
                  kGoaway = 0x7, kWindowUpdate = 0x8;
constexpr uint8_t kEndStream = 0x1, kEndHeaders = 0x4;

std::string FrameBytes(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload) {
  std::string f;
  const size_t n = payload.size();
  f += static_cast<char>((n >> 16) & 0xff);
  f += static_cast<char>((n >> 8) & 0xff);
  f += static_cast<char>(n & 0xff);
  f += static_cast<char>(type);
  f += static_cast<char>(flags);
  for (int shift : {24, 16, 8, 0}) f += static_cast<char>((stream >> shift) & 0xff);
  f += payload;
  return f;
}

uint32_t Be32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}

// HPACK literal field without indexing, name from the static table (index < 15), no Huffman.
std::string Literal(uint8_t name_index, std::string_view value) {
  std::string out;
  out += static_cast<char>(name_index);
  out += static_cast<char>(value.size());
  out += value;
  return out;
}

// A POST request header block: :method POST (static 3), :scheme https (7), :path, :authority.
std::string PostHeaders(std::string_view path) {
  return std::string("\x83\x87", 2) + Literal(4, path) + Literal(1, "localhost");
}

// GET: :method GET (static 2), :scheme https (7), :path, :authority.
std::string GetHeaders(std::string_view path) {
  return std::string("\x82\x87", 2) + Literal(4, path) + Literal(1, "localhost");
}

struct Frame {
  uint8_t type;
  uint8_t flags;
  uint32_t stream;
  std::string payload;
};

// A TLS connection that offers ALPN "h2" and speaks frames by hand.
class RawH2 {
 public:
  bool Connect(uint16_t port) { return tls_.Connect(port, std::string_view("\x02h2", 3)); }
  std::string Alpn() { return tls_.Alpn(); }
  bool Write(std::string_view bytes) { return tls_.Write(bytes); }
  // The client preface: magic plus an empty SETTINGS frame.
  bool SendPreface() { return Write(std::string(kPreface) + FrameBytes(kSettings, 0, 0, "")); }

  // Reads frames until `done` accepts one, the server closes, or the receive timeout passes.
  std::vector<Frame> ReadUntil(const std::function<bool(const Frame&)>& done) {
    std::vector<Frame> frames;
    for (;;) {
      while (buf_.size() >= 9) {
        const size_t len = (static_cast<uint8_t>(buf_[0]) << 16) |
                           (static_cast<uint8_t>(buf_[1]) << 8) | static_cast<uint8_t>(buf_[2]);
        if (buf_.size() < 9 + len) break;
        Frame f{static_cast<uint8_t>(buf_[3]), static_cast<uint8_t>(buf_[4]),
                Be32(buf_, 5) & 0x7fffffffu, buf_.substr(9, len)};
        buf_.erase(0, 9 + len);
        frames.push_back(f);
        if (done(frames.back())) return frames;
      }
      char chunk[4096];
      boost::system::error_code ec;
      const size_t n = tls_.stream().read_some(asio::buffer(chunk), ec);
      buf_.append(chunk, n);
      if (ec) {
        closed_ = true;
        return frames;
      }
    }
  }
  std::vector<Frame> ReadToEnd() {
    return ReadUntil([](const Frame&) { return false; });
  }
  bool closed() const { return closed_; }

 private:
  api::testing::RawTlsClient tls_;
  std::string buf_;
  bool closed_ = false;
};

const Frame* FindFrame(const std::vector<Frame>& frames, uint8_t type) {
  for (const auto& f : frames) {
    if (f.type == type) return &f;
  }
  return nullptr;
}

struct CurlResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

class Http2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = net::testing::MakeSelfSignedCert({"localhost"}, {"::1"});
    ASSERT_TRUE(cert.ok()) << cert.status().ToString();
    auto files = net::testing::WriteCertFiles(dir_, *cert);
    ASSERT_TRUE(files.ok());
    files_ = *files;
    ASSERT_TRUE(loop_.Start().ok());
    RegisterRoutes();
    HttpServerOptions options;
    options.listen_port = 0;
    options.handler_threads = 4;
    options.read_timeout = std::chrono::seconds(5);
    server_ = StartServer(options);
    ASSERT_NE(server_, nullptr);
  }

  void TearDown() override {
    release_.set_value();
    server_.reset();
    loop_.Stop();
  }

  std::unique_ptr<HttpServer> StartServer(const HttpServerOptions& options) {
    auto tls = net::MakeServerTlsContext(files_.cert_path, files_.key_path);
    EXPECT_TRUE(tls.ok()) << tls.status().ToString();
    if (!tls.ok()) return nullptr;
    auto server = std::make_unique<HttpServer>(options, loop_, *tls, router_, metrics_);
    base::Status started = server->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
    return started.ok() ? std::move(server) : nullptr;
  }

  void RegisterRoutes() {
    ASSERT_TRUE(RegisterBuiltinRoutes(router_, metrics_, [] { return json{{"height", 7}}; }).ok());
    ASSERT_TRUE(router_
                    .Add("POST", "/api/v1/echo",
                         [](const Request& r) {
                           auto body = ParseJsonBody(r);
                           if (!body.ok()) return ErrorResponse(body.status());
                           return Response::Json(200, json{{"echo", *body},
                                                           {"host", r.Header("host")},
                                                           {"query", r.Query("q").value_or("")}})
                               .AddHeader("X-Echo", "yes");
                         })
                    .ok());
    ASSERT_TRUE(router_
                    .Add(
                        "POST", "/small", [](const Request&) { return Response::Text(200, "ok"); },
                        RouteOptions{.max_body_bytes = 16})
                    .ok());
    // 1 MB of a 10-byte pattern from a BodySource in 333-byte pieces.
    ASSERT_TRUE(router_
                    .Add("GET", "/sourced",
                         [](const Request&) {
                           static const std::string kBlock = [] {
                             std::string b;
                             for (int i = 0; i < 100; ++i) b += "0123456789";
                             return b;
                           }();
                           Response r = Response::Text(200, "", "text/plain");
                           r.source = BodySource{
                               1'000'000, [](uint64_t offset) {
                                 const size_t start = offset % 10;
                                 return std::span<const uint8_t>(
                                     reinterpret_cast<const uint8_t*>(kBlock.data() + start),
                                     std::min<uint64_t>(333, 1'000'000 - offset));
                               }};
                           return r;
                         })
                    .ok());
    // Answers 200 only when three requests are inside it at once.
    ASSERT_TRUE(router_
                    .Add("GET", "/together",
                         [this](const Request&) {
                           std::unique_lock<std::mutex> lock(mu_);
                           ++together_;
                           cv_.notify_all();
                           const bool all = cv_.wait_for(lock, std::chrono::seconds(5),
                                                         [this] { return together_ >= 3; });
                           return Response::Json(all ? 200 : 503, json{{"together", all}});
                         })
                    .ok());
    std::shared_future<void> release = release_.get_future().share();
    ASSERT_TRUE(router_
                    .Add("GET", "/slow",
                         [this, release](const Request&) {
                           slow_entered_.set_value();
                           release.wait();
                           return Response::Json(200, json{{"slow", true}});
                         })
                    .ok());
  }

  std::string Url(const std::string& path, uint16_t port = 0) const {
    return "'https://[::1]:" + std::to_string(port != 0 ? port : server_->port()) + path + "'";
  }

  // Runs curl with `args`; the trust anchor and a time limit are added.
  CurlResult Curl(const std::string& args) const {
    const std::string cmd =
        "curl -sS -g --max-time 10 --cacert '" + files_.cert_path + "' " + args + " 2>&1";
    CurlResult r;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
    const int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }

  // curl --http2 writing the body, then one line "<status> <http_version>".
  CurlResult H2(const std::string& path, const std::string& extra = "") const {
    return Curl("--http2 " + extra + " -w '\\n%{http_code} %{http_version}' " + Url(path));
  }

  std::string Metrics() const { return metrics_.RenderPrometheus(); }

  net::testing::TempDir dir_;
  net::testing::CertFiles files_;
  net::EventLoop loop_{"hm-io", 2};
  Router router_;
  base::MetricsRegistry metrics_;
  std::unique_ptr<HttpServer> server_;
  std::promise<void> slow_entered_;
  std::promise<void> release_;
  std::mutex mu_;
  std::condition_variable cv_;
  int together_ = 0;
};

// Splits curl's output into the body and the trailing "<status> <version>" line.
std::pair<std::string, std::string> BodyAndTrailer(const std::string& out) {
  const size_t nl = out.rfind('\n');
  if (nl == std::string::npos) return {"", out};
  return {out.substr(0, nl), out.substr(nl + 1)};
}

TEST_F(Http2Test, CurlGetAndPostNegotiateHttp2) {
  auto get = H2("/healthz");
  ASSERT_EQ(get.exit_code, 0) << get.out;
  auto [body, trailer] = BodyAndTrailer(get.out);
  EXPECT_EQ(trailer, "200 2");
  EXPECT_EQ(json::parse(body), (json{{"status", "ok"}}));

  auto post = H2("/api/v1/echo?q=a%20b",
                 "-H 'Content-Type: application/json' --data '{\"name\":\"node-1\",\"n\":[1,2]}' "
                 "-D '" +
                     dir_.path() + "/headers'");
  ASSERT_EQ(post.exit_code, 0) << post.out;
  auto [pbody, ptrailer] = BodyAndTrailer(post.out);
  EXPECT_EQ(ptrailer, "200 2");
  json echoed = json::parse(pbody);
  EXPECT_EQ(echoed["echo"]["name"], "node-1");
  EXPECT_EQ(echoed["query"], "a b");
  EXPECT_EQ(echoed["host"], "[::1]:" + std::to_string(server_->port()));
  // Response headers: lower-case on the wire, the handler's extra header, length and type.
  auto headers = Curl("--http2 -o /dev/null -D - " + Url("/healthz"));
  EXPECT_NE(headers.out.find("HTTP/2 200"), std::string::npos) << headers.out;
  EXPECT_NE(headers.out.find("content-type: application/json"), std::string::npos);
  EXPECT_NE(headers.out.find("content-length: 15"), std::string::npos);
  EXPECT_NE(headers.out.find("server: hypermeshd"), std::string::npos);
  FILE* f = std::fopen((dir_.path() + "/headers").c_str(), "r");
  ASSERT_NE(f, nullptr);
  char buf[4096];
  const std::string dumped(buf, std::fread(buf, 1, sizeof(buf), f));
  std::fclose(f);
  EXPECT_NE(dumped.find("x-echo: yes"), std::string::npos) << dumped;
}

TEST_F(Http2Test, SourcedBodyOverHttp2AndHttp11) {
  std::string want;
  for (int i = 0; i < 100'000; ++i) want += "0123456789";
  for (const std::string version : {"--http2", "--http1.1"}) {
    auto r = Curl(version + " -w '\\n%{http_code} %{size_download}' " + Url("/sourced"));
    ASSERT_EQ(r.exit_code, 0) << version << ": " << r.out.substr(0, 200);
    auto [body, trailer] = BodyAndTrailer(r.out);
    EXPECT_EQ(trailer, "200 1000000") << version;
    EXPECT_TRUE(body == want) << version;
  }
  auto head = Curl("--http2 -I " + Url("/sourced"));
  EXPECT_NE(head.out.find("content-length: 1000000"), std::string::npos) << head.out;
}

TEST_F(Http2Test, HeadHasLengthButNoBody) {
  auto head = Curl("--http2 -I " + Url("/healthz"));
  ASSERT_EQ(head.exit_code, 0) << head.out;
  EXPECT_NE(head.out.find("HTTP/2 200"), std::string::npos) << head.out;
  EXPECT_NE(head.out.find("content-length: 15"), std::string::npos) << head.out;
}

TEST_F(Http2Test, ConcurrentStreamsShareOneConnection) {
  // Three requests that each wait for the other two: they only succeed if the streams are
  // handled concurrently. num_connects adds up to 1 when curl multiplexed them.
  const std::string url = Url("/together");
  auto r = Curl(
      "--http2 --parallel --parallel-max 3 -w '\\n%{http_code} %{http_version} "
      "%{num_connects}\\n' " +
      url + " " + url + " " + url);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  int ok = 0, connects = 0;
  size_t pos = 0;
  while ((pos = r.out.find("\n200 2 ", pos)) != std::string::npos) {
    ++ok;
    pos += 7;
    connects += r.out[pos] - '0';
  }
  EXPECT_EQ(ok, 3) << r.out;
  EXPECT_EQ(connects, 1) << r.out;
  EXPECT_EQ(r.out.find("503"), std::string::npos) << r.out;
}

TEST_F(Http2Test, JsonErrorsOverHttp2) {
  auto nf = H2("/nope");
  auto [nbody, ntrailer] = BodyAndTrailer(nf.out);
  EXPECT_EQ(ntrailer, "404 2");
  EXPECT_EQ(json::parse(nbody)["code"], "NOT_FOUND");

  auto na = Curl("--http2 -X POST --data '{}' -D - " + Url("/healthz"));
  EXPECT_NE(na.out.find("HTTP/2 405"), std::string::npos) << na.out;
  EXPECT_NE(na.out.find("allow: GET, HEAD"), std::string::npos) << na.out;
  EXPECT_NE(na.out.find("METHOD_NOT_ALLOWED"), std::string::npos) << na.out;

  // Declared length over the route's limit, and over the server's default limit.
  auto small = H2("/small", "-H 'Content-Type: text/plain' --data 01234567890123456");
  auto [sbody, strailer] = BodyAndTrailer(small.out);
  EXPECT_EQ(strailer, "413 2") << small.out;
  EXPECT_EQ(json::parse(sbody)["code"], "PAYLOAD_TOO_LARGE");
  auto big = dir_.WriteFile("big.json", std::string((1 << 20) + 1, ' '));
  ASSERT_TRUE(big.ok());
  auto large =
      H2("/api/v1/echo", "-H 'Content-Type: application/json' --data-binary '@" + *big + "'");
  ASSERT_EQ(large.exit_code, 0) << large.out.substr(0, 300);
  auto [lbody, ltrailer] = BodyAndTrailer(large.out);
  EXPECT_EQ(ltrailer, "413 2");
  EXPECT_EQ(json::parse(lbody)["code"], "PAYLOAD_TOO_LARGE");
  auto fits = H2("/small", "-H 'Content-Type: text/plain' --data 0123456789012345");
  EXPECT_EQ(BodyAndTrailer(fits.out).second, "200 2") << fits.out;

  auto hdr = H2("/healthz", "-H 'X-Big: " + std::string(9000, 'a') + "'");
  auto [hbody, htrailer] = BodyAndTrailer(hdr.out);
  EXPECT_EQ(htrailer, "431 2") << hdr.out.substr(0, 300);
  EXPECT_EQ(json::parse(hbody)["code"], "REQUEST_HEADER_FIELDS_TOO_LARGE");

  auto bad = H2("/api/v1/echo", "-H 'Content-Type: application/json' --data '{\"a\":'");
  EXPECT_EQ(BodyAndTrailer(bad.out).second, "400 2") << bad.out;
}

TEST_F(Http2Test, BodyLimitEnforcedPerStreamWithoutContentLength) {
  RawH2 raw;
  ASSERT_TRUE(raw.Connect(server_->port()));
  EXPECT_EQ(raw.Alpn(), "h2");
  ASSERT_TRUE(raw.SendPreface());
  // 20 bytes of body to a 16-byte route, the request not yet ended: the server answers 413 at
  // once, and discards the rest of the body.
  ASSERT_TRUE(raw.Write(FrameBytes(kHeaders, kEndHeaders, 1, PostHeaders("/small")) +
                        FrameBytes(kData, 0, 1, std::string(20, 'x'))));
  auto frames = raw.ReadUntil([](const Frame& f) { return f.type == kData; });
  ASSERT_FALSE(frames.empty());
  const Frame& data = frames.back();
  EXPECT_EQ(data.stream, 1u);
  EXPECT_TRUE(data.flags & kEndStream);
  EXPECT_NE(data.payload.find("PAYLOAD_TOO_LARGE"), std::string::npos);
  EXPECT_EQ(FindFrame(frames, kRstStream), nullptr);
  // The connection still serves: the rest of stream 1, then a body within the limit on stream 3.
  ASSERT_TRUE(raw.Write(FrameBytes(kData, kEndStream, 1, std::string(100, 'y')) +
                        FrameBytes(kHeaders, kEndHeaders, 3, PostHeaders("/small")) +
                        FrameBytes(kData, 0, 3, "0123456789") +
                        FrameBytes(kData, kEndStream, 3, "abcdef")));
  frames = raw.ReadUntil(
      [](const Frame& f) { return f.type == kData && f.stream == 3 && (f.flags & kEndStream); });
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().payload, "ok");
  EXPECT_NE(Metrics().find(R"(hm_http_requests_total{route="/small",method="POST",code="413"} 1)"),
            std::string::npos);
}

TEST_F(Http2Test, ServerSettingsAndMalformedFrameGetGoaway) {
  RawH2 raw;
  ASSERT_TRUE(raw.Connect(server_->port()));
  ASSERT_TRUE(raw.SendPreface());
  auto frames = raw.ReadUntil([](const Frame& f) { return f.type == kSettings; });
  ASSERT_FALSE(frames.empty());
  const Frame& settings = frames.back();
  ASSERT_EQ(settings.type, kSettings);
  bool saw_max_streams = false;
  for (size_t i = 0; i + 6 <= settings.payload.size(); i += 6) {
    const int id = (static_cast<uint8_t>(settings.payload[i]) << 8) |
                   static_cast<uint8_t>(settings.payload[i + 1]);
    if (id == 0x3) {  // SETTINGS_MAX_CONCURRENT_STREAMS
      saw_max_streams = true;
      EXPECT_EQ(Be32(settings.payload, i + 2), 100u);
    }
  }
  EXPECT_TRUE(saw_max_streams);
  // A PING must carry 8 bytes; 7 is a connection error FRAME_SIZE_ERROR.
  ASSERT_TRUE(raw.Write(FrameBytes(kPing, 0, 0, "1234567")));
  frames = raw.ReadToEnd();
  const Frame* goaway = FindFrame(frames, kGoaway);
  ASSERT_NE(goaway, nullptr);
  EXPECT_EQ(Be32(goaway->payload, 4), 0x6u);  // FRAME_SIZE_ERROR
  EXPECT_TRUE(raw.closed());

  // Garbage instead of the preface: the connection is dropped, the server lives on.
  RawH2 junk;
  ASSERT_TRUE(junk.Connect(server_->port()));
  ASSERT_TRUE(junk.Write("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + std::string(100, '\xff')));
  junk.ReadToEnd();
  EXPECT_TRUE(junk.closed());
  EXPECT_EQ(BodyAndTrailer(H2("/healthz").out).second, "200 2");
}

TEST_F(Http2Test, MalformedFramesGetGoawayNeverACrash) {
  struct Case {
    const char* what;
    std::string frame;
    uint32_t error;  // the GOAWAY error code
  };
  const Case cases[] = {
      {"DATA on stream 0", FrameBytes(kData, 0, 0, "x"), 0x1},
      {"WINDOW_UPDATE of 0", FrameBytes(kWindowUpdate, 0, 0, std::string(4, '\0')), 0x1},
      {"SETTINGS of 5 bytes", FrameBytes(kSettings, 0, 0, "12345"), 0x6},
      {"HEADERS with a bad HPACK index",
       FrameBytes(kHeaders, kEndHeaders | kEndStream, 1, "\xff\xff\xff\xff\x7f"), 0x9},
      {"HEADERS on an even stream", FrameBytes(kHeaders, kEndHeaders, 2, GetHeaders("/")), 0x1},
  };
  for (const Case& c : cases) {
    RawH2 raw;
    ASSERT_TRUE(raw.Connect(server_->port())) << c.what;
    ASSERT_TRUE(raw.SendPreface());
    ASSERT_TRUE(raw.Write(c.frame));
    auto frames = raw.ReadToEnd();
    const Frame* goaway = FindFrame(frames, kGoaway);
    ASSERT_NE(goaway, nullptr) << c.what;
    EXPECT_EQ(Be32(goaway->payload, 4), c.error) << c.what;
    EXPECT_TRUE(raw.closed()) << c.what;
  }
  EXPECT_EQ(BodyAndTrailer(H2("/healthz").out).second, "200 2");
}

TEST_F(Http2Test, ResetStreamsCannotPileUpHandlers) {
  HttpServerOptions options;
  options.listen_port = 0;
  options.http2_max_concurrent_streams = 1;
  auto one = StartServer(options);
  ASSERT_NE(one, nullptr);
  RawH2 raw;
  ASSERT_TRUE(raw.Connect(one->port()));
  ASSERT_TRUE(raw.SendPreface());
  // Stream 1 starts a handler that blocks, then the client cancels it: the handler still runs,
  // so stream 3 is refused rather than queued behind it.
  ASSERT_TRUE(raw.Write(FrameBytes(kHeaders, kEndHeaders | kEndStream, 1, GetHeaders("/slow"))));
  slow_entered_.get_future().wait();
  ASSERT_TRUE(raw.Write(FrameBytes(kRstStream, 0, 1, std::string("\0\0\0\x08", 4)) +
                        FrameBytes(kHeaders, kEndHeaders | kEndStream, 3, GetHeaders("/healthz"))));
  auto frames = raw.ReadUntil([](const Frame& f) { return f.type == kRstStream; });
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().type, kRstStream);
  EXPECT_EQ(frames.back().stream, 3u);
  EXPECT_EQ(Be32(frames.back().payload, 0), 0x7u);  // REFUSED_STREAM
  // Once the handler is done, new streams are served again.
  release_.set_value();
  release_ = std::promise<void>();
  for (uint32_t id = 5; id < 45; id += 2) {
    ASSERT_TRUE(
        raw.Write(FrameBytes(kHeaders, kEndHeaders | kEndStream, id, GetHeaders("/healthz"))));
    frames = raw.ReadUntil([id](const Frame& f) {
      return f.stream == id && (f.type == kRstStream || (f.flags & kEndStream));
    });
    ASSERT_FALSE(frames.empty());
    if (frames.back().type == kData) {
      EXPECT_EQ(frames.back().payload, R"({"status":"ok"})");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL() << "streams stayed refused after the handler finished";
}

TEST_F(Http2Test, Http11StillNegotiatedWhenOnlyOffered) {
  auto r = Curl("--http1.1 -w '\\n%{http_code} %{http_version}' " + Url("/api/v1/status"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto [body, trailer] = BodyAndTrailer(r.out);
  EXPECT_EQ(trailer, "200 1.1");
  EXPECT_EQ(json::parse(body)["height"], 7);
}

TEST_F(Http2Test, MetricsCountHttp2Requests) {
  ASSERT_EQ(H2("/healthz").exit_code, 0);
  ASSERT_EQ(H2("/nope/1").exit_code, 0);
  const std::string m = Metrics();
  EXPECT_NE(m.find(R"(hm_http_requests_total{route="/healthz",method="GET",code="200"} 1)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(R"(hm_http_requests_total{route="unmatched",method="GET",code="404"} 1)"),
            std::string::npos);
  EXPECT_NE(m.find("hm_http_request_duration_seconds_bucket{route=\"/healthz\""),
            std::string::npos);
}

TEST_F(Http2Test, IdleConnectionGetsGoawayAndCloses) {
  HttpServerOptions options;
  options.listen_port = 0;
  options.read_timeout = std::chrono::milliseconds(300);
  auto quick = StartServer(options);
  ASSERT_NE(quick, nullptr);
  RawH2 raw;
  ASSERT_TRUE(raw.Connect(quick->port()));
  ASSERT_TRUE(raw.SendPreface());
  const auto started = std::chrono::steady_clock::now();
  auto frames = raw.ReadToEnd();
  EXPECT_TRUE(raw.closed());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  const Frame* goaway = FindFrame(frames, kGoaway);
  ASSERT_NE(goaway, nullptr);
  EXPECT_EQ(Be32(goaway->payload, 4), 0u);  // NO_ERROR
}

TEST_F(Http2Test, GracefulShutdownFinishesStreamsAndSendsGoaway) {
  RawH2 idle;
  ASSERT_TRUE(idle.Connect(server_->port()));
  ASSERT_TRUE(idle.SendPreface());
  // Its SETTINGS show the server runs HTTP/2 on it (the handshake phase is over).
  ASSERT_FALSE(idle.ReadUntil([](const Frame& f) { return f.type == kSettings; }).empty());
  auto in_flight = std::async(std::launch::async, [this] { return H2("/slow"); });
  slow_entered_.get_future().wait();

  const auto started = std::chrono::steady_clock::now();
  std::thread shutdown([this] { server_->Shutdown(std::chrono::seconds(20)); });
  // The idle connection is told to go away while the slow request is still running.
  auto frames = idle.ReadToEnd();
  const Frame* goaway = FindFrame(frames, kGoaway);
  ASSERT_NE(goaway, nullptr);
  EXPECT_EQ(Be32(goaway->payload, 0), 0u);  // no stream of ours was processed
  EXPECT_TRUE(idle.closed());

  release_.set_value();
  release_ = std::promise<void>();  // TearDown sets it again
  auto r = in_flight.get();
  shutdown.join();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto [body, trailer] = BodyAndTrailer(r.out);
  EXPECT_EQ(trailer, "200 2");
  EXPECT_EQ(json::parse(body)["slow"], true);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_NE(H2("/healthz").exit_code, 0);
}

}  // namespace
}  // namespace hm::api
