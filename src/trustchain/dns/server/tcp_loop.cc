#include "trustchain/dns/server/internal/tcp_loop.h"

#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "trustchain/dns/server/internal/wire.h"

namespace hm::trustchain::dns::internal {
namespace {

constexpr uint64_t kTagStop = 1;
constexpr uint64_t kTagListener = 2;
constexpr uint64_t kTagUpstream = 3;
constexpr uint64_t kFirstConnId = 16;
constexpr size_t kReadChunk = 4096;
constexpr int kMaxAcceptsPerWakeup = 64;
constexpr int kMaxReadsPerWakeup = 16;
constexpr int64_t kAcceptPauseMs = 100;

}  // namespace

struct TcpLoop::Conn {
  Fd fd;
  uint64_t id = 0;
  std::vector<uint8_t> in;  // received octets; in[0, in_used) not yet consumed
  size_t in_used = 0;
  std::vector<uint8_t> out;  // framed answers; out[out_off, size) not yet sent
  size_t out_off = 0;
  int64_t deadline_ms = 0;  // idle deadline
  uint32_t pending_forwards = 0;
  uint32_t interest = 0;
  bool eof = false;      // the peer finished sending
  bool closing = false;  // answer nothing more; close once the output is flushed
  bool dead = false;     // close now (I/O error, reset)

  size_t out_pending() const { return out.size() - out_off; }
  bool HasCompleteFrame() const {
    if (in_used < 2) return false;
    return in_used - 2 >= (static_cast<size_t>(in[0]) << 8 | in[1]);
  }
  bool Finished() const {
    if (dead) return true;
    if (!closing && !eof) return false;
    if (out_pending() > 0 || pending_forwards > 0) return false;
    return closing || !HasCompleteFrame();
  }
};

TcpLoop::TcpLoop(Fd listener, const ServerContext& context, int stop_fd)
    : listener_(std::move(listener)),
      context_(context),
      stop_fd_(stop_fd),
      idle_ms_(context.options->tcp_idle_timeout.count()),
      next_id_(kFirstConnId),
      scratch_(kMaxMessageSize) {}

TcpLoop::~TcpLoop() = default;

base::Result<std::unique_ptr<TcpLoop>> TcpLoop::Create(Fd listener, const ServerContext& context,
                                                       int stop_fd) {
  std::unique_ptr<TcpLoop> loop(new TcpLoop(std::move(listener), context, stop_fd));
  loop->epoll_ = Fd(::epoll_create1(EPOLL_CLOEXEC));
  if (!loop->epoll_.valid()) {
    return base::IoError(fmt::format("epoll_create1: {}", ErrnoText(errno)));
  }
  HM_TRY(EpollAdd(loop->epoll_.get(), stop_fd, EPOLLIN, kTagStop));
  HM_TRY(EpollAdd(loop->epoll_.get(), loop->listener_.get(), EPOLLIN, kTagListener));
  if (!context.options->upstreams.empty()) {
    HM_ASSIGN_OR_RETURN(loop->forwarder_, Forwarder::Open(context.options->upstreams.front(),
                                                          context.options->forward_timeout));
    HM_TRY(EpollAdd(loop->epoll_.get(), loop->forwarder_->fd(), EPOLLIN, kTagUpstream));
  }
  return loop;
}

int TcpLoop::TimeoutMs() const {
  int64_t due = next_sweep_ms_;
  if (forwarder_ && forwarder_->pending() > 0) {
    due = std::min(due, now_ms_ + forwarder_->TimeoutMs(now_ms_));
  }
  if (due == INT64_MAX) return -1;
  return static_cast<int>(std::clamp<int64_t>(due - now_ms_, 0, 60'000));
}

void TcpLoop::Run() {
  epoll_event events[64];
  bool stop = false;
  while (!stop) {
    now_ms_ = MonotonicMs();
    const int n = ::epoll_wait(epoll_.get(), events, 64, TimeoutMs());
    if (n < 0 && errno != EINTR) {
      HM_LOG_ERROR("dns", "TCP loop: epoll_wait: {}", ErrnoText(errno));
      break;
    }
    now_ms_ = MonotonicMs();
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kTagStop) {
        stop = true;
      } else if (tag == kTagListener) {
        Accept();
      } else if (tag == kTagUpstream) {
        forwarder_->OnReadable(*this);
      } else if (auto it = conns_.find(tag); it != conns_.end()) {
        OnConnEvent(*it->second, events[i].events);
      }
    }
    if (forwarder_) forwarder_->Expire(now_ms_, *this);
    Sweep();
  }
  Shutdown();
}

void TcpLoop::Accept() {
  for (int i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    Fd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd.valid()) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // Out of descriptors or memory: the listener stays readable, so stop watching it for a
      // moment instead of spinning.
      const int err = errno;
      HM_LOG_RATELIMITED(base::LogLevel::kWarn, 1, "dns", "TCP accept failed: {}", ErrnoText(err));
      (void)EpollModify(epoll_.get(), listener_.get(), 0, kTagListener);
      accept_resume_ms_ = now_ms_ + kAcceptPauseMs;
      next_sweep_ms_ = std::min(next_sweep_ms_, accept_resume_ms_);
      return;
    }
    if (conns_.size() >= context_.options->tcp_max_connections) {
      HM_LOG_RATELIMITED(base::LogLevel::kWarn, 1, "dns",
                         "TCP connection limit ({}) reached; closing new connection",
                         context_.options->tcp_max_connections);
      continue;  // `fd` closes here
    }
    const int one = 1;
    (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto conn = std::make_unique<Conn>();
    conn->id = next_id_++;
    conn->interest = EPOLLIN;
    if (!EpollAdd(epoll_.get(), fd.get(), EPOLLIN, conn->id).ok()) continue;
    conn->fd = std::move(fd);
    Touch(*conn);
    conns_.emplace(conn->id, std::move(conn));
    context_.metrics.tcp_connections->Set(static_cast<double>(conns_.size()));
  }
}

