#include "node/config.h"

// The packaged toml++ library is built with exceptions; compile our own no-exception copy.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <fmt/format.h>

#include <functional>
#include <map>
#include <toml++/toml.h>

#include "crypto/key_file.h"

namespace hm::node {

using base::InvalidArgument;
using base::Result;
using base::Status;

namespace {

// One setter per dotted key. Each checks the TOML type and range and names the key on error.
using Setter = std::function<Status(const toml::node&, NodeOptions&)>;

Setter String(std::string key, std::function<void(NodeOptions&, std::string)> set) {
  return [key, set](const toml::node& n, NodeOptions& o) -> Status {
    auto v = n.value<std::string>();
    if (!n.is_string() || !v) return InvalidArgument(key + ": expected a string");
    set(o, *v);
    return Status::Ok();
  };
}

Setter Bool(std::string key, std::function<void(NodeOptions&, bool)> set) {
  return [key, set](const toml::node& n, NodeOptions& o) -> Status {
    if (!n.is_boolean()) return InvalidArgument(key + ": expected true or false");
    set(o, *n.value<bool>());
    return Status::Ok();
  };
}

Setter Int(std::string key, int64_t min, int64_t max, std::function<void(NodeOptions&, int64_t)> set) {
  return [key, min, max, set](const toml::node& n, NodeOptions& o) -> Status {
    if (!n.is_integer()) return InvalidArgument(key + ": expected an integer");
    int64_t v = *n.value<int64_t>();
    if (v < min || v > max) {
      return InvalidArgument(fmt::format("{}: {} is out of range [{}, {}]", key, v, min, max));
    }
    set(o, v);
    return Status::Ok();
  };
}

Setter StringList(std::string key,
                  std::function<void(NodeOptions&, std::vector<std::string>)> set) {
  return [key, set](const toml::node& n, NodeOptions& o) -> Status {
    const toml::array* arr = n.as_array();
    if (arr == nullptr) return InvalidArgument(key + ": expected an array of strings");
    std::vector<std::string> out;
    for (const auto& e : *arr) {
      auto v = e.value<std::string>();
      if (!e.is_string() || !v) return InvalidArgument(key + ": expected an array of strings");
      out.push_back(*v);
    }
    set(o, std::move(out));
    return Status::Ok();
  };
}

const std::map<std::string, Setter>& Setters() {
  static const auto* setters = new std::map<std::string, Setter>{
      {"node.dev", Bool("node.dev", [](NodeOptions& o, bool v) { o.dev = v; })},
      {"node.data_dir",
       String("node.data_dir", [](NodeOptions& o, std::string v) { o.data_dir = std::move(v); })},
      {"genesis.file",
       String("genesis.file", [](NodeOptions& o, std::string v) { o.genesis_file = std::move(v); })},
      {"log.level",
       [](const toml::node& n, NodeOptions& o) -> Status {
         if (!n.is_string()) return InvalidArgument("log.level: expected a string");
         auto level = base::ParseLogLevel(*n.value<std::string>());
         if (!level.ok()) return level.status().WithContext("log.level");
         o.log.level = *level;
         return Status::Ok();
       }},
      {"log.json", Bool("log.json", [](NodeOptions& o, bool v) { o.log.json = v; })},
      {"api.listen",
       String("api.listen", [](NodeOptions& o, std::string v) { o.api.listen = std::move(v); })},
      {"api.bench_max_bytes",
       Int("api.bench_max_bytes", 0, int64_t{1} << 30,
           [](NodeOptions& o, int64_t v) { o.api.bench_max_bytes = static_cast<uint64_t>(v); })},
      {"api.port", Int("api.port", 0, 65535,
                       [](NodeOptions& o, int64_t v) { o.api.port = static_cast<uint16_t>(v); })},
      {"api.max_body_bytes",
       Int("api.max_body_bytes", 1024, 64 << 20,
           [](NodeOptions& o, int64_t v) { o.api.max_body_bytes = static_cast<uint64_t>(v); })},
      {"api.io_threads", Int("api.io_threads", 1, 64,
                             [](NodeOptions& o, int64_t v) { o.api.io_threads = static_cast<int>(v); })},
      {"api.handler_threads",
       Int("api.handler_threads", 1, 256,
           [](NodeOptions& o, int64_t v) { o.api.handler_threads = static_cast<int>(v); })},
      {"api.max_connections",
       Int("api.max_connections", 1, 1'000'000,
           [](NodeOptions& o, int64_t v) { o.api.max_connections = static_cast<int>(v); })},
      {"api.request_timeout_s",
       Int("api.request_timeout_s", 1, 3600,
           [](NodeOptions& o, int64_t v) { o.api.request_timeout = std::chrono::seconds(v); })},
      {"sequencer.max_block_txs",
       Int("sequencer.max_block_txs", 1, chain::kMaxBlockTxs,
           [](NodeOptions& o, int64_t v) { o.sequencer.max_block_txs = static_cast<size_t>(v); })},
      {"sequencer.max_pending_txs",
       Int("sequencer.max_pending_txs", 1, 10'000'000,
           [](NodeOptions& o, int64_t v) { o.sequencer.max_pending_txs = static_cast<size_t>(v); })},
      {"sequencer.block_interval_ms",
       Int("sequencer.block_interval_ms", 0, 100,
           [](NodeOptions& o, int64_t v) {
             o.sequencer.block_interval = std::chrono::milliseconds(v);
           })},
      {"trustchain.zones", StringList("trustchain.zones", [](NodeOptions& o, auto v) {
         o.trustchain.zones = std::move(v);
       })},
      {"trustchain.allow_any_name",
       Bool("trustchain.allow_any_name",
            [](NodeOptions& o, bool v) { o.trustchain.allow_any_name = v; })},
      {"trustchain.leaf_validity_hours",
       Int("trustchain.leaf_validity_hours", 1, 24 * 398,
           [](NodeOptions& o, int64_t v) { o.trustchain.leaf_validity_hours = static_cast<int>(v); })},
      {"trustchain.max_leaf_validity_hours",
       Int("trustchain.max_leaf_validity_hours", 1, 24 * 398,
           [](NodeOptions& o, int64_t v) {
             o.trustchain.max_leaf_validity_hours = static_cast<int>(v);
           })},
      {"trustchain.public_url", String("trustchain.public_url", [](NodeOptions& o, std::string v) {
         o.trustchain.public_url = std::move(v);
       })},
      {"trustchain.tls_renew_before_hours",
       Int("trustchain.tls_renew_before_hours", 1, 24 * 397,
           [](NodeOptions& o, int64_t v) {
             o.trustchain.tls_renew_before_hours = static_cast<int>(v);
           })},
      {"trustchain.tls_names", StringList("trustchain.tls_names", [](NodeOptions& o, auto v) {
         o.trustchain.tls_names = std::move(v);
       })},
      {"stoq.enabled", Bool("stoq.enabled", [](NodeOptions& o, bool v) { o.stoq.enabled = v; })},
      {"stoq.max_connections",
       Int("stoq.max_connections", 1, 1'000'000,
           [](NodeOptions& o, int64_t v) { o.stoq.max_connections = static_cast<int>(v); })},
      {"stoq.idle_timeout_s",
       Int("stoq.idle_timeout_s", 1, 3600,
           [](NodeOptions& o, int64_t v) { o.stoq.idle_timeout_s = static_cast<int>(v); })},
      {"stoq.retry",
       String("stoq.retry", [](NodeOptions& o, std::string v) { o.stoq.retry = std::move(v); })},
      {"stoq.retry_threshold",
       Int("stoq.retry_threshold", 0, 1'000'000,
           [](NodeOptions& o, int64_t v) { o.stoq.retry_threshold = static_cast<int>(v); })},
      {"stoq.socket_buffer_bytes",
       Int("stoq.socket_buffer_bytes", 65536, 1 << 30,
           [](NodeOptions& o, int64_t v) { o.stoq.socket_buffer_bytes = static_cast<int>(v); })},
      {"stoq.trusted_roots", StringList("stoq.trusted_roots", [](NodeOptions& o, auto v) {
         o.stoq.trusted_roots = std::move(v);
       })},
      {"dns.enabled", Bool("dns.enabled", [](NodeOptions& o, bool v) { o.dns.enabled = v; })},
      {"dns.listen",
       String("dns.listen", [](NodeOptions& o, std::string v) { o.dns.listen = std::move(v); })},
      {"dns.port", Int("dns.port", 0, 65535,
                       [](NodeOptions& o, int64_t v) { o.dns.port = static_cast<uint16_t>(v); })},
      {"dns.zones",
       StringList("dns.zones", [](NodeOptions& o, auto v) { o.dns.zones = std::move(v); })},
      {"dns.udp_workers", Int("dns.udp_workers", 1, 64, [](NodeOptions& o, int64_t v) {
         o.dns.udp_workers = static_cast<int>(v);
       })},
      {"dns.tcp_max_connections",
       Int("dns.tcp_max_connections", 1, 100000,
           [](NodeOptions& o, int64_t v) { o.dns.tcp_max_connections = static_cast<int>(v); })},
      {"dns.tcp_idle_timeout_s",
       Int("dns.tcp_idle_timeout_s", 1, 3600,
           [](NodeOptions& o, int64_t v) { o.dns.tcp_idle_timeout_s = static_cast<int>(v); })},
      {"dns.max_udp_payload",
       Int("dns.max_udp_payload", 512, 4096,
           [](NodeOptions& o, int64_t v) { o.dns.max_udp_payload = static_cast<int>(v); })},
      {"dns.rrl_responses_per_second",
       Int("dns.rrl_responses_per_second", 0, 1000000, [](NodeOptions& o, int64_t v) {
         o.dns.rrl_responses_per_second = static_cast<int>(v);
       })},
      {"dns.rrl_slip", Int("dns.rrl_slip", 0, 10, [](NodeOptions& o, int64_t v) {
         o.dns.rrl_slip = static_cast<int>(v);
       })},
      {"dns.forward_upstreams", StringList("dns.forward_upstreams", [](NodeOptions& o, auto v) {
         o.dns.forward_upstreams = std::move(v);
       })},
  };
  return *setters;
}

Status Apply(const toml::table& table, const std::string& prefix, NodeOptions& options) {
  for (const auto& [k, node] : table) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const toml::table* sub = node.as_table()) {
      if (!prefix.empty()) return InvalidArgument(key + ": unexpected nested table");
      HM_TRY(Apply(*sub, key, options));
      continue;
    }
    auto it = Setters().find(key);
    if (it == Setters().end()) {
      return InvalidArgument("unknown config key '" + key + "'");
    }
    HM_TRY(it->second(node, options));
  }
  return Status::Ok();
}

}  // namespace

