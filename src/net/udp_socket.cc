// UdpSocket: socket setup, batched receive (recvmmsg + cmsg parsing) and batched send (sendmmsg,
// optionally with UDP_SEGMENT). Thread-safety: see udp_socket.h.
#include "net/udp_socket.h"

#include <errno.h>
#include <fmt/format.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>
#include <utility>

#include "base/check.h"
#include "base/log.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

namespace hm::net {
namespace {

constexpr int kMaxBufferBytes = 1 << 30;  // the kernel doubles the value; keep it far from INT_MAX
// Older kernels cap a GSO send at 64 segments (UDP_MAX_SEGMENTS) and every kernel at one IPv6
// payload (65535 - 8 bytes of UDP header); larger items are cut into several GSO messages.
constexpr size_t kMaxGsoSegments = 64;
constexpr size_t kMaxGsoBytes = 65527;
constexpr size_t kMaxSendBatch = 1024;  // UIO_MAXIOV: the kernel's sendmmsg limit per call
constexpr int kMaxReceiveRetries = 64;  // bounds the loop over EINTR and queued ICMP errors
// Room for IPV6_PKTINFO, IPV6_TCLASS and UDP_GRO, with slack for anything else the kernel adds.
constexpr size_t kRecvControlBytes = 256;
constexpr size_t kSendControlBytes = CMSG_SPACE(sizeof(uint16_t)) + CMSG_SPACE(sizeof(int));

std::string ErrnoText(int err) { return std::generic_category().message(err); }

// Closes the descriptor unless released; keeps Open's early returns leak-free.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

base::Status SocketError(std::string_view where, std::string_view step, int err) {
  if (err == EADDRINUSE)
    return base::Unavailable(fmt::format("address {} is already in use", where));
  if (err == EACCES) {
    return base::PermissionDenied(
        fmt::format("cannot {} address {}: {}", step, where, ErrnoText(err)));
  }
  if (err == EADDRNOTAVAIL) {
    return base::InvalidArgument(
        fmt::format("address {} is not a local address: {}", where, ErrnoText(err)));
  }
  return base::Internal(fmt::format("cannot {} address {}: {}", step, where, ErrnoText(err)));
}

base::Status SetIntOption(int fd, int level, int name, int value, std::string_view what,
                          std::string_view where) {
  if (::setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    return SocketError(where, fmt::format("set {} on", what), errno);
  }
  return base::Status::Ok();
}

// The *FORCE variant passes rmem_max/wmem_max but needs CAP_NET_ADMIN; without it the plain
// option is applied and the kernel silently caps it, which is the best an unprivileged node gets.
base::Status SetSocketBuffer(int fd, int force_name, int name, int bytes, std::string_view what,
                             std::string_view where) {
  if (::setsockopt(fd, SOL_SOCKET, force_name, &bytes, sizeof(bytes)) == 0) {
    return base::Status::Ok();
  }
  return SetIntOption(fd, SOL_SOCKET, name, bytes, what, where);
}

// A kernel without UDP GSO rejects reading the option with ENOPROTOOPT.
bool KernelSupportsGso(int fd) {
  int value = 0;
  socklen_t len = sizeof(value);
  return ::getsockopt(fd, SOL_UDP, UDP_SEGMENT, &value, &len) == 0;
}

base::Status ValidateBuffer(std::string_view field, int bytes) {
  if (bytes < 1 || bytes > kMaxBufferBytes) {
    return base::InvalidArgument(
        fmt::format("{} must be between 1 and {}, got {}", field, kMaxBufferBytes, bytes));
  }
  return base::Status::Ok();
}

// Errors about one destination, not the socket: the item is dropped and the batch goes on.
bool IsPerDestinationError(int err) {
  switch (err) {
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN:
    case ENETDOWN:
    case EPERM:  // a firewall rule
    case EACCES:
    case EADDRNOTAVAIL:  // no usable source address towards this destination
    case EMSGSIZE:       // larger than the path allows, e.g. a PMTU probe
    case ENOBUFS:        // the device queue dropped it; QUIC loss recovery resends
      return true;
    default:
      return false;
  }
}

// ICMP errors queued on the socket surface on the next receive call, which consumes them.
bool IsQueuedReceiveError(int err) {
  return err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH;
}

}  // namespace

base::Status UdpSocketOptions::Validate() const {
  auto endpoint = ParseListenAddress(host, port);
  if (!endpoint.ok()) return endpoint.status().WithContext("host");
  HM_TRY(ValidateBuffer("recv_buffer_bytes", recv_buffer_bytes));
  HM_TRY(ValidateBuffer("send_buffer_bytes", send_buffer_bytes));
  return base::Status::Ok();
}

sockaddr_in6 ToSockaddr(const Endpoint& endpoint) {
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_port = htons(endpoint.port);
  const auto bytes = endpoint.address.to_bytes();
  std::memcpy(addr.sin6_addr.s6_addr, bytes.data(), bytes.size());
  addr.sin6_scope_id = endpoint.address.scope_id();
  return addr;
}

Endpoint ToEndpoint(const sockaddr_in6& addr) {
  boost::asio::ip::address_v6::bytes_type bytes;
  std::memcpy(bytes.data(), addr.sin6_addr.s6_addr, bytes.size());
  return Endpoint{boost::asio::ip::address_v6(bytes, addr.sin6_scope_id), ntohs(addr.sin6_port)};
}

// ---------------------------------------------------------------------------------------------
// RecvBatch

struct RecvBatch::Slots {
  struct alignas(cmsghdr) Control {
    unsigned char bytes[kRecvControlBytes];
  };

