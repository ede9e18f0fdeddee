#include "trustchain/dns/server/internal/udp_worker.h"

#include <sys/epoll.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "trustchain/dns/server/internal/wire.h"

namespace hm::trustchain::dns::internal {
namespace {

constexpr uint64_t kTagStop = 1;
constexpr uint64_t kTagSocket = 2;
constexpr uint64_t kTagUpstream = 3;
constexpr size_t kControlSize = CMSG_SPACE(sizeof(in6_pktinfo));
constexpr int kSocketBufferSize = 4 << 20;  // absorbs bursts; the kernel caps it at rmem_max
constexpr int kMaxBatchesPerWakeup = 16;    // then look at the stop signal and upstream again

bool ReadPktinfo(const msghdr& h, in6_pktinfo* out) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      std::memcpy(out, CMSG_DATA(c), sizeof *out);
      return true;
    }
  }
  return false;
}

// Points `h` at `control` holding an IPV6_PKTINFO that names the reply's source address.
void SetPktinfo(msghdr& h, uint8_t* control, const in6_pktinfo& info) {
  std::memset(control, 0, kControlSize);
  h.msg_control = control;
  h.msg_controllen = kControlSize;
  cmsghdr* c = CMSG_FIRSTHDR(&h);
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
  std::memcpy(CMSG_DATA(c), &info, sizeof info);
}

}  // namespace

struct UdpWorker::Counts {
  uint64_t queries = 0, responses = 0, dropped = 0, forwarded = 0, rrl_dropped = 0, rrl_slipped = 0;
};

// Everything the batch loop touches, allocated once. The data areas are left uninitialised so
// only the pages actually used become resident.
struct UdpWorker::Slots {
  mmsghdr rx[kBatch];
  iovec rx_iov[kBatch];
  sockaddr_in6 rx_addr[kBatch];
  alignas(cmsghdr) uint8_t rx_control[kBatch][kControlSize];
  mmsghdr tx[kBatch];
  iovec tx_iov[kBatch];
  alignas(cmsghdr) uint8_t tx_control[kBatch][kControlSize];
  std::unique_ptr<uint8_t[]> rx_data{new uint8_t[kBatch * kMaxMessageSize]};
  std::unique_ptr<uint8_t[]> tx_data{new uint8_t[kBatch * kMaxMessageSize]};

  uint8_t* rx_buf(int i) { return rx_data.get() + static_cast<size_t>(i) * kMaxMessageSize; }
  uint8_t* tx_buf(int i) { return tx_data.get() + static_cast<size_t>(i) * kMaxMessageSize; }
};

UdpWorker::UdpWorker(Fd socket, bool pktinfo, const ServerContext& context)
    : socket_(std::move(socket)),
      pktinfo_(pktinfo),
      context_(context),
      slots_(std::make_unique<Slots>()) {
  Slots& s = *slots_;
  std::memset(s.rx, 0, sizeof s.rx);
  std::memset(s.tx, 0, sizeof s.tx);
  for (int i = 0; i < kBatch; ++i) {
    s.rx_iov[i] = {s.rx_buf(i), kMaxMessageSize};
    msghdr& h = s.rx[i].msg_hdr;
    h.msg_name = &s.rx_addr[i];
    h.msg_iov = &s.rx_iov[i];
    h.msg_iovlen = 1;
    h.msg_control = pktinfo_ ? s.rx_control[i] : nullptr;
    s.tx[i].msg_hdr.msg_iov = &s.tx_iov[i];
    s.tx[i].msg_hdr.msg_iovlen = 1;
  }
}

UdpWorker::~UdpWorker() = default;

