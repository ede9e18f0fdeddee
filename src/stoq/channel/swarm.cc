#include "stoq/channel/swarm.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "crypto/secure_random.h"
#include "net/udp_socket.h"
#include "stoq/channel/rpc_client.h"
#include "stoq/client.h"
#include "stoq/server.h"

namespace hm::stoq::channel {
namespace {


Timestamp ToTimestamp(std::chrono::microseconds d) {
  return static_cast<Timestamp>(d.count()) * 1000;
}

std::string PeerReason(const Connection& conn) {
  ngtcp2_connection_close_error e;
  ngtcp2_conn_get_connection_close_error(conn.raw(), &e);
  if (e.error_code == 0 && e.reasonlen == 0 &&
      e.type != NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION) {
    return "";
  }
  return DescribeCloseError(e);
}

}  // namespace

base::Status SwarmOptions::Validate() const {
  if (!credentials) return base::InvalidArgument("swarm: credentials: none");
  if (alpn.empty()) return base::InvalidArgument("swarm: alpn: empty");
  if (!factory && alpn == kAlpnStoq && !channel) {
    return base::InvalidArgument("swarm: channel: stoq/1 needs a ChannelConfig");
  }
  if (factory && !ready) return base::InvalidArgument("swarm: ready: needed with a factory");
  if (concurrency == 0) return base::InvalidArgument("swarm: concurrency: must be > 0");
  if (connections_per_socket == 0) {
    return base::InvalidArgument("swarm: connections_per_socket: must be > 0");
  }
  return base::Status::Ok();
}

size_t ClientSwarm::CidHash::operator()(const CidKey& k) const {
  // Our connection IDs are random: their first bytes are already a good hash.
  uint64_t h = 0;
  std::memcpy(&h, k.data.data(), sizeof h);
  return static_cast<size_t>(h ^ k.len);
}

ClientSwarm::CidKey ClientSwarm::KeyOf(const uint8_t* data, size_t len) {
  CidKey k;
  k.len = static_cast<uint8_t>(std::min<size_t>(len, NGTCP2_MAX_CIDLEN));
  std::memcpy(k.data.data(), data, k.len);
  return k;
}

ClientSwarm::ClientSwarm(SwarmOptions options) : options_(std::move(options)) {}
ClientSwarm::~ClientSwarm() = default;

base::Result<std::unique_ptr<ClientSwarm>> ClientSwarm::Create(SwarmOptions options) {
  HM_TRY(options.Validate());
  HM_ASSIGN_OR_RETURN(sockaddr_in6 remote, ResolveIpv6(options.host, options.port));
  std::unique_ptr<ClientSwarm> s(new ClientSwarm(std::move(options)));
  s->remote_ = remote;
  std::string name = s->options_.server_name.empty() ? s->options_.host : s->options_.server_name;
  if (name.size() >= 2 && name.front() == '[') name = name.substr(1, name.size() - 2);
  s->server_name_ = name;
  s->random_ = std::make_unique<crypto::SecureRandom>();
  s->scratch_.resize(kScratchBytes);
  s->batch_ = std::make_unique<net::RecvBatch>(64);
  const size_t wanted = std::max<size_t>(1, s->options_.connections);
  const size_t count =
      (wanted + s->options_.connections_per_socket - 1) / s->options_.connections_per_socket;
  const bool loopback = IN6_IS_ADDR_LOOPBACK(&remote.sin6_addr);
  for (size_t i = 0; i < count; ++i) {
    net::UdpSocketOptions so;
    so.host = loopback ? "::1" : "::";
    so.port = 0;
    HM_ASSIGN_OR_RETURN(auto socket, net::UdpSocket::Open(so));
    sockaddr_in6 local = socket->local_address();
    if (loopback) local.sin6_addr = in6addr_loopback;
    s->locals_.push_back(local);
    s->sockets_.push_back(std::move(socket));
  }
  return s;
}

void ClientSwarm::Open(size_t n) { slots_.resize(slots_.size() + n); }

base::Status ClientSwarm::StartOne(Timestamp now) {
  const uint32_t i = static_cast<uint32_t>(next_slot_++);
  Slot& slot = slots_[i];
  slot.socket = static_cast<uint16_t>((i / options_.connections_per_socket) % sockets_.size());
  Path path;
  path.local = locals_[slot.socket];
  path.remote = remote_;
  ApplicationFactory factory = options_.factory;
  if (!factory && options_.alpn == kAlpnStoq) {
    factory = [config = options_.channel](const std::string& alpn,
                                          Connection& conn) -> std::unique_ptr<Application> {
      if (alpn != kAlpnStoq) return nullptr;
      return std::make_unique<ClientChannel>(conn, config, rpc::kDefaultMaxFrameBytes);
    };
  } else if (!factory) {
    factory = [](const std::string&, Connection& conn) -> std::unique_ptr<Application> {
      return std::make_unique<DiscardApplication>(conn);
    };
  }
  auto conn = Connection::NewClient(options_.connection, *options_.credentials, server_name_,
                                    {options_.alpn}, path, std::move(factory), *random_, now);
  ++counters_.started;
  if (!conn.ok()) {
    slot.state = State::kGone;
    ++counters_.failed;
    if (counters_.first_failure.empty()) counters_.first_failure = conn.status().ToString();
    return conn.status();
  }
  slot.conn = std::move(conn).value();
  slot.conn->set_id(i);
  slot.conn->set_connection_id_registry(this);
  slot.started = now;
  slot.state = State::kHandshaking;
  ++alive_;
  ++in_flight_;
  ngtcp2_cid scid{};
  if (ngtcp2_conn_get_num_scid(slot.conn->raw()) == 1) {
    ngtcp2_conn_get_scid(slot.conn->raw(), &scid);
    short_dcid_len_ = scid.datalen;
    by_cid_[KeyOf(scid.data, scid.datalen)] = i;
  }
  AfterEvent(i, base::Status::Ok(), now);
  return base::Status::Ok();
}

void ClientSwarm::AddConnectionId(const ngtcp2_cid& cid, Connection* conn) {
  by_cid_[KeyOf(cid.data, cid.datalen)] = static_cast<uint32_t>(conn->id());
}

void ClientSwarm::RemoveConnectionId(const ngtcp2_cid& cid) {
  by_cid_.erase(KeyOf(cid.data, cid.datalen));
}

void ClientSwarm::StatelessResetToken(const ngtcp2_cid&, uint8_t* token) {
  // We never answer with a stateless reset, so the token only has to be unguessable.
  random_->Fill(std::span<uint8_t>(token, NGTCP2_STATELESS_RESET_TOKENLEN));
}

void ClientSwarm::Send(const sockaddr_in6& remote, base::ByteSpan bytes, size_t segment_size) {
  net::UdpSocket& socket = *sockets_[sending_socket_];
  net::SendItem item{&remote, bytes, segment_size == bytes.size() ? 0 : segment_size};
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto sent = socket.Send(std::span<const net::SendItem>(&item, 1));
    if (!sent.ok() || *sent == 1) return;
    pollfd p{socket.fd(), POLLOUT, 0};
    ::poll(&p, 1, 10);
  }
}

