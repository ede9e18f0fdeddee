#include "trustchain/dns/server/server.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "trustchain/dns/server/internal/context.h"
#include "trustchain/dns/server/internal/socket.h"
#include "trustchain/dns/server/internal/tcp_loop.h"
#include "trustchain/dns/server/internal/udp_worker.h"

namespace hm::trustchain::dns {
namespace {

using internal::Fd;
using internal::SocketKind;

constexpr unsigned kMaxUdpWorkers = 64;
constexpr int kEphemeralBindAttempts = 16;

struct BoundSockets {
  Fd tcp;
  std::vector<Fd> udp;
  uint16_t port = 0;
};

// Binds TCP first: UDP sockets use SO_REUSEPORT and would quietly join (and steal datagrams
// from) another server's group on a busy port, whereas the TCP bind fails cleanly. With port 0
// the kernel picks the TCP port, and we retry if that port is taken for UDP.
base::Result<BoundSockets> BindAll(const DnsServerOptions& options) {
  const int attempts = options.listen.port == 0 ? kEphemeralBindAttempts : 1;
  base::Status last;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    BoundSockets s;
    HM_ASSIGN_OR_RETURN(s.tcp, internal::OpenBound(options.listen, SocketKind::kTcpListener,
                                                   /*reuse_port=*/false));
    HM_ASSIGN_OR_RETURN(s.port, internal::BoundPort(s.tcp.get()));
    const net::Endpoint udp_endpoint{options.listen.address, s.port};
    for (unsigned i = 0; i < options.udp_workers; ++i) {
      base::Result<Fd> udp =
          internal::OpenBound(udp_endpoint, SocketKind::kUdp, /*reuse_port=*/true);
      if (!udp.ok()) {
        last = udp.status();
        break;
      }
      s.udp.push_back(std::move(udp).value());
    }
    if (s.udp.size() == options.udp_workers) return s;
    if (last.code() != base::Code::kUnavailable) return last;
  }
  return last;
}

uint64_t RandomSeed() {
  uint64_t seed = 0;
  if (::getrandom(&seed, sizeof seed, 0) != sizeof seed) {
    seed = static_cast<uint64_t>(internal::MonotonicMs()) ^ reinterpret_cast<uintptr_t>(&seed);
  }
  return seed;
}

base::Status ValidateAddress(const net::Endpoint& e, std::string_view what) {
  if (e.address.is_v4_mapped()) {
    return base::InvalidArgument(fmt::format(
        "DNS {} {} is an IPv4-mapped address: HyperMesh is IPv6-only", what, e.ToString()));
  }
  return base::Status::Ok();
}

}  // namespace

namespace internal {

int64_t MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ServerMetrics ServerMetrics::Register(base::MetricsRegistry& r) {
  const std::string queries_help = "DNS queries received";
  const std::string responses_help = "DNS responses sent";
  return ServerMetrics{
      &r.GetCounter("hm_dns_queries_total", queries_help, {{"transport", "udp"}}),
      &r.GetCounter("hm_dns_responses_total", responses_help, {{"transport", "udp"}}),
      &r.GetCounter("hm_dns_queries_total", queries_help, {{"transport", "tcp"}}),
      &r.GetCounter("hm_dns_responses_total", responses_help, {{"transport", "tcp"}}),
      &r.GetCounter("hm_dns_dropped_total",
                    "DNS queries dropped without an answer (handler decision, unusable "
                    "datagram, send failure)"),
      &r.GetCounter("hm_dns_forwarded_total", "DNS queries forwarded to an upstream resolver"),
      &r.GetCounter("hm_dns_rrl_dropped_total", "UDP responses dropped by rate limiting"),
      &r.GetCounter("hm_dns_rrl_slipped_total",
                    "UDP responses replaced by a truncated reply by rate limiting"),
      &r.GetGauge("hm_dns_tcp_connections", "Open DNS-over-TCP connections"),
  };
}

}  // namespace internal

