// ClientSwarm: a load generator that holds many client QUIC connections from one thread over a
// few UDP sockets (one per `connections_per_socket`), for the handshake-rate and idle-connection
// benchmarks. Datagrams are routed to connections by our own (client) connection IDs; one timer
// set drives every connection, and at most `concurrency` handshakes are in flight at a time.
// With ALPN stoq/1 a connection counts as ready once its ClientChannel is secure (PQ exchange and
// key updates done); with any other ALPN once the QUIC handshake completed.
// Thread-safety: none; a ClientSwarm and the Run* functions are used from one thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "stoq/channel/channel.h"
#include "stoq/connection.h"
#include "stoq/tls.h"

namespace hm::net {
class UdpSocket;
class RecvBatch;
}  // namespace hm::net

namespace hm::stoq::channel {

// Holds a connection open and consumes whatever the peer sends (HTTP/3 control and QPACK
// streams, for instance); sends nothing. The swarm's application for ALPNs other than stoq/1.
class DiscardApplication final : public Application {
 public:
  explicit DiscardApplication(Connection& conn) : conn_(conn) {}
  base::Status OnStreamData(int64_t id, base::ByteSpan data, bool) override {
    conn_.ExtendStreamWindow(id, data.size());
    return base::Status::Ok();
  }
  base::Status OnStreamAcked(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStreamClose(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStreamReset(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStopSending(int64_t, uint64_t) override { return base::Status::Ok(); }
  void OnStreamWritable(int64_t) override {}
  base::Status NextChunk(StreamChunk* out) override {
    out->stream_id = -1;
    return base::Status::Ok();
  }
  base::Status OnChunkWritten(int64_t, size_t) override { return base::Status::Ok(); }
  void OnStreamBlocked(int64_t, bool) override {}

 private:
  Connection& conn_;
};

struct SwarmOptions {
  std::string host = "::1";  // IPv6 literal or name
  uint16_t port = 8443;
  std::string server_name;  // defaults to host
  std::string alpn = std::string(kAlpnH3);
  std::shared_ptr<const TlsCredentials> credentials;  // stoq/1 needs a client certificate
  std::shared_ptr<const ChannelConfig> channel;       // required for stoq/1
  ConnectionOptions connection;
  size_t connections = 1000;             // how many the Run*Bench functions open
  size_t concurrency = 256;              // handshakes in flight at most
  size_t connections_per_socket = 4096;  // fewer sockets = fewer fds; more = more kernel queues
  std::chrono::milliseconds timeout{120'000};  // for all connections to become ready
  std::chrono::milliseconds hold{10'000};      // RunIdleBench: how long to keep them idle
  // Handshake bench: close each connection as soon as it is ready (the server then does not
  // accumulate them).
  bool close_when_ready = false;
  // Another application than the built-in ones (ClientChannel for stoq/1, an idle sink
  // otherwise); `ready` then says when a connection counts as up.
  ApplicationFactory factory;
  std::function<bool(const Connection&)> ready;

  // kInvalidArgument naming the field.
  base::Status Validate() const;
};

struct SwarmCounters {
  uint64_t started = 0;       // connections created (first Initial sent)
  uint64_t established = 0;   // QUIC handshakes completed
  uint64_t ready = 0;         // of which ready (stoq/1: secure)
  uint64_t failed = 0;        // closed or timed out before ready
  uint64_t lost = 0;          // closed or timed out after ready (e.g. the server's idle timeout)
  uint64_t closed = 0;        // closed by us (CloseAll, close_when_ready)
  std::string first_failure;  // why the first failed or lost connection went ("" if none)
};

class ClientSwarm final : public PacketSink, public ConnectionIdRegistry {
 public:
  // Resolves the host and opens the sockets. Errors: kInvalidArgument (options), kUnavailable
  // (name does not resolve), those of net::UdpSocket::Open.
  static base::Result<std::unique_ptr<ClientSwarm>> Create(SwarmOptions options);
  ~ClientSwarm() override;
  ClientSwarm(const ClientSwarm&) = delete;
  ClientSwarm& operator=(const ClientSwarm&) = delete;

  // Queues `n` more connections; they start from Run as handshake slots free up.
  void Open(size_t n);
  // Runs I/O and timers until `done()` holds (checked after every round) or `timeout` passes.
  // OK when done() became true; kDeadlineExceeded otherwise; kInternal on a socket error.
  base::Status Run(const std::function<bool()>& done, std::chrono::microseconds timeout);
  // Sends CONNECTION_CLOSE (NO_ERROR) on every live connection and forgets them; queued ones
  // are dropped.
  void CloseAll();

  const SwarmCounters& counters() const { return counters_; }
  size_t alive() const { return alive_; }          // connections that exist now
  size_t in_flight() const { return in_flight_; }  // started, not yet ready or failed
  size_t queued() const { return slots_.size() - next_slot_; }
  size_t sockets() const { return sockets_.size(); }
  // Microseconds from the first Initial to ready, per ready connection (in completion order).
  const std::vector<uint32_t>& ready_latencies_us() const { return latencies_; }

  // PacketSink: sends on the socket of the connection being served.
  void Send(const sockaddr_in6& remote, base::ByteSpan bytes, size_t segment_size) override;
  std::span<uint8_t> Scratch() override { return scratch_; }
  // ConnectionIdRegistry: routes the IDs our connections issue to them.
  void AddConnectionId(const ngtcp2_cid& cid, Connection* conn) override;
  void RemoveConnectionId(const ngtcp2_cid& cid) override;
  void StatelessResetToken(const ngtcp2_cid& cid, uint8_t* token) override;

 private:
  enum class State : uint8_t { kQueued, kHandshaking, kEstablished, kReady, kGone };
  struct Slot {
    std::unique_ptr<Connection> conn;
    Timestamp armed = kNever;  // its key in timers_
    Timestamp started = 0;
    uint16_t socket = 0;
    State state = State::kQueued;
    bool dirty = false;  // read something: write and re-arm after the batch
  };
  // Fixed-size connection-ID key (a std::string of 17 bytes would allocate).
  struct CidKey {
    uint8_t len = 0;
    std::array<uint8_t, NGTCP2_MAX_CIDLEN> data{};
    bool operator==(const CidKey&) const = default;
  };
  struct CidHash {
    size_t operator()(const CidKey& k) const;
  };
  static CidKey KeyOf(const uint8_t* data, size_t len);

  explicit ClientSwarm(SwarmOptions options);
  base::Status StartOne(Timestamp now);
  base::Status ReadSocket(size_t index);
  void Deliver(const sockaddr_in6& local, const sockaddr_in6& remote, base::ByteSpan packet,
               Timestamp now);
  void RunTimers(Timestamp now);
  // After an event on slot `i`: write, account state changes, close on error, re-arm.
  void AfterEvent(uint32_t i, const base::Status& event, Timestamp now);
  void Fail(uint32_t i, const base::Status& why);
  void Remove(uint32_t i);
  void Rearm(uint32_t i);
  bool IsReady(const Connection& conn) const;

  SwarmOptions options_;
  std::vector<std::unique_ptr<net::UdpSocket>> sockets_;
  std::vector<sockaddr_in6> locals_;  // the path's local address per socket
  sockaddr_in6 remote_{};
  std::string server_name_;
  std::unique_ptr<net::RecvBatch> batch_;
  std::unique_ptr<base::Random> random_;
  base::Bytes scratch_;
  size_t sending_socket_ = 0;
  size_t short_dcid_len_ = 0;  // length of our connection IDs (ngtcp2 issues more of the same)
  std::vector<Slot> slots_;
  size_t next_slot_ = 0;  // slots before it have been started
  size_t alive_ = 0;
  size_t in_flight_ = 0;
  std::unordered_map<CidKey, uint32_t, CidHash> by_cid_;
  std::set<std::pair<Timestamp, uint32_t>> timers_;
  std::vector<uint32_t> dirty_;
  std::vector<uint32_t> latencies_;
  SwarmCounters counters_;
};

struct SwarmReport {
  SwarmCounters counters;
  size_t requested = 0;
  size_t sockets = 0;
  double elapsed_seconds = 0;        // from the first Initial until all were ready or failed
  double handshakes_per_second = 0;  // ready / elapsed_seconds
  double latency_p50_ms = 0;         // first Initial to ready
  double latency_p99_ms = 0;
  size_t alive_after_hold = 0;           // idle bench: still up when the hold ended
  uint64_t client_rss_bytes_idle = 0;    // idle bench: this process's RSS with all of them up
  uint64_t client_rss_bytes_before = 0;  // ... and before the first one was opened
};

// Opens options.connections connections (at most options.concurrency handshaking) until all
// are ready or failed or options.timeout passes. Errors: those of ClientSwarm::Create; the
// failures themselves are in the report.
base::Result<SwarmReport> RunHandshakeBench(const SwarmOptions& options);

// Opens options.connections connections, calls `all_up(report so far)` once every one is ready
// (or failed, or the timeout passed), holds them idle for options.hold (keep-alive PINGs keep
// them open: set options.connection.keep_alive_ms below the server's idle timeout), then closes
// them.
base::Result<SwarmReport> RunIdleBench(const SwarmOptions& options,
                                       const std::function<void(const SwarmReport&)>& all_up);

// The resident set size in bytes of process `pid` (0: this process), 0 if /proc is unreadable.
uint64_t ProcessRssBytes(int pid = 0);

}  // namespace hm::stoq::channel