bool ClientSwarm::IsReady(const Connection& conn) const {
  if (options_.ready) return options_.ready(conn);
  if (options_.alpn != kAlpnStoq) return conn.handshake_completed();
  // The built-in factory made this application.
  const auto* channel = static_cast<const ClientChannel*>(conn.application());
  return channel != nullptr && channel->secure();
}

void ClientSwarm::Rearm(uint32_t i) {
  Slot& slot = slots_[i];
  if (slot.armed != kNever) timers_.erase({slot.armed, i});
  slot.armed = slot.conn ? slot.conn->expiry() : kNever;
  if (slot.armed != kNever) timers_.insert({slot.armed, i});
}

void ClientSwarm::Remove(uint32_t i) {
  Slot& slot = slots_[i];
  if (!slot.conn) return;
  if (slot.armed != kNever) timers_.erase({slot.armed, i});
  slot.armed = kNever;
  // Our active IDs; ones ngtcp2 retired were removed through RemoveConnectionId.
  const size_t n = ngtcp2_conn_get_num_scid(slot.conn->raw());
  std::vector<ngtcp2_cid> cids(n);
  if (n > 0) ngtcp2_conn_get_scid(slot.conn->raw(), cids.data());
  for (const auto& c : cids) {
    auto it = by_cid_.find(KeyOf(c.data, c.datalen));
    if (it != by_cid_.end() && it->second == i) by_cid_.erase(it);
  }
  if (slot.state == State::kHandshaking || slot.state == State::kEstablished) --in_flight_;
  slot.conn.reset();
  slot.state = State::kGone;
  --alive_;
}

