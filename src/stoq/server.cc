#include "stoq/server.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/check.h"
#include "base/log.h"
#include "crypto/secure_random.h"
#include "net/address.h"
#include "net/udp_socket.h"

namespace hm::stoq {

Timestamp MonotonicNow() {
  return static_cast<Timestamp>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::steady_clock::now().time_since_epoch())
                                    .count());
}

base::Status StoqServerOptions::Validate() const {
  HM_TRY(net::ParseListenAddress(listen_host, port).status().WithContext("stoq.listen"));
  if (socket_buffer_bytes < (64 << 10)) {
    return base::InvalidArgument("stoq.socket_buffer_bytes must be at least 65536");
  }
  return endpoint.Validate();
}

// Sends at once; what the kernel cannot take now waits in a backlog for EPOLLOUT.
class StoqServer::Sink final : public PacketSink {
 public:
  explicit Sink(net::UdpSocket& socket) : socket_(socket), scratch_(kScratchBytes) {}

  void Send(const sockaddr_in6& remote, base::ByteSpan bytes, size_t segment_size) override {
    if (backlog_.empty()) {
      net::SendItem item{&remote, bytes, segment_size == bytes.size() ? 0 : segment_size};
      auto sent = socket_.Send(std::span<const net::SendItem>(&item, 1));
      if (sent.ok() && *sent == 1) return;
      if (!sent.ok()) {
        HM_LOG_RATELIMITED(base::LogLevel::kWarn, 1, "stoq", "UDP send failed: {}",
                           sent.status().ToString());
        return;
      }
    }
    if (backlog_.size() >= kMaxBacklog) return;  // QUIC recovers the loss
    backlog_.push_back({remote, base::Bytes(bytes.begin(), bytes.end()), segment_size});
  }
  std::span<uint8_t> Scratch() override { return scratch_; }

  // Retries the backlog; true when it is empty.
  bool Drain() {
    while (!backlog_.empty()) {
      auto& b = backlog_.front();
      net::SendItem item{&b.remote, b.bytes, b.segment == b.bytes.size() ? 0 : b.segment};
      auto sent = socket_.Send(std::span<const net::SendItem>(&item, 1));
      if (sent.ok() && *sent == 0) return false;
      backlog_.pop_front();
    }
    return true;
  }
  bool blocked() const { return !backlog_.empty(); }

 private:
  struct Pending {
    sockaddr_in6 remote;
    base::Bytes bytes;
    size_t segment;
  };
  static constexpr size_t kMaxBacklog = 4096;
  net::UdpSocket& socket_;
  base::Bytes scratch_;
  std::deque<Pending> backlog_;
};

StoqServer::StoqServer(StoqServerOptions options, std::shared_ptr<const TlsCredentials> credentials,
                       base::MetricsRegistry& metrics)
    : options_(std::move(options)), credentials_(std::move(credentials)), metrics_(metrics) {}

