// Drives a client Connection against a server Endpoint in memory, with a manual clock: handshake,
// stream echo, Retry, the connection cap, idle timeout, stateless reset, version negotiation,
// junk datagrams, and key updates with and without a mixed-in secret.
#include "stoq/connection.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "net/test_certs.h"
#include "stoq/endpoint.h"

namespace hm::stoq {
namespace {

constexpr char kAlpn[] = "stoq-test";

// Echo (server) or send-and-collect (client) over bidirectional streams.
class EchoApp final : public Application {
 public:
  EchoApp(Connection& conn, bool echo) : conn_(conn), echo_(echo) {}
  base::Status OnHandshakeCompleted() override {
    peer_certificates_ = PeerCertificateChain(conn_.tls()).size();
    return base::Status::Ok();
  }
  base::Status OnStreamData(int64_t id, base::ByteSpan data, bool fin) override {
    auto& s = streams_[id];
    s.received.append(reinterpret_cast<const char*>(data.data()), data.size());
    s.fin_received = s.fin_received || fin;
    conn_.ExtendStreamWindow(id, data.size());
    if (echo_) {
      s.out.append(reinterpret_cast<const char*>(data.data()), data.size());
      s.fin_out = fin;
      s.blocked = false;
    }
    return base::Status::Ok();
  }
  base::Status OnStreamAcked(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStreamClose(int64_t id, uint64_t) override {
    closed_.push_back(id);
    return base::Status::Ok();
  }
  base::Status OnStreamReset(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStopSending(int64_t, uint64_t) override { return base::Status::Ok(); }
  void OnStreamWritable(int64_t id) override { streams_[id].blocked = false; }
  base::Status NextChunk(StreamChunk* out) override {
    for (auto& [id, s] : streams_) {
      if (s.blocked) continue;
      const size_t left = s.out.size() - s.sent;
      if (left == 0 && !(s.fin_out && !s.fin_sent)) continue;
      out->stream_id = id;
      out->fin = s.fin_out;
      out->vecs[0] = {reinterpret_cast<uint8_t*>(s.out.data() + s.sent), left};
      out->count = left > 0 ? 1 : 0;
      return base::Status::Ok();
    }
    return base::Status::Ok();
  }
  base::Status OnChunkWritten(int64_t id, size_t n) override {
    auto& s = streams_[id];
    s.sent += n;
    if (s.sent == s.out.size() && s.fin_out) s.fin_sent = true;
    return base::Status::Ok();
  }
  void OnStreamBlocked(int64_t id, bool) override { streams_[id].blocked = true; }

  void Send(int64_t id, std::string data) {
    auto& s = streams_[id];
    s.out += data;
    s.fin_out = true;
  }
  std::string Received(int64_t id) { return streams_[id].received; }
  size_t peer_certificates() const { return peer_certificates_; }
  bool Finished(int64_t id) { return streams_[id].fin_received; }

 private:
  struct S {
    std::string out, received;
    size_t sent = 0;
    bool fin_out = false, fin_sent = false, fin_received = false, blocked = false;
  };
  Connection& conn_;
  bool echo_;
  std::map<int64_t, S> streams_;
  std::vector<int64_t> closed_;
  size_t peer_certificates_ = 0;
};

sockaddr_in6 Addr(uint16_t port) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  a.sin6_port = htons(port);
  return a;
}

struct Queue final : PacketSink {
  std::deque<base::Bytes> packets;
  base::Bytes scratch = base::Bytes(kScratchBytes);
  void Send(const sockaddr_in6&, base::ByteSpan bytes, size_t segment) override {
    for (size_t off = 0; off < bytes.size(); off += segment) {
      const size_t n = std::min(segment, bytes.size() - off);
      packets.emplace_back(bytes.begin() + off, bytes.begin() + off + n);
    }
  }
  std::span<uint8_t> Scratch() override { return scratch; }
};

class StoqConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = net::testing::MakeSelfSignedCert({"localhost"}, {"::1"});
    ASSERT_TRUE(cert.ok());
    auto files = net::testing::WriteCertFiles(dir_, *cert);
    ASSERT_TRUE(files.ok());
    auto server_cred = TlsCredentials::FromPemFiles(files->cert_path, files->key_path);
    ASSERT_TRUE(server_cred.ok()) << server_cred.status().ToString();
    server_cred_ = *server_cred;
    // The self-signed test certificate (CA:FALSE) is not accepted as its own anchor by GnuTLS:
    // these clients do not verify; the tests that do use a test CA (MakeCaSignedCert).
    auto client_cred = TlsCredentials::ForClient("", "", "");
    ASSERT_TRUE(client_cred.ok()) << client_cred.status().ToString();
    client_cred_ = *client_cred;
  }

