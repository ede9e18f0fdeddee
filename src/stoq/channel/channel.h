// The stoq/1 session on one QUIC connection (docs/spec/stoq.md "stoq/1 sessions"): first the
// post-quantum exchange on stream 0 (docs/spec/stoq-pq.md), then two key updates that bring the
// ML-KEM secret into the QUIC traffic keys, then RPC calls, one per stream
// (docs/spec/stoq-rpc.md). ChannelBase holds what the server and the client share; the
// ServerChannel (server_channel.h) dispatches calls, the client side lives in rpc_client.h.
// Thread-safety: a channel lives on its connection's thread. ChannelStats is atomic.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/falcon/falcon.h"
#include "crypto/secure_random.h"
#include "stoq/channel/outbound.h"
#include "stoq/connection.h"
#include "stoq/pq/handshake.h"

namespace hm::stoq::channel {

// The TLS exporter label both sides derive E with.
inline constexpr std::string_view kExporterLabel = "EXPORTER-hypermesh-stoq-pq";
// The key generation whose secrets first mix in the PQ secret.
inline constexpr uint32_t kMixedGeneration = 2;

// Counters a node publishes as metrics (shared by all channels of a server or client).
struct ChannelStats {
  std::atomic<uint64_t> pq_established{0};  // exchanges finished
  std::atomic<uint64_t> pq_failed{0};       // exchanges that closed the connection
  std::atomic<uint64_t> mixed_keys{0};      // channels whose traffic moved to the mixed keys
  std::atomic<uint64_t> calls{0};           // RPC calls answered (server) or completed (client)
  std::atomic<uint64_t> call_errors{0};     // of which with a non-zero code
};

// Who this side is and whom it accepts.
struct ChannelConfig {
  crypto::falcon::SigningKey falcon_key;  // matches the Falcon key in our own certificate
  pq::PeerVerifier verifier;              // checks the peer's chain, returns its Falcon key
  std::chrono::milliseconds pq_timeout{10'000};  // from the TLS handshake to the mixed keys
  std::shared_ptr<ChannelStats> stats = std::make_shared<ChannelStats>();
};

class ChannelBase : public Application {
 public:
  // Finished the exchange; RPC may not flow yet (see secure()).
  bool pq_established() const { return pq_established_; }
  // Traffic in both directions uses the keys that mix in the PQ secret: RPC may flow.
  bool secure() const { return secure_; }
  // The application error code the exchange failed with (0 if it did not).
  uint64_t failure_code() const { return failure_code_; }

  base::Status OnHandshakeCompleted() override;
  base::Status OnStreamData(int64_t stream_id, base::ByteSpan data, bool fin) final;
  base::Status OnStreamAcked(int64_t, uint64_t) final { return base::Status::Ok(); }
  base::Status OnStreamClose(int64_t stream_id, uint64_t app_error_code) final;
  base::Status OnStreamReset(int64_t stream_id, uint64_t app_error_code) final;
  base::Status OnStopSending(int64_t stream_id, uint64_t app_error_code) final;
  void OnStreamWritable(int64_t stream_id) final { out_.Unblocked(stream_id); }
  base::Status NextChunk(StreamChunk* out) final {
    out_.Next(out);
    return base::Status::Ok();
  }
  base::Status OnChunkWritten(int64_t stream_id, size_t bytes) final {
    out_.Written(stream_id, bytes);
    return base::Status::Ok();
  }
  void OnStreamBlocked(int64_t stream_id, bool write_shut) final;
  void OnKeyUpdateInitiated() final;
  Timestamp Deadline() const final;
  base::Status OnDeadline(Timestamp now) final;

 protected:
  ChannelBase(Connection& conn, std::shared_ptr<const ChannelConfig> config);

  // The RPC side of the derived class.
  virtual base::Status OnRpcData(int64_t stream_id, base::ByteSpan data, bool fin) = 0;
  virtual void OnRpcStreamEnded(int64_t stream_id, uint64_t app_error_code, bool reset) = 0;
  virtual Timestamp RpcDeadline() const { return kNever; }
  virtual base::Status OnRpcDeadline(Timestamp) { return base::Status::Ok(); }
  // The exchange finished (client: ask for the key updates) / the mixed keys are in use.
  virtual void OnPqEstablished() {}
  virtual void OnSecure() {}
  // Call when traffic may have moved to the mixed keys (after a packet or a key update).
  void CheckSecure();

  // Records a PQ failure: the connection closes with `code` (stoq-pq.md "Error codes").
  base::Status FailPq(uint64_t code, std::string_view reason);

  Connection& conn_;
  const std::shared_ptr<const ChannelConfig> config_;
  OutboundStreams out_;

 private:
  base::Status OnPqBytes(base::ByteSpan data, bool fin);
  base::Status FinishPq();

  crypto::SecureRandom random_;
  std::unique_ptr<pq::Handshake> pq_;  // freed once the exchange is over
  base::Bytes pq_secret_;
  Timestamp pq_deadline_ = kNever;
  bool pq_established_ = false;
  bool pq_stream_ended_ = false;  // the peer's FIN on stream 0 arrived
  bool secure_ = false;
  uint64_t failure_code_ = 0;
};

}  // namespace hm::stoq::channel
