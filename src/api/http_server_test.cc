#include "api/http_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/builtin_routes.h"
#include "api/errors.h"
#include "api/http_client.h"
#include "api/testing/raw_tls.h"
#include "net/tcp_listener.h"
#include "net/test_certs.h"

namespace hm::api {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using nlohmann::json;

// A bare TLS connection that can also read one HTTP/1.1 response.
class RawTls : public api::testing::RawTlsClient {
 public:
  // Reads exactly one response (the server may keep draining the connection after it).
  boost::beast::http::response<boost::beast::http::string_body> ReadOne() {
    boost::beast::http::response<boost::beast::http::string_body> res;
    boost::beast::error_code ec;
    boost::beast::http::read(stream(), buffer_, res, ec);
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

 private:
  boost::beast::flat_buffer buffer_;
};

class HttpServerTest : public ::testing::Test {
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
    options.read_timeout = std::chrono::seconds(5);
    server_ = std::make_unique<HttpServer>(options, loop_, *tls, router_, metrics_);
    ASSERT_TRUE(server_->Start().ok());
    client_.port = server_->port();
    client_.ca_file = files_.cert_path;
    client_.timeout = std::chrono::seconds(10);
  }

  void TearDown() override {
    release_.set_value();
    server_.reset();
    loop_.Stop();
  }

