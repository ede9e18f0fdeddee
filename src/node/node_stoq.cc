// The node's QUIC listener: STOQ on UDP at the API's port number, serving HTTP/3 through the same
// router as HTTPS.
#include "base/log.h"
#include "node/node.h"
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
  if (auto s = stoq_->Start(); !s.ok()) {
    stoq_.reset();
    return s.WithContext("stoq (QUIC on the api port over UDP)");
  }
  HM_LOG_INFO("node", "QUIC (HTTP/3) on [{}]:{}/udp, GSO {}, GRO {}", options_.api.listen,
              stoq_->port(), stoq_->gso_enabled() ? "on" : "off",
              stoq_->gro_enabled() ? "on" : "off");
  return base::Status::Ok();
}

}  // namespace hm::node
