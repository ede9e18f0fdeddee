// NodeOptions: every setting of hypermeshd, filled from the TOML config file and flags by
// config.cc and validated before anything starts. Core code receives these plain structs and
// never sees the config parser. Thread-safety: value type.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "chain/sequencer.h"

namespace hm::node {

struct ApiOptions {
  std::string listen = "::";   // IPv6 literal only
  uint16_t port = 8443;
  uint64_t max_body_bytes = 1 << 20;
  int io_threads = 2;
  int handler_threads = 4;
  int max_connections = 10'000;
  std::chrono::seconds request_timeout{30};
  // GET /api/v1/bench/bytes/{n} up to this many bytes (0: route absent). Dev: 256 MiB.
  uint64_t bench_max_bytes = 0;
};

struct TrustChainNodeOptions {
  // Names certificate requests may carry: these zones and names under them (lower case).
  std::vector<std::string> zones{"hypermesh"};
  // Any syntactically valid name, wildcards and IPv6 addresses (dev nodes).
  bool allow_any_name = false;
  int leaf_validity_hours = 24;
  int max_leaf_validity_hours = 24 * 90;
  // Base of the OCSP / CA issuers / CRL URLs in issued certificates; empty: https://localhost:<port>.
  std::string public_url;
  // The node's own TLS certificate is re-issued when less than this remains.
  int tls_renew_before_hours = 6;
  // Extra DNS names for the node's own TLS certificate (localhost and <id>.hypermesh always).
  std::vector<std::string> tls_names;
};

struct DnsNodeOptions {
  bool enabled = true;
  std::string listen = "::";  // UDP and TCP; IPv6 literal only
  uint16_t port = 53;         // dev: 8053; 0 picks a free port
  // Zones answered authoritatively (lower case, no trailing dot). The first one also holds the
  // node's own records (<id>.<zone>, trust.<zone>).
  std::vector<std::string> zones{"hypermesh"};
  int udp_workers = 1;
  int tcp_max_connections = 256;
  int tcp_idle_timeout_s = 10;
  int max_udp_payload = 1232;  // our EDNS size (RFC 6891; 1232 avoids IPv6 fragmentation)
  // Response-rate limiting per client /56 (UDP): responses per second; 0 disables.
  int rrl_responses_per_second = 50;
  int rrl_slip = 2;  // every Nth limited response goes out truncated (TC) instead of dropped
  // Phase-0 bootstrap: names outside the zones are forwarded here ("[2001:db8::53]:53") instead
  // of REFUSED.
  std::vector<std::string> forward_upstreams;
};

// STOQ: QUIC on the API port number over UDP (h3, and later stoq/1 and doq).
struct StoqNodeOptions {
  bool enabled = true;
  int max_connections = 100'000;
  int idle_timeout_s = 30;
  std::string retry = "under_load";  // "under_load" | "always" | "never"
  int retry_threshold = 256;         // handshakes in progress that count as load
  int socket_buffer_bytes = 8 << 20;
  // PEM files with more TrustChain roots whose nodes may connect over stoq/1, e.g. other dev
  // nodes' tls/root.pem (the node's own root is always trusted). Relative paths: under data_dir.
  std::vector<std::string> trusted_roots;
};

struct NodeOptions {
  bool dev = false;
  std::string data_dir = "/var/lib/hypermesh";
  // Relative paths are under data_dir. In dev mode a missing genesis file is created.
  std::string genesis_file = "genesis.json";
  base::LogOptions log;
  ApiOptions api;
  chain::SequencerOptions sequencer;
  TrustChainNodeOptions trustchain;
  DnsNodeOptions dns;
  StoqNodeOptions stoq;

  // Dev defaults: ./hm-data, [::1], genesis created on first start.
  static NodeOptions Dev();

  // Every error names the config key, e.g. "api.listen: IPv4 address ... is not supported".
  base::Status Validate() const;

 private:
  base::Status ValidateDns() const;
};

}  // namespace hm::node