void ClientSwarm::Fail(uint32_t i, const base::Status& why) {
  Slot& slot = slots_[i];
  const bool was_ready = slot.state == State::kReady;
  if (was_ready) {
    ++counters_.lost;
  } else {
    ++counters_.failed;
  }
  if (counters_.first_failure.empty()) {
    std::string peer = PeerReason(*slot.conn);
    counters_.first_failure = peer.empty() ? why.ToString() : "the peer closed: " + peer;
  }
  sending_socket_ = slot.socket;
  if (why.code() != base::Code::kDeadlineExceeded) {
    slot.conn->CloseWithError(*this, slot.conn->now(), why);
  }
  Remove(i);
}

void ClientSwarm::AfterEvent(uint32_t i, const base::Status& event, Timestamp now) {
  Slot& slot = slots_[i];
  if (!slot.conn) return;
  if (!event.ok()) return Fail(i, event);
  sending_socket_ = slot.socket;
  base::Status s = slot.conn->Write(*this, now);
  if (!s.ok()) return Fail(i, s);
  if (slot.conn->draining() || slot.conn->closing()) {
    return Fail(i, base::Unavailable("the connection closed"));
  }
  if (slot.state == State::kHandshaking && slot.conn->handshake_completed()) {
    slot.state = State::kEstablished;
    ++counters_.established;
  }
  if (slot.state == State::kEstablished && IsReady(*slot.conn)) {
    slot.state = State::kReady;
    --in_flight_;
    ++counters_.ready;
    latencies_.push_back(
        static_cast<uint32_t>(std::min<Timestamp>((now - slot.started) / 1000, UINT32_MAX)));
    if (options_.close_when_ready) {
      slot.conn->Close(*this, now, 0, "", true);
      ++counters_.closed;
      Remove(i);
      return;
    }
  }
  Rearm(i);
}

void ClientSwarm::Deliver(const sockaddr_in6& local, const sockaddr_in6& remote,
                          base::ByteSpan packet, Timestamp now) {
  ngtcp2_version_cid vc;
  if (ngtcp2_pkt_decode_version_cid(&vc, packet.data(), packet.size(), short_dcid_len_) != 0) {
    return;
  }
  auto it = by_cid_.find(KeyOf(vc.dcid, vc.dcidlen));
  if (it == by_cid_.end()) return;  // a connection we already forgot
  const uint32_t i = it->second;
  Slot& slot = slots_[i];
  if (!slot.conn) return;
  Path path;
  path.local = local;
  path.remote = remote;
  base::Status s = slot.conn->Read(path, packet, now);
  if (!s.ok()) {
    AfterEvent(i, s, now);
    return;
  }
  if (!slot.dirty) {
    slot.dirty = true;
    dirty_.push_back(i);
  }
}

base::Status ClientSwarm::ReadSocket(size_t index) {
  net::UdpSocket& socket = *sockets_[index];
  for (int round = 0; round < 64; ++round) {  // then let timers and other sockets run
    auto got = socket.Receive(*batch_);
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    const Timestamp now = MonotonicNow();
    for (const auto& d : batch_->datagrams()) {
      const size_t seg = d.segment_size == 0 ? d.data.size() : d.segment_size;
      for (size_t off = 0; off < d.data.size(); off += seg) {
        Deliver(locals_[index], d.remote, d.data.subspan(off, std::min(seg, d.data.size() - off)),
                now);
      }
    }
    for (uint32_t i : dirty_) {
      slots_[i].dirty = false;
      AfterEvent(i, base::Status::Ok(), now);
    }
    dirty_.clear();
  }
  return base::Status::Ok();
}

void ClientSwarm::RunTimers(Timestamp now) {
  while (!timers_.empty() && timers_.begin()->first <= now) {
    const uint32_t i = timers_.begin()->second;
    timers_.erase(timers_.begin());
    Slot& slot = slots_[i];
    slot.armed = kNever;
    if (!slot.conn) continue;
    AfterEvent(i, slot.conn->HandleExpiry(now), now);
  }
}

