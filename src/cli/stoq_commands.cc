#include "cli/stoq_commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "crypto/hybrid/pq_keys.h"
#include "crypto/key_file.h"
#include "net/address.h"
#include "stoq/channel/swarm.h"
#include "stoq/rpc/builtins.h"
#include "trustchain/ca/peer_chain.h"

namespace hm::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kExitFailed = 1;

std::string Under(const StoqIdentity& id, const std::string& given, const char* rel) {
  return given.empty() ? id.data_dir + "/" + rel : given;
}

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Percentile of sorted samples (nearest rank).
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

int Failed(const char* what, const base::Status& s) {
  std::fprintf(stderr, "hm stoq %s: %s\n", what, s.ToString().c_str());
  return kExitFailed;
}

base::Result<std::unique_ptr<stoq::channel::RpcClient>> Dial(const std::string& target,
                                                             const StoqIdentity& identity,
                                                             double* setup_ms) {
  HM_ASSIGN_OR_RETURN(auto options, StoqClientOptions(target, identity));
  const auto start = Clock::now();
  auto client = stoq::channel::RpcClient::Connect(std::move(options));
  if (setup_ms != nullptr) *setup_ms = Millis(Clock::now() - start);
  return client;
}

struct PingOptions {
  std::string target = "[::1]:8443";
  StoqIdentity identity;
  int count = 5;
  size_t size = 64;
  int interval_ms = 200;
};

int RunPing(const PingOptions& o) {
  double setup_ms = 0;
  auto client = Dial(o.target, o.identity, &setup_ms);
  if (!client.ok()) return Failed("ping", client.status());
  stoq::Connection& conn = (*client)->connection();
  std::printf(
      "stoq/1 to %s: post-quantum channel up in %.1f ms (ML-KEM-1024 + Falcon-1024, TLS "
      "exporter bound); traffic on mixed key generation %u\n",
      o.target.c_str(), setup_ms, conn.key_updates_initiated());
  std::vector<double> rtts;
  base::Bytes payload(o.size);
  stoq::rpc::FillPattern(0, payload);
  for (int i = 1; i <= o.count; ++i) {
    const auto t0 = Clock::now();
    auto r = (*client)->Call({stoq::rpc::kMethodPing, 0, payload}, std::chrono::seconds(5));
    const double ms = Millis(Clock::now() - t0);
    if (!r.ok()) return Failed("ping", r.status());
    if (r->code != stoq::rpc::RpcCode::kOk || r->payload != payload) {
      return Failed("ping",
                    base::Internal(fmt::format("seq={}: wrong answer (code {}, {} bytes)", i,
                                               static_cast<int>(r->code), r->payload.size())));
    }
    rtts.push_back(ms);
    std::printf("%zu bytes from %s: seq=%d time=%.3f ms\n", payload.size(), o.target.c_str(), i,
                ms);
    std::fflush(stdout);
    if (i < o.count) {
      (void)(*client)->RunUntil([] { return false; }, std::chrono::milliseconds(o.interval_ms));
    }
  }
  std::sort(rtts.begin(), rtts.end());
  double sum = 0;
  for (double v : rtts) sum += v;
  std::printf("%d calls, rtt min/avg/max = %.3f/%.3f/%.3f ms\n", o.count, rtts.front(),
              sum / static_cast<double>(rtts.size()), rtts.back());
  (*client)->Close();
  return 0;
}

struct BenchOptions {
  std::string target = "[::1]:8443";
  StoqIdentity identity;
  int rate = 10'000;  // calls per second, open loop
  double seconds = 5;
  size_t payload = 64;
  uint64_t bulk = 0;  // bytes via stoq.bulk instead of the latency run
  int bulk_calls = 4;
  size_t handshakes = 0;  // connections to set up (handshake rate) instead
  size_t concurrency = 256;
  size_t idle = 0;  // idle connections to hold instead
  // ALPN of --handshakes and --idle: stoq/1 (PQ channel included) or h3 (TLS only, nothing
  // sent on the connection). Empty: stoq/1 for --handshakes, h3 for --idle.
  std::string alpn;
  double hold_s = 10;
  int server_pid = 0;  // for the idle run: read the server's RSS (same machine)
};

base::Result<stoq::channel::SwarmOptions> SwarmFrom(const BenchOptions& o, bool stoq1) {
  HM_ASSIGN_OR_RETURN(auto rpc, StoqClientOptions(o.target, o.identity));
  stoq::channel::SwarmOptions so;
  so.host = rpc.transport.host;
  so.port = rpc.transport.port;
  so.server_name = rpc.transport.server_name;
  so.credentials = rpc.transport.credentials;
  so.concurrency = o.concurrency;
  if (stoq1) {
    so.alpn = std::string(stoq::kAlpnStoq);
    so.channel = rpc.channel;
  }
  return so;
}