void TcpLoop::OnConnEvent(Conn& conn, uint32_t events) {
  if (events & (EPOLLERR | EPOLLHUP)) {
    conn.dead = true;
  } else {
    if (events & EPOLLOUT) {
      FlushOut(conn);
      ProcessFrames(conn);  // queries held back while the output was full
    }
    if (events & EPOLLIN) ReadFrom(conn);
  }
  Settle(conn);
}

void TcpLoop::ReadFrom(Conn& conn) {
  for (int round = 0; round < kMaxReadsPerWakeup; ++round) {
    if (conn.dead || conn.eof || conn.closing || conn.out_pending() >= kMaxPendingOutput) return;
    size_t want = kReadChunk;
    if (conn.in_used >= 2) want = std::max(want, 2 + (size_t{conn.in[0]} << 8 | conn.in[1]));
    if (conn.in.size() < want) conn.in.resize(want);
    const size_t space = conn.in.size() - conn.in_used;
    if (space == 0) return;  // a complete frame waits for output room
    const ssize_t n = ::recv(conn.fd.get(), conn.in.data() + conn.in_used, space, 0);
    if (n > 0) {
      conn.in_used += static_cast<size_t>(n);
      ProcessFrames(conn);
      if (static_cast<size_t>(n) < space) return;
      continue;
    }
    if (n == 0) {
      conn.eof = true;
      return;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) conn.dead = true;
    return;
  }
}

void TcpLoop::ProcessFrames(Conn& conn) {
  size_t pos = 0;
  while (!conn.dead && !conn.closing && conn.in_used - pos >= 2 &&
         conn.out_pending() < kMaxPendingOutput) {
    const size_t len = size_t{conn.in[pos]} << 8 | conn.in[pos + 1];
    if (len == 0) {  // no DNS message is empty: the peer is confused or hostile
      conn.closing = true;
      break;
    }
    if (conn.in_used - pos - 2 < len) break;
    Touch(conn);
    HandleQuery(conn, base::ByteSpan(conn.in.data() + pos + 2, len));
    pos += 2 + len;
  }
  if (pos > 0) {
    std::memmove(conn.in.data(), conn.in.data() + pos, conn.in_used - pos);
    conn.in_used -= pos;
  }
  FlushOut(conn);
}

void TcpLoop::HandleQuery(Conn& conn, base::ByteSpan query) {
  const ServerMetrics& m = context_.metrics;
  m.tcp_queries->Inc();
  const HandlerResult result = (*context_.handler)(query, /*tcp=*/true, scratch_);
  switch (result.action) {
    case HandlerResult::Action::kReply:
      if (result.size == 0 || result.size > kMaxMessageSize) {
        HM_LOG_RATELIMITED(base::LogLevel::kError, 1, "dns",
                           "handler returned a {}-octet TCP answer; dropped", result.size);
        break;
      }
      AppendFrame(conn, base::ByteSpan(scratch_.data(), result.size));
      return;
    case HandlerResult::Action::kDrop:
      break;
    case HandlerResult::Action::kForward: {
      Origin origin;
      origin.conn_id = conn.id;
      if (forwarder_ && forwarder_->Send(query, origin, now_ms_)) {
        m.forwarded->Inc();
        ++conn.pending_forwards;
        return;
      }
      const size_t size =
          BuildMinimalReply(query, forwarder_ ? kRcodeServFail : kRcodeRefused, false, scratch_);
      if (size == 0) break;
      AppendFrame(conn, base::ByteSpan(scratch_.data(), size));
      return;
    }
  }
  // A TCP client waits for an answer to every query; rather than leave it hanging until the idle
  // timeout, finish the answers already owed and close.
  m.dropped->Inc();
  conn.closing = true;
}

