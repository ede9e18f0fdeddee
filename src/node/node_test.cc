#include "node/node.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/http_client.h"
#include "base/clock.h"
#include "storage/test_util.h"
#include "trustchain/ca/ca_module.h"

namespace hm::node {
namespace {

NodeOptions DevOptions(const std::string& dir) {
  NodeOptions o = NodeOptions::Dev();
  o.data_dir = dir;
  o.api.port = 0;
  o.dns.port = 0;
  o.api.io_threads = 1;
  o.api.handler_threads = 1;
  return o;
}

api::ClientOptions ClientFor(const Node& node) {
  api::ClientOptions c;
  c.port = node.api_port();
  c.ca_file = node.layout().tls_root;
  return c;
}

TEST(NodeTest, DevNodeServesStatusAndKeepsKeysPrivate) {
  storage::testing::TempDir dir;
  Node node(DevOptions(dir.Sub("data")));
  ASSERT_TRUE(node.Start().ok());
  auto health = api::HttpsRequest(ClientFor(node), "GET", "/healthz");
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
  auto status = api::HttpsRequest(ClientFor(node), "GET", "/api/v1/status");
  ASSERT_TRUE(status.ok());
  auto j = nlohmann::json::parse(status->body);
  EXPECT_EQ(j["node_id"], node.node_id_hex());
  // The node's own TLS certificate: a CT add_entry block, then the ca issue block; then the
  // node's four DNS records, submitted together (the sequencer may seal the first one alone).
  EXPECT_GE(j["chain_height"].get<uint64_t>(), 3u);
  EXPECT_LE(j["chain_height"].get<uint64_t>(), 6u);
  EXPECT_EQ(j["version"], kVersion);

  struct stat st;
  for (const char* f : {"node_ed25519.pem", "tls_ecdsa_p256.pem", "ca_root_ecdsa.pem",
                        "ca_root_falcon1024.pem", "ca_issuing_ecdsa.pem",
                        "ca_issuing_falcon1024.pem", "ct_log_ecdsa.pem", "ct_log_falcon1024.pem",
                        "admin.token"}) {
    const std::string path = node.layout().keys + "/" + f;
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << path;
  }
  ASSERT_EQ(::stat(node.layout().keys.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  node.Shutdown();
}

// The serial (hex) of the certificate a TLS handshake with [::1]:port presents, verified
// against `ca_file`; "" on any failure.
std::string PeerSerial(uint16_t port, const std::string& ca_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_port = htons(port);
  addr.sin6_addr = in6addr_loopback;
  std::string serial;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1 && SSL_get_verify_result(ssl) == X509_V_OK) {
      X509* peer = SSL_get1_peer_certificate(ssl);
      serial = trustchain::ca::SerialHex(trustchain::ca::SerialOf(peer));
      X509_free(peer);
    }
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  return serial;
}

TEST(NodeTest, TlsCertificateComesFromTrustChainAndRenewsBeforeExpiry) {
  storage::testing::TempDir dir;
  // The node clock starts 20 h in the past so both certificates are valid in real time, which
  // the TLS client checks.
  const int64_t now_ms = base::SystemClock::Instance().NowUnixMillis();
  base::ManualClock clock(now_ms - 20 * 3600 * 1000);
  Node node(DevOptions(dir.Sub("data")), &clock);
  ASSERT_TRUE(node.Start().ok());
  const std::string first = node.tls_serial();
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(PeerSerial(node.api_port(), node.layout().tls_root), first);

  // 24 h validity, renewal when < 6 h remain: not yet after 17 h...
  clock.Advance(std::chrono::hours(17));
  auto renewed = node.RenewTlsIfDue();
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_FALSE(*renewed);
  EXPECT_EQ(node.tls_serial(), first);
  // ...but after 18 h 5 min.
  clock.Advance(std::chrono::minutes(65));
  renewed = node.RenewTlsIfDue();
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_TRUE(*renewed);
  const std::string second = node.tls_serial();
  EXPECT_NE(second, first);
  // New connections get the new certificate, and it is recorded by the CA.
  EXPECT_EQ(PeerSerial(node.api_port(), node.layout().tls_root), second);
  auto show = api::HttpsRequest(ClientFor(node), "GET", "/api/v1/certificates/" + second);
  ASSERT_TRUE(show.ok()) << show.status().ToString();
  EXPECT_EQ(show->status, 200) << show->body;
  node.Shutdown();

  // A restart keeps the still-fresh certificate.
  Node again(DevOptions(dir.Sub("data")), &clock);
  ASSERT_TRUE(again.Start().ok());
  EXPECT_EQ(again.tls_serial(), second);
}

TEST(NodeTest, RestartKeepsIdentityAndChain) {
  storage::testing::TempDir dir;
  std::string id;
  {
    Node node(DevOptions(dir.Sub("data")));
    ASSERT_TRUE(node.Start().ok());
    id = node.node_id_hex();
  }
  Node again(DevOptions(dir.Sub("data")));
  ASSERT_TRUE(again.Start().ok());
  EXPECT_EQ(again.node_id_hex(), id);
}

TEST(NodeTest, BusyPortFailsBeforeWritingAnything) {
  storage::testing::TempDir dir;
  Node first(DevOptions(dir.Sub("a")));
  ASSERT_TRUE(first.Start().ok());
  NodeOptions o = DevOptions(dir.Sub("b"));
  o.api.port = first.api_port();
  Node second(o);
  auto st = second.Start();
  EXPECT_EQ(st.code(), base::Code::kUnavailable);
  EXPECT_NE(st.message().find("already in use"), std::string::npos) << st.message();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("b")));
}

TEST(NodeTest, BusyDnsPortFailsBeforeWritingAnything) {
  storage::testing::TempDir dir;
  Node first(DevOptions(dir.Sub("a")));
  ASSERT_TRUE(first.Start().ok());
  NodeOptions o = DevOptions(dir.Sub("b"));
  o.dns.port = first.dns_port();
  Node second(o);
  auto st = second.Start();
  EXPECT_EQ(st.code(), base::Code::kUnavailable);
  EXPECT_NE(st.message().find("dns.port"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("already in use"), std::string::npos) << st.message();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("b")));
}

