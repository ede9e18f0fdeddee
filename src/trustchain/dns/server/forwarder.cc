#include "trustchain/dns/server/internal/forwarder.h"

#include <fmt/format.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "trustchain/dns/server/internal/wire.h"

namespace hm::trustchain::dns::internal {
namespace {

bool SameAddress(const sockaddr_in6& a, const sockaddr_in6& b) {
  return a.sin6_port == b.sin6_port &&
         std::memcmp(a.sin6_addr.s6_addr, b.sin6_addr.s6_addr, 16) == 0;
}

}  // namespace

Forwarder::Forwarder(Fd socket, sockaddr_in6 upstream, std::chrono::milliseconds timeout)
    : socket_(std::move(socket)),
      upstream_(upstream),
      timeout_ms_(timeout.count()),
      buffer_(kMaxMessageSize) {}

base::Result<std::unique_ptr<Forwarder>> Forwarder::Open(const net::Endpoint& upstream,
                                                         std::chrono::milliseconds timeout) {
  // Any local address and an ephemeral port; the kernel picks the source route per upstream.
  net::Endpoint local{boost::asio::ip::address_v6::any(), 0};
  HM_ASSIGN_OR_RETURN(Fd fd, OpenBound(local, SocketKind::kUdp, /*reuse_port=*/false));
  return std::unique_ptr<Forwarder>(new Forwarder(std::move(fd), ToSockaddr(upstream), timeout));
}

uint16_t Forwarder::RandomId() {
  if (random_used_ + 2 > sizeof random_) {
    // getrandom never fails for a request this small once the pool is initialised; should it,
    // the IDs still differ (the old pool is reused in a new order) but are guessable.
    const ssize_t got = ::getrandom(random_, sizeof random_, 0);
    if (got != static_cast<ssize_t>(sizeof random_)) {
      const int err = errno;
      HM_LOG_RATELIMITED(base::LogLevel::kWarn, 1, "dns", "getrandom failed: {}", ErrnoText(err));
      std::rotate(random_, random_ + 1, random_ + sizeof random_);
    }
    random_used_ = 0;
  }
  const uint16_t id = static_cast<uint16_t>(random_[random_used_] << 8 | random_[random_used_ + 1]);
  random_used_ += 2;
  return id;
}

bool Forwarder::Send(base::ByteSpan query, const Origin& origin, int64_t now_ms) {
  if (query.size() < kHeaderSize || pending_.size() >= kMaxPending) return false;
  uint16_t id = RandomId();
  for (int tries = 0; pending_.contains(id) && tries < 16; ++tries) id = RandomId();
  if (pending_.contains(id)) return false;

  std::memcpy(buffer_.data(), query.data(), query.size());
  WriteId(buffer_, id);
  const ssize_t sent = ::sendto(socket_.get(), buffer_.data(), query.size(), 0,
                                reinterpret_cast<const sockaddr*>(&upstream_), sizeof upstream_);
  if (sent != static_cast<ssize_t>(query.size())) {
    const int err = errno;
    HM_LOG_RATELIMITED(base::LogLevel::kWarn, 1, "dns", "forwarding to upstream failed: {}",
                       sent < 0 ? ErrnoText(err) : "short write");
    return false;
  }
  Pending& p = pending_[id];
  p.origin = origin;
  p.client_id = ReadId(query);
  p.deadline_ms = now_ms + timeout_ms_;
  p.head.assign(query.begin(), query.begin() + QuestionEnd(query));
  next_deadline_ms_ = std::min(next_deadline_ms_, p.deadline_ms);
  return true;
}

void Forwarder::OnReadable(ReplySink& sink) {
  // Bounded so a flood on this socket cannot starve the caller's other work; epoll is
  // level-triggered and brings us back.
  for (int budget = 0; budget < 256; ++budget) {
    sockaddr_in6 from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = ::recvfrom(socket_.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN, or an ICMP error surfaced by the kernel: nothing to deliver
    }
    const size_t size = static_cast<size_t>(n);
    if (size < kHeaderSize || !SameAddress(from, upstream_) || (buffer_[2] & 0x80) == 0) continue;
    const base::ByteSpan reply(buffer_.data(), size);
    auto it = pending_.find(ReadId(reply));
    if (it == pending_.end()) continue;
    const std::vector<uint8_t>& head = it->second.head;
    // The answer must repeat our question octet for octet (a cheap guard against spoofing).
    const size_t qlen = head.size() - kHeaderSize;
    if (QuestionEnd(reply) != head.size() ||
        std::memcmp(reply.data() + kHeaderSize, head.data() + kHeaderSize, qlen) != 0) {
      continue;
    }
    WriteId(buffer_, it->second.client_id);
    const Origin origin = it->second.origin;
    pending_.erase(it);
    sink.Deliver(origin, reply);
  }
}

void Forwarder::Fail(const Pending& pending, ReplySink& sink) {
  uint8_t reply[kMaxMinimalReply];
  const size_t size = BuildMinimalReply(pending.head, kRcodeServFail, false, reply);
  if (size == 0) return;
  WriteId(reply, pending.client_id);
  sink.Deliver(pending.origin, base::ByteSpan(reply, size));
}

void Forwarder::Expire(int64_t now_ms, ReplySink& sink) {
  if (now_ms < next_deadline_ms_) return;
  next_deadline_ms_ = INT64_MAX;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline_ms <= now_ms) {
      Fail(it->second, sink);
      it = pending_.erase(it);
    } else {
      next_deadline_ms_ = std::min(next_deadline_ms_, it->second.deadline_ms);
      ++it;
    }
  }
}

void Forwarder::FailAll(ReplySink& sink) {
  for (const auto& [id, p] : pending_) Fail(p, sink);
  pending_.clear();
  next_deadline_ms_ = INT64_MAX;
}

int Forwarder::TimeoutMs(int64_t now_ms) const {
  if (pending_.empty()) return -1;
  return static_cast<int>(std::clamp<int64_t>(next_deadline_ms_ - now_ms, 0, 60'000));
}

}  // namespace hm::trustchain::dns::internal
