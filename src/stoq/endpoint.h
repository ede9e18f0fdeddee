// Endpoint: the server side of STOQ without I/O. It routes each received datagram to its
// connection by destination connection ID, accepts new connections (after address validation
// with a Retry token when under load), answers unknown versions with Version Negotiation and
// unknown short-header packets with a Stateless Reset, refuses connections over the cap with
// CONNECTION_REFUSED, runs connection timers, and drains gracefully. Time and packets are passed
// in; packets go out through a PacketSink.
// Thread-safety: none; one thread owns an Endpoint (StoqServer's "hm-quic" thread).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/random.h"
#include "base/status.h"
#include "stoq/connection.h"
#include "stoq/tls.h"

namespace hm::stoq {

enum class RetryMode { kOff, kUnderLoad, kAlways };

struct EndpointOptions {
  ConnectionOptions connection;
  std::vector<std::string> alpns = {std::string(kAlpnH3), std::string(kAlpnStoq),
                                    std::string(kAlpnDoq)};
  size_t max_connections = 150'000;
  RetryMode retry = RetryMode::kUnderLoad;
  // Under load = at least this many handshakes in progress: new clients must prove their address.
  size_t retry_threshold = 256;
  uint64_t retry_token_lifetime_ms = 10'000;
  // Stateless resets sent per second at most (each answers a packet, so they cannot amplify).
  uint32_t stateless_resets_per_second = 1000;

  // Errors (kInvalidArgument) name the option.
  base::Status Validate() const;
};

struct EndpointStats {
  uint64_t datagrams_received = 0;
  uint64_t datagrams_dropped = 0;  // unparseable, unknown long-header non-Initial, too short
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over the cap or draining
  uint64_t connections_closed = 0;
  uint64_t handshake_failures = 0;
  uint64_t retries_sent = 0;
  uint64_t invalid_tokens = 0;
  uint64_t stateless_resets_sent = 0;
  uint64_t version_negotiations_sent = 0;
};

class Endpoint final : public ConnectionIdRegistry {
 public:
  // `secret` (>= 32 bytes, random per process) keys Retry tokens and stateless reset tokens.
  Endpoint(EndpointOptions options, std::shared_ptr<const TlsCredentials> credentials,
           ApplicationFactory factory, base::Random& random, base::Bytes secret);
  ~Endpoint() override;
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  // Handles one datagram and sends what it calls for.
  void OnDatagram(const Path& path, base::ByteSpan data, Timestamp now, PacketSink& sink);
  // The same, except that an established connection's answer (ACKs, more stream data) waits for
  // FlushReceived: a burst of incoming ACKs then yields one large GSO batch instead of many
  // small ones. Refusals, resets and closes still go out at once.
  void ReceiveDatagram(const Path& path, base::ByteSpan data, Timestamp now, PacketSink& sink);
  void FlushReceived(Timestamp now, PacketSink& sink);
  // The earliest connection timer, or kNever.
  Timestamp NextExpiry() const;
  void OnTimer(Timestamp now, PacketSink& sink);
  // Lets connection `id` send what its application produced meanwhile (async responses).
  void Flush(uint64_t id, Timestamp now, PacketSink& sink);
  Connection* Find(uint64_t id);

  // Graceful drain: refuse new connections and tell every application (HTTP/3 GOAWAY).
  void BeginDrain(Timestamp now, PacketSink& sink);
  bool draining() const { return draining_; }
  // No connection has work in flight.
  bool Quiet() const;
  // Closes every connection with NO_ERROR.
  void CloseAll(Timestamp now, PacketSink& sink);

  // New connections use `credentials` (certificate renewal); existing ones keep theirs.
  void SetCredentials(std::shared_ptr<const TlsCredentials> credentials);

  size_t connection_count() const { return conns_.size(); }
  size_t handshakes_in_progress() const { return handshaking_.size(); }
  const EndpointStats& stats() const { return stats_; }

  // ConnectionIdRegistry
  void AddConnectionId(const ngtcp2_cid& cid, Connection* conn) override;
  void RemoveConnectionId(const ngtcp2_cid& cid) override;
  void StatelessResetToken(const ngtcp2_cid& cid, uint8_t* token) override;

 private:
  void Accept(const Path& path, base::ByteSpan data, Timestamp now, PacketSink& sink);
  void SendRetry(const Path& path, const ngtcp2_pkt_hd& hd, Timestamp now, PacketSink& sink);
  void SendRefusal(const Path& path, const ngtcp2_pkt_hd& hd, uint64_t code, PacketSink& sink);
  void SendVersionNegotiation(const Path& path, const ngtcp2_version_cid& vc, PacketSink& sink);
  void SendStatelessReset(const Path& path, const ngtcp2_version_cid& vc, size_t received,
                          Timestamp now, PacketSink& sink);
  // After any event on `c`: write, close on error, re-arm its timer or remove it.
  void AfterEvent(Connection* c, const base::Status& event, Timestamp now, PacketSink& sink);
  void Remove(Connection* c);
  void Rearm(Connection* c);

  EndpointOptions options_;
  std::shared_ptr<const TlsCredentials> credentials_;
  ApplicationFactory factory_;
  base::Random& random_;
  base::Bytes secret_;
  bool draining_ = false;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> conns_;
  std::unordered_map<std::string, Connection*> by_cid_;
  std::unordered_set<uint64_t> handshaking_;
  std::vector<uint64_t> received_;  // connections read from since the last FlushReceived
  std::set<std::pair<Timestamp, uint64_t>> timers_;
  std::unordered_map<uint64_t, Timestamp> armed_;  // connection id -> its key in timers_
  Timestamp reset_window_start_ = 0;
  uint32_t resets_in_window_ = 0;
  EndpointStats stats_;
  std::array<uint8_t, 1500> reply_{};
};

}  // namespace hm::stoq
