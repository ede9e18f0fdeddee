// Connection: one QUIC connection (client or server) = ngtcp2_conn + a GnuTLS session + the
// application bound to its ALPN. It does no I/O and reads no clock: the owner feeds received
// packets with the current time, asks it to write packets into a PacketSink, and calls
// HandleExpiry() when expiry() passes. That keeps it testable with a manual clock and two
// connections wired back to back.
// Thread-safety: none; a connection is owned by one thread (its endpoint's or client's).
#pragma once

#include <netinet/in.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "stoq/tls.h"

namespace hm::stoq {

using Timestamp = uint64_t;  // nanoseconds on a monotonic clock (ngtcp2_tstamp)
inline constexpr Timestamp kNever = UINT64_MAX;
inline constexpr Timestamp kMillisecond = 1'000'000;

struct Path {
  sockaddr_in6 local{};
  sockaddr_in6 remote{};
};

// Where written packets go. `bytes` holds one or more packets of `segment_size` bytes (the last
// may be shorter) for one destination: a GSO batch.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void Send(const sockaddr_in6& remote, base::ByteSpan bytes, size_t segment_size) = 0;
  // Scratch space connections assemble packets in before Send (shared by all connections of a
  // thread, so an idle connection holds no send buffer). At least kScratchBytes.
  virtual std::span<uint8_t> Scratch() = 0;
  static constexpr size_t kScratchBytes = 64 * 1500;
};

// Stream data an application offers for sending. The vectors must stay valid until the bytes are
// reported written (OnChunkWritten) and, for retransmission, until they are acknowledged.
struct StreamChunk {
  int64_t stream_id = -1;  // -1: nothing to send
  bool fin = false;
  std::array<ngtcp2_vec, 16> vecs{};
  size_t count = 0;
};

class Connection;

// The ALPN-specific protocol on top of a connection (HTTP/3, stoq/1, DoQ). Callbacks run on the
// connection's thread; an error Status closes the connection (with the code set through
// Connection::SetApplicationError, or INTERNAL_ERROR).
class Application {
 public:
  virtual ~Application() = default;
  // The last moment Connection::tls() is available: the connection frees the TLS session
  // when this returns.
  virtual base::Status OnHandshakeCompleted() { return base::Status::Ok(); }
  // Stream data in order. The application must call Connection::ExtendStreamWindow for what it
  // consumed (immediately, or later to push back on the peer).
  virtual base::Status OnStreamData(int64_t stream_id, base::ByteSpan data, bool fin) = 0;
  virtual base::Status OnStreamAcked(int64_t stream_id, uint64_t bytes) = 0;
  virtual base::Status OnStreamClose(int64_t stream_id, uint64_t app_error_code) = 0;
  virtual base::Status OnStreamReset(int64_t stream_id, uint64_t app_error_code) = 0;
  virtual base::Status OnStopSending(int64_t stream_id, uint64_t app_error_code) = 0;
  // The peer raised a stream's flow-control window.
  virtual void OnStreamWritable(int64_t stream_id) = 0;
  // Fills `out` with the next data to send (stream_id -1 when there is none).
  virtual base::Status NextChunk(StreamChunk* out) = 0;
  // `bytes` of the last chunk went into packets (0 is possible, e.g. for a lone FIN).
  virtual base::Status OnChunkWritten(int64_t stream_id, size_t bytes) = 0;
  // The stream cannot send more now: flow control (`write_shut` false) or its write side was shut
  // (e.g. the peer sent STOP_SENDING).
  virtual void OnStreamBlocked(int64_t stream_id, bool write_shut) = 0;
  // Graceful shutdown began: stop taking new work (HTTP/3 sends GOAWAY).
  virtual void OnShutdownNotice() {}
  // True while requests are in flight; a draining endpoint waits for them.
  virtual bool Busy() const { return false; }
  // The application's own timer (e.g. the PQ exchange deadline): OnDeadline runs once it passes
  // (from the connection's timer handling; an error closes the connection).
  virtual Timestamp Deadline() const { return kNever; }
  // This side started a key update (its packets use the next key generation from now on).
  virtual void OnKeyUpdateInitiated() {}
  virtual base::Status OnDeadline(Timestamp /*now*/) { return base::Status::Ok(); }
};

struct ConnectionOptions {
  uint64_t idle_timeout_ms = 30'000;
  uint64_t handshake_timeout_ms = 10'000;
  uint64_t initial_max_data = 16 << 20;
  uint64_t initial_max_stream_data = 4 << 20;
  uint64_t max_window = 64 << 20;         // auto-tuned connection window cap
  uint64_t max_stream_window = 32 << 20;  // auto-tuned stream window cap
  uint64_t max_streams_bidi = 128;
  uint64_t max_streams_uni = 8;
  size_t max_tx_udp_payload = 1452;  // what we send before PMTUD raises it
  size_t max_gso_segments = 64;
  // How long this side may hold back an ACK (the max_ack_delay transport parameter). The peer
  // adds it to every probe timeout, and ngtcp2 spaces key updates three probe timeouts apart, so
  // RFC 9000's 25 ms default would dominate stoq/1 setup (two key updates) on a data-centre
  // link; 5 ms keeps ACKs batched under bulk load.
  uint64_t max_ack_delay_ms = 5;
  // Sends a PING after this much silence so that an idle connection outlives the peer's idle
  // timeout (0: off). For clients that hold connections open (e.g. the load generator).
  uint64_t keep_alive_ms = 0;
};