// The node registers <id>.hypermesh (AAAA + HTTPS with alpn h3,stoq/1 and its port) at start and
// answers it over UDP, also after a restart.
TEST(NodeTest, NodeAnswersItsOwnNamesOverUdp) {
  storage::testing::TempDir dir;
  auto ask = [](uint16_t port, const std::string& name, uint16_t type) {
    trustchain::dns::Message q;
    q.header.id = 77;
    q.questions.push_back({*trustchain::dns::Name::FromText(name), type, trustchain::dns::kClassIn});
    const base::Bytes wire = trustchain::dns::SerializeMessage(q, 512, nullptr);
    int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(port);
    to.sin6_addr = in6addr_loopback;
    base::Bytes buf(65535);
    ssize_t n = -1;
    for (int attempt = 0; attempt < 3 && n < 0; ++attempt) {
      ::sendto(fd, wire.data(), wire.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      n = ::recv(fd, buf.data(), buf.size(), 0);
    }
    ::close(fd);
    buf.resize(n < 0 ? 0 : static_cast<size_t>(n));
    return trustchain::dns::ParseMessage(buf);
  };
  std::string label;
  {
    Node node(DevOptions(dir.Sub("data")));
    ASSERT_TRUE(node.Start().ok());
    label = node.node_id_hex().substr(0, 16);
    auto r = ask(node.dns_port(), label + ".hypermesh", trustchain::dns::rrtype::kHttps);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->header.aa);
    EXPECT_EQ(r->header.id, 77);
    ASSERT_EQ(r->answers.size(), 1u);
    const auto& https = std::get<trustchain::dns::SvcbRecord>(r->answers[0].rdata);
    ASSERT_EQ(https.params.size(), 3u);
    EXPECT_EQ(std::get<trustchain::dns::SvcAlpn>(https.params[0].value).ids,
              (std::vector<std::string>{"h3", "stoq/1"}));
    EXPECT_EQ(std::get<trustchain::dns::SvcPort>(https.params[1].value).port, node.api_port());
    auto nx = ask(node.dns_port(), "nothing-here.hypermesh", trustchain::dns::rrtype::kAaaa);
    ASSERT_TRUE(nx.ok());
    EXPECT_EQ(nx->header.rcode, 3);
    ASSERT_EQ(nx->authority.size(), 1u);
    EXPECT_EQ(nx->authority[0].type, trustchain::dns::rrtype::kSoa);
  }
  Node again(DevOptions(dir.Sub("data")));
  ASSERT_TRUE(again.Start().ok());
  auto r = ask(again.dns_port(), "trust.hypermesh", trustchain::dns::rrtype::kAaaa);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->answers.size(), 1u);
  EXPECT_EQ(std::get<trustchain::dns::AaaaRecord>(r->answers[0].rdata).address[15], 1);
}

TEST(NodeTest, SecondNodeOnTheSameDataDirIsRefused) {
  storage::testing::TempDir dir;
  Node first(DevOptions(dir.Sub("data")));
  ASSERT_TRUE(first.Start().ok());
  Node second(DevOptions(dir.Sub("data")));
  auto st = second.Start();
  EXPECT_EQ(st.code(), base::Code::kUnavailable);
  EXPECT_NE(st.message().find(dir.Sub("data")), std::string::npos) << st.message();
}

TEST(NodeTest, ProductionModeNeedsAGenesisFile) {
  storage::testing::TempDir dir;
  NodeOptions o = DevOptions(dir.Sub("data"));
  o.dev = false;
  Node node(o);
  auto st = node.Start();
  EXPECT_EQ(st.code(), base::Code::kNotFound);
  EXPECT_NE(st.message().find("genesis.file"), std::string::npos);
}

}  // namespace
}  // namespace hm::node