  void RegisterRoutes() {
    ASSERT_TRUE(RegisterBuiltinRoutes(router_, metrics_, [] { return json{{"height", 7}}; }).ok());
    ASSERT_TRUE(router_
                    .Add("POST", "/api/v1/echo",
                         [](const Request& r) {
                           auto body = ParseJsonBody(r);
                           if (!body.ok()) return ErrorResponse(body.status());
                           return Response::Json(200, json{{"echo", *body}});
                         })
                    .ok());
    ASSERT_TRUE(router_
                    .Add(
                        "POST", "/small", [](const Request&) { return Response::Text(200, "ok"); },
                        RouteOptions{.max_body_bytes = 16})
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

  base::Result<ClientResponse> Get(const std::string& target) {
    return HttpsRequest(client_, "GET", target);
  }
  base::Result<ClientResponse> PostJson(const std::string& target, const std::string& body,
                                        const std::string& type = "application/json") {
    return HttpsRequest(client_, "POST", target, body, type);
  }
  net::testing::TempDir dir_;
  net::testing::CertFiles files_;
  net::EventLoop loop_{"hm-io", 2};
  Router router_;
  base::MetricsRegistry metrics_;
  std::unique_ptr<HttpServer> server_;
  ClientOptions client_;
  std::promise<void> slow_entered_;
  std::promise<void> release_;
};

void ExpectJsonError(const base::Result<ClientResponse>& r, int status, const std::string& code) {
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(r->content_type, "application/json");
  EXPECT_EQ(json::parse(r->body)["code"], code) << r->body;
}

TEST_F(HttpServerTest, Healthz) {
  auto r = Get("/healthz");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body), (json{{"status", "ok"}}));
  EXPECT_EQ(r->headers["Server"], "hypermeshd");
  EXPECT_EQ(r->content_type, "application/json");
  EXPECT_EQ(r->headers["Content-Length"], std::to_string(r->body.size()));
}

TEST_F(HttpServerTest, StatusAndHead) {
  auto s = Get("/api/v1/status");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(json::parse(s->body)["height"], 7);
  auto head = HttpsRequest(client_, "HEAD", "/healthz");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_EQ(head->headers["Content-Length"],
            std::to_string(std::string(R"({"status":"ok"})").size()));
}

TEST_F(HttpServerTest, JsonPostRoundTrip) {
  auto r = PostJson("/api/v1/echo", R"({"name":"node-1","n":[1,2,3]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["echo"]["name"], "node-1");
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
  ExpectJsonError(PostJson("/api/v1/echo", std::string((1 << 20) + 1, ' ')), 413,
                  "PAYLOAD_TOO_LARGE");
  ExpectJsonError(PostJson("/small", std::string(17, 'x'), "text/plain"), 413, "PAYLOAD_TOO_LARGE");
  auto ok = PostJson("/small", std::string(16, 'x'), "text/plain");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, ChunkedOversizedBodyIs413) {
  RawTls raw;
  ASSERT_TRUE(raw.Connect(server_->port()));
  ASSERT_TRUE(
      raw.Write("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                "10\r\n0123456789abcdef\r\n5\r\nmore!\r\n0\r\n\r\n"));
  auto res = raw.ReadOne();
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_NE(res.body().find("PAYLOAD_TOO_LARGE"), std::string::npos);
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(HttpServerTest, MalformedJsonIs400AndWrongTypeIs415) {
  ExpectJsonError(PostJson("/api/v1/echo", R"({"a":)"), 400, "INVALID_ARGUMENT");
  ExpectJsonError(PostJson("/api/v1/echo", "{}", "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE");
}

TEST_F(HttpServerTest, UnknownRouteAndWrongMethod) {
  ExpectJsonError(Get("/nope"), 404, "NOT_FOUND");
  auto r = PostJson("/healthz", "{}");
  ExpectJsonError(r, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(r->headers["Allow"], "GET, HEAD");
}

TEST_F(HttpServerTest, HeaderTooLargeIs431) {
  auto r = HttpsRequest(client_, "GET", "/healthz", "", "", {{"X-Big", std::string(9000, 'a')}});
  ExpectJsonError(r, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE");
}

TEST_F(HttpServerTest, MalformedHttpIs400AndClosed) {
  RawTls raw;
  ASSERT_TRUE(raw.Connect(server_->port()));
  ASSERT_TRUE(raw.Write("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"));
  auto res = raw.ReadOne();
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(json::parse(res.body())["code"], "BAD_REQUEST");
  EXPECT_EQ(res[boost::beast::http::field::connection], "close");
  EXPECT_EQ(res[boost::beast::http::field::content_type], "application/json");
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredInOrder) {
  RawTls raw;
  ASSERT_TRUE(raw.Connect(server_->port()));
  ASSERT_TRUE(
      raw.Write("GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string out = raw.ReadToEnd();
  const size_t a = out.find("HTTP/1.1 200");
  const size_t b = out.find("HTTP/1.1 404");
  const size_t c = out.find("HTTP/1.1 200", a + 1);
  ASSERT_NE(a, std::string::npos) << out;
  ASSERT_NE(b, std::string::npos) << out;
  ASSERT_NE(c, std::string::npos) << out;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(out.find(R"({"height":7})"), std::string::npos);
}

TEST_F(HttpServerTest, MetricsCountRequestsByRoutePattern) {
  ASSERT_TRUE(Get("/healthz").ok());
  ASSERT_TRUE(Get("/nope/123").ok());
  auto m = Get("/metrics");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->status, 200);
  EXPECT_EQ(m->content_type, kPrometheusContentType);
  EXPECT_NE(m->body.find(R"(hm_http_requests_total{route="/healthz",method="GET",code="200"} 1)"),
            std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find(R"(hm_http_requests_total{route="unmatched",method="GET",code="404"} 1)"),
            std::string::npos);
  EXPECT_NE(m->body.find("hm_http_request_duration_seconds_bucket{route=\"/healthz\""),
            std::string::npos);
  EXPECT_NE(m->body.find("hm_http_connections_active"), std::string::npos);
  EXPECT_EQ(m->body.find("/nope/123"), std::string::npos);
}

TEST_F(HttpServerTest, ClientReportsRefusedUntrustedAndMismatchedPeers) {
  asio::io_context io;
  uint16_t closed_port = 0;
  {
    auto l = net::TcpListener::Open(io, *net::ParseListenAddress("::1", 0));
    ASSERT_TRUE(l.ok());
    closed_port = (*l)->port();
  }
  ClientOptions refused = client_;
  refused.port = closed_port;
  auto r = HttpsRequest(refused, "GET", "/healthz");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kUnavailable);
  EXPECT_NE(r.status().message().find("[::1]:" + std::to_string(closed_port)),
            std::string_view::npos);

  auto other = net::testing::MakeSelfSignedCert({"localhost"}, {"::1"});
  ASSERT_TRUE(other.ok());
  auto other_files = net::testing::WriteCertFiles(dir_, *other, "other");
  ASSERT_TRUE(other_files.ok());
  ClientOptions untrusted = client_;
  untrusted.ca_file = other_files->cert_path;
  auto u = HttpsRequest(untrusted, "GET", "/healthz");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), base::Code::kUnauthenticated) << u.status().ToString();

  ClientOptions by_name = client_;
  by_name.server_name = "localhost";
  EXPECT_TRUE(HttpsRequest(by_name, "GET", "/healthz").ok());
  by_name.server_name = "evil.example";
  auto wrong = HttpsRequest(by_name, "GET", "/healthz");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), base::Code::kUnauthenticated);

  ClientOptions v4 = client_;
  v4.host = "127.0.0.1";
  EXPECT_EQ(HttpsRequest(v4, "GET", "/healthz").status().code(), base::Code::kInvalidArgument);
}

TEST_F(HttpServerTest, BusyPortIsUnavailable) {
  HttpServerOptions options;
  options.listen_port = server_->port();
  auto tls = net::MakeServerTlsContext(files_.cert_path, files_.key_path);
  ASSERT_TRUE(tls.ok());
  HttpServer second(options, loop_, *tls, router_, metrics_);
  base::Status s = second.Start();
  EXPECT_EQ(s.code(), base::Code::kUnavailable);
  EXPECT_EQ(s.message(), "address [::1]:" + std::to_string(server_->port()) + " is already in use");
}

TEST_F(HttpServerTest, GracefulShutdownFinishesInFlightAndClosesIdle) {
  RawTls idle;
  ASSERT_TRUE(idle.Connect(server_->port()));
  auto in_flight = std::async(std::launch::async, [this] { return Get("/slow"); });
  slow_entered_.get_future().wait();

  const auto started = std::chrono::steady_clock::now();
  std::thread shutdown([this] { server_->Shutdown(std::chrono::seconds(20)); });
  // Shutdown has begun once the listener refuses new connections.
  for (int i = 0; i < 2000; ++i) {
    asio::io_context io;
    tcp::socket probe(io);
    boost::system::error_code ec;
    probe.connect(tcp::endpoint(asio::ip::make_address("::1"), client_.port), ec);
    if (ec) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  release_.set_value();
  release_ = std::promise<void>();  // TearDown sets it again
  auto r = in_flight.get();
  shutdown.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["slow"], true);
  EXPECT_EQ(r->headers["Connection"], "close");
  // The idle connection did not hold shutdown until the timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_TRUE(idle.ReadToEnd().empty());
  EXPECT_FALSE(Get("/healthz").ok());
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponse) {
  RawTls raw;
  ASSERT_TRUE(raw.Connect(server_->port()));
  ASSERT_TRUE(
      raw.Write("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                "\r\nContent-Length: 8\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = raw.ReadOne();
  EXPECT_EQ(interim.result_int(), 100u);
  ASSERT_TRUE(raw.Write(R"({"a":1})"
                        "\n"));
  auto res = raw.ReadOne();
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(json::parse(res.body())["echo"]["a"], 1);
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreClosed) {
  HttpServerOptions options;
  options.listen_port = 0;
  options.max_connections = 1;
  auto tls = net::MakeServerTlsContext(files_.cert_path, files_.key_path);
  ASSERT_TRUE(tls.ok());
  HttpServer limited(options, loop_, *tls, router_, metrics_);
  ASSERT_TRUE(limited.Start().ok());
  RawTls first;
  ASSERT_TRUE(first.Connect(limited.port()));  // handshake done: the session is registered
  ClientOptions c = client_;
  c.port = limited.port();
  auto r = HttpsRequest(c, "GET", "/healthz");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kUnavailable) << r.status().ToString();
  EXPECT_NE(metrics_.RenderPrometheus().find("hm_http_connections_rejected_total 1"),
            std::string::npos);
}

TEST_F(HttpServerTest, SetTlsContextServesNewCertificate) {
  auto renewed = net::testing::MakeSelfSignedCert({"localhost"}, {"::1"});
  ASSERT_TRUE(renewed.ok());
  auto files = net::testing::WriteCertFiles(dir_, *renewed, "renewed");
  ASSERT_TRUE(files.ok());
  auto tls = net::MakeServerTlsContext(files->cert_path, files->key_path);
  ASSERT_TRUE(tls.ok());
  server_->SetTlsContext(*tls);
  ClientOptions c = client_;
  c.ca_file = files->cert_path;
  auto r = HttpsRequest(c, "GET", "/healthz");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Get("/healthz").status().code(), base::Code::kUnauthenticated);
}

TEST(HttpServerOptionsTest, ValidateNamesTheOption) {
  HttpServerOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.listen_host = "127.0.0.1";
  EXPECT_NE(o.Validate().message().find("listen_host: IPv4 address '127.0.0.1'"),
            std::string_view::npos);
  o = HttpServerOptions();
  o.max_body_bytes = 0;
  EXPECT_NE(o.Validate().message().find("max_body_bytes"), std::string_view::npos);
  o = HttpServerOptions();
  o.max_header_bytes = 10;
  EXPECT_NE(o.Validate().message().find("max_header_bytes"), std::string_view::npos);
  o = HttpServerOptions();
  o.read_timeout = std::chrono::milliseconds(0);
  EXPECT_NE(o.Validate().message().find("read_timeout"), std::string_view::npos);
  o = HttpServerOptions();
  o.handler_threads = 0;
  EXPECT_NE(o.Validate().message().find("handler_threads"), std::string_view::npos);
  o = HttpServerOptions();
  o.max_connections = 0;
  EXPECT_NE(o.Validate().message().find("max_connections"), std::string_view::npos);
}

}  // namespace
}  // namespace hm::api
