// UdpSocket: a non-blocking IPv6-only UDP socket for the QUIC transport, moving datagrams in
// batches (recvmmsg/sendmmsg) with Linux UDP GSO (UDP_SEGMENT) and GRO (UDP_GRO) when available.
// Thread-safety: a UdpSocket and a RecvBatch are each used by one thread at a time (Send and
// Receive reuse per-socket scratch space); dropped_sends()/truncated_receives() may be read from
// any thread.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "net/address.h"

namespace hm::net {

struct UdpSocketOptions {
  std::string host = "::1";         // IPv6 literal ("::1", "[::]"); IPv4 literals are rejected
  uint16_t port = 0;                // 0 = ephemeral, see UdpSocket::port()
  int recv_buffer_bytes = 8 << 20;  // SO_RCVBUFFORCE if permitted, else SO_RCVBUF (kernel-capped)
  int send_buffer_bytes = 8 << 20;  // SO_SNDBUFFORCE if permitted, else SO_SNDBUF
  bool gso = true;                  // UDP_SEGMENT when the kernel supports it
  bool gro = true;                  // UDP_GRO when the kernel supports it
  bool reuse_port = false;          // SO_REUSEPORT, for several sockets on one port

  // kInvalidArgument naming the field: bad host, buffer sizes outside [1, 1 GiB].
  base::Status Validate() const;
};

// Conversions between the address value type and the kernel's.
sockaddr_in6 ToSockaddr(const Endpoint& endpoint);
Endpoint ToEndpoint(const sockaddr_in6& addr);

struct ReceivedDatagram {
  sockaddr_in6 remote;
  sockaddr_in6 local;   // destination address from IPV6_PKTINFO (matters when bound to ::)
  base::ByteSpan data;  // points into the RecvBatch; valid until its next Receive
  // With GRO, `data` holds several datagrams of this size back to back (the last may be shorter).
  // Without GRO it equals data.size().
  size_t segment_size;
  uint8_t ecn;  // low two bits of the IPv6 traffic class (0 if the kernel gave none)
};

// Reusable receive storage: `max_datagrams` slots of `buffer_bytes` each. Keep buffer_bytes at
// 64 KiB when GRO is on, since a coalesced buffer that does not fit is truncated and dropped.
class RecvBatch {
 public:
  explicit RecvBatch(size_t max_datagrams = 32, size_t buffer_bytes = 65536);
  ~RecvBatch();
  RecvBatch(RecvBatch&&) noexcept;
  RecvBatch& operator=(RecvBatch&&) noexcept;

  // The datagrams of the last Receive.
  std::span<const ReceivedDatagram> datagrams() const;
  size_t capacity() const;
  size_t buffer_bytes() const;

 private:
  friend class UdpSocket;
  struct Slots;
  std::unique_ptr<Slots> slots_;
};

struct SendItem {
  const sockaddr_in6* remote = nullptr;
  base::ByteSpan data;
  // 0 or >= data.size(): one datagram. Otherwise data is cut into datagrams of this size (the last
  // may be shorter), sent with GSO when enabled.
  size_t segment_size = 0;
  uint8_t ecn = 0;  // ECN codepoint for the traffic class (0 = not ECN-capable)
};

class UdpSocket {
 public:
  // Opens AF_INET6 with IPV6_V6ONLY=1, O_NONBLOCK|O_CLOEXEC, IPV6_RECVPKTINFO, IPV6_RECVTCLASS,
  // and binds. Errors: kInvalidArgument (options; address not local), kUnavailable "address
  // [::1]:8443/udp is already in use", kPermissionDenied (privileged port), kInternal otherwise.
  static base::Result<std::unique_ptr<UdpSocket>> Open(const UdpSocketOptions& options);

  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  int fd() const { return fd_; }
  uint16_t port() const { return ntohs(local_.sin6_port); }
  sockaddr_in6 local_address() const { return local_; }
  bool gso_enabled() const { return gso_enabled_; }
  bool gro_enabled() const { return gro_enabled_; }

  // Reads what is queued, up to batch.capacity() datagrams, without blocking. Returns how many
  // are in batch.datagrams(); 0 means the queue was empty (wait for readability). Truncated
  // datagrams are dropped and counted. Errors: kInternal (strerror).
  base::Result<size_t> Receive(RecvBatch& batch);

  // Sends items in order and returns how many were fully sent; fewer than items.size() means the
  // socket buffer is full: wait for writability and resend the rest. (An item cut into several
  // datagrams without GSO may have been partly sent; QUIC discards the duplicates.)
  // Items whose destination is unreachable, refused, too big or firewalled are dropped and
  // counted in dropped_sends(). If the kernel rejects the first GSO send, GSO is turned off for
  // this socket and the items are resent without it. Errors (only when nothing was sent):
  // kInvalidArgument (null remote), kInternal (strerror).
  base::Result<size_t> Send(std::span<const SendItem> items);

  uint64_t dropped_sends() const { return dropped_sends_.load(std::memory_order_relaxed); }
  uint64_t truncated_receives() const {
    return truncated_receives_.load(std::memory_order_relaxed);
  }

 private:
  struct SendScratch;
  struct SendStop;

  UdpSocket(int fd, sockaddr_in6 local, bool gso, bool gro);
  void PrepareSend(std::span<const SendItem> items, size_t from, size_t force_split);
  SendStop SendPrepared();

  int fd_;
  sockaddr_in6 local_;
  bool gso_enabled_;
  bool gso_confirmed_ = false;  // a GSO send has succeeded, so later rejections are per item
  bool gro_enabled_;
  std::unique_ptr<SendScratch> send_;
  std::atomic<uint64_t> dropped_sends_{0};
  std::atomic<uint64_t> truncated_receives_{0};
};

}  // namespace hm::net