void TcpLoop::AppendFrame(Conn& conn, base::ByteSpan message) {
  conn.out.push_back(static_cast<uint8_t>(message.size() >> 8));
  conn.out.push_back(static_cast<uint8_t>(message.size()));
  conn.out.insert(conn.out.end(), message.begin(), message.end());
  context_.metrics.tcp_responses->Inc();
}

void TcpLoop::FlushOut(Conn& conn) {
  while (!conn.dead && conn.out_pending() > 0) {
    const ssize_t n =
        ::send(conn.fd.get(), conn.out.data() + conn.out_off, conn.out_pending(), MSG_NOSIGNAL);
    if (n > 0) {
      conn.out_off += static_cast<size_t>(n);
      Touch(conn);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    conn.dead = true;
  }
  if (conn.out_off == conn.out.size()) {
    conn.out.clear();
    conn.out_off = 0;
  } else if (conn.out_off >= kMaxPendingOutput / 2) {
    conn.out.erase(conn.out.begin(), conn.out.begin() + static_cast<ptrdiff_t>(conn.out_off));
    conn.out_off = 0;
  }
}

void TcpLoop::Touch(Conn& conn) {
  conn.deadline_ms = now_ms_ + idle_ms_;
  next_sweep_ms_ = std::min(next_sweep_ms_, conn.deadline_ms);
}

void TcpLoop::Settle(Conn& conn) {
  if (conn.Finished()) {
    Close(conn.id);
    return;
  }
  uint32_t want = 0;
  if (!shutting_down_ && !conn.eof && !conn.closing && conn.out_pending() < kMaxPendingOutput) {
    want |= EPOLLIN;
  }
  if (conn.out_pending() > 0) want |= EPOLLOUT;
  if (want != conn.interest) {
    if (!EpollModify(epoll_.get(), conn.fd.get(), want, conn.id).ok()) {
      Close(conn.id);
      return;
    }
    conn.interest = want;
  }
}

void TcpLoop::Close(uint64_t id) {
  if (conns_.erase(id) > 0) {  // the Fd closes and leaves the epoll set
    context_.metrics.tcp_connections->Set(static_cast<double>(conns_.size()));
  }
}

void TcpLoop::Deliver(const Origin& origin, base::ByteSpan reply) {
  auto it = conns_.find(origin.conn_id);
  if (it == conns_.end()) return;  // the client went away meanwhile
  Conn& conn = *it->second;
  if (conn.pending_forwards > 0) --conn.pending_forwards;
  Touch(conn);
  AppendFrame(conn, reply);
  FlushOut(conn);
  Settle(conn);
}

void TcpLoop::Sweep() {
  if (now_ms_ < next_sweep_ms_) return;
  next_sweep_ms_ = INT64_MAX;
  if (accept_resume_ms_ != 0) {
    if (now_ms_ >= accept_resume_ms_) {
      (void)EpollModify(epoll_.get(), listener_.get(), EPOLLIN, kTagListener);
      accept_resume_ms_ = 0;
    } else {
      next_sweep_ms_ = accept_resume_ms_;
    }
  }
  std::vector<uint64_t> idle;
  for (const auto& [id, conn] : conns_) {
    if (conn->pending_forwards > 0) continue;  // Deliver() touches it; forwards time out
    if (now_ms_ >= conn->deadline_ms) {
      idle.push_back(id);
    } else {
      next_sweep_ms_ = std::min(next_sweep_ms_, conn->deadline_ms);
    }
  }
  for (uint64_t id : idle) Close(id);
}

void TcpLoop::Shutdown() {
  shutting_down_ = true;
  EpollRemove(epoll_.get(), stop_fd_);
  EpollRemove(epoll_.get(), listener_.get());
  listener_.Reset();
  if (forwarder_) forwarder_->FailAll(*this);
  // Let answers already computed reach their clients, briefly; read nothing more.
  std::vector<uint64_t> ids;
  for (const auto& [id, conn] : conns_) ids.push_back(id);
  for (uint64_t id : ids) {
    Conn& conn = *conns_.at(id);
    conn.closing = true;
    conn.pending_forwards = 0;
    Settle(conn);
  }
  const int64_t deadline = MonotonicMs() + kShutdownDrainMs;
  epoll_event events[64];
  while (!conns_.empty()) {
    now_ms_ = MonotonicMs();
    if (now_ms_ >= deadline) break;
    const int n = ::epoll_wait(epoll_.get(), events, 64, static_cast<int>(deadline - now_ms_));
    for (int i = 0; i < n; ++i) {
      auto it = conns_.find(events[i].data.u64);
      if (it != conns_.end()) OnConnEvent(*it->second, events[i].events);
    }
  }
  conns_.clear();
  context_.metrics.tcp_connections->Set(0);
}

}  // namespace hm::trustchain::dns::internal