int RunHandshakes(const BenchOptions& o) {
  const bool stoq1 = o.alpn.empty() || o.alpn == stoq::kAlpnStoq;
  auto so = SwarmFrom(o, stoq1);
  if (!so.ok()) return Failed("bench", so.status());
  so->connections = o.handshakes;
  so->timeout = std::max(so->timeout, std::chrono::milliseconds(10 * o.handshakes));
  so->close_when_ready = true;
  auto r = stoq::channel::RunHandshakeBench(*so);
  if (!r.ok()) return Failed("bench", r.status());
  std::printf(
      "handshakes: %llu of %zu %s, %llu failed, in %.2f s = %.0f/s at concurrency %zu; "
      "setup p50 %.1f ms p99 %.1f ms\n",
      static_cast<unsigned long long>(r->counters.ready), r->requested,
      stoq1 ? "stoq/1 connections secure (TLS 1.3 + ML-KEM-1024/Falcon-1024 exchange + 2 key "
              "updates)"
            : "HTTP/3 connections through the QUIC handshake (TLS 1.3 only)",
      static_cast<unsigned long long>(r->counters.failed), r->elapsed_seconds,
      r->handshakes_per_second, o.concurrency, r->latency_p50_ms, r->latency_p99_ms);
  if (!r->counters.first_failure.empty()) {
    std::printf("first failure: %s\n", r->counters.first_failure.c_str());
  }
  return r->counters.ready == r->requested ? 0 : kExitFailed;
}

int RunIdle(const BenchOptions& o) {
  const bool stoq1 = o.alpn == stoq::kAlpnStoq;
  auto so = SwarmFrom(o, stoq1);
  if (!so.ok()) return Failed("bench", so.status());
  so->connections = o.idle;
  // Setting up 100,000 takes minutes at a few hundred handshakes per second.
  so->timeout = std::max(so->timeout, std::chrono::milliseconds(10 * o.idle));
  so->hold = std::chrono::milliseconds(static_cast<int64_t>(o.hold_s * 1000));
  so->connection.keep_alive_ms = 10'000;
  const uint64_t server_before =
      o.server_pid > 0 ? stoq::channel::ProcessRssBytes(o.server_pid) : 0;
  uint64_t server_up = 0;
  auto r = stoq::channel::RunIdleBench(*so, [&](const stoq::channel::SwarmReport&) {
    if (o.server_pid > 0) server_up = stoq::channel::ProcessRssBytes(o.server_pid);
  });
  if (!r.ok()) return Failed("bench", r.status());
  const double n = static_cast<double>(std::max<uint64_t>(1, r->counters.ready));
  std::printf("idle: %llu of %zu %s connections up in %.1f s, %zu still up after %.0f s idle\n",
              static_cast<unsigned long long>(r->counters.ready), r->requested,
              stoq1 ? "stoq/1 (PQ channel up)" : "HTTP/3", r->elapsed_seconds, r->alive_after_hold,
              o.hold_s);
  std::printf(
      "client RSS %.1f MiB -> %.1f MiB (%.1f KiB per connection)\n",
      static_cast<double>(r->client_rss_bytes_before) / 1048576.0,
      static_cast<double>(r->client_rss_bytes_idle) / 1048576.0,
      static_cast<double>(r->client_rss_bytes_idle - r->client_rss_bytes_before) / n / 1024);
  if (o.server_pid > 0) {
    std::printf("server RSS %.1f MiB -> %.1f MiB: %.1f KiB per connection\n",
                static_cast<double>(server_before) / 1048576.0,
                static_cast<double>(server_up) / 1048576.0,
                (static_cast<double>(server_up) - static_cast<double>(server_before)) / n / 1024);
  }
  return r->counters.ready == r->requested ? 0 : kExitFailed;
}

