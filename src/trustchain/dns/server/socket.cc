#include "trustchain/dns/server/internal/socket.h"

#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace hm::trustchain::dns::internal {
namespace {

base::Status SocketError(const net::Endpoint& endpoint, SocketKind kind, std::string_view step,
                         int err) {
  const std::string where = endpoint.ToString();
  const char* proto = kind == SocketKind::kUdp ? "UDP" : "TCP";
  if (err == EADDRINUSE) {
    return base::Unavailable(fmt::format("address {} is already in use ({})", where, proto));
  }
  if (err == EACCES || err == EPERM) {
    return base::PermissionDenied(
        fmt::format("cannot {} address {} ({}): {}", step, where, proto, ErrnoText(err)));
  }
  if (err == EADDRNOTAVAIL) {
    return base::InvalidArgument(
        fmt::format("address {} is not a local address ({}): {}", where, proto, ErrnoText(err)));
  }
  return base::IoError(
      fmt::format("cannot {} address {} ({}): {}", step, where, proto, ErrnoText(err)));
}

}  // namespace

std::string ErrnoText(int err) { return std::system_category().message(err); }

void Fd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

sockaddr_in6 ToSockaddr(const net::Endpoint& endpoint) {
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_port = htons(endpoint.port);
  const auto bytes = endpoint.address.to_bytes();
  std::memcpy(addr.sin6_addr.s6_addr, bytes.data(), 16);
  addr.sin6_scope_id = endpoint.address.scope_id();
  return addr;
}

net::Endpoint FromSockaddr(const sockaddr_in6& addr) {
  boost::asio::ip::address_v6::bytes_type bytes;
  std::memcpy(bytes.data(), addr.sin6_addr.s6_addr, 16);
  return net::Endpoint{boost::asio::ip::address_v6(bytes, addr.sin6_scope_id),
                       ntohs(addr.sin6_port)};
}

base::Result<Fd> OpenBound(const net::Endpoint& endpoint, SocketKind kind, bool reuse_port) {
  const int type =
      (kind == SocketKind::kUdp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
  Fd fd(::socket(AF_INET6, type, 0));
  if (!fd.valid()) return SocketError(endpoint, kind, "open a socket for", errno);
  const int one = 1;
  if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) {
    return SocketError(endpoint, kind, "set IPV6_V6ONLY on", errno);
  }
  if (kind == SocketKind::kTcpListener &&
      ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    return SocketError(endpoint, kind, "set SO_REUSEADDR on", errno);
  }
  if (reuse_port && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    return SocketError(endpoint, kind, "set SO_REUSEPORT on", errno);
  }
  const sockaddr_in6 addr = ToSockaddr(endpoint);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return SocketError(endpoint, kind, "bind", errno);
  }
  if (kind == SocketKind::kTcpListener && ::listen(fd.get(), 1024) != 0) {
    return SocketError(endpoint, kind, "listen on", errno);
  }
  return fd;
}

base::Result<uint16_t> BoundPort(int fd) {
  sockaddr_in6 addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return base::IoError(fmt::format("getsockname: {}", ErrnoText(errno)));
  }
  return static_cast<uint16_t>(ntohs(addr.sin6_port));
}

base::Result<Fd> OpenEventFd() {
  Fd fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!fd.valid()) return base::IoError(fmt::format("eventfd: {}", ErrnoText(errno)));
  return fd;
}

base::Status EpollAdd(int epfd, int fd, uint32_t events, uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return base::IoError(fmt::format("epoll_ctl(ADD): {}", ErrnoText(errno)));
  }
  return base::Status::Ok();
}

base::Status EpollModify(int epfd, int fd, uint32_t events, uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  if (::epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) != 0) {
    return base::IoError(fmt::format("epoll_ctl(MOD): {}", ErrnoText(errno)));
  }
  return base::Status::Ok();
}

void EpollRemove(int epfd, int fd) { ::epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr); }

}  // namespace hm::trustchain::dns::internal
