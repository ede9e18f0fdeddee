#include "stoq/endpoint.h"

#include <fmt/format.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <algorithm>

#include "base/log.h"

namespace hm::stoq {
namespace {

constexpr size_t kScidLen = 17;

const ngtcp2_sockaddr* Sa(const sockaddr_in6& a) {
  return reinterpret_cast<const ngtcp2_sockaddr*>(&a);
}

}  // namespace

base::Status EndpointOptions::Validate() const {
  if (max_connections == 0) return base::InvalidArgument("stoq.max_connections must be at least 1");
  if (alpns.empty()) return base::InvalidArgument("stoq: at least one ALPN is needed");
  if (connection.idle_timeout_ms < 1000) {
    return base::InvalidArgument("stoq.idle_timeout_ms must be at least 1000");
  }
  if (retry_token_lifetime_ms == 0) {
    return base::InvalidArgument("stoq.retry_token_lifetime_ms must be positive");
  }
  return base::Status::Ok();
}

Endpoint::Endpoint(EndpointOptions options, std::shared_ptr<const TlsCredentials> credentials,
                   ApplicationFactory factory, base::Random& random, base::Bytes secret)
    : options_(std::move(options)),
      credentials_(std::move(credentials)),
      factory_(std::move(factory)),
      random_(random),
      secret_(std::move(secret)) {}

Endpoint::~Endpoint() {
  // Connections deregister their IDs through us while they are destroyed.
  by_cid_.clear();
  conns_.clear();
}

void Endpoint::SetCredentials(std::shared_ptr<const TlsCredentials> credentials) {
  credentials_ = std::move(credentials);
}

void Endpoint::AddConnectionId(const ngtcp2_cid& cid, Connection* conn) {
  by_cid_[CidKey(cid)] = conn;
}

void Endpoint::RemoveConnectionId(const ngtcp2_cid& cid) { by_cid_.erase(CidKey(cid)); }

void Endpoint::StatelessResetToken(const ngtcp2_cid& cid, uint8_t* token) {
  if (ngtcp2_crypto_generate_stateless_reset_token(token, secret_.data(), secret_.size(), &cid) !=
      0) {
    random_.Fill(std::span<uint8_t>(token, NGTCP2_STATELESS_RESET_TOKENLEN));
  }
}

void Endpoint::OnDatagram(const Path& path, base::ByteSpan data, Timestamp now, PacketSink& sink) {
  ReceiveDatagram(path, data, now, sink);
  FlushReceived(now, sink);
}

void Endpoint::FlushReceived(Timestamp now, PacketSink& sink) {
  // Writing never receives, so the list cannot change underneath.
  for (const uint64_t id : received_) Flush(id, now, sink);  // a connection gone since is skipped
  received_.clear();
}

void Endpoint::ReceiveDatagram(const Path& path, base::ByteSpan data, Timestamp now,
                               PacketSink& sink) {
  ++stats_.datagrams_received;
  // ngtcp2 asserts on an empty buffer; a zero-length UDP datagram is legal on the wire.
  if (data.empty()) {
    ++stats_.datagrams_dropped;
    return;
  }
  ngtcp2_version_cid vc{};
  int rv = ngtcp2_pkt_decode_version_cid(&vc, data.data(), data.size(), kScidLen);
  if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
    SendVersionNegotiation(path, vc, sink);
    return;
  }
  if (rv != 0) {
    ++stats_.datagrams_dropped;
    return;
  }
  auto it = by_cid_.find(CidKey(vc.dcid, vc.dcidlen));
  if (it == by_cid_.end()) {
    if (vc.version == 0) {
      SendStatelessReset(path, vc, data.size(), now, sink);
    } else {
      Accept(path, data, now, sink);
    }
    return;
  }
  Connection* c = it->second;
  if (c->closing()) {
    c->ResendClose(sink, now);
    return;
  }
  const base::Status read = c->Read(path, data, now);
  if (!read.ok()) {
    AfterEvent(c, read, now, sink);
    return;
  }
  if (received_.empty() || received_.back() != c->id()) received_.push_back(c->id());
}

