// Phase-0 forwarding: relays queries the engine cannot answer to the first configured upstream
// resolver over UDP. Each query goes out under a fresh random ID from this forwarder's own
// socket; a bounded pending table maps it back to the client, and the answer is relayed with the
// client's ID restored. Unanswered queries get SERVFAIL at their deadline.
// Thread-safety: none; each UDP worker and the TCP loop owns one Forwarder.
#pragma once

#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "net/address.h"
#include "trustchain/dns/server/internal/socket.h"

namespace hm::trustchain::dns::internal {

// Who asked: a UDP client (address plus the local address it wrote to) or a TCP connection.
struct Origin {
  sockaddr_in6 client{};
  in6_pktinfo local{};
  bool has_local = false;
  uint64_t conn_id = 0;  // TCP connection id; 0 for UDP
};

class ReplySink {
 public:
  virtual ~ReplySink() = default;
  // `reply` is a complete DNS message for `origin`, valid only during the call.
  virtual void Deliver(const Origin& origin, base::ByteSpan reply) = 0;
};

class Forwarder {
 public:
  static constexpr size_t kMaxPending = 4096;

  static base::Result<std::unique_ptr<Forwarder>> Open(const net::Endpoint& upstream,
                                                       std::chrono::milliseconds timeout);

  int fd() const { return socket_.get(); }
  size_t pending() const { return pending_.size(); }

  // Sends `query` upstream. False if it could not be (shorter than a header, table full, send
  // error): the caller answers SERVFAIL itself.
  bool Send(base::ByteSpan query, const Origin& origin, int64_t now_ms);
  // Reads every datagram waiting on the socket and delivers the ones that answer a pending
  // query: from the upstream's address and port, QR=1, known ID, same question octets.
  void OnReadable(ReplySink& sink);
  // Delivers SERVFAIL for every query whose deadline has passed.
  void Expire(int64_t now_ms, ReplySink& sink);
  // Delivers SERVFAIL for everything still pending (shutdown).
  void FailAll(ReplySink& sink);
  // Milliseconds until the next deadline (>= 0), or -1 when nothing is pending; for epoll_wait.
  int TimeoutMs(int64_t now_ms) const;

 private:
  struct Pending {
    Origin origin;
    uint16_t client_id = 0;
    int64_t deadline_ms = 0;
    std::vector<uint8_t> head;  // the query's header and first question, for checks and SERVFAIL
  };

  Forwarder(Fd socket, sockaddr_in6 upstream, std::chrono::milliseconds timeout);
  uint16_t RandomId();
  void Fail(const Pending& pending, ReplySink& sink);

  Fd socket_;
  const sockaddr_in6 upstream_;
  const int64_t timeout_ms_;
  std::unordered_map<uint16_t, Pending> pending_;
  int64_t next_deadline_ms_ = INT64_MAX;
  std::vector<uint8_t> buffer_;  // send and receive scratch, kMaxMessageSize octets
  uint8_t random_[256];
  size_t random_used_ = sizeof random_;
};

}  // namespace hm::trustchain::dns::internal