base::Result<std::unique_ptr<UdpWorker>> UdpWorker::Create(Fd socket, bool local_unspecified,
                                                           const ServerContext& context,
                                                           int stop_fd) {
  const int one = 1;
  if (local_unspecified &&
      ::setsockopt(socket.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) != 0) {
    return base::IoError(fmt::format("setsockopt(IPV6_RECVPKTINFO): {}", ErrnoText(errno)));
  }
  // Best effort: a larger buffer only smooths bursts.
  (void)::setsockopt(socket.get(), SOL_SOCKET, SO_RCVBUF, &kSocketBufferSize,
                     sizeof kSocketBufferSize);
  (void)::setsockopt(socket.get(), SOL_SOCKET, SO_SNDBUF, &kSocketBufferSize,
                     sizeof kSocketBufferSize);
  std::unique_ptr<UdpWorker> w(new UdpWorker(std::move(socket), local_unspecified, context));
  w->epoll_ = Fd(::epoll_create1(EPOLL_CLOEXEC));
  if (!w->epoll_.valid()) return base::IoError(fmt::format("epoll_create1: {}", ErrnoText(errno)));
  HM_TRY(EpollAdd(w->epoll_.get(), stop_fd, EPOLLIN, kTagStop));
  HM_TRY(EpollAdd(w->epoll_.get(), w->socket_.get(), EPOLLIN, kTagSocket));
  if (!context.options->upstreams.empty()) {
    HM_ASSIGN_OR_RETURN(w->forwarder_, Forwarder::Open(context.options->upstreams.front(),
                                                       context.options->forward_timeout));
    HM_TRY(EpollAdd(w->epoll_.get(), w->forwarder_->fd(), EPOLLIN, kTagUpstream));
  }
  return w;
}

void UdpWorker::Run() {
  epoll_event events[4];
  while (true) {
    now_ms_ = MonotonicMs();
    const int timeout = forwarder_ ? forwarder_->TimeoutMs(now_ms_) : -1;
    const int n = ::epoll_wait(epoll_.get(), events, 4, timeout);
    if (n < 0 && errno != EINTR) {
      HM_LOG_ERROR("dns", "UDP worker: epoll_wait: {}", ErrnoText(errno));
      return;
    }
    now_ms_ = MonotonicMs();
    for (int i = 0; i < n; ++i) {
      switch (events[i].data.u64) {
        case kTagStop:
          return;
        case kTagSocket:
          DrainSocket();
          break;
        case kTagUpstream:
          forwarder_->OnReadable(*this);
          break;
      }
    }
    if (forwarder_) forwarder_->Expire(now_ms_, *this);
  }
}

