// POSIX socket plumbing for the DNS transport: an owning fd, conversions between net::Endpoint
// and sockaddr_in6, and binding AF_INET6 sockets with IPV6_V6ONLY=1.
// Thread-safety: Fd is a move-only value; the functions are thread-safe.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <utility>

#include "base/status.h"
#include "net/address.h"

namespace hm::trustchain::dns::internal {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset();
  // Gives up ownership.
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

// strerror for `err`, safe to call from any thread.
std::string ErrnoText(int err);

sockaddr_in6 ToSockaddr(const net::Endpoint& endpoint);
net::Endpoint FromSockaddr(const sockaddr_in6& addr);

enum class SocketKind { kUdp, kTcpListener };

// Non-blocking, close-on-exec AF_INET6 socket with IPV6_V6ONLY, bound to `endpoint` (TCP: with
// SO_REUSEADDR, listening). `reuse_port` sets SO_REUSEPORT so several UDP workers share a port.
// Errors name the address: kUnavailable "address [::1]:53 is already in use (UDP)",
// kPermissionDenied, kInvalidArgument (not a local address), kIoError.
base::Result<Fd> OpenBound(const net::Endpoint& endpoint, SocketKind kind, bool reuse_port);

// The port a bound socket got.
base::Result<uint16_t> BoundPort(int fd);

// An eventfd used as a level-triggered "stop" signal for every thread's epoll set.
base::Result<Fd> OpenEventFd();

// epoll_ctl helpers; `tag` is returned in epoll_event.data.u64.
base::Status EpollAdd(int epfd, int fd, uint32_t events, uint64_t tag);
base::Status EpollModify(int epfd, int fd, uint32_t events, uint64_t tag);
void EpollRemove(int epfd, int fd);

}  // namespace hm::trustchain::dns::internal