// Endpoint services a server connection needs: connection-ID registration and reset tokens.
class ConnectionIdRegistry {
 public:
  virtual ~ConnectionIdRegistry() = default;
  virtual void AddConnectionId(const ngtcp2_cid& cid, Connection* conn) = 0;
  virtual void RemoveConnectionId(const ngtcp2_cid& cid) = 0;
  virtual void StatelessResetToken(const ngtcp2_cid& cid, uint8_t* token) = 0;
};

// Chooses the application for the negotiated ALPN (nullptr: close with NO_APPLICATION_PROTOCOL).
using ApplicationFactory =
    std::function<std::unique_ptr<Application>(const std::string& alpn, Connection& conn)>;

// Derives a mixed traffic secret for key generations >= the installed one (PQ channel).
using SecretMixer = std::function<base::Bytes(base::ByteSpan current_secret)>;

class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  struct ServerParams {
    const ngtcp2_pkt_hd* initial = nullptr;        // the client's first Initial
    const ngtcp2_cid* retry_original_dcid = nullptr;  // set when the token came from our Retry
    ngtcp2_cid scid{};                                // our first connection ID
    ConnectionIdRegistry* registry = nullptr;
  };
  static base::Result<std::unique_ptr<Connection>> NewServer(
      const ConnectionOptions& options, const TlsCredentials& cred,
      const std::vector<std::string>& alpns, const ServerParams& params, const Path& path,
      ApplicationFactory factory, base::Random& random, Timestamp now);
  static base::Result<std::unique_ptr<Connection>> NewClient(
      const ConnectionOptions& options, const TlsCredentials& cred, const std::string& server_name,
      const std::vector<std::string>& alpns, const Path& path, ApplicationFactory factory,
      base::Random& random, Timestamp now);

  // Processes one received UDP payload. An error means the connection must be closed (the
  // caller then calls Close() or, for idle/draining, drops it).
  base::Status Read(const Path& path, base::ByteSpan packet, Timestamp now);
  // Writes whatever is ready: handshake, acknowledgements, stream data, CONNECTION_CLOSE.
  base::Status Write(PacketSink& sink, Timestamp now);
  Timestamp expiry() const;
  // Kind kDeadlineExceeded: the idle or handshake timeout fired; drop the connection silently.
  base::Status HandleExpiry(Timestamp now);

  // Enters the closing period and sends CONNECTION_CLOSE (application error when `application`,
  // else transport). Idempotent; later calls do nothing.
  void Close(PacketSink& sink, Timestamp now, uint64_t error_code, std::string_view reason,
             bool application);
  // Closes with the error an application/transport failure recorded, or INTERNAL_ERROR.
  void CloseWithError(PacketSink& sink, Timestamp now, const base::Status& why);
  // In the closing period: re-sends our CONNECTION_CLOSE in reply to a packet (rate-limited).
  void ResendClose(PacketSink& sink, Timestamp now);
  bool closing() const { return closing_; }
  bool draining() const;
  // When a closing or draining connection may be forgotten (3 PTO after it began).
  Timestamp close_deadline() const { return close_deadline_; }

  // For the application.
  void SetApplicationError(uint64_t code, std::string reason);
  base::Result<int64_t> OpenBidiStream();
  base::Result<int64_t> OpenUniStream();
  void ExtendStreamWindow(int64_t stream_id, size_t bytes);
  void ShutdownStream(int64_t stream_id, uint64_t app_error_code);
  void ShutdownStreamRead(int64_t stream_id, uint64_t app_error_code);
  void ShutdownStreamWrite(int64_t stream_id, uint64_t app_error_code);
  void NotifyShutdown();
  // Key updates the connection should initiate as soon as ngtcp2 allows (each waits for the
  // previous one to be confirmed).
  void RequestKeyUpdates(int count) { pending_key_updates_ += count; }
  // From key generation `from_generation` on, secrets pass through `mixer` before the RFC 9001
  // "quic ku" derivation.
  void InstallSecretMixer(SecretMixer mixer, uint32_t from_generation);
  uint32_t key_generation() const { return key_generation_; }  // keys prepared so far
  // Key updates this side started (its packets now use key generation >= this).
  uint32_t key_updates_initiated() const { return key_updates_initiated_; }
  bool mixed_keys_prepared() const { return mixed_generations_ > 0; }
  // A packet from the peer decrypted under the first mixed key generation: the peer sends with
  // the mixed keys now.
  bool peer_uses_mixed_keys() const { return mixed_rx_seen_; }
  // Until peer_uses_mixed_keys(), sends a PING after each PTO of silence. The side that
  // started the mixed key update calls it: the peer learns of the update only from a packet
  // sent under the new keys, and an idle endpoint would otherwise send none.
  void ProbeUntilPeerUsesMixedKeys();
  int pending_key_updates() const { return pending_key_updates_; }

  bool handshake_completed() const { return handshake_completed_; }
  // The time of the latest Read, Write or HandleExpiry (the application reads no clock).
  Timestamp now() const { return now_; }
  const std::string& alpn() const { return alpn_; }
  // Null once released.
  gnutls_session_t tls() const { return tls_.get(); }
  // Frees the TLS session (~20 KB of every idle connection). Called right after the
  // application's OnHandshakeCompleted, which is where applications read what they need from
  // TLS (exporter, peer certificates); QUIC keys keep updating without it. Later post-handshake
  // TLS messages are dropped (a server's session ticket) or close the connection (anything
  // from a client).
  void ReleaseTls();
  Application* application() const { return app_.get(); }
  const Path& path() const { return path_; }
  bool is_server() const { return server_; }
  ngtcp2_conn* raw() const { return conn_; }
  uint64_t id() const { return id_; }
  void set_id(uint64_t id) { id_ = id; }
  // Client only (servers pass theirs in ServerParams): where the connection IDs ngtcp2 issues
  // after the handshake are reported, so that an owner of many connections can route by them.
  // Set before the first Read or Write.
  void set_connection_id_registry(ConnectionIdRegistry* registry) { registry_ = registry; }
  // The client's first destination ID, routed to us until it learns our own (server only).
  const std::string& initial_dcid_key() const { return initial_dcid_key_; }
  void set_initial_dcid_key(std::string key) { initial_dcid_key_ = std::move(key); }

 private:
  Connection(const ConnectionOptions& options, ApplicationFactory factory, base::Random& random,
             bool server);
  base::Status Init(const TlsCredentials& cred, const std::string& server_name,
                    const std::vector<std::string>& alpns, const ngtcp2_cid& dcid,
                    const ngtcp2_cid& scid, const ServerParams* sp, Timestamp now);
  void FillSettings(ngtcp2_settings* s, Timestamp now) const;
  // GnuTLS's certificate verify function for client sessions that verify.
  static int VerifyServerCertificate(gnutls_session_t session);
  base::Status WriteStreams(PacketSink& sink, Timestamp now);
  void TryKeyUpdate(Timestamp now);
  base::Status LibError(int rv, std::string_view what);

  friend struct ConnectionCallbacks;

  ConnectionOptions options_;
  ApplicationFactory factory_;
  base::Random& random_;
  const bool server_;
  uint64_t id_ = 0;
  std::string initial_dcid_key_;
  ngtcp2_conn* conn_ = nullptr;
  TlsSession tls_;
  ngtcp2_crypto_conn_ref conn_ref_{};
  ngtcp2_connection_close_error last_error_{};
  ConnectionIdRegistry* registry_ = nullptr;
  Path path_;
  std::unique_ptr<Application> app_;
  std::string alpn_;
  bool handshake_completed_ = false;
  bool closing_ = false;
  Timestamp close_deadline_ = kNever;
  Timestamp last_close_sent_ = 0;
  base::Bytes close_packet_;
  uint64_t app_error_code_ = 0;
  std::string app_error_reason_;
  bool app_error_set_ = false;
  int pending_key_updates_ = 0;
  Timestamp next_key_update_try_ = kNever;
  SecretMixer mixer_;
  uint32_t mix_from_generation_ = 0;
  uint32_t key_generation_ = 0;
  uint32_t mixed_generations_ = 0;
  uint32_t key_updates_initiated_ = 0;
  bool probing_mixed_ = false;  // keep-alive shortened by ProbeUntilPeerUsesMixedKeys
  void* mixed_rx_handle_ = nullptr;  // GnuTLS cipher of the first mixed receive key
  bool mixed_rx_seen_ = false;
  base::Status app_failure_;  // the first error an application callback returned
  Timestamp now_ = 0;
  // Clients whose credentials verify the server (null otherwise, and on servers).
  struct ServerCheck {
    std::string server_name;
    std::shared_ptr<VerifiedChains> chains;
    unsigned status = 0;  // GnuTLS status bits of a failed verification
  };
  std::unique_ptr<ServerCheck> server_check_;
};

// Random connection ID of `len` bytes.
ngtcp2_cid RandomCid(base::Random& random, size_t len);
std::string CidKey(const ngtcp2_cid& cid);
std::string CidKey(const uint8_t* data, size_t len);

}  // namespace hm::stoq