void UdpWorker::DrainSocket() {
  Slots& s = *slots_;
  for (int round = 0; round < kMaxBatchesPerWakeup; ++round) {
    for (int i = 0; i < kBatch; ++i) {
      msghdr& h = s.rx[i].msg_hdr;
      h.msg_namelen = sizeof(sockaddr_in6);
      h.msg_controllen = pktinfo_ ? kControlSize : 0;
      h.msg_flags = 0;
    }
    const int n = ::recvmmsg(socket_.get(), s.rx, kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;  // EAGAIN (drained) or a transient error; epoll brings us back
    now_ms_ = MonotonicMs();
    ProcessBatch(n);
    if (n < kBatch) return;  // most likely drained; saves an EAGAIN round trip
  }
}

void UdpWorker::ProcessBatch(int received) {
  Slots& s = *slots_;
  Counts counts;
  int queued = 0;
  for (int i = 0; i < received; ++i) {
    if (s.rx[i].msg_hdr.msg_flags & MSG_TRUNC) {  // larger than any DNS message
      ++counts.dropped;
      continue;
    }
    ++counts.queries;
    const base::ByteSpan query(s.rx_buf(i), s.rx[i].msg_len);
    uint8_t* out = s.tx_buf(queued);
    const HandlerResult result =
        (*context_.handler)(query, /*tcp=*/false, std::span<uint8_t>(out, kMaxMessageSize));
    size_t size = 0;
    switch (result.action) {
      case HandlerResult::Action::kReply:
        if (result.size == 0 || result.size > kMaxUdpPayload) {
          HM_LOG_RATELIMITED(base::LogLevel::kError, 1, "dns",
                             "handler returned a {}-octet UDP answer; dropped", result.size);
          ++counts.dropped;
          continue;
        }
        size = result.size;
        break;
      case HandlerResult::Action::kDrop:
        ++counts.dropped;
        continue;
      case HandlerResult::Action::kForward: {
        Origin origin;
        origin.client = s.rx_addr[i];
        origin.has_local = pktinfo_ && ReadPktinfo(s.rx[i].msg_hdr, &origin.local);
        if (forwarder_ && forwarder_->Send(query, origin, now_ms_)) {
          ++counts.forwarded;
          continue;
        }
        size = BuildMinimalReply(query, forwarder_ ? kRcodeServFail : kRcodeRefused, false,
                                 std::span<uint8_t>(out, kMaxMessageSize));
        if (size == 0) {
          ++counts.dropped;
          continue;
        }
        break;
      }
    }
    if (!Admit(s.rx_addr[i], query, out, &size, counts)) continue;
    Queue(queued++, i, size);
  }
  Flush(queued, counts);
  AddCounts(counts);
}

bool UdpWorker::Admit(const sockaddr_in6& client, base::ByteSpan source, uint8_t* buf, size_t* size,
                      Counts& counts) {
  if (!context_.rrl->enabled()) return true;
  switch (context_.rrl->Check(std::span<const uint8_t, 16>(client.sin6_addr.s6_addr), now_ms_)) {
    case Rrl::Decision::kSend:
      return true;
    case Rrl::Decision::kDrop:
      ++counts.rrl_dropped;
      return false;
    case Rrl::Decision::kSlip:
      *size = BuildMinimalReply(source, kRcodeNoError, /*tc=*/true,
                                std::span<uint8_t>(buf, kMaxMinimalReply));
      if (*size == 0) {
        ++counts.rrl_dropped;
        return false;
      }
      ++counts.rrl_slipped;
      return true;
  }
  return false;
}

void UdpWorker::Queue(int slot, int rx_index, size_t size) {
  Slots& s = *slots_;
  s.tx_iov[slot] = {s.tx_buf(slot), size};
  msghdr& h = s.tx[slot].msg_hdr;
  h.msg_name = &s.rx_addr[rx_index];
  h.msg_namelen = sizeof(sockaddr_in6);
  h.msg_control = nullptr;
  h.msg_controllen = 0;
  in6_pktinfo local;
  if (pktinfo_ && ReadPktinfo(s.rx[rx_index].msg_hdr, &local)) {
    SetPktinfo(h, s.tx_control[slot], local);
  }
}

void UdpWorker::Flush(int queued, Counts& counts) {
  Slots& s = *slots_;
  int done = 0;
  while (done < queued) {
    const int n = ::sendmmsg(socket_.get(), &s.tx[done], queued - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      // The first remaining datagram failed (full buffer, unroutable client): skip it.
      const int err = errno;
      HM_LOG_RATELIMITED(base::LogLevel::kWarn, 1, "dns", "UDP send failed: {}", ErrnoText(err));
      ++counts.dropped;
      ++done;
      continue;
    }
    counts.responses += n;
    done += n;
  }
}

void UdpWorker::Deliver(const Origin& origin, base::ByteSpan reply) {
  if (reply.size() > kMaxUdpPayload) return;
  Counts counts;
  uint8_t slip[kMaxMinimalReply];
  size_t size = reply.size();
  base::ByteSpan data = reply;
  if (context_.rrl->enabled()) {
    if (!Admit(origin.client, reply, slip, &size, counts)) {
      AddCounts(counts);
      return;
    }
    if (counts.rrl_slipped != 0) data = base::ByteSpan(slip, size);
  }
  iovec iov{const_cast<uint8_t*>(data.data()), data.size()};
  msghdr h{};
  sockaddr_in6 to = origin.client;
  h.msg_name = &to;
  h.msg_namelen = sizeof to;
  h.msg_iov = &iov;
  h.msg_iovlen = 1;
  alignas(cmsghdr) uint8_t control[kControlSize];
  if (origin.has_local) SetPktinfo(h, control, origin.local);
  if (::sendmsg(socket_.get(), &h, 0) == static_cast<ssize_t>(data.size())) {
    ++counts.responses;
  } else {
    ++counts.dropped;
  }
  AddCounts(counts);
}

void UdpWorker::AddCounts(const Counts& c) {
  const ServerMetrics& m = context_.metrics;
  if (c.queries) m.udp_queries->Inc(c.queries);
  if (c.responses) m.udp_responses->Inc(c.responses);
  if (c.dropped) m.dropped->Inc(c.dropped);
  if (c.forwarded) m.forwarded->Inc(c.forwarded);
  if (c.rrl_dropped) m.rrl_dropped->Inc(c.rrl_dropped);
  if (c.rrl_slipped) m.rrl_slipped->Inc(c.rrl_slipped);
}

}  // namespace hm::trustchain::dns::internal
