// stoq/1 end to end on [::1]: a real StoqServer with the ServerChannel and RpcClient over UDP.
// Falcon keys come from the PQ test fixture; the verifiers stand in for TrustChain (the node's
// real chain check is tested in node/ and in tests/system/stoq_node_test.sh).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "base/metrics.h"
#include "net/test_certs.h"
#include "stoq/channel/rpc_client.h"
#include "stoq/channel/server_channel.h"
#include "stoq/pq/testing/pq_fixture.h"
#include "stoq/rpc/builtins.h"
#include "stoq/tls.h"

namespace hm::stoq::channel {
namespace {

using namespace std::chrono_literals;
namespace pqt = pq::testing;

pq::PeerVerifier Refuse() {
  return [](const std::vector<base::Bytes>&) -> base::Result<crypto::falcon::VerifyingKey> {
    return base::PermissionDenied("not issued by this network's TrustChain");
  };
}

// Records the client's stream-0 bytes as they go out (to replay them on another connection).
class RecordingApp final : public Application {
 public:
  RecordingApp(std::unique_ptr<ClientChannel> inner, base::Bytes* record)
      : inner_(std::move(inner)), record_(record) {}
  base::Status OnHandshakeCompleted() override { return inner_->OnHandshakeCompleted(); }
  base::Status OnStreamData(int64_t id, base::ByteSpan d, bool fin) override {
    return inner_->OnStreamData(id, d, fin);
  }
  base::Status OnStreamAcked(int64_t id, uint64_t n) override {
    return inner_->OnStreamAcked(id, n);
  }
  base::Status OnStreamClose(int64_t id, uint64_t c) override {
    return inner_->OnStreamClose(id, c);
  }
  base::Status OnStreamReset(int64_t id, uint64_t c) override {
    return inner_->OnStreamReset(id, c);
  }
  base::Status OnStopSending(int64_t id, uint64_t c) override {
    return inner_->OnStopSending(id, c);
  }
  void OnStreamWritable(int64_t id) override { inner_->OnStreamWritable(id); }
  base::Status NextChunk(StreamChunk* out) override {
    HM_TRY(inner_->NextChunk(out));
    last_ = *out;
    return base::Status::Ok();
  }
  base::Status OnChunkWritten(int64_t id, size_t bytes) override {
    if (id == 0) {
      size_t left = bytes;
      for (size_t i = 0; i < last_.count && left > 0; ++i) {
        const size_t n = std::min(left, last_.vecs[i].len);
        record_->insert(record_->end(), last_.vecs[i].base, last_.vecs[i].base + n);
        left -= n;
      }
    }
    return inner_->OnChunkWritten(id, bytes);
  }
  void OnStreamBlocked(int64_t id, bool shut) override { inner_->OnStreamBlocked(id, shut); }
  void OnKeyUpdateInitiated() override { inner_->OnKeyUpdateInitiated(); }
  Timestamp Deadline() const override { return inner_->Deadline(); }
  base::Status OnDeadline(Timestamp now) override { return inner_->OnDeadline(now); }
  const ClientChannel& inner() const { return *inner_; }