// Open loop: call i is due at start + i/rate whatever happened to earlier calls; its latency
// counts from when it was due, so a stalled client or server shows up in the tail.
int RunLatency(stoq::channel::RpcClient& client, const BenchOptions& o) {
  const auto total = static_cast<uint64_t>(o.rate * o.seconds);
  const auto period = std::chrono::nanoseconds(1'000'000'000LL / std::max(1, o.rate));
  std::vector<double> latency;
  latency.reserve(total);
  uint64_t started = 0, errors = 0;
  base::Bytes payload(o.payload, 0x5a);
  const auto start = Clock::now();
  auto due_at = [&](uint64_t i) { return start + period * static_cast<int64_t>(i); };
  while (started < total || client.in_flight() > 0) {
    const auto now = Clock::now();
    while (started < total && due_at(started) <= now) {
      const auto due = due_at(started);
      auto id = client.Start({stoq::rpc::kMethodPing, 1000, payload},
                             [&latency, &errors, due](base::Result<stoq::rpc::Response> r) {
                               if (!r.ok() || r->code != stoq::rpc::RpcCode::kOk) ++errors;
                               latency.push_back(Millis(Clock::now() - due));
                             });
      if (!id.ok()) return Failed("bench", id.status());
      ++started;
    }
    const Clock::time_point next =
        started < total ? due_at(started) : now + std::chrono::milliseconds(5);
    base::Status s = client.RunUntil([&] { return Clock::now() >= next; },
                                     std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::max(next - Clock::now(), Clock::duration(1000))));
    if (!s.ok() && s.code() != base::Code::kDeadlineExceeded) return Failed("bench", s);
    if (Clock::now() - start > std::chrono::duration<double>(o.seconds + 10)) {
      return Failed("bench", base::DeadlineExceeded("calls still unanswered 10 s after the run"));
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latency.begin(), latency.end());
  std::printf(
      "rpc: %llu calls of %zu bytes at %d/s offered (%.0f/s done) in %.2f s; errors %llu\n"
      "rpc latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n",
      static_cast<unsigned long long>(total), o.payload, o.rate,
      static_cast<double>(latency.size()) / elapsed, elapsed,
      static_cast<unsigned long long>(errors), Percentile(latency, 50), Percentile(latency, 90),
      Percentile(latency, 99), Percentile(latency, 99.9), latency.empty() ? 0 : latency.back());
  return errors == 0 ? 0 : kExitFailed;
}

int RunBulk(stoq::channel::RpcClient& client, const BenchOptions& o) {
  uint64_t bytes = 0;
  const auto start = Clock::now();
  for (int i = 0; i < o.bulk_calls; ++i) {
    auto r = client.Call({stoq::rpc::kMethodBulk, 0, stoq::rpc::EncodeBulkRequestPayload(o.bulk)},
                         std::chrono::seconds(60));
    if (!r.ok()) return Failed("bench", r.status());
    if (r->code != stoq::rpc::RpcCode::kOk) return Failed("bench", stoq::rpc::ToStatus(*r));
    base::Bytes want(r->payload.size());
    stoq::rpc::FillPattern(0, want);
    if (r->payload != want) return Failed("bench", base::Internal("bulk payload differs"));
    bytes += r->payload.size();
  }
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("bulk: %d calls, %llu bytes in %.2f s = %.2f Gbit/s (verified)\n", o.bulk_calls,
              static_cast<unsigned long long>(bytes), s, static_cast<double>(bytes) * 8 / s / 1e9);
  return 0;
}

int RunBench(const BenchOptions& o) {
  if (o.handshakes > 0) return RunHandshakes(o);
  if (o.idle > 0) return RunIdle(o);
  double setup_ms = 0;
  auto client = Dial(o.target, o.identity, &setup_ms);
  if (!client.ok()) return Failed("bench", client.status());
  std::printf("stoq/1 to %s: post-quantum channel up in %.1f ms\n", o.target.c_str(), setup_ms);
  const int rc = o.bulk > 0 ? RunBulk(**client, o) : RunLatency(**client, o);
  (*client)->Close();
  return rc;
}

void AddIdentityFlags(CLI::App* cmd, StoqIdentity* id) {
  cmd->add_option("--data-dir", id->data_dir,
                  "node data directory whose identity to use (default ./hm-data)");
  cmd->add_option("--cert", id->cert, "certificate chain PEM (default DATA_DIR/tls/cert.pem)");
  cmd->add_option("--key", id->key,
                  "its private key PEM (default DATA_DIR/keys/tls_ecdsa_p256.pem)");
  cmd->add_option("--falcon-key", id->falcon_key,
                  "Falcon-1024 key PEM certified in the certificate (default "
                  "DATA_DIR/keys/node_falcon1024.pem)");
  cmd->add_option(
      "--roots", id->roots,
      "TrustChain root(s) PEM the server must chain to (default DATA_DIR/tls/root.pem)");
  cmd->add_option("--server-name", id->server_name, "name to verify in the server certificate");
}

}  // namespace