void Endpoint::Accept(const Path& path, base::ByteSpan data, Timestamp now, PacketSink& sink) {
  ngtcp2_pkt_hd hd{};
  if (ngtcp2_accept(&hd, data.data(), data.size()) != 0) {
    ++stats_.datagrams_dropped;  // not an acceptable Initial (too short, 0-RTT, ...)
    return;
  }
  if (draining_ || conns_.size() >= options_.max_connections) {
    ++stats_.connections_refused;
    SendRefusal(path, hd, NGTCP2_CONNECTION_REFUSED, sink);
    return;
  }
  ngtcp2_cid odcid{};
  bool validated = false;
  if (hd.token.len > 0 && hd.token.base[0] == NGTCP2_CRYPTO_TOKEN_MAGIC_RETRY) {
    if (ngtcp2_crypto_verify_retry_token(
            &odcid, hd.token.base, hd.token.len, secret_.data(), secret_.size(), hd.version,
            Sa(path.remote), sizeof(sockaddr_in6), &hd.dcid,
            options_.retry_token_lifetime_ms * kMillisecond, now) != 0) {
      ++stats_.invalid_tokens;
      SendRefusal(path, hd, NGTCP2_INVALID_TOKEN, sink);
      return;
    }
    validated = true;
  }
  const bool under_load = handshakes_in_progress() >= options_.retry_threshold;
  if (!validated && (options_.retry == RetryMode::kAlways ||
                     (options_.retry == RetryMode::kUnderLoad && under_load))) {
    SendRetry(path, hd, now, sink);
    return;
  }
  Connection::ServerParams sp;
  sp.initial = &hd;
  sp.retry_original_dcid = validated ? &odcid : nullptr;
  sp.scid = RandomCid(random_, kScidLen);
  sp.registry = this;
  auto created = Connection::NewServer(options_.connection, *credentials_, options_.alpns, sp, path,
                                       factory_, random_, now);
  if (!created.ok()) {
    HM_LOG_RATELIMITED(base::LogLevel::kWarn, 1, "stoq", "cannot create a connection: {}",
                       created.status().ToString());
    return;
  }
  std::unique_ptr<Connection> conn = std::move(created).value();
  Connection* c = conn.get();
  c->set_id(next_id_++);
  conns_.emplace(c->id(), std::move(conn));
  by_cid_[CidKey(sp.scid)] = c;
  by_cid_[CidKey(hd.dcid)] = c;  // the client keeps using it until it learns ours
  c->set_initial_dcid_key(CidKey(hd.dcid));
  handshaking_.insert(c->id());
  ++stats_.connections_accepted;
  AfterEvent(c, c->Read(path, data, now), now, sink);
}

void Endpoint::AfterEvent(Connection* c, const base::Status& event, Timestamp now,
                          PacketSink& sink) {
  base::Status s = event;
  if (s.ok()) s = c->Write(sink, now);
  if (c->handshake_completed()) handshaking_.erase(c->id());
  if (!s.ok()) {
    if (s.code() == base::Code::kDeadlineExceeded) {  // idle, dropped, or closing period over
      Remove(c);
      return;
    }
    if (!c->handshake_completed()) ++stats_.handshake_failures;
    c->CloseWithError(sink, now, s);
  }
  Rearm(c);
}

void Endpoint::Rearm(Connection* c) {
  auto a = armed_.find(c->id());
  if (a != armed_.end()) {
    timers_.erase({a->second, c->id()});
    armed_.erase(a);
  }
  const Timestamp t = c->expiry();
  if (t != kNever) {
    timers_.insert({t, c->id()});
    armed_[c->id()] = t;
  }
}

void Endpoint::Remove(Connection* c) {
  const uint64_t id = c->id();
  auto a = armed_.find(id);
  if (a != armed_.end()) {
    timers_.erase({a->second, id});
    armed_.erase(a);
  }
  std::array<ngtcp2_cid, 16> scids;
  const size_t n = ngtcp2_conn_get_num_scid(c->raw());
  if (n <= scids.size()) {
    ngtcp2_conn_get_scid(c->raw(), scids.data());
    for (size_t i = 0; i < n; ++i) {
      auto it = by_cid_.find(CidKey(scids[i]));
      if (it != by_cid_.end() && it->second == c) by_cid_.erase(it);
    }
  } else {
    for (auto it = by_cid_.begin(); it != by_cid_.end();) {
      it = it->second == c ? by_cid_.erase(it) : std::next(it);
    }
  }
  auto first = by_cid_.find(c->initial_dcid_key());
  if (first != by_cid_.end() && first->second == c) by_cid_.erase(first);
  handshaking_.erase(id);
  ++stats_.connections_closed;
  conns_.erase(id);
}

Timestamp Endpoint::NextExpiry() const { return timers_.empty() ? kNever : timers_.begin()->first; }

void Endpoint::OnTimer(Timestamp now, PacketSink& sink) {
  while (!timers_.empty() && timers_.begin()->first <= now) {
    const uint64_t id = timers_.begin()->second;
    timers_.erase(timers_.begin());
    armed_.erase(id);
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Connection* c = it->second.get();
    AfterEvent(c, c->HandleExpiry(now), now, sink);
  }
}

void Endpoint::Flush(uint64_t id, Timestamp now, PacketSink& sink) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  AfterEvent(it->second.get(), base::Status::Ok(), now, sink);
}

Connection* Endpoint::Find(uint64_t id) {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second.get();
}

void Endpoint::BeginDrain(Timestamp now, PacketSink& sink) {
  if (draining_) return;
  draining_ = true;
  std::vector<uint64_t> ids;
  for (auto& [id, c] : conns_) ids.push_back(id);
  for (uint64_t id : ids) {
    Connection* c = Find(id);
    if (c == nullptr || c->closing()) continue;
    c->NotifyShutdown();
    AfterEvent(c, base::Status::Ok(), now, sink);
  }
}