 private:
  std::unique_ptr<ClientChannel> inner_;
  base::Bytes* record_;
  StreamChunk last_;
};

// Sends fixed bytes on stream 0 (a recorded client transcript) and then on an RPC stream.
class ScriptedApp final : public Application {
 public:
  ScriptedApp(Connection& conn, base::Bytes pq_bytes, bool rpc_at_once)
      : conn_(conn), pq_bytes_(std::move(pq_bytes)), rpc_at_once_(rpc_at_once) {}
  base::Status OnHandshakeCompleted() override {
    if (!pq_bytes_.empty()) {
      HM_ASSIGN_OR_RETURN(int64_t s, conn_.OpenBidiStream());
      out_.Queue(s, std::move(pq_bytes_), true);
    }
    if (rpc_at_once_) {
      HM_ASSIGN_OR_RETURN(int64_t s0, conn_.OpenBidiStream());
      if (s0 == 0) {
        HM_ASSIGN_OR_RETURN(int64_t s4, conn_.OpenBidiStream());
        s0 = s4;
      }
      auto frame = rpc::EncodeRequestFrame({"stoq.ping", 0, {1, 2, 3}});
      out_.Queue(s0, std::move(frame).value(), true);
    }
    return base::Status::Ok();
  }
  base::Status OnStreamData(int64_t id, base::ByteSpan d, bool) override {
    conn_.ExtendStreamWindow(id, d.size());
    return base::Status::Ok();
  }
  base::Status OnStreamAcked(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStreamClose(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStreamReset(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStopSending(int64_t, uint64_t) override { return base::Status::Ok(); }
  void OnStreamWritable(int64_t id) override { out_.Unblocked(id); }
  base::Status NextChunk(StreamChunk* out) override {
    out_.Next(out);
    return base::Status::Ok();
  }
  base::Status OnChunkWritten(int64_t id, size_t n) override {
    out_.Written(id, n);
    return base::Status::Ok();
  }
  void OnStreamBlocked(int64_t id, bool) override { out_.Blocked(id); }

 private:
  Connection& conn_;
  base::Bytes pq_bytes_;
  bool rpc_at_once_;
  OutboundStreams out_;
};

class ChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server_cert = net::testing::MakeSelfSignedCert({"localhost"}, {"::1"}, "server");
    auto client_cert = net::testing::MakeSelfSignedCert({"client.hypermesh"}, {}, "client");
    ASSERT_TRUE(server_cert.ok() && client_cert.ok());
    auto sf = net::testing::WriteCertFiles(dir_, *server_cert, "server");
    auto cf = net::testing::WriteCertFiles(dir_, *client_cert, "client");
    ASSERT_TRUE(sf.ok() && cf.ok());
    server_files_ = *sf;
    client_files_ = *cf;
  }
  void TearDown() override {
    if (!server_) return;
    server_->Shutdown();
    parked_.clear();  // their "dropped" answers go to the (stopped) server, which must still exist
    server_.reset();
  }

  // Starts a server whose channel accepts the client's fixture key (or uses `verifier`).
  void StartServer(pq::PeerVerifier verifier = nullptr,
                   std::chrono::milliseconds pq_timeout = 10'000ms) {
    const auto& f = pqt::Fixed();
    auto config = std::make_shared<ChannelConfig>(ChannelConfig{
        f.server.signing_key, verifier ? verifier : pqt::AcceptAs(f.client.public_key), pq_timeout,
        server_stats_});
    auto dispatcher = std::make_shared<rpc::Dispatcher>();
    ASSERT_TRUE(rpc::RegisterBuiltins(*dispatcher).ok());
    ASSERT_TRUE(dispatcher
                    ->Register("test.never",
                               [this](const rpc::Request&, std::function<void(rpc::Response)> r) {
                                 parked_.push_back(std::move(r));  // answered only on teardown
                               })
                    .ok());
    auto cred = TlsCredentials::FromPemFiles(server_files_.cert_path, server_files_.key_path);
    ASSERT_TRUE(cred.ok()) << cred.status().ToString();
    StoqServerOptions so;
    so.listen_host = "::1";
    so.port = 0;
    so.drain_timeout = 200ms;
    server_ = std::make_unique<StoqServer>(so, *cred, metrics_);
    ASSERT_TRUE(
        server_->RegisterAlpn(std::string(kAlpnStoq), ServerChannelFactory(config, dispatcher))
            .ok());
    ASSERT_TRUE(server_->Start().ok());
  }

  ClientOptions Transport() const {
    ClientOptions t;
    t.host = "::1";
    t.port = server_->port();
    t.server_name = "localhost";
    t.credentials =
        TlsCredentials::ForClient("", client_files_.cert_path, client_files_.key_path).value();
    t.handshake_timeout = 5000ms;
    return t;
  }

  RpcClientOptions ClientOptionsWith(crypto::falcon::SigningKey key) {
    RpcClientOptions o;
    o.transport = Transport();
    o.channel = std::make_shared<ChannelConfig>(ChannelConfig{
        std::move(key), pqt::AcceptAs(pqt::Fixed().server.public_key), 10'000ms, client_stats_});
    return o;
  }

  base::Result<std::unique_ptr<RpcClient>> Connect() {
    return RpcClient::Connect(ClientOptionsWith(pqt::Fixed().client.signing_key));
  }

  // Waits until the server's counters show `n` failed exchanges.
  bool WaitServerFailures(uint64_t n) {
    for (int i = 0; i < 300 && server_stats_->pq_failed.load() < n; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    return server_stats_->pq_failed.load() == n;
  }

  net::testing::TempDir dir_;
  net::testing::CertFiles server_files_, client_files_;
  base::MetricsRegistry metrics_;
  std::shared_ptr<ChannelStats> server_stats_ = std::make_shared<ChannelStats>();
  std::shared_ptr<ChannelStats> client_stats_ = std::make_shared<ChannelStats>();
  std::vector<std::function<void(rpc::Response)>> parked_;  // touched on the QUIC thread only
  std::unique_ptr<StoqServer> server_;
};

TEST_F(ChannelTest, PingRunsOverMixedKeysOnBothSides) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  Connection& conn = (*client)->connection();
  EXPECT_TRUE((*client)->channel().pq_established());
  EXPECT_TRUE((*client)->channel().secure());
  EXPECT_TRUE(conn.mixed_keys_prepared());
  EXPECT_GE(conn.key_updates_initiated(), kMixedGeneration);
  for (int i = 0; i < 20; ++i) {
    base::Bytes payload(100 + i, static_cast<uint8_t>(i));
    auto r = (*client)->Call({"stoq.ping", 0, payload}, 2000ms);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->code, rpc::RpcCode::kOk);
    EXPECT_EQ(r->payload, payload);
  }
  EXPECT_EQ(client_stats_->pq_established.load(), 1u);
  EXPECT_EQ(client_stats_->mixed_keys.load(), 1u);
  EXPECT_EQ(server_stats_->pq_established.load(), 1u);
  EXPECT_EQ(server_stats_->mixed_keys.load(), 1u);  // the server saw the client move to gen 2
  EXPECT_EQ(server_stats_->calls.load(), 20u);
}

// The client's second (mixed) key update waits for the server to confirm the first one, so it
// happens when the client may have nothing left to send. Its probe must still show the server
// the move: a client idle past the server's pq_timeout keeps a working channel.
TEST_F(ChannelTest, AnIdleClientsMoveToTheMixedKeysReachesTheServer) {
  StartServer(nullptr, 400ms);
  auto client = Connect();
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_TRUE((*client)->connection().peer_uses_mixed_keys());
  for (int i = 0; i < 100 && server_stats_->mixed_keys.load() == 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(server_stats_->mixed_keys.load(), 1u);
  std::this_thread::sleep_for(800ms);  // twice the server's pq_timeout, no traffic
  auto r = (*client)->Call({"stoq.ping", 0, base::Bytes{1, 2, 3}}, 2000ms);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->code, rpc::RpcCode::kOk);
  EXPECT_EQ(server_stats_->pq_failed.load(), 0u);
}

TEST_F(ChannelTest, ConcurrentCallsAndBulkArriveIntact) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  int done = 0, good = 0;
  for (int i = 0; i < 300; ++i) {  // more than the server's 128 concurrent streams
    base::Bytes payload = rpc::EncodeBulkRequestPayload(1000 + i);
    auto id = (*client)->Start({"stoq.bulk", 0, payload}, [&, i](base::Result<rpc::Response> r) {
      ++done;
      if (!r.ok() || r->payload.size() != size_t(1000 + i)) return;
      base::Bytes want(r->payload.size());
      rpc::FillPattern(0, want);
      if (r->payload == want) ++good;
    });
    ASSERT_TRUE(id.ok());
  }
  ASSERT_TRUE((*client)->RunUntil([&] { return done == 300; }, 10s).ok());
  EXPECT_EQ(good, 300);
  auto big = (*client)->Call({"stoq.bulk", 0, rpc::EncodeBulkRequestPayload(8 << 20)}, 10s);
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  ASSERT_EQ(big->payload.size(), size_t{8} << 20);
  base::Bytes want(big->payload.size());
  rpc::FillPattern(0, want);
  EXPECT_TRUE(big->payload == want);
}

TEST_F(ChannelTest, UnknownMethodDeadlineAndCancel) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto unknown = (*client)->Call({"no.such", 0, {}}, 2000ms);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->code, rpc::RpcCode::kNotFound);
  auto slow = (*client)->Call({"test.never", 0, {}}, 100ms);
  // Whichever side's clock fires first: the server answers code 4, or the client cancels.
  const bool timed_out = slow.ok() ? slow->code == rpc::RpcCode::kDeadlineExceeded
                                   : slow.status().code() == base::Code::kDeadlineExceeded;
  EXPECT_TRUE(timed_out) << slow.status().ToString();
  std::optional<base::Status> cancelled;
  auto id = (*client)->Start({"test.never", 0, {}},
                             [&](base::Result<rpc::Response> r) { cancelled = r.status(); });
  ASSERT_TRUE(id.ok());
  (*client)->Cancel(*id);
  ASSERT_TRUE(cancelled.has_value());
  EXPECT_EQ(cancelled->code(), base::Code::kAborted);
  // The connection still works after both.
  auto ping = (*client)->Call({"stoq.ping", 0, {9}}, 2000ms);
  ASSERT_TRUE(ping.ok()) << ping.status().ToString();
  EXPECT_EQ(ping->payload, base::Bytes{9});
}

TEST_F(ChannelTest, WrongFalconKeyIsRefusedWithBadSignature) {
  StartServer();
  auto client = RpcClient::Connect(ClientOptionsWith(pqt::Intruder().signing_key));
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), base::Code::kPermissionDenied);
  EXPECT_NE(client.status().message().find("kPqBadSignature"), std::string::npos)
      << client.status().ToString();
  EXPECT_TRUE(WaitServerFailures(1));
  EXPECT_EQ(server_stats_->pq_established.load(), 0u);
}

