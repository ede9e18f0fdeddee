#include "stoq/channel/channel.h"

#include <fmt/format.h>

#include "base/check.h"
#include "base/log.h"
#include "stoq/pq/key_schedule.h"
#include "stoq/tls.h"

namespace hm::stoq::channel {

namespace {
constexpr int64_t kPqStream = 0;  // the first client-initiated bidirectional stream
}  // namespace

ChannelBase::ChannelBase(Connection& conn, std::shared_ptr<const ChannelConfig> config)
    : conn_(conn), config_(std::move(config)) {}

base::Status ChannelBase::FailPq(uint64_t code, std::string_view reason) {
  if (failure_code_ == 0) {
    failure_code_ = code;
    config_->stats->pq_failed.fetch_add(1, std::memory_order_relaxed);
    HM_LOG_DEBUG("stoq", "connection {}: stoq/1 post-quantum channel failed: {} ({})", conn_.id(),
                 pq::AppErrorName(code), reason);
  }
  pq_.reset();
  // The reason stays in our log; the peer learns the code and its name.
  conn_.SetApplicationError(code, std::string(pq::AppErrorName(code)));
  return base::PermissionDenied(
      fmt::format("post-quantum channel: {}: {}", pq::AppErrorName(code), reason));
}

base::Status ChannelBase::OnHandshakeCompleted() {
  pq_deadline_ = conn_.now() + static_cast<Timestamp>(config_->pq_timeout.count()) * kMillisecond;
  auto exporter = ExportKeyingMaterial(conn_.tls(), kExporterLabel, pq::kPqSecretSize);
  if (!exporter.ok()) return FailPq(pq::kPqMalformed, exporter.status().message());
  std::vector<base::Bytes> chain = PeerCertificateChain(conn_.tls());
  if (chain.empty()) {
    return FailPq(pq::kPqBadCertificate, "the peer presented no certificate in TLS");
  }
  if (conn_.is_server()) {
    pq_ = std::make_unique<pq::ServerHandshake>(*exporter, config_->falcon_key,
                                                config_->verifier, std::move(chain), random_);
    return base::Status::Ok();
  }
  auto client = std::make_unique<pq::ClientHandshake>(*exporter, config_->falcon_key,
                                                      config_->verifier, std::move(chain), random_);
  auto hello = client->Start();
  if (!hello.ok()) {
    const auto& f = client->failure();
    return FailPq(f ? f->app_error_code : pq::kPqBadCertificate, hello.status().message());
  }
  HM_ASSIGN_OR_RETURN(int64_t stream, conn_.OpenBidiStream());
  HM_CHECK(stream == kPqStream);
  out_.Queue(kPqStream, std::move(*hello), false);
  pq_ = std::move(client);
  return base::Status::Ok();
}

base::Status ChannelBase::OnPqBytes(base::ByteSpan data, bool fin) {
  conn_.ExtendStreamWindow(kPqStream, data.size());
  if (failure_code_ != 0) return FailPq(failure_code_, "after a failure");
  if (pq_ == nullptr) {
    if (data.empty() && fin && !pq_stream_ended_) {
      pq_stream_ended_ = true;
      return base::Status::Ok();
    }
    return FailPq(pq::kPqUnexpectedMessage,
                  pq_established_ ? "bytes on stream 0 after the exchange"
                                  : "stream 0 data before the TLS handshake completed");
  }
  if (!data.empty()) {
    auto reply = pq_->OnBytes(data);
    if (!reply.ok()) {
      const auto& f = pq_->failure();
      return FailPq(f ? f->app_error_code : pq::kPqMalformed, reply.status().message());
    }
    if (!reply->empty()) out_.Queue(kPqStream, std::move(*reply), pq_->done());
  }
  if (fin) {
    pq_stream_ended_ = true;
    base::Status end = pq_->OnStreamEnd();
    if (!end.ok()) {
      const auto& f = pq_->failure();
      return FailPq(f ? f->app_error_code : pq::kPqMalformed, end.message());
    }
  }
  if (pq_->done() && !pq_established_) return FinishPq();
  return base::Status::Ok();
}

base::Status ChannelBase::FinishPq() {
  pq_secret_.assign(pq_->pq_secret().begin(), pq_->pq_secret().end());
  // The server queued ServerConfirm with its FIN above. The client closes stream 0 now, not with
  // ClientFinish: this FIN is its first ack-eliciting packet under key generation 1, and the
  // server's ACK of it is what confirms the first key update (ngtcp2 allows the second only
  // then). Without it an idle client would send nothing the server must answer, and the
  // channel would never reach the mixed keys. The state machine is done: free its secrets.
  if (!conn_.is_server()) out_.Queue(kPqStream, {}, true);
  pq_.reset();
  pq_established_ = true;
  config_->stats->pq_established.fetch_add(1, std::memory_order_relaxed);
  const base::Bytes secret = pq_secret_;
  conn_.InstallSecretMixer(
      [secret](base::ByteSpan current) { return pq::MixTrafficSecret(current, secret); },
      kMixedGeneration);
  OnPqEstablished();
  CheckSecure();
  return base::Status::Ok();
}

void ChannelBase::CheckSecure() {
  if (secure_ || !pq_established_) return;
  // The client starts both key updates, so its own count says when it sends with generation 2.
  // The server knows the client moved once a packet decrypts under generation 2.
  const bool moved = conn_.is_server() ? conn_.peer_uses_mixed_keys()
                                       : conn_.key_updates_initiated() >= kMixedGeneration;
  if (!moved || !conn_.mixed_keys_prepared()) return;
  secure_ = true;
  config_->stats->mixed_keys.fetch_add(1, std::memory_order_relaxed);
  HM_LOG_DEBUG("stoq", "connection {}: traffic uses the post-quantum mixed keys", conn_.id());
  OnSecure();
}

void ChannelBase::OnKeyUpdateInitiated() {
  // The client moved to the mixed keys. An idle client sends nothing more, and the server
  // would never see the move (its pq_timeout would close a channel the client thinks secure).
  if (!conn_.is_server() && conn_.key_updates_initiated() == kMixedGeneration) {
    conn_.ProbeUntilPeerUsesMixedKeys();
  }
  CheckSecure();
}

base::Status ChannelBase::OnStreamData(int64_t stream_id, base::ByteSpan data, bool fin) {
  if (stream_id == kPqStream) return OnPqBytes(data, fin);
  CheckSecure();
  if (!secure_) {
    conn_.ExtendStreamWindow(stream_id, data.size());
    return FailPq(pq::kPqUnexpectedMessage,
                  fmt::format("data on stream {} before the post-quantum keys", stream_id));
  }
  return OnRpcData(stream_id, data, fin);
}

base::Status ChannelBase::OnStreamClose(int64_t stream_id, uint64_t app_error_code) {
  out_.Forget(stream_id);
  if (stream_id != kPqStream) OnRpcStreamEnded(stream_id, app_error_code, false);
  return base::Status::Ok();
}

base::Status ChannelBase::OnStreamReset(int64_t stream_id, uint64_t app_error_code) {
  if (stream_id == kPqStream) {
    if (!pq_established_) return FailPq(pq::kPqMalformed, "stream 0 reset mid-exchange");
    return base::Status::Ok();
  }
  OnRpcStreamEnded(stream_id, app_error_code, true);
  return base::Status::Ok();
}

base::Status ChannelBase::OnStopSending(int64_t stream_id, uint64_t app_error_code) {
  out_.Forget(stream_id);
  conn_.ShutdownStreamWrite(stream_id, app_error_code);
  if (stream_id == kPqStream) {
    if (!pq_established_) return FailPq(pq::kPqMalformed, "stream 0 stopped mid-exchange");
    return base::Status::Ok();
  }
  OnRpcStreamEnded(stream_id, app_error_code, true);
  return base::Status::Ok();
}

void ChannelBase::OnStreamBlocked(int64_t stream_id, bool write_shut) {
  if (write_shut) {
    out_.Forget(stream_id);
  } else {
    out_.Blocked(stream_id);
  }
}

Timestamp ChannelBase::Deadline() const {
  if (secure_) return RpcDeadline();
  // A packet without stream data (the client's probe) showed the peer on the mixed keys:
  // OnDeadline settles it now rather than at the next stream data.
  if (pq_established_ && failure_code_ == 0 && conn_.peer_uses_mixed_keys()) return conn_.now();
  return std::min(pq_deadline_, RpcDeadline());
}

base::Status ChannelBase::OnDeadline(Timestamp now) {
  CheckSecure();
  if (!secure_ && failure_code_ == 0 && now >= pq_deadline_) {
    return FailPq(pq::kPqTimeout,
                  fmt::format("no mixed keys within {} ms of the TLS handshake",
                              config_->pq_timeout.count()));
  }
  return OnRpcDeadline(now);
}

}  // namespace hm::stoq::channel