  Slots(size_t n, size_t slot)
      : capacity(n), slot_bytes(slot), buffer(n * slot), msgs(n), iovs(n), names(n), control(n) {
    datagrams.reserve(n);
  }

  // The kernel overwrites lengths and flags, so every receive starts from a clean header.
  void Reset() {
    datagrams.clear();
    for (size_t i = 0; i < capacity; ++i) {
      iovs[i] = iovec{buffer.data() + i * slot_bytes, slot_bytes};
      msghdr& h = msgs[i].msg_hdr;
      h = msghdr{};
      h.msg_name = &names[i];
      h.msg_namelen = sizeof(sockaddr_in6);
      h.msg_iov = &iovs[i];
      h.msg_iovlen = 1;
      h.msg_control = control[i].bytes;
      h.msg_controllen = sizeof(control[i].bytes);
      msgs[i].msg_len = 0;
    }
  }

  size_t capacity;
  size_t slot_bytes;
  std::vector<uint8_t> buffer;
  std::vector<mmsghdr> msgs;
  std::vector<iovec> iovs;
  std::vector<sockaddr_in6> names;
  std::vector<Control> control;
  std::vector<ReceivedDatagram> datagrams;
};

RecvBatch::RecvBatch(size_t max_datagrams, size_t buffer_bytes) {
  HM_CHECK(max_datagrams > 0 && buffer_bytes > 0);
  slots_ = std::make_unique<Slots>(max_datagrams, buffer_bytes);
}
RecvBatch::~RecvBatch() = default;
RecvBatch::RecvBatch(RecvBatch&&) noexcept = default;
RecvBatch& RecvBatch::operator=(RecvBatch&&) noexcept = default;

std::span<const ReceivedDatagram> RecvBatch::datagrams() const { return slots_->datagrams; }
size_t RecvBatch::capacity() const { return slots_->capacity; }
size_t RecvBatch::buffer_bytes() const { return slots_->slot_bytes; }

// ---------------------------------------------------------------------------------------------
// UdpSocket: setup

struct UdpSocket::SendScratch {
  // One mmsghdr: a slice of one item, sent as one datagram or, with gso > 0, as a GSO burst.
  struct Message {
    size_t item;
    size_t offset;
    size_t length;
    uint16_t gso;
  };
  struct alignas(cmsghdr) Control {
    unsigned char bytes[kSendControlBytes];
  };