bool Endpoint::Quiet() const {
  for (const auto& [id, c] : conns_) {
    if (!c->closing() && c->application() != nullptr && c->application()->Busy()) return false;
  }
  return true;
}

void Endpoint::CloseAll(Timestamp now, PacketSink& sink) {
  for (auto& [id, c] : conns_) {
    if (c->closing()) continue;
    if (c->handshake_completed()) {
      c->Close(sink, now, c->alpn() == kAlpnH3 ? 0x100 /*H3_NO_ERROR*/ : 0, "shutting down",
               /*application=*/true);
    } else {
      c->Close(sink, now, NGTCP2_NO_ERROR, "shutting down", /*application=*/false);
    }
    Rearm(c.get());
  }
}

void Endpoint::SendRetry(const Path& path, const ngtcp2_pkt_hd& hd, Timestamp now,
                         PacketSink& sink) {
  uint8_t token[NGTCP2_CRYPTO_MAX_RETRY_TOKENLEN];
  const ngtcp2_cid scid = RandomCid(random_, kScidLen);
  ngtcp2_ssize tokenlen = ngtcp2_crypto_generate_retry_token(
      token, secret_.data(), secret_.size(), hd.version, Sa(path.remote), sizeof(sockaddr_in6),
      &scid, &hd.dcid, now);
  if (tokenlen < 0) return;
  ngtcp2_ssize n = ngtcp2_crypto_write_retry(reply_.data(), reply_.size(), hd.version, &hd.scid,
                                             &scid, &hd.dcid, token, static_cast<size_t>(tokenlen));
  if (n <= 0) return;
  ++stats_.retries_sent;
  sink.Send(path.remote, base::ByteSpan(reply_.data(), static_cast<size_t>(n)),
            static_cast<size_t>(n));
}

void Endpoint::SendRefusal(const Path& path, const ngtcp2_pkt_hd& hd, uint64_t code,
                           PacketSink& sink) {
  // The client's DCID doubles as our SCID: the Initial keys are derived from it.
  ngtcp2_ssize n = ngtcp2_crypto_write_connection_close(reply_.data(), reply_.size(), hd.version,
                                                        &hd.scid, &hd.dcid, code, nullptr, 0);
  if (n <= 0) return;
  sink.Send(path.remote, base::ByteSpan(reply_.data(), static_cast<size_t>(n)),
            static_cast<size_t>(n));
}

void Endpoint::SendVersionNegotiation(const Path& path, const ngtcp2_version_cid& vc,
                                      PacketSink& sink) {
  uint8_t unused = 0;
  random_.Fill(std::span<uint8_t>(&unused, 1));
  const uint32_t versions[] = {NGTCP2_PROTO_VER_V1};
  ngtcp2_ssize n = ngtcp2_pkt_write_version_negotiation(
      reply_.data(), reply_.size(), unused, vc.scid, vc.scidlen, vc.dcid, vc.dcidlen, versions, 1);
  if (n <= 0) return;
  ++stats_.version_negotiations_sent;
  sink.Send(path.remote, base::ByteSpan(reply_.data(), static_cast<size_t>(n)),
            static_cast<size_t>(n));
}

void Endpoint::SendStatelessReset(const Path& path, const ngtcp2_version_cid& vc, size_t received,
                                  Timestamp now, PacketSink& sink) {
  // RFC 9000 section 10.3: smaller than what triggered it (no amplification, no reset loops) and
  // at least 21 bytes; rate-limited.
  constexpr size_t kMinReset = 22;
  if (received <= kMinReset || vc.dcidlen != kScidLen) {
    ++stats_.datagrams_dropped;
    return;
  }
  if (now - reset_window_start_ >= 1000 * kMillisecond) {
    reset_window_start_ = now;
    resets_in_window_ = 0;
  }
  if (resets_in_window_ >= options_.stateless_resets_per_second) return;
  ++resets_in_window_;
  ngtcp2_cid cid{};
  cid.datalen = vc.dcidlen;
  std::copy(vc.dcid, vc.dcid + vc.dcidlen, cid.data);
  uint8_t token[NGTCP2_STATELESS_RESET_TOKENLEN];
  StatelessResetToken(cid, token);
  const size_t len = std::min<size_t>(received - 1, 64);
  uint8_t rand[64];
  const size_t randlen = len - NGTCP2_STATELESS_RESET_TOKENLEN - 1;
  random_.Fill(std::span<uint8_t>(rand, randlen));
  ngtcp2_ssize n =
      ngtcp2_pkt_write_stateless_reset(reply_.data(), reply_.size(), token, rand, randlen);
  if (n <= 0) return;
  ++stats_.stateless_resets_sent;
  sink.Send(path.remote, base::ByteSpan(reply_.data(), static_cast<size_t>(n)),
            static_cast<size_t>(n));
}

}  // namespace hm::stoq
