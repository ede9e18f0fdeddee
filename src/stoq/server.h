// StoqServer: the QUIC listener on UDP (8443 by default, the same port number as HTTPS). One
// "hm-quic" thread owns the socket and the Endpoint: it reads datagrams in batches (GRO when the
// kernel has it), runs timers, and writes GSO batches. Applications are chosen by ALPN; work they
// hand to other threads comes back through PostToConnection.
// Thread-safety: RegisterAlpn before Start; Start/Shutdown/SetCredentials/PostToConnection from
// any thread (Shutdown not from the QUIC thread).
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/metrics.h"
#include "base/status.h"
#include "stoq/endpoint.h"

namespace hm::net {
class UdpSocket;
class RecvBatch;
}

namespace hm::stoq {

// Runs work on a connection's own thread.
class ConnectionPoster {
 public:
  virtual ~ConnectionPoster() = default;
  // Runs `fn` on the QUIC thread if connection `id` still exists, then lets it send.
  virtual void PostToConnection(uint64_t id, std::function<void(Connection&)> fn) = 0;
};

using ServerApplicationFactory =
    std::function<std::unique_ptr<Application>(Connection& conn, ConnectionPoster& poster)>;

struct StoqServerOptions {
  std::string listen_host = "::1";
  uint16_t port = 8443;  // 0 picks a free port (tests)
  EndpointOptions endpoint;
  int socket_buffer_bytes = 8 << 20;  // about the bandwidth-delay product of 10 Gbit/s x 6 ms
  bool gso = true;
  bool gro = true;
  std::chrono::milliseconds drain_timeout{10'000};

  base::Status Validate() const;
};

class StoqServer final : public ConnectionPoster {
 public:
  StoqServer(StoqServerOptions options, std::shared_ptr<const TlsCredentials> credentials,
             base::MetricsRegistry& metrics);
  ~StoqServer() override;  // Shutdown()
  StoqServer(const StoqServer&) = delete;
  StoqServer& operator=(const StoqServer&) = delete;

  // Offers `alpn` (in registration order of preference). Before Start only.
  base::Status RegisterAlpn(std::string alpn, ServerApplicationFactory factory);

  // Runs `publish` with the metrics registry whenever the endpoint's counters are published
  // (every 100 ms on the QUIC thread): for applications' own counters. Before Start only.
  void AddStatsPublisher(std::function<void(base::MetricsRegistry&)> publish);
  // Binds and starts the thread. Errors: kInvalidArgument (options), kUnavailable
  // "address [::1]:8443/udp is already in use", kFailedPrecondition (no ALPN, started twice).
  base::Status Start();
  uint16_t port() const { return port_; }
  bool gso_enabled() const;
  bool gro_enabled() const;

  // Refuses new connections, tells applications (HTTP/3 GOAWAY), waits up to drain_timeout for
  // in-flight work, closes every connection and stops the thread. Idempotent.
  void Shutdown();
  void SetCredentials(std::shared_ptr<const TlsCredentials> credentials);
  void PostToConnection(uint64_t id, std::function<void(Connection&)> fn) override;

  // A copy of the endpoint's counters (refreshed by the QUIC thread every 100 ms).
  EndpointStats stats() const;
  size_t connection_count() const { return connections_.load(); }

 private:
  class Sink;
  void Run();
  void RunPosted(Timestamp now);
  void ReadDatagrams(Timestamp now);
  void PublishStats();
  void Wake();

  StoqServerOptions options_;
  std::shared_ptr<const TlsCredentials> credentials_;
  base::MetricsRegistry& metrics_;
  std::vector<std::pair<std::string, ServerApplicationFactory>> factories_;
  std::vector<std::function<void(base::MetricsRegistry&)>> publishers_;
  std::unique_ptr<net::UdpSocket> socket_;
  std::unique_ptr<Sink> sink_;
  std::unique_ptr<net::RecvBatch> batch_;
  std::unique_ptr<base::Random> random_;
  std::unique_ptr<Endpoint> endpoint_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool precise_wait_ = true;  // epoll_pwait2 works here (QUIC thread only)
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> drain_{false};
  std::atomic<size_t> connections_{0};
  bool started_ = false;

  mutable std::mutex mu_;  // guards posted_, pending_credentials_, stats_
  std::deque<std::pair<uint64_t, std::function<void(Connection&)>>> posted_;
  std::shared_ptr<const TlsCredentials> pending_credentials_;
  EndpointStats stats_;
};

// Monotonic now for ngtcp2.
Timestamp MonotonicNow();

}  // namespace hm::stoq