Result<NodeOptions> ParseConfig(std::string_view toml_text, NodeOptions options,
                                std::string_view source_name) {
  toml::parse_result parsed = toml::parse(toml_text, source_name);
  if (!parsed) {
    const auto& err = parsed.error();
    return InvalidArgument(fmt::format("{}:{}:{}: {}", source_name, err.source().begin.line,
                                       err.source().begin.column, err.description()));
  }
  HM_TRY(Apply(parsed.table(), "", options).WithContext(std::string(source_name)));
  HM_TRY(options.Validate().WithContext(std::string(source_name)));
  return options;
}

Result<NodeOptions> LoadConfigFile(const std::string& path, NodeOptions base) {
  HM_ASSIGN_OR_RETURN(auto bytes, crypto::ReadFile(path));
  return ParseConfig(base::AsString(bytes), std::move(base), path);
}

std::string ExampleConfig() {
  return R"(# hypermeshd configuration. Every key is optional; unknown keys are errors.

[node]
# Where RocksDB (db/), keys (keys/, mode 0700) and the genesis file live.
data_dir = "/var/lib/hypermesh"
# Dev mode: creates genesis and keys on first start. Prefer the --dev flag.
dev = false

[genesis]
# Relative to data_dir.
file = "genesis.json"

[log]
level = "info"     # trace, debug, info, warn, error, off
json = false       # one JSON object per line

[api]
listen = "::"      # IPv6 literal only; "::1" for loopback
port = 8443
max_body_bytes = 1048576
io_threads = 2
handler_threads = 4
max_connections = 10000
request_timeout_s = 30
bench_max_bytes = 0   # GET /api/v1/bench/bytes/{n} up to this size (256 MiB in --dev; 0 = off)

[sequencer]
max_block_txs = 10000
max_pending_txs = 200000
block_interval_ms = 0   # minimum spacing between blocks, 0..100

[trustchain]
zones = ["hypermesh"]          # names certificates may carry: these zones and names under them
allow_any_name = false         # true in --dev: any valid name, wildcards, IPv6 addresses
leaf_validity_hours = 24
max_leaf_validity_hours = 2160
# public_url = "https://node1.hypermesh:8443"   # base of OCSP/CRL/CA-issuer URLs in leaves
tls_renew_before_hours = 6     # the node's own TLS certificate is re-issued this early
tls_names = []                 # extra DNS names for the node's own TLS certificate

[dns]
enabled = true
listen = "::"                  # UDP and TCP; IPv6 literal only ("::1" in --dev)
port = 53                      # 8053 in --dev; 0 picks a free port
zones = ["hypermesh"]          # answered authoritatively; the first holds the node's own records
udp_workers = 1                # threads, one SO_REUSEPORT socket each
tcp_max_connections = 256
tcp_idle_timeout_s = 10
max_udp_payload = 1232         # our EDNS(0) size; larger UDP answers are truncated (TC)
rrl_responses_per_second = 50  # per client /56 over UDP (200 in --dev); 0 turns RRL off
rrl_slip = 2                   # every 2nd limited response is sent truncated instead of dropped
forward_upstreams = []         # e.g. ["[2001:db8::53]:53"]: forward other names instead of REFUSED

[stoq]                         # QUIC on UDP at the api port number: HTTP/3 (h3)
enabled = true
max_connections = 100000       # more are refused with CONNECTION_REFUSED
idle_timeout_s = 30
retry = "under_load"           # address validation: "under_load", "always" or "never"
retry_threshold = 256          # handshakes in progress that count as load
socket_buffer_bytes = 8388608  # UDP SO_RCVBUF/SO_SNDBUF (about 10 Gbit/s x 6 ms)
trusted_roots = []             # more roots (PEM files, relative to data_dir) whose nodes may
                               # connect over stoq/1, e.g. other dev nodes' tls/root.pem; this
                               # node's own tls/root.pem is always trusted
)";
}

}  // namespace hm::node
