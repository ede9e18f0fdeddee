// Http3Fetch against a real HttpServer + StoqServer on [::1] (port 0), and ParseHttpsUrl.
#include "api/http3_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "api/http_server.h"
#include "net/test_certs.h"
#include "stoq/server.h"

namespace hm::api {
namespace {

using nlohmann::json;

// 5 MB that are not a repeating short pattern, so a misplaced chunk shows.
std::string BigBody() {
  std::string s(5u << 20, '\0');
  uint32_t x = 12345;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

std::string HeaderValue(const Http3Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

// A UDP port on [::1] with nothing bound to it (bound, then released).
uint16_t UnusedUdpPort() {
  int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(fd);
  return ntohs(a.sin6_port);
}

class Http3ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = net::testing::MakeSelfSignedCert({"localhost"}, {"::1"});
    ASSERT_TRUE(cert.ok()) << cert.status().ToString();
    auto files = net::testing::WriteCertFiles(dir_, *cert);
    ASSERT_TRUE(files.ok());
    files_ = *files;
    auto tls = net::MakeServerTlsContext(files_.cert_path, files_.key_path);
    ASSERT_TRUE(tls.ok()) << tls.status().ToString();
    ASSERT_TRUE(loop_.Start().ok());
    RegisterRoutes();
    HttpServerOptions options;
    options.listen_port = 0;
    options.handler_threads = 2;
    http_ = std::make_unique<HttpServer>(options, loop_, *tls, router_, metrics_);
    ASSERT_TRUE(http_->Start().ok());
    auto cred = stoq::TlsCredentials::FromPemFiles(files_.cert_path, files_.key_path);
    ASSERT_TRUE(cred.ok()) << cred.status().ToString();
    stoq::StoqServerOptions so;
    so.listen_host = "::1";
    so.port = 0;
    stoq_ = std::make_unique<stoq::StoqServer>(so, *cred, metrics_);
    ASSERT_TRUE(stoq_->RegisterAlpn(std::string(stoq::kAlpnH3), http_->Http3Factory()).ok());
    ASSERT_TRUE(stoq_->Start().ok());
    base_ = "https://[::1]:" + std::to_string(stoq_->port());
    fetch_.insecure = true;
    fetch_.timeout = std::chrono::seconds(20);
  }

  void TearDown() override {
    stoq_.reset();  // before the HttpServer whose factory it uses
    http_.reset();
    loop_.Stop();
  }

  void RegisterRoutes() {
    ASSERT_TRUE(router_
                    .Add("GET", "/hello",
                         [](const Request& r) {
                           Response resp = Response::Text(200, "hello over h3");
                           resp.AddHeader("x-seen-agent", std::string(r.Header("user-agent")));
                           resp.AddHeader("x-seen-custom", std::string(r.Header("x-custom")));
                           return resp;
                         })
                    .ok());
    ASSERT_TRUE(router_
                    .Add("GET", "/big",
                         [this](const Request&) {
                           return Response::Text(200, big_, "application/octet-stream");
                         })
                    .ok());
    // The same bytes from a BodySource in uneven pieces (handed to nghttp3 without a copy).
    ASSERT_TRUE(router_
                    .Add("GET", "/big-sourced",
                         [this](const Request&) {
                           Response r = Response::Text(200, "", "application/octet-stream");
                           r.source = BodySource{
                               big_.size(), [this](uint64_t offset) {
                                 return std::span<const uint8_t>(
                                     reinterpret_cast<const uint8_t*>(big_.data() + offset),
                                     std::min<uint64_t>(7777, big_.size() - offset));
                               }};
                           return r;
                         })
                    .ok());
    ASSERT_TRUE(router_
                    .Add(
                        "POST", "/echo",
                        [](const Request& r) {
                          Response resp = Response::Text(201, r.body, "application/octet-stream");
                          resp.AddHeader("x-method", r.method);
                          return resp;
                        },
                        RouteOptions{.max_body_bytes = 2 << 20})
                    .ok());
  }

  const std::string big_ = BigBody();
  net::testing::TempDir dir_;
  net::testing::CertFiles files_;
  net::EventLoop loop_{"hm-io", 1};
  Router router_;
  base::MetricsRegistry metrics_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<stoq::StoqServer> stoq_;
  std::string base_;
  Http3FetchOptions fetch_;
};

TEST_F(Http3ClientTest, GetStatusBodyAndHeaders) {
  fetch_.headers = {{"X-Custom", "abc"}};
  auto r = Http3Fetch(base_ + "/hello?x=1", fetch_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello over h3");
  EXPECT_EQ(HeaderValue(*r, "content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(HeaderValue(*r, "content-length"), "13");
  EXPECT_EQ(HeaderValue(*r, "server"), "hypermeshd");
  EXPECT_EQ(HeaderValue(*r, "x-seen-agent"), "hm/0.1");
  EXPECT_EQ(HeaderValue(*r, "x-seen-custom"), "abc");
}

TEST_F(Http3ClientTest, FiveMegabyteBodyIsByteExact) {
  auto r = Http3Fetch(base_ + "/big", fetch_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(r->body.size(), big_.size());
  EXPECT_TRUE(r->body == big_);
}

TEST_F(Http3ClientTest, SourcedBodyIsByteExact) {
  auto r = Http3Fetch(base_ + "/big-sourced", fetch_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(HeaderValue(*r, "content-length"), std::to_string(big_.size()));
  ASSERT_EQ(r->body.size(), big_.size());
  EXPECT_TRUE(r->body == big_);
}

TEST_F(Http3ClientTest, PostEcho) {
  fetch_.method = "POST";
  fetch_.body = std::string(300000, 'x') + "end";
  auto r = Http3Fetch(base_ + "/echo", fetch_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(HeaderValue(*r, "x-method"), "POST");
  EXPECT_TRUE(r->body == fetch_.body) << r->body.size();
}

TEST_F(Http3ClientTest, NotFoundIsAResponseWithJsonBody) {
  auto r = Http3Fetch(base_ + "/no/such/route", fetch_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(HeaderValue(*r, "content-type"), "application/json");
  auto j = json::parse(r->body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r->body;
  EXPECT_TRUE(j.contains("code")) << r->body;
}

TEST_F(Http3ClientTest, OnBodyStreamsWithoutKeeping) {
  std::string streamed;
  size_t calls = 0;
  fetch_.on_body = [&](base::ByteSpan b) {
    ++calls;
    streamed.append(reinterpret_cast<const char*>(b.data()), b.size());
  };
  auto r = Http3Fetch(base_ + "/big", fetch_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  EXPECT_GT(calls, 1u);
  EXPECT_TRUE(streamed == big_) << streamed.size();
}

TEST_F(Http3ClientTest, BodyLargerThanLimitIsResourceExhausted) {
  fetch_.max_body_bytes = 1 << 20;
  auto r = Http3Fetch(base_ + "/big", fetch_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kResourceExhausted) << r.status().ToString();
  // Exactly at the limit is fine.
  fetch_.max_body_bytes = big_.size();
  auto ok = Http3Fetch(base_ + "/big", fetch_);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->body.size(), big_.size());
}

TEST_F(Http3ClientTest, VerificationIsOnWithoutInsecure) {
  Http3FetchOptions o;
  o.timeout = std::chrono::seconds(10);
  auto none = Http3Fetch(base_ + "/hello", o);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(none.status().message().find("--insecure"), std::string::npos);
  // A CA that did not issue the server's certificate: the handshake must fail.
  auto other = net::testing::MakeSelfSignedCert({"other.example"}, {});
  ASSERT_TRUE(other.ok());
  auto other_files = net::testing::WriteCertFiles(dir_, *other, "other");
  ASSERT_TRUE(other_files.ok());
  o.ca_file = other_files->cert_path;
  auto r = Http3Fetch(base_ + "/hello", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("handshake"), std::string::npos) << r.status().ToString();
}

TEST_F(Http3ClientTest, BadUrlsAreRejectedBeforeConnecting) {
  for (const char* url :
       {"http://[::1]:1/x", "ftp://[::1]/", "[::1]/x", "https:///x", "https://[::1",
        "https://::1/x", "https://[::1]:0/", "https://[::1]:70000/", "https://u@[::1]/",
        "https://[::1]/a b", "https://bad_host!/"}) {
    auto r = Http3Fetch(url, fetch_);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << url;
  }
  auto v4 = Http3Fetch("https://127.0.0.1:8443/", fetch_);
  ASSERT_FALSE(v4.ok());
  EXPECT_NE(v4.status().message().find("IPv6-only"), std::string::npos) << v4.status().ToString();
  auto http = Http3Fetch("http://[::1]/", fetch_);
  EXPECT_NE(http.status().message().find("https"), std::string::npos);
}

TEST(Http3ClientNoServerTest, NothingListeningTimesOut) {
  Http3FetchOptions o;
  o.insecure = true;
  o.timeout = std::chrono::milliseconds(1500);
  const auto start = std::chrono::steady_clock::now();
  auto r = Http3Fetch("https://[::1]:" + std::to_string(UnusedUdpPort()) + "/", o);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kDeadlineExceeded) << r.status().ToString();
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status().ToString();
  EXPECT_LT(took, std::chrono::milliseconds(3000));
  EXPECT_GE(took, std::chrono::milliseconds(1400));
}

TEST(ParseHttpsUrlTest, AcceptsNamesLiteralsPortsAndQueries) {
  auto a = ParseHttpsUrl("https://[::1]:8443/api/v1/status?x=1#frag");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 8443);
  EXPECT_EQ(a->authority, "[::1]:8443");
  EXPECT_EQ(a->target, "/api/v1/status?x=1");
  auto b = ParseHttpsUrl("HTTPS://Node.HyperMesh");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->host, "node.hypermesh");
  EXPECT_EQ(b->port, 443);
  EXPECT_EQ(b->authority, "node.hypermesh");
  EXPECT_EQ(b->target, "/");
  auto c = ParseHttpsUrl("https://example.org:443?q");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->authority, "example.org");
  EXPECT_EQ(c->target, "/?q");
}

TEST(ParseHttpsUrlTest, RejectsWithReasons) {
  EXPECT_NE(ParseHttpsUrl("http://x/").status().message().find("HTTP/3 needs https"),
            std::string::npos);
  EXPECT_NE(ParseHttpsUrl("https://fe80::1/").status().message().find("brackets"),
            std::string::npos);
  EXPECT_NE(ParseHttpsUrl("https://[::ffff:10.0.0.1]/").status().message().find("IPv6-only"),
            std::string::npos);
  EXPECT_NE(ParseHttpsUrl("https://x:99999/").status().message().find("port"), std::string::npos);
  EXPECT_NE(ParseHttpsUrl("https://x:/").status().message().find("port"), std::string::npos);
  EXPECT_FALSE(ParseHttpsUrl("https://x/\x01").ok());
  EXPECT_FALSE(ParseHttpsUrl("https://[::1]x/").ok());
  EXPECT_FALSE(ParseHttpsUrl("https://a..b/").ok());
}

TEST(H3ErrorNameTest, KnownAndUnknownCodes) {
  EXPECT_EQ(H3ErrorName(0x100), "H3_NO_ERROR");
  EXPECT_EQ(H3ErrorName(0x10c), "H3_REQUEST_CANCELLED");
  EXPECT_EQ(H3ErrorName(0x110), "H3_VERSION_FALLBACK");
  EXPECT_EQ(H3ErrorName(0x200), "QPACK_DECOMPRESSION_FAILED");
  EXPECT_EQ(H3ErrorName(0x111), "");
  EXPECT_EQ(H3ErrorName(0), "");
}

}  // namespace
}  // namespace hm::api