StoqServer::~StoqServer() {
  Shutdown();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

base::Status StoqServer::RegisterAlpn(std::string alpn, ServerApplicationFactory factory) {
  if (started_) return base::FailedPrecondition("RegisterAlpn after Start");
  if (alpn.empty() || alpn.size() > 255 || !factory) {
    return base::InvalidArgument("ALPN must be 1..255 bytes with a factory");
  }
  for (const auto& [a, f] : factories_) {
    if (a == alpn) return base::AlreadyExists(fmt::format("ALPN {} registered twice", alpn));
  }
  factories_.emplace_back(std::move(alpn), std::move(factory));
  return base::Status::Ok();
}

base::Status StoqServer::Start() {
  if (started_) return base::FailedPrecondition("the QUIC server was already started");
  if (factories_.empty()) return base::FailedPrecondition("no ALPN registered");
  if (!credentials_) return base::FailedPrecondition("no TLS credentials");
  HM_TRY(options_.Validate());
  net::UdpSocketOptions so;
  so.host = options_.listen_host;
  so.port = options_.port;
  so.recv_buffer_bytes = options_.socket_buffer_bytes;
  so.send_buffer_bytes = options_.socket_buffer_bytes;
  so.gso = options_.gso;
  so.gro = options_.gro;
  HM_ASSIGN_OR_RETURN(socket_, net::UdpSocket::Open(so));
  port_ = socket_->port();
  sink_ = std::make_unique<Sink>(*socket_);
  batch_ = std::make_unique<net::RecvBatch>();
  random_ = std::make_unique<crypto::SecureRandom>();
  EndpointOptions eo = options_.endpoint;
  eo.alpns.clear();
  for (const auto& [a, f] : factories_) eo.alpns.push_back(a);
  ApplicationFactory factory = [this](const std::string& alpn,
                                      Connection& conn) -> std::unique_ptr<Application> {
    for (const auto& [a, f] : factories_) {
      if (a == alpn) return f(conn, *this);
    }
    return nullptr;
  };
  endpoint_ = std::make_unique<Endpoint>(eo, credentials_, std::move(factory), *random_,
                                         crypto::RandomBytes(32));
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    return base::Internal(fmt::format("epoll/eventfd: {}", std::strerror(errno)));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = socket_->fd();
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, socket_->fd(), &ev);
  ev.data.fd = wake_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  started_ = true;
  thread_ = std::thread([this] { Run(); });
  return base::Status::Ok();
}

bool StoqServer::gso_enabled() const { return socket_ && socket_->gso_enabled(); }
bool StoqServer::gro_enabled() const { return socket_ && socket_->gro_enabled(); }

void StoqServer::Wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void StoqServer::PostToConnection(uint64_t id, std::function<void(Connection&)> fn) {
  {
    std::lock_guard lock(mu_);
    posted_.emplace_back(id, std::move(fn));
  }
  Wake();
}

void StoqServer::SetCredentials(std::shared_ptr<const TlsCredentials> credentials) {
  {
    std::lock_guard lock(mu_);
    pending_credentials_ = std::move(credentials);
  }
  if (started_) Wake();
}

EndpointStats StoqServer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void StoqServer::RunPosted(Timestamp now) {
  std::deque<std::pair<uint64_t, std::function<void(Connection&)>>> work;
  std::shared_ptr<const TlsCredentials> creds;
  {
    std::lock_guard lock(mu_);
    work.swap(posted_);
    creds.swap(pending_credentials_);
  }
  if (creds) endpoint_->SetCredentials(std::move(creds));
  for (auto& [id, fn] : work) {
    Connection* c = endpoint_->Find(id);
    if (c == nullptr || c->closing()) continue;
    fn(*c);
    endpoint_->Flush(id, now, *sink_);
  }
}

void StoqServer::ReadDatagrams(Timestamp now) {
  net::RecvBatch& batch = *batch_;
  // Bounded so timers and posted work keep running under a flood.
  for (int round = 0; round < 16; ++round) {
    auto got = socket_->Receive(batch);
    if (!got.ok() || *got == 0) return;
    for (const auto& d : batch.datagrams()) {
      Path path{d.local, d.remote};
      path.local.sin6_port = htons(port_);
      const size_t seg = d.segment_size == 0 ? d.data.size() : d.segment_size;
      for (size_t off = 0; off < d.data.size(); off += seg) {
        const size_t len = std::min(seg, d.data.size() - off);
        endpoint_->ReceiveDatagram(path, d.data.subspan(off, len), now, *sink_);
      }
    }
    endpoint_->FlushReceived(now, *sink_);
  }
}

void StoqServer::AddStatsPublisher(std::function<void(base::MetricsRegistry&)> publish) {
  HM_CHECK(!started_);
  publishers_.push_back(std::move(publish));
}

