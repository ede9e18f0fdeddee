#include "net/tls_context.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <thread>

#include "net/tcp_listener.h"
#include "net/test_certs.h"

namespace hm::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = testing::MakeSelfSignedCert({"localhost"}, {"::1"});
    ASSERT_TRUE(cert.ok()) << cert.status().ToString();
    auto files = testing::WriteCertFiles(dir_, *cert);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    files_ = *files;
  }

  // Runs one TLS handshake over [::1]; returns the client's error (empty on success).
  boost::system::error_code Handshake(TlsContext& server, TlsContext& client,
                                      std::string_view peer) {
    asio::io_context io;
    auto listener = TcpListener::Open(io, *ParseListenAddress("::1", 0));
    EXPECT_TRUE(listener.ok());
    const uint16_t port = (*listener)->port();
    std::thread server_thread([&] {
      boost::system::error_code ec;
      tcp::socket sock(io);
      (*listener)->acceptor().accept(sock, ec);
      if (ec) return;
      asio::ssl::stream<tcp::socket> s(std::move(sock), server.native());
      s.handshake(asio::ssl::stream_base::server, ec);
    });
    asio::ssl::stream<tcp::socket> c(io, client.native());
    EXPECT_TRUE(SetClientPeerIdentity(c.native_handle(), peer).ok());
    boost::system::error_code ec;
    c.next_layer().connect(tcp::endpoint(asio::ip::make_address("::1"), port), ec);
    if (!ec) c.handshake(asio::ssl::stream_base::client, ec);
    boost::system::error_code ignored;
    c.next_layer().close(ignored);
    server_thread.join();
    return ec;
  }

  testing::TempDir dir_;
  testing::CertFiles files_;
};

TEST_F(TlsContextTest, ServerContextIsTls13Only) {
  auto ctx = MakeServerTlsContext(files_.cert_path, files_.key_path);
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*ctx)->native_handle()), TLS1_3_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version((*ctx)->native_handle()), TLS1_3_VERSION);
}

TEST_F(TlsContextTest, MissingFileIsNamed) {
  const std::string missing = dir_.path() + "/nope.pem";
  auto r = MakeServerTlsContext(missing, files_.key_path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kIoError);
  EXPECT_NE(r.status().message().find(missing), std::string_view::npos);
  auto k = MakeServerTlsContext(files_.cert_path, missing);
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find(missing), std::string_view::npos);
  auto ca = MakeClientTlsContext(missing, true);
  ASSERT_FALSE(ca.ok());
  EXPECT_NE(ca.status().message().find(missing), std::string_view::npos);
}

TEST_F(TlsContextTest, GarbageAndMismatchedKeyAreRejected) {
  auto junk = dir_.WriteFile("junk.pem", "not a certificate\n");
  ASSERT_TRUE(junk.ok());
  auto r = MakeServerTlsContext(*junk, files_.key_path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(*junk), std::string_view::npos);

  auto other = testing::MakeSelfSignedCert({"localhost"}, {});
  ASSERT_TRUE(other.ok());
  auto other_files = testing::WriteCertFiles(dir_, *other, "other");
  ASSERT_TRUE(other_files.ok());
  auto mismatch = MakeServerTlsContext(files_.cert_path, other_files->key_path);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(mismatch.status().message().find(other_files->key_path), std::string_view::npos)
      << mismatch.status().message();
}

TEST_F(TlsContextTest, HandshakeVerifiesIpAndName) {
  auto server = MakeServerTlsContext(files_.cert_path, files_.key_path);
  auto client = MakeClientTlsContext(files_.cert_path, true);
  ASSERT_TRUE(server.ok() && client.ok());
  EXPECT_FALSE(Handshake(**server, **client, "::1"));
  EXPECT_FALSE(Handshake(**server, **client, "[::1]"));
  EXPECT_FALSE(Handshake(**server, **client, "localhost"));
  EXPECT_TRUE(Handshake(**server, **client, "example.com"));
  EXPECT_TRUE(Handshake(**server, **client, "::2"));
}

TEST_F(TlsContextTest, UntrustedCertificateFailsUnlessVerifyDisabled) {
  auto other = testing::MakeSelfSignedCert({"localhost"}, {"::1"});
  ASSERT_TRUE(other.ok());
  auto other_files = testing::WriteCertFiles(dir_, *other, "other");
  ASSERT_TRUE(other_files.ok());
  auto server = MakeServerTlsContext(files_.cert_path, files_.key_path);
  auto wrong_ca = MakeClientTlsContext(other_files->cert_path, true);
  auto no_verify = MakeClientTlsContext("", false);
  ASSERT_TRUE(server.ok() && wrong_ca.ok() && no_verify.ok());
  EXPECT_TRUE(Handshake(**server, **wrong_ca, "::1"));
  EXPECT_FALSE(Handshake(**server, **no_verify, "::1"));
}

}  // namespace
}  // namespace hm::net
