// Client: one outgoing QUIC connection driven on the calling thread (blocking), for `hm` and for
// node-to-node calls made from a worker thread. It owns a UDP socket and feeds the Connection
// packets and time until the caller's condition holds.
// Thread-safety: none; use a Client from one thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/status.h"
#include "stoq/connection.h"

namespace hm::net {
class UdpSocket;
class RecvBatch;
}

namespace hm::stoq {

struct ClientOptions {
  std::string host;          // IPv6 literal or a name resolved to IPv6 (getaddrinfo)
  uint16_t port = 8443;
  std::string server_name;   // SNI / verified name; defaults to host
  std::vector<std::string> alpns;
  std::shared_ptr<const TlsCredentials> credentials;
  ConnectionOptions connection;
  std::chrono::milliseconds handshake_timeout{10'000};
};

class Client final : public PacketSink {
 public:
  ~Client() override;
  // Connects and completes the handshake. Errors: kInvalidArgument (options, IPv4), kUnavailable
  // (name does not resolve, handshake failed: names the peer's TLS alert or close reason),
  // kDeadlineExceeded (no answer within handshake_timeout).
  static base::Result<std::unique_ptr<Client>> Connect(ClientOptions options,
                                                       ApplicationFactory factory);

  // Runs I/O until `done()` is true (checked after every event), the connection closes, or
  // `timeout` passes. OK when done() became true; else why not.
  base::Status RunUntil(const std::function<bool()>& done, std::chrono::microseconds timeout);
  // Lets the connection send what the application queued (also done by RunUntil).
  base::Status Flush();
  // Sends CONNECTION_CLOSE (application NO_ERROR `code`) and waits briefly for it to leave.
  void Close(uint64_t app_error_code = 0);

  Connection& connection() { return *conn_; }
  // The peer's reason when it closed the connection ("" if it did not).
  std::string PeerCloseReason() const;

  void Send(const sockaddr_in6& remote, base::ByteSpan bytes, size_t segment_size) override;
  std::span<uint8_t> Scratch() override { return scratch_; }

 private:
  Client() = default;
  base::Status Step(Timestamp deadline);

  std::unique_ptr<net::UdpSocket> socket_;
  std::unique_ptr<net::RecvBatch> batch_;
  std::unique_ptr<base::Random> random_;
  std::unique_ptr<Connection> conn_;
  base::Bytes scratch_;
  base::Status failure_;
};

// Resolves `host` (literal or name) to an IPv6 socket address.
base::Result<sockaddr_in6> ResolveIpv6(const std::string& host, uint16_t port);
// "0x10c (H3_REQUEST_CANCELLED)"-style description of a close error.
std::string DescribeCloseError(const ngtcp2_connection_close_error& e);

}  // namespace hm::stoq
