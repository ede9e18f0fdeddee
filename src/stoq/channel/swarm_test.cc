// ClientSwarm against a real StoqServer on [::1]: many stoq/1 connections over a few sockets
// become secure, plain connections stay up on keep-alives past the server's idle timeout (and
// die without them), refusals are counted with their reason, and the bench entry points report.
#include "stoq/channel/swarm.h"

#include <gtest/gtest.h>

#include <thread>

#include "base/metrics.h"
#include "net/test_certs.h"
#include "stoq/channel/server_channel.h"
#include "stoq/pq/testing/pq_fixture.h"
#include "stoq/rpc/builtins.h"
#include "stoq/server.h"

namespace hm::stoq::channel {
namespace {

using namespace std::chrono_literals;
namespace pqt = pq::testing;

constexpr std::string_view kIdleAlpn = "hm-swarm-test";


class SwarmTest : public ::testing::Test {
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
    if (server_) server_->Shutdown();
  }

  void StartServer(uint64_t idle_timeout_ms = 30'000) {
    const auto& f = pqt::Fixed();
    auto config = std::make_shared<ChannelConfig>(ChannelConfig{
        f.server.signing_key, pqt::AcceptAs(f.client.public_key), 10'000ms, server_stats_});
    auto dispatcher = std::make_shared<rpc::Dispatcher>();
    ASSERT_TRUE(rpc::RegisterBuiltins(*dispatcher).ok());
    auto cred = TlsCredentials::FromPemFiles(server_files_.cert_path, server_files_.key_path);
    ASSERT_TRUE(cred.ok()) << cred.status().ToString();
    StoqServerOptions so;
    so.listen_host = "::1";
    so.port = 0;
    so.drain_timeout = 200ms;
    so.endpoint.connection.idle_timeout_ms = idle_timeout_ms;
    server_ = std::make_unique<StoqServer>(so, *cred, metrics_);
    ASSERT_TRUE(
        server_->RegisterAlpn(std::string(kAlpnStoq), ServerChannelFactory(config, dispatcher))
            .ok());
    ASSERT_TRUE(server_
                    ->RegisterAlpn(std::string(kIdleAlpn),
                                   [](Connection& conn, ConnectionPoster&) {
                                     return std::make_unique<DiscardApplication>(conn);
                                   })
                    .ok());
    base::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  SwarmOptions Options(std::string_view alpn, size_t n) const {
    SwarmOptions o;
    o.host = "::1";
    o.port = server_->port();
    o.server_name = "localhost";
    o.alpn = std::string(alpn);
    o.credentials =
        TlsCredentials::ForClient("", client_files_.cert_path, client_files_.key_path).value();
    o.channel = std::make_shared<ChannelConfig>(
        ChannelConfig{pqt::Fixed().client.signing_key,
                      pqt::AcceptAs(pqt::Fixed().server.public_key), 10'000ms, client_stats_});
    o.connections = n;
    o.concurrency = 64;
    o.connections_per_socket = 128;  // several sockets even in a small test
    o.timeout = 60'000ms;
    return o;
  }

  // Waits until the server's published connection count (refreshed every 100 ms) is `n`.
  // Closed connections linger for three PTOs, which a loaded (sanitizer) run stretches to
  // seconds: the server's RTT samples include the time it queued packets behind PQ handshakes.
  bool WaitServerConnections(size_t n) {
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (server_->connection_count() != n && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(10ms);
    }
    if (server_->connection_count() != n) {
      const EndpointStats st = server_->stats();
      ADD_FAILURE() << "server has " << server_->connection_count() << " connections, not " << n
                    << "; accepted " << st.connections_accepted << " closed "
                    << st.connections_closed << " retries " << st.retries_sent << " dropped "
                    << st.datagrams_dropped << " resets " << st.stateless_resets_sent;
    }
    return server_->connection_count() == n;
  }

  net::testing::TempDir dir_;
  net::testing::CertFiles server_files_, client_files_;
  base::MetricsRegistry metrics_;
  std::shared_ptr<ChannelStats> server_stats_ = std::make_shared<ChannelStats>();
  std::shared_ptr<ChannelStats> client_stats_ = std::make_shared<ChannelStats>();
  std::unique_ptr<StoqServer> server_;
};

TEST_F(SwarmTest, TwoHundredPqChannelsBecomeSecure) {
  StartServer();
  auto swarm = ClientSwarm::Create(Options(kAlpnStoq, 200));
  ASSERT_TRUE(swarm.ok()) << swarm.status().ToString();
  EXPECT_EQ((*swarm)->sockets(), 2u);
  (*swarm)->Open(200);
  const SwarmCounters& c = (*swarm)->counters();
  base::Status s = (*swarm)->Run([&] { return c.ready + c.failed == 200; }, 120s);
  ASSERT_TRUE(s.ok()) << s.ToString() << " ready " << c.ready << " failed " << c.failed;
  EXPECT_EQ(c.ready, 200u) << c.first_failure;
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.established, 200u);
  EXPECT_EQ((*swarm)->alive(), 200u) << "lost " << c.lost << ": " << c.first_failure;
  EXPECT_EQ((*swarm)->ready_latencies_us().size(), 200u);
  EXPECT_EQ(client_stats_->mixed_keys.load(), 200u);
  EXPECT_EQ(server_stats_->pq_established.load(), 200u);
  EXPECT_TRUE(WaitServerConnections(200)) << server_->connection_count();
  (*swarm)->CloseAll();
  EXPECT_EQ((*swarm)->alive(), 0u);
  EXPECT_EQ((*swarm)->counters().closed, 200u);
  EXPECT_TRUE(WaitServerConnections(0)) << server_->connection_count();
}

TEST_F(SwarmTest, KeepAlivesHoldPlainConnectionsPastTheIdleTimeout) {
  StartServer(/*idle_timeout_ms=*/1000);
  SwarmOptions kept = Options(kIdleAlpn, 500);
  kept.connection.keep_alive_ms = 300;
  auto swarm = ClientSwarm::Create(kept);
  ASSERT_TRUE(swarm.ok()) << swarm.status().ToString();
  EXPECT_EQ((*swarm)->sockets(), 4u);
  SwarmOptions bare = Options(kIdleAlpn, 20);  // no keep-alive: the idle timeout ends them
  auto unkept = ClientSwarm::Create(bare);
  ASSERT_TRUE(unkept.ok());
  (*swarm)->Open(500);
  (*unkept)->Open(20);
  const SwarmCounters& c = (*swarm)->counters();
  const SwarmCounters& u = (*unkept)->counters();
  ASSERT_TRUE((*swarm)->Run([&] { return c.ready + c.failed == 500; }, 60s).ok());
  ASSERT_TRUE((*unkept)->Run([&] { return u.ready + u.failed == 20; }, 60s).ok());
  EXPECT_EQ(c.ready, 500u) << c.first_failure;
  EXPECT_EQ(u.ready, 20u) << u.first_failure;
  EXPECT_TRUE(WaitServerConnections(520)) << server_->connection_count();
  // Serve both for over three idle timeouts, taking turns.
  for (int i = 0; i < 36; ++i) {
    (void)(*swarm)->Run([] { return false; }, 50ms);
    (void)(*unkept)->Run([] { return false; }, 50ms);
  }
  EXPECT_EQ((*swarm)->alive(), 500u) << c.first_failure;
  EXPECT_EQ(c.lost, 0u);
  EXPECT_EQ((*unkept)->alive(), 0u);
  EXPECT_EQ(u.lost, 20u);
  EXPECT_NE(u.first_failure.find("idle"), std::string::npos) << u.first_failure;
  EXPECT_TRUE(WaitServerConnections(500)) << server_->connection_count();
  (*swarm)->CloseAll();
  EXPECT_TRUE(WaitServerConnections(0)) << server_->connection_count();
}

TEST_F(SwarmTest, RefusedChannelsAreCountedWithTheReason) {
  StartServer();
  SwarmOptions o = Options(kAlpnStoq, 5);
  o.channel = std::make_shared<ChannelConfig>(
      ChannelConfig{pqt::Intruder().signing_key, pqt::AcceptAs(pqt::Fixed().server.public_key),
                    10'000ms, client_stats_});
  auto report = RunHandshakeBench(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->counters.ready, 0u);
  EXPECT_EQ(report->counters.failed, 5u);
  EXPECT_NE(report->counters.first_failure.find("0x5103"), std::string::npos)
      << report->counters.first_failure;
}

TEST_F(SwarmTest, BenchEntryPointsReport) {
  StartServer();
  auto hs = RunHandshakeBench(Options(kAlpnStoq, 40));
  ASSERT_TRUE(hs.ok()) << hs.status().ToString();
  EXPECT_EQ(hs->counters.ready, 40u) << hs->counters.first_failure;
  EXPECT_EQ(hs->counters.closed, 40u);
  EXPECT_GT(hs->handshakes_per_second, 0.0);
  EXPECT_GT(hs->latency_p99_ms, 0.0);
  EXPECT_GE(hs->latency_p99_ms, hs->latency_p50_ms);
  EXPECT_TRUE(WaitServerConnections(0)) << server_->connection_count();

  SwarmOptions idle = Options(kIdleAlpn, 100);
  idle.hold = 300ms;
  idle.connection.keep_alive_ms = 1000;
  int calls = 0;
  size_t server_count = 0;
  auto report = RunIdleBench(idle, [&](const SwarmReport& r) {
    ++calls;
    EXPECT_EQ(r.counters.ready, 100u);
    EXPECT_GT(r.client_rss_bytes_idle, 0u);
    WaitServerConnections(100);
    server_count = server_->connection_count();
  });
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(server_count, 100u);
  EXPECT_EQ(report->alive_after_hold, 100u);
  EXPECT_EQ(report->counters.closed, 100u);
  EXPECT_TRUE(WaitServerConnections(0)) << server_->connection_count();
}

}  // namespace
}  // namespace hm::stoq::channel