  void MakeServer(EndpointOptions o = {}, std::vector<std::string> alpns = {kAlpn}) {
    o.alpns = std::move(alpns);
    endpoint_ = std::make_unique<Endpoint>(
        o, server_cred_,
        [this](const std::string&, Connection& c) -> std::unique_ptr<Application> {
          auto app = std::make_unique<EchoApp>(c, /*echo=*/true);
          server_apps_.push_back(app.get());
          return app;
        },
        server_random_, base::Bytes(32, 7));
  }

  std::unique_ptr<Connection> MakeClient(uint16_t port,
                                         const std::string& server_name = "localhost",
                                         const std::string& alpn = kAlpn) {
    Path p{Addr(port), Addr(4433)};
    auto c = Connection::NewClient(
        ConnectionOptions{}, *client_cred_, server_name, {alpn}, p,
        [this](const std::string&, Connection& conn) -> std::unique_ptr<Application> {
          auto app = std::make_unique<EchoApp>(conn, /*echo=*/false);
          client_app_ = app.get();
          return app;
        },
        client_random_, now_);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  // Moves packets both ways until quiet; returns the client's first error.
  base::Status Pump(Connection& client, int rounds = 50) {
    for (int i = 0; i < rounds; ++i) {
      now_ += kMillisecond;
      base::Status s = client.Write(to_server_, now_);
      if (!s.ok()) return s;
      while (!to_server_.packets.empty()) {
        base::Bytes p = std::move(to_server_.packets.front());
        to_server_.packets.pop_front();
        endpoint_->OnDatagram(Path{Addr(4433), client.path().local}, p, now_, to_client_);
      }
      endpoint_->OnTimer(now_, to_client_);
      while (!to_client_.packets.empty()) {
        base::Bytes p = std::move(to_client_.packets.front());
        to_client_.packets.pop_front();
        s = client.Read(client.path(), p, now_);
        if (!s.ok()) return s;
      }
      if (now_ >= client.expiry()) {
        s = client.HandleExpiry(now_);
        if (!s.ok()) return s;
      }
    }
    return base::Status::Ok();
  }

  net::testing::TempDir dir_;
  std::shared_ptr<TlsCredentials> server_cred_, client_cred_;
  base::SeededRandom server_random_{1}, client_random_{2};
  std::unique_ptr<Endpoint> endpoint_;
  std::vector<EchoApp*> server_apps_;
  EchoApp* client_app_ = nullptr;
  Queue to_server_, to_client_;
  Timestamp now_ = 1'000'000'000;
};

TEST_F(StoqConnectionTest, HandshakeAndEcho) {
  MakeServer();
  auto client = MakeClient(5000);
  base::Status pumped = Pump(*client);
  ASSERT_TRUE(pumped.ok()) << pumped.ToString();
  ASSERT_TRUE(client->handshake_completed());
  EXPECT_EQ(client->alpn(), kAlpn);
  // Both TLS sessions are freed once the handshake is done; the traffic below runs without.
  EXPECT_EQ(client->tls(), nullptr);
  ASSERT_NE(endpoint_->Find(1), nullptr);
  EXPECT_EQ(endpoint_->Find(1)->tls(), nullptr);
  auto id = client->OpenBidiStream();
  ASSERT_TRUE(id.ok());
  const std::string payload(100'000, 'x');
  client_app_->Send(*id, payload);
  ASSERT_TRUE(Pump(*client, 200).ok());
  EXPECT_EQ(client_app_->Received(*id), payload);
  EXPECT_TRUE(client_app_->Finished(*id));
  EXPECT_EQ(endpoint_->connection_count(), 1u);
  EXPECT_EQ(endpoint_->stats().connections_accepted, 1u);
  EXPECT_EQ(endpoint_->handshakes_in_progress(), 0u);
}

// Only stoq/1 asks for a client certificate: a client with one sends it there and keeps it on
// every other ALPN (h3 clients such as browsers would otherwise be asked to pick one).
TEST_F(StoqConnectionTest, OnlyStoqAsksForAClientCertificate) {
  auto cert = net::testing::MakeSelfSignedCert({"client"}, {});
  ASSERT_TRUE(cert.ok());
  auto files = net::testing::WriteCertFiles(dir_, *cert, "client");
  ASSERT_TRUE(files.ok());
  auto cred = TlsCredentials::ForClient("", files->cert_path, files->key_path);
  ASSERT_TRUE(cred.ok()) << cred.status().ToString();
  client_cred_ = *cred;
  MakeServer({}, {kAlpn, std::string(kAlpnStoq)});
  for (const std::string& alpn : {std::string(kAlpn), std::string(kAlpnStoq)}) {
    SCOPED_TRACE(alpn);
    auto client = MakeClient(alpn == kAlpn ? 5000 : 5001, "localhost", alpn);
    ASSERT_TRUE(Pump(*client).ok());
    ASSERT_TRUE(client->handshake_completed());
    EXPECT_EQ(client->alpn(), alpn);
    ASSERT_FALSE(server_apps_.empty());
    EXPECT_EQ(server_apps_.back()->peer_certificates(), alpn == kAlpnStoq ? 1u : 0u);
  }
}

// A certificate flight past the anti-amplification allowance (3 x the client's 1,200-byte
// Initial), like a hybrid chain with Falcon-1024 keys: once the client's Handshake ACK lifts the
// limit, the rest must go out at once, not after a pacing gap computed from the 333 ms initial
// RTT (which made such handshakes take ~60 ms on loopback).
TEST_F(StoqConnectionTest, LargeCertificateFlightIsNotPacedBehindTheInitialRtt) {
  std::vector<std::string> names;
  for (int i = 0; i < 300; ++i)
    names.push_back(fmt::format("host-{:03}.a-long-test-domain.example", i));
  auto cert = net::testing::MakeSelfSignedCert(names, {"::1"});
  ASSERT_TRUE(cert.ok());
  net::testing::TempDir big_dir;
  auto files = net::testing::WriteCertFiles(big_dir, *cert);
  ASSERT_TRUE(files.ok());
  auto cred = TlsCredentials::FromPemFiles(files->cert_path, files->key_path);
  ASSERT_TRUE(cred.ok()) << cred.status().ToString();
  ASSERT_GT(cert->cert_pem.size(), 3 * 3 * 1200u);  // DER is ~3/4 of PEM: > 3 x 1,200 bytes
  server_cred_ = *cred;
  MakeServer();
  auto client = MakeClient(5000);
  int rounds = 0;  // each one millisecond of fake time
  while (!client->handshake_completed() && rounds < 200) {
    ASSERT_TRUE(Pump(*client, 1).ok());
    ++rounds;
  }
  ASSERT_TRUE(client->handshake_completed());
  EXPECT_LE(rounds, 10);
}

// A client that verifies: the first handshake checks the chain in full, the next one to the same
// name with the same chain takes the remembered verdict, and the name stays part of it.
TEST_F(StoqConnectionTest, ClientRemembersAVerifiedChainPerName) {
  auto chain = net::testing::MakeCaSignedCert({"localhost"}, {"::1"});
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  net::testing::TempDir ca_dir;
  auto files = net::testing::WriteCertFiles(ca_dir, chain->leaf);
  auto ca_file = ca_dir.WriteFile("ca.pem", chain->ca_pem);
  ASSERT_TRUE(files.ok() && ca_file.ok());
  auto server_cred = TlsCredentials::FromPemFiles(files->cert_path, files->key_path);
  auto client_cred = TlsCredentials::ForClient(*ca_file, "", "");
  ASSERT_TRUE(server_cred.ok() && client_cred.ok());
  server_cred_ = *server_cred;
  client_cred_ = *client_cred;
  ASSERT_TRUE(client_cred_->verify_peer());
  const auto& chains = *client_cred_->verified_chains();
  MakeServer();

  auto first = MakeClient(5010);
  ASSERT_TRUE(Pump(*first).ok());
  ASSERT_TRUE(first->handshake_completed());
  EXPECT_EQ(chains.stats().verified, 1u);
  EXPECT_EQ(chains.stats().hits, 0u);

  auto second = MakeClient(5011, "::1");  // the IP address SAN: another name, verified in full
  ASSERT_TRUE(Pump(*second).ok());
  ASSERT_TRUE(second->handshake_completed());
  EXPECT_EQ(chains.stats().verified, 2u);

  auto third = MakeClient(5012);
  ASSERT_TRUE(Pump(*third).ok());
  ASSERT_TRUE(third->handshake_completed());
  EXPECT_EQ(chains.stats().hits, 1u);
  EXPECT_EQ(chains.stats().verified, 2u);

  // The remembered chain does not vouch for a name it does not carry.
  auto wrong = MakeClient(5013, "other.example");
  base::Status s = Pump(*wrong);
  EXPECT_FALSE(wrong->handshake_completed());
  EXPECT_NE(s.ToString().find("not trusted"), std::string::npos) << s.ToString();
  EXPECT_EQ(chains.stats().rejected, 1u);
}

// A server whose chain leads to another CA is refused, with the reason.
TEST_F(StoqConnectionTest, ClientRefusesAChainFromAnotherCa) {
  auto chain = net::testing::MakeCaSignedCert({"localhost"}, {});
  auto other = net::testing::MakeCaSignedCert({"localhost"}, {});
  ASSERT_TRUE(chain.ok() && other.ok());
  net::testing::TempDir ca_dir;
  auto files = net::testing::WriteCertFiles(ca_dir, chain->leaf);
  auto ca_file = ca_dir.WriteFile("other-ca.pem", other->ca_pem);
  ASSERT_TRUE(files.ok() && ca_file.ok());
  server_cred_ = TlsCredentials::FromPemFiles(files->cert_path, files->key_path).value();
  client_cred_ = TlsCredentials::ForClient(*ca_file, "", "").value();
  MakeServer();
  auto client = MakeClient(5014);
  base::Status s = Pump(*client);
  EXPECT_FALSE(client->handshake_completed());
  EXPECT_NE(s.ToString().find("not trusted"), std::string::npos) << s.ToString();
  EXPECT_EQ(client_cred_->verified_chains()->stats().rejected, 1u);
}

TEST_F(StoqConnectionTest, RetryValidatesTheAddressFirst) {
  EndpointOptions o;
  o.retry = RetryMode::kAlways;
  MakeServer(o);
  auto client = MakeClient(5001);
  ASSERT_TRUE(Pump(*client).ok());
  EXPECT_TRUE(client->handshake_completed());
  EXPECT_EQ(endpoint_->stats().retries_sent, 1u);
  EXPECT_EQ(endpoint_->stats().connections_accepted, 1u);
}

TEST_F(StoqConnectionTest, ConnectionCapRefusesPolitely) {
  EndpointOptions o;
  o.max_connections = 1;
  MakeServer(o);
  auto first = MakeClient(5002);
  ASSERT_TRUE(Pump(*first).ok());
  auto second = MakeClient(5003);
  base::Status s = Pump(*second);
  EXPECT_FALSE(second->handshake_completed());
  EXPECT_EQ(endpoint_->stats().connections_refused, 1u);
  ngtcp2_connection_close_error e;
  ngtcp2_conn_get_connection_close_error(second->raw(), &e);
  EXPECT_EQ(e.error_code, NGTCP2_CONNECTION_REFUSED) << s.ToString();
}

TEST_F(StoqConnectionTest, IdleConnectionTimesOut) {
  EndpointOptions o;
  o.connection.idle_timeout_ms = 2000;
  MakeServer(o);
  auto client = MakeClient(5004);
  ASSERT_TRUE(Pump(*client).ok());
  ASSERT_EQ(endpoint_->connection_count(), 1u);
  now_ += 10'000 * kMillisecond;  // the client goes silent
  endpoint_->OnTimer(now_, to_client_);
  now_ += 10'000 * kMillisecond;
  endpoint_->OnTimer(now_, to_client_);
  EXPECT_EQ(endpoint_->connection_count(), 0u);
}

TEST_F(StoqConnectionTest, StatelessResetAndVersionNegotiation) {
  MakeServer();
  Queue out;
  base::Bytes short_header(60, 0x55);
  short_header[0] = 0x40;  // short header, fixed bit set
  endpoint_->OnDatagram(Path{Addr(4433), Addr(6000)}, short_header, now_, out);
  EXPECT_EQ(endpoint_->stats().stateless_resets_sent, 1u);
  ASSERT_EQ(out.packets.size(), 1u);
  EXPECT_LT(out.packets[0].size(), short_header.size());

  base::Bytes unknown_version(1200, 0);
  unknown_version[0] = 0xc0;
  unknown_version[1] = 0x1a;  // version 0x1a2a3a4a
  unknown_version[2] = 0x2a;
  unknown_version[3] = 0x3a;
  unknown_version[4] = 0x4a;
  unknown_version[5] = 8;   // DCID length
  unknown_version[14] = 8;  // SCID length
  endpoint_->OnDatagram(Path{Addr(4433), Addr(6000)}, unknown_version, now_, out);
  EXPECT_EQ(endpoint_->stats().version_negotiations_sent, 1u);
}

TEST_F(StoqConnectionTest, JunkDoesNotDisturbALiveConnection) {
  MakeServer();
  auto client = MakeClient(5005);
  ASSERT_TRUE(Pump(*client).ok());
  base::SeededRandom junk(99);
  Queue out;
  for (int i = 0; i < 2000; ++i) {
    base::Bytes d(1 + junk.Uniform(1500));
    junk.Fill(d);
    endpoint_->OnDatagram(Path{Addr(4433), Addr(static_cast<uint16_t>(7000 + i % 50))}, d, now_,
                          out);
  }
  // A zero-length datagram is legal UDP; ngtcp2 asserts on it, so the endpoint must drop it.
  endpoint_->OnDatagram(Path{Addr(4433), Addr(7100)}, base::ByteSpan(), now_, out);
  auto id = client->OpenBidiStream();
  ASSERT_TRUE(id.ok());
  client_app_->Send(*id, "still there?");
  ASSERT_TRUE(Pump(*client).ok());
  EXPECT_EQ(client_app_->Received(*id), "still there?");
}

base::Bytes XorMix(base::ByteSpan in, uint8_t k) {
  base::Bytes out(in.begin(), in.end());
  for (auto& b : out) b ^= k;
  return out;
}

TEST_F(StoqConnectionTest, KeyUpdatesWithAMixedSecretKeepTrafficFlowing) {
  MakeServer();
  auto client = MakeClient(5006);
  ASSERT_TRUE(Pump(*client).ok());
  Connection* server = endpoint_->Find(1);
  ASSERT_NE(server, nullptr);
  client->InstallSecretMixer([](base::ByteSpan s) { return XorMix(s, 0x5a); }, 2);
  server->InstallSecretMixer([](base::ByteSpan s) { return XorMix(s, 0x5a); }, 2);
  client->RequestKeyUpdates(2);
  for (int round = 0; round < 5; ++round) {
    auto id = client->OpenBidiStream();
    ASSERT_TRUE(id.ok());
    client_app_->Send(*id, "ping " + std::to_string(round));
    now_ += 500 * kMillisecond;  // let PTO-spaced key updates happen
    ASSERT_TRUE(Pump(*client, 100).ok());
    EXPECT_EQ(client_app_->Received(*id), "ping " + std::to_string(round));
  }
  EXPECT_EQ(client->pending_key_updates(), 0);
  EXPECT_GE(client->key_generation(), 2u);
  EXPECT_GE(server->key_generation(), 2u);
  EXPECT_TRUE(client->mixed_keys_prepared());
  EXPECT_TRUE(server->mixed_keys_prepared());
}

TEST_F(StoqConnectionTest, DifferentMixedSecretsBreakTheConnection) {
  MakeServer();
  auto client = MakeClient(5007);
  ASSERT_TRUE(Pump(*client).ok());
  Connection* server = endpoint_->Find(1);
  ASSERT_NE(server, nullptr);
  client->InstallSecretMixer([](base::ByteSpan s) { return XorMix(s, 0x5a); }, 2);
  server->InstallSecretMixer([](base::ByteSpan s) { return XorMix(s, 0xa5); }, 2);
  client->RequestKeyUpdates(2);
  bool delivered_after_update = true;
  for (int round = 0; round < 5; ++round) {
    auto id = client->OpenBidiStream();
    if (!id.ok()) break;
    client_app_->Send(*id, "x");
    now_ += 500 * kMillisecond;
    (void)Pump(*client, 100);
    if (client->pending_key_updates() == 0 && client_app_->Received(*id).empty()) {
      delivered_after_update = false;
      break;
    }
  }
  EXPECT_FALSE(delivered_after_update);
}

}  // namespace
}  // namespace hm::stoq