  std::vector<Message> plan;
  std::vector<mmsghdr> msgs;
  std::vector<iovec> iovs;
  std::vector<Control> control;
};

struct UdpSocket::SendStop {
  enum class Kind { kAllSent, kWouldBlock, kGsoRejected, kFailed };
  Kind kind;
  size_t item;  // the first item not handled
  int err;
};

UdpSocket::UdpSocket(int fd, sockaddr_in6 local, bool gso, bool gro)
    : fd_(fd),
      local_(local),
      gso_enabled_(gso),
      gro_enabled_(gro),
      send_(std::make_unique<SendScratch>()) {}

UdpSocket::~UdpSocket() { ::close(fd_); }

base::Result<std::unique_ptr<UdpSocket>> UdpSocket::Open(const UdpSocketOptions& options) {
  HM_TRY(options.Validate());
  HM_ASSIGN_OR_RETURN(const Endpoint endpoint, ParseListenAddress(options.host, options.port));
  const std::string where = endpoint.ToString() + "/udp";

  const int raw = ::socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (raw < 0) return SocketError(where, "open a socket for", errno);
  FdGuard fd(raw);
  HM_TRY(SetIntOption(raw, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY", where));
  HM_TRY(SetIntOption(raw, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", where));
  HM_TRY(SetIntOption(raw, IPPROTO_IPV6, IPV6_RECVTCLASS, 1, "IPV6_RECVTCLASS", where));
  if (options.reuse_port) {
    HM_TRY(SetIntOption(raw, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT", where));
  }
  HM_TRY(SetSocketBuffer(raw, SO_RCVBUFFORCE, SO_RCVBUF, options.recv_buffer_bytes, "SO_RCVBUF",
                         where));
  HM_TRY(SetSocketBuffer(raw, SO_SNDBUFFORCE, SO_SNDBUF, options.send_buffer_bytes, "SO_SNDBUF",
                         where));
  const bool gso = options.gso && KernelSupportsGso(raw);
  const int one = 1;
  const bool gro = options.gro && ::setsockopt(raw, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0;

  const sockaddr_in6 addr = ToSockaddr(endpoint);
  if (::bind(raw, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return SocketError(where, "bind", errno);
  }
  sockaddr_in6 local{};
  socklen_t len = sizeof(local);
  if (::getsockname(raw, reinterpret_cast<sockaddr*>(&local), &len) != 0) {
    return SocketError(where, "read the bound port of", errno);
  }
  return std::unique_ptr<UdpSocket>(new UdpSocket(fd.release(), local, gso, gro));
}

// ---------------------------------------------------------------------------------------------
// UdpSocket: receive

base::Result<size_t> UdpSocket::Receive(RecvBatch& batch) {
  RecvBatch::Slots& s = *batch.slots_;
  for (int attempt = 0; attempt < kMaxReceiveRetries; ++attempt) {
    s.Reset();
    const int n =
        ::recvmmsg(fd_, s.msgs.data(), static_cast<unsigned>(s.capacity), MSG_DONTWAIT, nullptr);
    if (n < 0) {
      const int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) return size_t{0};
      if (err == EINTR || IsQueuedReceiveError(err)) continue;
      return base::Internal(
          fmt::format("recvmmsg on {}: {}", ToEndpoint(local_).ToString(), ErrnoText(err)));
    }
    for (int i = 0; i < n; ++i) {
      msghdr& h = s.msgs[i].msg_hdr;  // non-const: CMSG_NXTHDR takes a mutable header
      if ((h.msg_flags & MSG_TRUNC) != 0) {
        truncated_receives_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      const size_t length = s.msgs[i].msg_len;
      ReceivedDatagram d{};
      d.remote = s.names[i];
      d.local = local_;
      d.data = base::ByteSpan(s.buffer.data() + i * s.slot_bytes, length);
      d.segment_size = length;
      for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
          in6_pktinfo info;
          std::memcpy(&info, CMSG_DATA(c), sizeof(info));
          d.local.sin6_addr = info.ipi6_addr;
          d.local.sin6_scope_id = IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr) ? info.ipi6_ifindex : 0;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
          int tclass = 0;
          std::memcpy(&tclass, CMSG_DATA(c), sizeof(tclass));
          d.ecn = static_cast<uint8_t>(tclass & 0x3);
        } else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
          int gso_size = 0;
          std::memcpy(&gso_size, CMSG_DATA(c), sizeof(gso_size));
          if (gso_size > 0 && static_cast<size_t>(gso_size) < length) d.segment_size = gso_size;
        }
      }
      s.datagrams.push_back(d);
    }
    // If every datagram was dropped the queue may still hold more; an empty answer would make
    // the caller wait for readability that an edge-triggered poller never reports again.
    if (!s.datagrams.empty() || n == 0) return s.datagrams.size();
  }
  return s.datagrams.size();
}

// ---------------------------------------------------------------------------------------------
// UdpSocket: send

void UdpSocket::PrepareSend(std::span<const SendItem> items, size_t from, size_t force_split) {
  SendScratch& s = *send_;
  s.plan.clear();
  for (size_t i = from; i < items.size(); ++i) {
    const size_t size = items[i].data.size();
    const size_t seg = items[i].segment_size;
    if (seg == 0 || seg >= size) {
      s.plan.push_back({i, 0, size, 0});
      continue;
    }
    const size_t per_burst = std::min(kMaxGsoSegments, kMaxGsoBytes / seg);
    const bool gso = gso_enabled_ && i != force_split && per_burst >= 2 &&
                     seg <= std::numeric_limits<uint16_t>::max();
    const size_t step = gso ? per_burst * seg : seg;
    for (size_t offset = 0; offset < size; offset += step) {
      const size_t length = std::min(step, size - offset);
      const uint16_t burst_gso = gso && length > seg ? static_cast<uint16_t>(seg) : 0;
      s.plan.push_back({i, offset, length, burst_gso});
    }
  }

  const size_t n = s.plan.size();
  s.msgs.resize(n);
  s.iovs.resize(n);
  s.control.resize(n);
  for (size_t k = 0; k < n; ++k) {
    const SendScratch::Message& m = s.plan[k];
    const SendItem& item = items[m.item];
    s.iovs[k] = iovec{const_cast<uint8_t*>(item.data.data()) + m.offset, m.length};
    msghdr& h = s.msgs[k].msg_hdr;
    h = msghdr{};
    h.msg_name = const_cast<sockaddr_in6*>(item.remote);
    h.msg_namelen = sizeof(sockaddr_in6);
    h.msg_iov = &s.iovs[k];
    h.msg_iovlen = 1;
    s.msgs[k].msg_len = 0;

    size_t used = 0;
    unsigned char* control = s.control[k].bytes;
    if (m.gso != 0) {
      auto* c = reinterpret_cast<cmsghdr*>(control);
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      std::memcpy(CMSG_DATA(c), &m.gso, sizeof(uint16_t));
      used += CMSG_SPACE(sizeof(uint16_t));
    }
    if (item.ecn != 0) {
      auto* c = reinterpret_cast<cmsghdr*>(control + used);
      const int tclass = item.ecn & 0x3;
      c->cmsg_level = IPPROTO_IPV6;
      c->cmsg_type = IPV6_TCLASS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(c), &tclass, sizeof(int));
      used += CMSG_SPACE(sizeof(int));
    }
    if (used != 0) {
      h.msg_control = control;
      h.msg_controllen = used;
    }
  }
}

UdpSocket::SendStop UdpSocket::SendPrepared() {
  SendScratch& s = *send_;
  size_t pos = 0;
  while (pos < s.msgs.size()) {
    const size_t count = std::min(s.msgs.size() - pos, kMaxSendBatch);
    const int n = ::sendmmsg(fd_, &s.msgs[pos], static_cast<unsigned>(count), MSG_DONTWAIT);
    if (n > 0) {
      for (size_t k = pos; k < pos + static_cast<size_t>(n); ++k) {
        if (s.plan[k].gso != 0) gso_confirmed_ = true;
      }
      pos += static_cast<size_t>(n);
      continue;
    }
    const int err = n == 0 ? EAGAIN : errno;
    if (err == EINTR) continue;
    const size_t item = s.plan[pos].item;
    if (err == EAGAIN || err == EWOULDBLOCK) return {SendStop::Kind::kWouldBlock, item, err};
    if (s.plan[pos].gso != 0 && (err == EIO || err == EINVAL)) {
      return {SendStop::Kind::kGsoRejected, item, err};
    }
    if (!IsPerDestinationError(err)) return {SendStop::Kind::kFailed, item, err};
    dropped_sends_.fetch_add(1, std::memory_order_relaxed);
    while (pos < s.plan.size() && s.plan[pos].item == item) ++pos;
  }
  return {SendStop::Kind::kAllSent, 0, 0};
}

base::Result<size_t> UdpSocket::Send(std::span<const SendItem> items) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].remote == nullptr) {
      return base::InvalidArgument(fmt::format("SendItem {} has no remote address", i));
    }
  }
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  size_t from = 0;
  size_t force_split = kNone;
  while (from < items.size()) {
    PrepareSend(items, from, force_split);
    const SendStop stop = SendPrepared();
    switch (stop.kind) {
      case SendStop::Kind::kAllSent:
        return items.size();
      case SendStop::Kind::kWouldBlock:
        return stop.item;
      case SendStop::Kind::kGsoRejected:
        if (gso_confirmed_) {
          // GSO works on this socket, so this item itself is at fault (e.g. segment > path MTU).
          force_split = stop.item;
        } else {
          gso_enabled_ = false;
          HM_LOG_WARN("net", "UDP GSO rejected on {} ({}); sending without it",
                      ToEndpoint(local_).ToString(), ErrnoText(stop.err));
        }
        from = stop.item;
        break;
      case SendStop::Kind::kFailed:
        // Report what went out; the error recurs on the caller's next call for the rest.
        if (stop.item > 0) return stop.item;
        return base::Internal(fmt::format(
            "sendmmsg to {}: {}", ToEndpoint(*items[0].remote).ToString(), ErrnoText(stop.err)));
    }
  }
  return items.size();
}

}  // namespace hm::net