base::Status DnsServerOptions::Validate() const {
  HM_TRY(ValidateAddress(listen, "listen address"));
  if (udp_workers < 1 || udp_workers > kMaxUdpWorkers) {
    return base::InvalidArgument(
        fmt::format("DNS udp_workers {} is outside 1..{}", udp_workers, kMaxUdpWorkers));
  }
  if (tcp_max_connections < 1) {
    return base::InvalidArgument("DNS tcp_max_connections must be at least 1");
  }
  if (tcp_idle_timeout.count() <= 0) {
    return base::InvalidArgument("DNS tcp_idle_timeout must be positive");
  }
  if (forward_timeout.count() <= 0) {
    return base::InvalidArgument("DNS forward_timeout must be positive");
  }
  if (rrl.ipv6_prefix_length > 128) {
    return base::InvalidArgument(
        fmt::format("DNS rrl.ipv6_prefix_length {} is over 128", rrl.ipv6_prefix_length));
  }
  if (rrl.responses_per_second != 0 && rrl.table_size < 1) {
    return base::InvalidArgument("DNS rrl.table_size must be at least 1");
  }
  for (const net::Endpoint& upstream : upstreams) {
    HM_TRY(ValidateAddress(upstream, "upstream"));
    if (upstream.port == 0) {
      return base::InvalidArgument(fmt::format("DNS upstream {} has port 0", upstream.ToString()));
    }
  }
  return base::Status::Ok();
}

DnsServer::DnsServer() = default;

DnsServer::~DnsServer() {
  Stop();
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

base::Result<std::unique_ptr<DnsServer>> DnsServer::Start(DnsServerOptions options,
                                                          QueryHandler handler) {
  HM_TRY(options.Validate());
  if (!handler) return base::InvalidArgument("DNS server needs a query handler");
  HM_ASSIGN_OR_RETURN(BoundSockets sockets, BindAll(options));

  std::unique_ptr<DnsServer> server(new DnsServer());
  server->options_ = std::move(options);
  server->handler_ = std::move(handler);
  server->port_ = sockets.port;
  base::MetricsRegistry* registry = server->options_.metrics;
  if (registry == nullptr) {
    server->own_metrics_ = std::make_unique<base::MetricsRegistry>();
    registry = server->own_metrics_.get();
  }
  server->rrl_ = std::make_unique<Rrl>(server->options_.rrl, RandomSeed());
  const internal::ServerContext context{&server->handler_, server->rrl_.get(),
                                        internal::ServerMetrics::Register(*registry),
                                        &server->options_};
  HM_ASSIGN_OR_RETURN(Fd stop, internal::OpenEventFd());
  server->stop_fd_ = stop.Release();  // closed by ~DnsServer

  const bool unspecified = server->options_.listen.address.is_unspecified();
  for (Fd& udp : sockets.udp) {
    HM_ASSIGN_OR_RETURN(auto worker, internal::UdpWorker::Create(std::move(udp), unspecified,
                                                                 context, server->stop_fd_));
    server->udp_workers_.push_back(std::move(worker));
  }
  HM_ASSIGN_OR_RETURN(server->tcp_loop_,
                      internal::TcpLoop::Create(std::move(sockets.tcp), context, server->stop_fd_));

  for (size_t i = 0; i < server->udp_workers_.size(); ++i) {
    internal::UdpWorker* worker = server->udp_workers_[i].get();
    server->threads_.emplace_back([worker, i] {
      const std::string name = fmt::format("hm-dns-udp-{}", i);
      pthread_setname_np(pthread_self(), name.c_str());
      worker->Run();
    });
  }
  internal::TcpLoop* tcp = server->tcp_loop_.get();
  server->threads_.emplace_back([tcp] {
    pthread_setname_np(pthread_self(), "hm-dns-tcp");
    tcp->Run();
  });
  HM_LOG_INFO("dns", "serving DNS on {} (UDP with {} worker{}, TCP)",
              net::Endpoint{server->options_.listen.address, server->port_}.ToString(),
              server->udp_workers_.size(), server->udp_workers_.size() == 1 ? "" : "s");
  return server;
}

void DnsServer::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  if (stop_fd_ >= 0) {
    const uint64_t one = 1;
    // Level-triggered and never read: every thread's epoll_wait sees it.
    if (::write(stop_fd_, &one, sizeof one) != sizeof one) {
      HM_LOG_ERROR("dns", "cannot signal stop: {}", internal::ErrnoText(errno));
    }
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  udp_workers_.clear();  // closes the sockets
  tcp_loop_.reset();
}

}  // namespace hm::trustchain::dns
