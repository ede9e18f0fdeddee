#include "node/options.h"

#include <fmt/format.h>

#include "net/address.h"

namespace hm::node {

NodeOptions NodeOptions::Dev() {
  NodeOptions o;
  o.dev = true;
  o.data_dir = "hm-data";
  o.api.listen = "::1";
  o.api.bench_max_bytes = 256u << 20;
  o.trustchain.allow_any_name = true;
  o.dns.listen = "::1";
  o.dns.port = 8053;
  o.dns.rrl_responses_per_second = 200;
  return o;
}

base::Status NodeOptions::Validate() const {
  if (data_dir.empty()) return base::InvalidArgument("node.data_dir: must not be empty");
  if (genesis_file.empty()) return base::InvalidArgument("genesis.file: must not be empty");
  if (auto ep = net::ParseListenAddress(api.listen, api.port); !ep.ok()) {
    return ep.status().WithContext("api.listen");
  }
  if (api.max_body_bytes < 1024 || api.max_body_bytes > (64u << 20)) {
    return base::InvalidArgument("api.max_body_bytes: must be between 1024 and 67108864");
  }
  if (api.io_threads < 1 || api.io_threads > 64) {
    return base::InvalidArgument("api.io_threads: must be between 1 and 64");
  }
  if (api.handler_threads < 1 || api.handler_threads > 256) {
    return base::InvalidArgument("api.handler_threads: must be between 1 and 256");
  }
  if (api.max_connections < 1) {
    return base::InvalidArgument("api.max_connections: must be at least 1");
  }
  if (api.request_timeout.count() < 1 || api.request_timeout.count() > 3600) {
    return base::InvalidArgument("api.request_timeout_s: must be between 1 and 3600");
  }
  const auto& tc = trustchain;
  if (tc.zones.empty() && !tc.allow_any_name) {
    return base::InvalidArgument("trustchain.zones: must name at least one zone");
  }
  for (const auto& z : tc.zones) {
    if (z.empty() || z.front() == '.' || z.back() == '.' ||
        z.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") != std::string::npos) {
      return base::InvalidArgument(fmt::format(
          "trustchain.zones: '{}' is not a lower-case DNS name without a trailing dot", z));
    }
  }
  if (tc.leaf_validity_hours < 1 || tc.leaf_validity_hours > tc.max_leaf_validity_hours) {
    return base::InvalidArgument(
        "trustchain.leaf_validity_hours: must be between 1 and trustchain.max_leaf_validity_hours");
  }
  if (tc.max_leaf_validity_hours > 24 * 398) {
    return base::InvalidArgument("trustchain.max_leaf_validity_hours: at most 9552 (398 days)");
  }
  if (!tc.public_url.empty() && tc.public_url.rfind("https://", 0) != 0 &&
      tc.public_url.rfind("http://", 0) != 0) {
    return base::InvalidArgument(fmt::format(
        "trustchain.public_url: '{}' must start with https:// or http://", tc.public_url));
  }
  if (!tc.public_url.empty() && tc.public_url.back() == '/') {
    return base::InvalidArgument("trustchain.public_url: must not end with '/'");
  }
  if (tc.tls_renew_before_hours < 1 || tc.tls_renew_before_hours >= tc.leaf_validity_hours) {
    return base::InvalidArgument(
        "trustchain.tls_renew_before_hours: must be at least 1 and below "
        "trustchain.leaf_validity_hours");
  }
  HM_TRY(ValidateDns());
  if (stoq.retry != "under_load" && stoq.retry != "always" && stoq.retry != "never") {
    return base::InvalidArgument(
        "stoq.retry: must be \"under_load\", \"always\" or \"never\", not \"" + stoq.retry + "\"");
  }
  for (const auto& path : stoq.trusted_roots) {
    if (path.empty()) return base::InvalidArgument("stoq.trusted_roots: empty path");
  }
  return sequencer.Validate();
}

base::Status NodeOptions::ValidateDns() const {
  if (auto ep = net::ParseListenAddress(dns.listen, dns.port); !ep.ok()) {
    return ep.status().WithContext("dns.listen");
  }
  if (dns.zones.empty()) return base::InvalidArgument("dns.zones: must name at least one zone");
  for (const auto& z : dns.zones) {
    if (z.empty() || z.front() == '.' || z.back() == '.' || z.find('.') == 0 ||
        z.find("..") != std::string::npos ||
        z.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") != std::string::npos) {
      return base::InvalidArgument(fmt::format(
          "dns.zones: '{}' is not a lower-case DNS name without a trailing dot", z));
    }
  }
  for (size_t i = 0; i < dns.zones.size(); ++i) {
    for (size_t j = 0; j < dns.zones.size(); ++j) {
      const auto& a = dns.zones[i];
      const auto& b = dns.zones[j];
      if (i != j && (a == b || (a.size() > b.size() && a.ends_with("." + b)))) {
        return base::InvalidArgument(
            fmt::format("dns.zones: '{}' overlaps '{}' (zones may not nest)", a, b));
      }
    }
  }
  if (dns.udp_workers < 1 || dns.udp_workers > 64) {
    return base::InvalidArgument("dns.udp_workers: must be between 1 and 64");
  }
  if (dns.tcp_max_connections < 1 || dns.tcp_max_connections > 100000) {
    return base::InvalidArgument("dns.tcp_max_connections: must be between 1 and 100000");
  }
  if (dns.tcp_idle_timeout_s < 1 || dns.tcp_idle_timeout_s > 3600) {
    return base::InvalidArgument("dns.tcp_idle_timeout_s: must be between 1 and 3600");
  }
  if (dns.max_udp_payload < 512 || dns.max_udp_payload > 4096) {
    return base::InvalidArgument("dns.max_udp_payload: must be between 512 and 4096");
  }
  if (dns.rrl_responses_per_second < 0 || dns.rrl_responses_per_second > 1000000) {
    return base::InvalidArgument("dns.rrl_responses_per_second: must be between 0 and 1000000");
  }
  if (dns.rrl_slip < 0 || dns.rrl_slip > 10) {
    return base::InvalidArgument("dns.rrl_slip: must be between 0 and 10");
  }
  for (const auto& u : dns.forward_upstreams) {
    if (auto ep = net::ParseHostPort(u); !ep.ok()) {
      return ep.status().WithContext(fmt::format("dns.forward_upstreams: '{}'", u));
    }
  }
  if (dns.enabled && dns.port != 0 && dns.port == api.port && dns.listen == api.listen) {
    // UDP 8443 is QUIC's; classic DNS on the API port would collide with it.
    return base::InvalidArgument("dns.port: must differ from api.port");
  }
  return base::Status::Ok();
}

}  // namespace hm::node
