// Classic DNS transport (docs/spec/dns.md, "Transports"): UDP with recvmmsg/sendmmsg batches on
// one SO_REUSEPORT socket per worker thread, TCP (RFC 7766 framing) on one epoll thread,
// response-rate limiting for UDP and Phase-0 forwarding to an upstream resolver. The server moves
// octets; what to answer is decided by the QueryHandler (the authority engine).
// Thread-safety: Start/Stop/port may be called from any thread; the handler is called
// concurrently from every worker thread and must be thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "base/bytes.h"
#include "base/metrics.h"
#include "base/status.h"
#include "net/address.h"
#include "trustchain/dns/server/rrl.h"

namespace hm::trustchain::dns {

// What the engine tells the server to do with a query.
struct HandlerResult {
  enum class Action { kReply, kDrop, kForward } action = Action::kDrop;
  size_t size = 0;  // kReply: octets of the answer written to `out`
};

// `out` has 65535 octets. `tcp` is true when the query came over TCP (no size limit beyond 65535;
// over UDP the handler is responsible for truncating to the client's EDNS size).
using QueryHandler =
    std::function<HandlerResult(base::ByteSpan query, bool tcp, std::span<uint8_t> out)>;

struct DnsServerOptions {
  net::Endpoint listen;      // e.g. [::1]:8053; port 0 = ephemeral (same port for UDP and TCP)
  unsigned udp_workers = 1;  // threads, each with its own SO_REUSEPORT socket; 1..64
  size_t tcp_max_connections = 256;  // beyond: accepted and closed at once
  // A TCP connection is closed when no complete query arrived and no answer octets could be
  // written for this long (a partial query does not count as activity).
  std::chrono::milliseconds tcp_idle_timeout{10000};
  RrlOptions rrl;  // UDP only
  // Forwarding targets for Action::kForward (only the first is used); empty = answer REFUSED.
  std::vector<net::Endpoint> upstreams;
  std::chrono::milliseconds forward_timeout{2000};
  base::MetricsRegistry* metrics = nullptr;  // optional; must outlive the server

  // kInvalidArgument naming the offending field.
  base::Status Validate() const;
};

namespace internal {
class UdpWorker;
class TcpLoop;
}  // namespace internal

class DnsServer {
 public:
  // Binds UDP and TCP (AF_INET6, IPV6_V6ONLY) and starts the threads. Errors: those of
  // Validate(); kUnavailable "address [::1]:8053 is already in use (TCP)" for a busy port;
  // kPermissionDenied (privileged port); kIoError.
  static base::Result<std::unique_ptr<DnsServer>> Start(DnsServerOptions options,
                                                        QueryHandler handler);
  ~DnsServer();  // Stop()
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Idempotent. Closes the sockets and joins the threads; answers already computed for TCP
  // clients are flushed (for at most 250 ms) and pending forwarded TCP queries get SERVFAIL.
  void Stop();
  uint16_t port() const { return port_; }  // the actual bound port

 private:
  DnsServer();

  DnsServerOptions options_;
  uint16_t port_ = 0;
  std::unique_ptr<base::MetricsRegistry> own_metrics_;  // when options.metrics is null
  std::unique_ptr<Rrl> rrl_;
  QueryHandler handler_;
  int stop_fd_ = -1;  // eventfd, level-triggered stop signal in every thread's epoll set
  std::vector<std::unique_ptr<internal::UdpWorker>> udp_workers_;
  std::unique_ptr<internal::TcpLoop> tcp_loop_;
  std::vector<std::thread> threads_;
  std::mutex stop_mu_;
  bool stopped_ = false;
};

}  // namespace hm::trustchain::dns
