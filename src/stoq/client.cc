#include "stoq/client.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>

#include <cstring>

#include "crypto/secure_random.h"
#include "net/address.h"
#include "net/udp_socket.h"
#include "stoq/server.h"

namespace hm::stoq {

base::Result<sockaddr_in6> ResolveIpv6(const std::string& host, uint16_t port) {
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (net::IsIpv4Literal(h)) return net::Ipv4NotSupported(h);
  addrinfo hints{};
  hints.ai_family = AF_INET6;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  int rv = ::getaddrinfo(h.c_str(), nullptr, &hints, &res);
  if (rv != 0 || res == nullptr) {
    return base::Unavailable(fmt::format("{} has no IPv6 address: {}", h, gai_strerror(rv)));
  }
  sockaddr_in6 out{};
  std::memcpy(&out, res->ai_addr, sizeof out);
  ::freeaddrinfo(res);
  out.sin6_port = htons(port);
  return out;
}

std::string DescribeCloseError(const ngtcp2_connection_close_error& e) {
  std::string reason(reinterpret_cast<const char*>(e.reason), e.reasonlen);
  const char* kind =
      e.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION ? "application" : "transport";
  std::string text = fmt::format("{} error 0x{:x}", kind, e.error_code);
  if ((e.error_code & ~uint64_t{0xff}) == NGTCP2_CRYPTO_ERROR &&
      e.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_TRANSPORT) {
    text += fmt::format(" ({})", TlsAlertName(static_cast<uint8_t>(e.error_code & 0xff)));
  }
  if (!reason.empty()) text += ": " + reason;
  return text;
}

Client::~Client() = default;

base::Result<std::unique_ptr<Client>> Client::Connect(ClientOptions options,
                                                      ApplicationFactory factory) {
  if (!options.credentials) return base::InvalidArgument("client: no TLS credentials");
  if (options.alpns.empty()) return base::InvalidArgument("client: no ALPN");
  HM_ASSIGN_OR_RETURN(sockaddr_in6 remote, ResolveIpv6(options.host, options.port));
  std::unique_ptr<Client> c(new Client());
  net::UdpSocketOptions so;
  so.host = IN6_IS_ADDR_LOOPBACK(&remote.sin6_addr) ? "::1" : "::";
  so.port = 0;
  HM_ASSIGN_OR_RETURN(c->socket_, net::UdpSocket::Open(so));
  c->random_ = std::make_unique<crypto::SecureRandom>();
  c->scratch_.resize(kScratchBytes);
  c->batch_ = std::make_unique<net::RecvBatch>(8);
  Path path;
  path.local = c->socket_->local_address();
  if (so.host == "::1") path.local.sin6_addr = in6addr_loopback;
  path.remote = remote;
  std::string name = options.server_name.empty() ? options.host : options.server_name;
  if (name.size() >= 2 && name.front() == '[') name = name.substr(1, name.size() - 2);
  HM_ASSIGN_OR_RETURN(c->conn_, Connection::NewClient(options.connection, *options.credentials,
                                                      name, options.alpns, path,
                                                      std::move(factory), *c->random_,
                                                      MonotonicNow()));
  base::Status s = c->RunUntil([&] { return c->conn_->handshake_completed(); },
                               options.handshake_timeout);
  if (!s.ok()) {
    return s.WithContext(fmt::format("QUIC handshake with [{}]:{}", options.host, options.port));
  }
  return c;
}

void Client::Send(const sockaddr_in6& remote, base::ByteSpan bytes, size_t segment_size) {
  net::SendItem item{&remote, bytes, segment_size == bytes.size() ? 0 : segment_size};
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto sent = socket_->Send(std::span<const net::SendItem>(&item, 1));
    if (!sent.ok() || *sent == 1) return;
    pollfd p{socket_->fd(), POLLOUT, 0};
    ::poll(&p, 1, 10);
  }
}

base::Status Client::Flush() {
  base::Status s = conn_->Write(*this, MonotonicNow());
  if (!s.ok()) {
    conn_->CloseWithError(*this, MonotonicNow(), s);
    failure_ = s;
  }
  return s;
}

std::string Client::PeerCloseReason() const {
  ngtcp2_connection_close_error e;
  ngtcp2_conn_get_connection_close_error(conn_->raw(), &e);
  if (e.error_code == 0 && e.reasonlen == 0 &&
      e.type != NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION) {
    return "";
  }
  return DescribeCloseError(e);
}

base::Status Client::Step(Timestamp deadline) {
  HM_TRY(Flush());
  Timestamp now = MonotonicNow();
  const Timestamp wake = std::min(deadline, conn_->expiry());
  // Sleep until a datagram, the connection's timer or the caller's deadline (at most 1 s),
  // with sub-millisecond precision so that paced callers (benchmarks) are woken on time.
  const Timestamp wait = wake <= now ? 0 : std::min<Timestamp>(1000 * kMillisecond, wake - now);
  const timespec ts{static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)};
  pollfd p{socket_->fd(), POLLIN, 0};
  ::ppoll(&p, 1, &ts, nullptr);
  net::RecvBatch& batch = *batch_;
  for (;;) {
    auto got = socket_->Receive(batch);
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    now = MonotonicNow();
    for (const auto& d : batch.datagrams()) {
      Path path = conn_->path();
      path.remote = d.remote;
      const size_t seg = d.segment_size == 0 ? d.data.size() : d.segment_size;
      for (size_t off = 0; off < d.data.size(); off += seg) {
        base::Status s = conn_->Read(path, d.data.subspan(off, std::min(seg, d.data.size() - off)),
                                     now);
        if (!s.ok()) {
          std::string peer = PeerCloseReason();
          failure_ = peer.empty() ? s : base::Unavailable("the peer closed the connection: " + peer);
          conn_->CloseWithError(*this, now, s);
          return failure_;
        }
      }
    }
  }
  now = MonotonicNow();
  if (now >= conn_->expiry()) {
    base::Status s = conn_->HandleExpiry(now);
    if (!s.ok()) {
      if (s.code() == base::Code::kDeadlineExceeded) {
        failure_ = base::DeadlineExceeded("the connection timed out (no answer from the peer)");
      } else {
        failure_ = s;
        conn_->CloseWithError(*this, now, s);  // e.g. the application's own deadline
      }
      return failure_;
    }
  }
  if (conn_->draining() || conn_->closing()) {
    std::string peer = PeerCloseReason();
    failure_ = base::Unavailable(peer.empty() ? "the connection closed"
                                              : "the peer closed the connection: " + peer);
    return failure_;
  }
  return base::Status::Ok();
}

base::Status Client::RunUntil(const std::function<bool()>& done,
                              std::chrono::microseconds timeout) {
  if (!failure_.ok()) return failure_;
  const Timestamp deadline = MonotonicNow() + static_cast<Timestamp>(timeout.count()) * 1000;
  for (;;) {
    // Sending can finish the job (a key update, say): look before sleeping in Step.
    HM_TRY(Flush());
    if (done()) return base::Status::Ok();
    if (MonotonicNow() >= deadline) {
      return base::DeadlineExceeded(fmt::format("no result within {} ms", timeout.count() / 1000));
    }
    HM_TRY(Step(deadline));
  }
}

void Client::Close(uint64_t app_error_code) {
  if (!conn_ || conn_->closing()) return;
  conn_->Close(*this, MonotonicNow(), app_error_code, "", conn_->handshake_completed());
}

}  // namespace hm::stoq

