// The node's QUIC listener: STOQ on UDP at the API's port number, serving HTTP/3 through the same
// router as HTTPS and, when DNS is on, DNS over QUIC (RFC 9250).
#include "base/log.h"
#include "node/node.h"
#include "stoq/channel/server_channel.h"
#include "stoq/rpc/builtins.h"
#include "stoq/server.h"

namespace hm::node {

base::Status Node::StartStoq() {
  if (!options_.stoq.enabled) return base::Status::Ok();
  HM_ASSIGN_OR_RETURN(auto cred, stoq::TlsCredentials::FromPemFiles(layout_.tls_cert,
                                                                    layout_.tls_key));
  stoq::StoqServerOptions so;
  so.listen_host = options_.api.listen;
  so.port = http_->port();  // same number as HTTPS, also when the API port was 0
  so.socket_buffer_bytes = options_.stoq.socket_buffer_bytes;
  so.endpoint.max_connections = static_cast<size_t>(options_.stoq.max_connections);
  so.endpoint.connection.idle_timeout_ms = uint64_t(options_.stoq.idle_timeout_s) * 1000;
  so.endpoint.retry_threshold = static_cast<size_t>(options_.stoq.retry_threshold);
  so.endpoint.retry = options_.stoq.retry == "always"  ? stoq::RetryMode::kAlways
                      : options_.stoq.retry == "never" ? stoq::RetryMode::kOff
                                                       : stoq::RetryMode::kUnderLoad;
  stoq_ = std::make_unique<stoq::StoqServer>(so, std::move(cred), metrics_);
  HM_TRY(stoq_->RegisterAlpn(std::string(stoq::kAlpnH3), http_->Http3Factory()));
  // DNS over QUIC only when the node serves DNS; otherwise "doq" is not offered at all.
  if (dns_) HM_TRY(stoq_->RegisterAlpn(std::string(stoq::kAlpnDoq), DoqFactory()));
  HM_TRY(RegisterStoqRpc());
  if (auto s = stoq_->Start(); !s.ok()) {
    stoq_.reset();
    return s.WithContext("stoq (QUIC on the api port over UDP)");
  }
  HM_LOG_INFO("node", "QUIC (HTTP/3) on [{}]:{}/udp, ALPN {}, GSO {}, GRO {}", options_.api.listen,
              stoq_->port(), dns_ ? "h3, doq, stoq/1" : "h3, stoq/1",
              stoq_->gso_enabled() ? "on" : "off",
              stoq_->gro_enabled() ? "on" : "off");
  return base::Status::Ok();
}

// stoq/1: node-to-node RPC behind the post-quantum channel, with the built-in methods.
base::Status Node::RegisterStoqRpc() {
  auto stats = std::make_shared<stoq::channel::ChannelStats>();
  auto config = std::make_shared<stoq::channel::ChannelConfig>(
      stoq::channel::ChannelConfig{falcon_key(), StoqPeerVerifier(), std::chrono::seconds(10),
                                   stats});
  auto dispatcher = std::make_shared<stoq::rpc::Dispatcher>();
  HM_TRY(stoq::rpc::RegisterBuiltins(*dispatcher));
  HM_TRY(stoq_->RegisterAlpn(std::string(stoq::kAlpnStoq),
                             stoq::channel::ServerChannelFactory(config, dispatcher)));
  stoq_->AddStatsPublisher([stats](base::MetricsRegistry& m) {
    const std::pair<const char*, uint64_t> pq[] = {{"established", stats->pq_established.load()},
                                                   {"failed", stats->pq_failed.load()},
                                                   {"mixed_keys", stats->mixed_keys.load()}};
    for (const auto& [event, value] : pq) {
      m.GetGauge("hm_stoq_pq_events",
                 "stoq/1 post-quantum channels since start: exchanges established, failed "
                 "(connection closed with a 0x51xx code), moved to the mixed keys.",
                 {{"event", event}})
          .Set(static_cast<double>(value));
    }
    const uint64_t calls = stats->calls.load(), errors = stats->call_errors.load();
    m.GetGauge("hm_stoq_rpc_calls", "stoq/1 RPC calls answered since start, by result.",
               {{"result", "ok"}})
        .Set(static_cast<double>(calls - std::min(calls, errors)));
    m.GetGauge("hm_stoq_rpc_calls", "stoq/1 RPC calls answered since start, by result.",
               {{"result", "error"}})
        .Set(static_cast<double>(errors));
  });
  return base::Status::Ok();
}

}  // namespace hm::node