base::Result<stoq::channel::RpcClientOptions> StoqClientOptions(const std::string& target,
                                                                const StoqIdentity& identity) {
  const bool has_port = target.rfind(']') != std::string::npos
                            ? target.find(':', target.rfind(']')) != std::string::npos
                            : std::count(target.begin(), target.end(), ':') == 1;
  HM_ASSIGN_OR_RETURN(auto hp, net::SplitHostPort(has_port ? target : target + ":8443"));
  const std::string cert = Under(identity, identity.cert, "tls/cert.pem");
  const std::string key = Under(identity, identity.key, "keys/tls_ecdsa_p256.pem");
  const std::string falcon = Under(identity, identity.falcon_key, "keys/node_falcon1024.pem");
  const std::string roots_file = Under(identity, identity.roots, "tls/root.pem");

  HM_ASSIGN_OR_RETURN(auto roots_pem, crypto::ReadFile(roots_file));
  auto roots = trustchain::ca::ReadPemCertificates(base::AsString(roots_pem));
  if (!roots.ok()) return roots.status().WithContext(roots_file);
  HM_ASSIGN_OR_RETURN(auto falcon_key, crypto::hybrid::LoadFalcon1024KeyFile(falcon));
  HM_ASSIGN_OR_RETURN(auto tls, stoq::TlsCredentials::ForClient(roots_file, cert, key));

  stoq::channel::RpcClientOptions o;
  o.transport.host = hp.first;
  o.transport.port = hp.second;
  o.transport.server_name = identity.server_name;
  o.transport.credentials = std::move(tls);
  o.channel = std::make_shared<stoq::channel::ChannelConfig>(stoq::channel::ChannelConfig{
      std::move(falcon_key.signing),
      [cache = std::make_shared<trustchain::ca::PeerChainCache>(std::move(roots).value())](
          const std::vector<base::Bytes>& chain) -> base::Result<crypto::falcon::VerifyingKey> {
        HM_ASSIGN_OR_RETURN(auto peer, cache->Verify(chain, std::chrono::system_clock::now()));
        return *peer.falcon_key;
      }});
  return o;
}

void AddStoqCommands(CLI::App& app, int& exit_code) {
  auto* stoq = app.add_subcommand(
      "stoq", "node-to-node RPC over QUIC (stoq/1) with the post-quantum channel");
  stoq->require_subcommand(1);

  auto ping = std::make_shared<PingOptions>();
  auto* p = stoq->add_subcommand("ping", "round trips of stoq.ping over a fresh PQ channel");
  p->add_option("target", ping->target, "node address, e.g. [::1]:8443 (default)");
  p->add_option("-c,--count", ping->count, "calls to make (default 5)")
      ->check(CLI::Range(1, 1000000));
  p->add_option("--size", ping->size, "payload bytes (default 64)")->check(CLI::Range(0, 1 << 20));
  p->add_option("--interval-ms", ping->interval_ms, "pause between calls (default 200)")
      ->check(CLI::Range(0, 60000));
  AddIdentityFlags(p, &ping->identity);
  p->callback([ping, &exit_code] { exit_code = RunPing(*ping); });

  auto bench = std::make_shared<BenchOptions>();
  auto* b = stoq->add_subcommand(
      "bench",
      "RPC latency at a fixed call rate (open loop); or --bulk throughput, --handshakes rate, "
      "--idle connections");
  b->add_option("target", bench->target, "node address, e.g. [::1]:8443 (default)");
  b->add_option("--rate", bench->rate, "calls per second offered (default 10000)")
      ->check(CLI::Range(1, 1000000));
  b->add_option("--seconds", bench->seconds, "length of the latency run (default 5)")
      ->check(CLI::Range(0.1, 3600.0));
  b->add_option("--payload", bench->payload, "ping payload bytes (default 64)")
      ->check(CLI::Range(0, 1 << 20));
  b->add_option("--bulk", bench->bulk, "bytes per stoq.bulk call: measure throughput instead")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30));
  b->add_option("--bulk-calls", bench->bulk_calls, "stoq.bulk calls (default 4)")
      ->check(CLI::Range(1, 10000));
  b->add_option("--handshakes", bench->handshakes,
                "set up N connections (stoq/1: PQ channel included): handshake rate")
      ->check(CLI::Range(size_t{1}, size_t{10'000'000}));
  b->add_option("--concurrency", bench->concurrency, "handshakes in flight (default 256)")
      ->check(CLI::Range(size_t{1}, size_t{100'000}));
  b->add_option("--idle", bench->idle, "hold N idle connections open")
      ->check(CLI::Range(size_t{1}, size_t{10'000'000}));
  b->add_option("--alpn", bench->alpn,
                "protocol for --handshakes and --idle: stoq/1 (PQ channel; default for "
                "--handshakes) or h3 (TLS only; default for --idle)")
      ->check(CLI::IsMember({std::string(stoq::kAlpnH3), std::string(stoq::kAlpnStoq)}));
  b->add_option("--hold", bench->hold_s, "seconds to hold the idle connections (default 10)")
      ->check(CLI::Range(0.0, 86400.0));
  b->add_option("--server-pid", bench->server_pid,
                "hypermeshd's pid on this machine: report its memory per idle connection");
  AddIdentityFlags(b, &bench->identity);
  b->callback([bench, &exit_code] { exit_code = RunBench(*bench); });
}

}  // namespace hm::cli
