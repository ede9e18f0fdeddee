#include "trustchain/dns/server/test_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/check.h"

namespace hm::trustchain::dns::test {
namespace {

sockaddr_in6 Loopback(uint16_t port) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  a.sin6_port = htons(port);
  return a;
}

int RemainingMs(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool WaitReadable(int fd, std::chrono::steady_clock::time_point deadline) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, RemainingMs(deadline)) > 0;
}

}  // namespace

base::Bytes MakeQuery(uint16_t id, std::string_view name, uint16_t qtype) {
  base::Bytes q = {
      static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    q.push_back(static_cast<uint8_t>(dot - start));
    q.insert(q.end(), name.begin() + start, name.begin() + dot);
    start = dot + 1;
  }
  q.push_back(0);
  q.insert(q.end(), {static_cast<uint8_t>(qtype >> 8), static_cast<uint8_t>(qtype), 0, 1});
  return q;
}

uint16_t IdOf(base::ByteSpan msg) { return static_cast<uint16_t>(msg[0] << 8 | msg[1]); }

HandlerResult EchoHandler(base::ByteSpan query, bool, std::span<uint8_t> out) {
  if (query.size() < 12) return {HandlerResult::Action::kDrop, 0};
  std::memcpy(out.data(), query.data(), query.size());
  out[2] |= 0x80;
  const uint8_t tail[4] = {0xAA, 0xBB, 0xCC, 0xDD};
  std::memcpy(out.data() + query.size(), tail, 4);
  return {HandlerResult::Action::kReply, query.size() + 4};
}

UdpClient::UdpClient() : fd_(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
  HM_CHECK(fd_.valid());
  const int size = 1 << 20;
  (void)::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  sockaddr_in6 local = Loopback(0);
  HM_CHECK(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
}

void UdpClient::SendTo(uint16_t port, base::ByteSpan data) {
  sockaddr_in6 to = Loopback(port);
  HM_CHECK(::sendto(fd_.get(), data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&to),
                    sizeof to) == static_cast<ssize_t>(data.size()));
}

std::optional<base::Bytes> UdpClient::Receive(std::chrono::milliseconds timeout,
                                              sockaddr_in6* from) {
  if (!WaitReadable(fd_.get(), std::chrono::steady_clock::now() + timeout)) return std::nullopt;
  base::Bytes buf(65536);
  sockaddr_in6 sender{};
  socklen_t len = sizeof sender;
  const ssize_t n =
      ::recvfrom(fd_.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&sender), &len);
  if (n < 0) return std::nullopt;
  if (from) *from = sender;
  buf.resize(static_cast<size_t>(n));
  return buf;
}

uint16_t UdpClient::port() const {
  auto port = internal::BoundPort(fd_.get());
  HM_CHECK(port.ok());
  return *port;
}

TcpClient::TcpClient(uint16_t port) : fd_(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  HM_CHECK(fd_.valid());
  sockaddr_in6 to = Loopback(port);
  connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
}

void TcpClient::Write(base::ByteSpan data) {
  HM_CHECK(::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(data.size()));
}

void TcpClient::WriteFrame(base::ByteSpan message) {
  base::Bytes framed = {static_cast<uint8_t>(message.size() >> 8),
                        static_cast<uint8_t>(message.size())};
  framed.insert(framed.end(), message.begin(), message.end());
  Write(framed);
}

void TcpClient::ShutdownWrite() { HM_CHECK(::shutdown(fd_.get(), SHUT_WR) == 0); }

bool TcpClient::ReadExact(uint8_t* out, size_t n, std::chrono::steady_clock::time_point deadline) {
  size_t got = 0;
  while (got < n) {
    if (!WaitReadable(fd_.get(), deadline)) return false;
    const ssize_t r = ::recv(fd_.get(), out + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

std::optional<base::Bytes> TcpClient::ReadFrame(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  uint8_t len[2];
  if (!ReadExact(len, 2, deadline)) return std::nullopt;
  base::Bytes msg(static_cast<size_t>(len[0] << 8 | len[1]));
  if (!ReadExact(msg.data(), msg.size(), deadline)) return std::nullopt;
  return msg;
}

bool TcpClient::WaitClosed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  uint8_t buf[512];
  while (WaitReadable(fd_.get(), deadline)) {
    const ssize_t r = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (r == 0) return true;
    if (r < 0) return errno == ECONNRESET || errno == EPIPE;
  }
  return false;
}

}  // namespace hm::trustchain::dns::test
