// State shared by the DNS server's threads: the handler, the RRL table, the metric instruments
// and the options. Built once by DnsServer::Start and read-only afterwards.
// Thread-safety: read-only after construction; the instruments and Rrl are thread-safe.
#pragma once

#include <cstdint>

#include "base/metrics.h"
#include "trustchain/dns/server/rrl.h"
#include "trustchain/dns/server/server.h"

namespace hm::trustchain::dns::internal {

struct ServerMetrics {
  base::Counter* udp_queries;
  base::Counter* udp_responses;
  base::Counter* tcp_queries;
  base::Counter* tcp_responses;
  base::Counter* dropped;
  base::Counter* forwarded;
  base::Counter* rrl_dropped;
  base::Counter* rrl_slipped;
  base::Gauge* tcp_connections;

  static ServerMetrics Register(base::MetricsRegistry& registry);
};

struct ServerContext {
  const QueryHandler* handler;
  Rrl* rrl;
  ServerMetrics metrics;
  const DnsServerOptions* options;
};

// Monotonic milliseconds, read once per batch by the transport threads.
int64_t MonotonicMs();

}  // namespace hm::trustchain::dns::internal