void StoqServer::PublishStats() {
  std::lock_guard lock(mu_);
  stats_ = endpoint_->stats();
  connections_ = endpoint_->connection_count();
  metrics_.GetGauge("hm_stoq_connections", "Open QUIC connections.")
      .Set(static_cast<double>(endpoint_->connection_count()));
  const auto& s = stats_;
  const std::pair<const char*, uint64_t> counters[] = {
      {"accepted", s.connections_accepted},
      {"refused", s.connections_refused},
      {"closed", s.connections_closed},
      {"handshake_failed", s.handshake_failures},
      {"retry", s.retries_sent},
      {"invalid_token", s.invalid_tokens},
      {"stateless_reset", s.stateless_resets_sent},
      {"version_negotiation", s.version_negotiations_sent},
      {"datagram_dropped", s.datagrams_dropped},
      {"datagram_received", s.datagrams_received}};
  for (const auto& [event, value] : counters) {
    metrics_
        .GetGauge("hm_stoq_events", "QUIC endpoint events since start, by kind.",
                  {{"event", event}})
        .Set(static_cast<double>(value));
  }
  for (const auto& publish : publishers_) publish(metrics_);
}

void StoqServer::Run() {
  pthread_setname_np(pthread_self(), "hm-quic");
  Timestamp last_stats = 0;
  Timestamp drain_deadline = kNever;
  bool closed_all = false;
  while (true) {
    Timestamp now = MonotonicNow();
    if (drain_ && drain_deadline == kNever) {
      endpoint_->BeginDrain(now, *sink_);
      drain_deadline = now + static_cast<Timestamp>(options_.drain_timeout.count()) * kMillisecond;
    }
    if (drain_deadline != kNever && !closed_all && (endpoint_->Quiet() || now >= drain_deadline)) {
      endpoint_->CloseAll(now, *sink_);
      closed_all = true;
    }
    if (closed_all && (endpoint_->connection_count() == 0 || stop_)) break;
    // Sleep until the next ngtcp2 timer at nanosecond precision (pacing gaps are microseconds;
    // rounding them up to epoll_wait's milliseconds would throttle a fast sender), at most 100 ms.
    const Timestamp next = endpoint_->NextExpiry();
    const Timestamp wait =
        next == kNever ? 100 * kMillisecond
                       : (next <= now ? 0 : std::min<Timestamp>(100 * kMillisecond, next - now));
    const timespec timeout{static_cast<time_t>(wait / 1'000'000'000),
                           static_cast<long>(wait % 1'000'000'000)};
    if (sink_->blocked()) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT;
      ev.data.fd = socket_->fd();
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, socket_->fd(), &ev);
    }
    epoll_event events[4];
    int n = -1;
    if (precise_wait_) {
      n = ::epoll_pwait2(epoll_fd_, events, 4, &timeout, nullptr);
      if (n < 0 && errno == ENOSYS) {  // kernels before 5.11: whole milliseconds, rounded up
        precise_wait_ = false;
        HM_LOG_INFO("stoq", "epoll_pwait2 unavailable; timers fall back to millisecond precision");
      }
    }
    if (!precise_wait_) {
      n = ::epoll_wait(epoll_fd_, events, 4,
                       static_cast<int>((wait + kMillisecond - 1) / kMillisecond));
    }
    now = MonotonicNow();
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == wake_fd_) {
        uint64_t v;
        [[maybe_unused]] ssize_t r = ::read(wake_fd_, &v, sizeof v);
      } else if (events[i].events & EPOLLOUT) {
        if (sink_->Drain()) {
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.fd = socket_->fd();
          ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, socket_->fd(), &ev);
        }
      }
    }
    ReadDatagrams(now);
    RunPosted(now);
    endpoint_->OnTimer(MonotonicNow(), *sink_);
    if (now - last_stats >= 100 * kMillisecond) {
      PublishStats();
      last_stats = now;
    }
  }
  PublishStats();
}

void StoqServer::Shutdown() {
  if (!started_ || !thread_.joinable()) return;
  drain_ = true;
  Wake();
  // The thread exits once every connection closed (or the drain timeout plus a closing period).
  const auto hard_stop =
      std::chrono::steady_clock::now() + options_.drain_timeout + std::chrono::seconds(3);
  while (connections_.load() > 0 && std::chrono::steady_clock::now() < hard_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop_ = true;
  Wake();
  thread_.join();
  HM_LOG_INFO("stoq", "QUIC server on port {} stopped", port_);
}

}  // namespace hm::stoq