TEST_F(ChannelTest, ACertificateTheVerifierRefusesIsBadCertificate) {
  StartServer(Refuse());
  auto client = Connect();
  server_->Shutdown();
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.status().message().find("kPqBadCertificate"), std::string::npos)
      << client.status().ToString();
  // And the other way round: the client refuses the server.
  StartServer();
  RpcClientOptions o = ClientOptionsWith(pqt::Fixed().client.signing_key);
  auto refusing = std::make_shared<ChannelConfig>(*o.channel);
  refusing->verifier = Refuse();
  o.channel = refusing;
  auto client2 = RpcClient::Connect(o);
  ASSERT_FALSE(client2.ok());
  EXPECT_EQ(client2.status().code(), base::Code::kPermissionDenied);
  EXPECT_NE(client2.status().message().find("kPqBadCertificate"), std::string::npos)
      << client2.status().ToString();
}

TEST_F(ChannelTest, AReplayedTranscriptIsRefused) {
  StartServer();
  // Connection 1: a genuine client, whose stream-0 bytes are recorded.
  base::Bytes recorded;
  auto config = ClientOptionsWith(pqt::Fixed().client.signing_key).channel;
  RecordingApp* recorder = nullptr;
  auto first = Client::Connect(
      [&] {
        ClientOptions t = Transport();
        t.alpns = {std::string(kAlpnStoq)};
        return t;
      }(),
      [&](const std::string&, Connection& conn) -> std::unique_ptr<Application> {
        auto app = std::make_unique<RecordingApp>(
            std::make_unique<ClientChannel>(conn, config, rpc::kDefaultMaxFrameBytes), &recorded);
        recorder = app.get();
        return app;
      });
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE((*first)->RunUntil([&] { return recorder->inner().secure(); }, 5s).ok());
  ASSERT_GT(recorded.size(), 1000u);
  // Connection 2 replays them: the signatures cover the old TLS exporter.
  ClientOptions t = Transport();
  t.alpns = {std::string(kAlpnStoq)};
  auto second = Client::Connect(t, [&](const std::string&, Connection& conn) {
    return std::make_unique<ScriptedApp>(conn, recorded, false);
  });
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  base::Status s = (*second)->RunUntil([] { return false; }, 3s);
  EXPECT_NE((*second)->PeerCloseReason().find("0x5103"), std::string::npos)
      << (*second)->PeerCloseReason() << " / " << s.ToString();
  EXPECT_TRUE(WaitServerFailures(1));
}

TEST_F(ChannelTest, RpcBeforeTheMixedKeysAndSilenceAreRefused) {
  StartServer(nullptr, 300ms);
  ClientOptions t = Transport();
  t.alpns = {std::string(kAlpnStoq)};
  auto eager = Client::Connect(t, [&](const std::string&, Connection& conn) {
    return std::make_unique<ScriptedApp>(conn, base::Bytes{}, true);
  });
  ASSERT_TRUE(eager.ok());
  (void)(*eager)->RunUntil([] { return false; }, 2s);
  EXPECT_NE((*eager)->PeerCloseReason().find("0x5106"), std::string::npos)
      << (*eager)->PeerCloseReason();
  auto silent = Client::Connect(t, [&](const std::string&, Connection& conn) {
    return std::make_unique<ScriptedApp>(conn, base::Bytes{}, false);
  });
  ASSERT_TRUE(silent.ok());
  (void)(*silent)->RunUntil([] { return false; }, 2s);
  EXPECT_NE((*silent)->PeerCloseReason().find("0x5105"), std::string::npos)
      << (*silent)->PeerCloseReason();
  EXPECT_TRUE(WaitServerFailures(2));
}

}  // namespace
}  // namespace hm::stoq::channel