base::Status ClientSwarm::Run(const std::function<bool()>& done,
                              std::chrono::microseconds timeout) {
  const Timestamp deadline = MonotonicNow() + ToTimestamp(timeout);
  std::vector<pollfd> fds(sockets_.size());
  for (size_t k = 0; k < sockets_.size(); ++k) fds[k] = {sockets_[k]->fd(), POLLIN, 0};
  while (!done()) {
    Timestamp now = MonotonicNow();
    if (now >= deadline) {
      return base::DeadlineExceeded(
          fmt::format("swarm: not done within {} ms", timeout.count() / 1000));
    }
    while (next_slot_ < slots_.size() && in_flight_ < options_.concurrency) {
      (void)StartOne(now);  // a failure is counted in counters_
    }
    Timestamp wake = deadline;
    if (!timers_.empty()) wake = std::min(wake, timers_.begin()->first);
    const Timestamp wait = wake <= now ? 0 : std::min<Timestamp>(100 * kMillisecond, wake - now);
    const timespec ts{static_cast<time_t>(wait / 1'000'000'000),
                      static_cast<long>(wait % 1'000'000'000)};
    for (auto& p : fds) p.revents = 0;
    const int ready = ::ppoll(fds.data(), fds.size(), &ts, nullptr);
    if (ready > 0) {
      for (size_t k = 0; k < fds.size(); ++k) {
        if (fds[k].revents != 0) HM_TRY(ReadSocket(k));
      }
    }
    RunTimers(MonotonicNow());
  }
  return base::Status::Ok();
}

void ClientSwarm::CloseAll() {
  const Timestamp now = MonotonicNow();
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    if (!slot.conn) continue;
    sending_socket_ = slot.socket;
    slot.conn->Close(*this, now, 0, "", slot.conn->handshake_completed());
    ++counters_.closed;
    Remove(i);
  }
  next_slot_ = slots_.size();  // queued ones will not start
}

uint64_t ProcessRssBytes(int pid) {
  std::ifstream statm(pid == 0 ? std::string("/proc/self/statm")
                               : "/proc/" + std::to_string(pid) + "/statm");
  uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

namespace {

double Percentile(std::vector<uint32_t> v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
  return v[k] / 1000.0;
}

// Opens every connection and runs until each is ready or failed (or the timeout).
base::Result<SwarmReport> OpenAll(ClientSwarm& swarm, const SwarmOptions& options) {
  SwarmReport r;
  r.requested = options.connections;
  r.sockets = swarm.sockets();
  const Timestamp start = MonotonicNow();
  swarm.Open(options.connections);
  const auto& c = swarm.counters();
  base::Status s =
      swarm.Run([&] { return c.ready + c.failed >= options.connections; },
                std::chrono::duration_cast<std::chrono::microseconds>(options.timeout));
  if (!s.ok() && s.code() != base::Code::kDeadlineExceeded) return s;
  r.elapsed_seconds = static_cast<double>(MonotonicNow() - start) / 1e9;
  r.counters = c;
  r.handshakes_per_second =
      r.elapsed_seconds > 0 ? static_cast<double>(c.ready) / r.elapsed_seconds : 0;
  r.latency_p50_ms = Percentile(swarm.ready_latencies_us(), 0.50);
  r.latency_p99_ms = Percentile(swarm.ready_latencies_us(), 0.99);
  return r;
}

}  // namespace

base::Result<SwarmReport> RunHandshakeBench(const SwarmOptions& options) {
  SwarmOptions o = options;
  o.close_when_ready = true;
  HM_ASSIGN_OR_RETURN(auto swarm, ClientSwarm::Create(o));
  HM_ASSIGN_OR_RETURN(SwarmReport r, OpenAll(*swarm, o));
  swarm->CloseAll();
  r.counters = swarm->counters();
  return r;
}

base::Result<SwarmReport> RunIdleBench(const SwarmOptions& options,
                                       const std::function<void(const SwarmReport&)>& all_up) {
  const uint64_t rss_before = ProcessRssBytes();
  HM_ASSIGN_OR_RETURN(auto swarm, ClientSwarm::Create(options));
  HM_ASSIGN_OR_RETURN(SwarmReport r, OpenAll(*swarm, options));
  r.client_rss_bytes_before = rss_before;
  r.client_rss_bytes_idle = ProcessRssBytes();
  if (all_up) all_up(r);
  base::Status s = swarm->Run([] { return false; }, options.hold);
  if (!s.ok() && s.code() != base::Code::kDeadlineExceeded) return s;
  r.alive_after_hold = swarm->alive();
  swarm->CloseAll();
  r.counters = swarm->counters();
  return r;
}

}  // namespace hm::stoq::channel
