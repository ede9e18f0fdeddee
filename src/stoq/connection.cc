#include "stoq/connection.h"

#include <fmt/format.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "base/log.h"
#include "base/page_heap.h"

namespace hm::stoq {

ngtcp2_cid RandomCid(base::Random& random, size_t len) {
  ngtcp2_cid cid{};
  cid.datalen = std::min<size_t>(len, NGTCP2_MAX_CIDLEN);
  random.Fill(std::span<uint8_t>(cid.data, cid.datalen));
  return cid;
}

std::string CidKey(const uint8_t* data, size_t len) {
  return std::string(reinterpret_cast<const char*>(data), len);
}
std::string CidKey(const ngtcp2_cid& cid) { return CidKey(cid.data, cid.datalen); }

namespace {

ngtcp2_path MakePath(const Path& p) {
  ngtcp2_path np{};
  np.local.addr = reinterpret_cast<ngtcp2_sockaddr*>(const_cast<sockaddr_in6*>(&p.local));
  np.local.addrlen = sizeof(sockaddr_in6);
  np.remote.addr = reinterpret_cast<ngtcp2_sockaddr*>(const_cast<sockaddr_in6*>(&p.remote));
  np.remote.addrlen = sizeof(sockaddr_in6);
  return np;
}

ngtcp2_conn* GetConn(ngtcp2_crypto_conn_ref* ref) {
  return static_cast<Connection*>(ref->user_data)->raw();
}

void RandCb(uint8_t* dest, size_t len, const ngtcp2_rand_ctx* ctx) {
  static_cast<base::Random*>(ctx->native_handle)->Fill(std::span<uint8_t>(dest, len));
}

// ngtcp2 allocates through the page heap: of the 8-12 KB pool and ordered-set blocks it takes
// for every connection, an idle connection then pays only for the pages written.
const ngtcp2_mem kMemory{nullptr, base::PageHeap::MallocCallback, base::PageHeap::FreeCallback,
                         base::PageHeap::CallocCallback, base::PageHeap::ReallocCallback};

}  // namespace

// ngtcp2 callbacks: forward to the connection and its application.
struct ConnectionCallbacks {
  static Connection* Self(void* user_data) { return static_cast<Connection*>(user_data); }

  static int Fail(Connection* c, const base::Status& s) {
    if (!c->app_error_set_) {
      HM_LOG_DEBUG("stoq", "connection {} closing: {}", c->id_, s.ToString());
    }
    if (c->app_failure_.ok()) c->app_failure_ = s;  // what Read/Write report instead
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }

  static int HandshakeCompleted(ngtcp2_conn*, void* ud) {
    Connection* c = Self(ud);
    c->handshake_completed_ = true;
    c->alpn_ = SelectedAlpn(c->tls_.get());
    if (c->factory_) c->app_ = c->factory_(c->alpn_, *c);
    if (!c->app_) {
      c->SetApplicationError(0, "");
      c->app_error_set_ = false;
      // RFC 9001 section 8.1: no_application_protocol alert (0x178).
      ngtcp2_connection_close_error_set_transport_error_tls_alert(
          &c->last_error_, 120, reinterpret_cast<const uint8_t*>("no application protocol"), 23);
      return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    auto s = c->app_->OnHandshakeCompleted();
    if (!s.ok()) return Fail(c, s);
    // Applications take what they need from TLS (ALPN above; the stoq/1 channel its exporter
    // and the peer's chain) in OnHandshakeCompleted. The session is not needed after it.
    c->ReleaseTls();
    return 0;
  }

  // TLS data from the peer. Once the application released the TLS session (ReleaseTls) only
  // post-handshake messages can still arrive: a server's NewSessionTicket (we resume no
  // sessions: dropped) or, from a client, something QUIC does not allow (RFC 9001 section 6
  // rules out KeyUpdate; nothing else may follow the client's Finished).
  static int RecvCryptoData(ngtcp2_conn* conn, ngtcp2_crypto_level level, uint64_t offset,
                            const uint8_t* data, size_t len, void* ud) {
    Connection* c = Self(ud);
    if (c->tls_ != nullptr) {
      return ngtcp2_crypto_recv_crypto_data_cb(conn, level, offset, data, len, ud);
    }
    if (!c->server_ && level == NGTCP2_CRYPTO_LEVEL_APPLICATION) return 0;
    ngtcp2_conn_set_tls_alert(conn, 10);  // unexpected_message
    return NGTCP2_ERR_CRYPTO;
  }

  static int RecvStreamData(ngtcp2_conn*, uint32_t flags, int64_t stream_id, uint64_t,
                            const uint8_t* data, size_t len, void* ud, void*) {
    Connection* c = Self(ud);
    if (!c->app_) return NGTCP2_ERR_CALLBACK_FAILURE;
    auto s = c->app_->OnStreamData(stream_id, base::ByteSpan(data, len),
                                   (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0);
    return s.ok() ? 0 : Fail(c, s);
  }

  static int AckedStreamData(ngtcp2_conn*, int64_t stream_id, uint64_t, uint64_t len, void* ud,
                             void*) {
    Connection* c = Self(ud);
    if (!c->app_) return 0;
    auto s = c->app_->OnStreamAcked(stream_id, len);
    return s.ok() ? 0 : Fail(c, s);
  }

  static int StreamClose(ngtcp2_conn* conn, uint32_t flags, int64_t stream_id, uint64_t code,
                         void* ud, void*) {
    Connection* c = Self(ud);
    // A closed peer stream frees its slot: let the peer open another (MAX_STREAMS). Without
    // this a connection could carry only max_streams_bidi requests in its whole life.
    if (!ngtcp2_conn_is_local_stream(conn, stream_id)) {
      if (ngtcp2_is_bidi_stream(stream_id)) {
        ngtcp2_conn_extend_max_streams_bidi(conn, 1);
      } else {
        ngtcp2_conn_extend_max_streams_uni(conn, 1);
      }
    }
    if (!c->app_) return 0;
    if (!(flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET)) code = 0;
    auto s = c->app_->OnStreamClose(stream_id, code);
    return s.ok() ? 0 : Fail(c, s);
  }

  static int StreamReset(ngtcp2_conn*, int64_t stream_id, uint64_t, uint64_t code, void* ud,
                         void*) {
    Connection* c = Self(ud);
    if (!c->app_) return 0;
    auto s = c->app_->OnStreamReset(stream_id, code);
    return s.ok() ? 0 : Fail(c, s);
  }

  static int StopSending(ngtcp2_conn*, int64_t stream_id, uint64_t code, void* ud, void*) {
    Connection* c = Self(ud);
    if (!c->app_) return 0;
    auto s = c->app_->OnStopSending(stream_id, code);
    return s.ok() ? 0 : Fail(c, s);
  }

  static int ExtendMaxStreamData(ngtcp2_conn*, int64_t stream_id, uint64_t, void* ud, void*) {
    Connection* c = Self(ud);
    if (c->app_) c->app_->OnStreamWritable(stream_id);
    return 0;
  }

  static int GetNewConnectionId(ngtcp2_conn*, ngtcp2_cid* cid, uint8_t* token, size_t len,
                                void* ud) {
    Connection* c = Self(ud);
    *cid = RandomCid(c->random_, len);
    if (c->registry_ != nullptr) {
      c->registry_->StatelessResetToken(*cid, token);
      c->registry_->AddConnectionId(*cid, c);
    } else {
      c->random_.Fill(std::span<uint8_t>(token, NGTCP2_STATELESS_RESET_TOKENLEN));
    }
    return 0;
  }

  static int RemoveConnectionId(ngtcp2_conn*, const ngtcp2_cid* cid, void* ud) {
    Connection* c = Self(ud);
    if (c->registry_ != nullptr) c->registry_->RemoveConnectionId(*cid);
    return 0;
  }

  static int UpdateKey(ngtcp2_conn* conn, uint8_t* rx_secret, uint8_t* tx_secret,
                       ngtcp2_crypto_aead_ctx* rx_aead_ctx, uint8_t* rx_iv,
                       ngtcp2_crypto_aead_ctx* tx_aead_ctx, uint8_t* tx_iv, const uint8_t* cur_rx,
                       const uint8_t* cur_tx, size_t len, void* ud) {
    Connection* c = Self(ud);
    ++c->key_generation_;
    base::Bytes mixed_rx, mixed_tx;
    if (c->mixer_ && c->key_generation_ >= c->mix_from_generation_) {
      mixed_rx = c->mixer_(base::ByteSpan(cur_rx, len));
      mixed_tx = c->mixer_(base::ByteSpan(cur_tx, len));
      if (mixed_rx.size() != len || mixed_tx.size() != len) return NGTCP2_ERR_CALLBACK_FAILURE;
      cur_rx = mixed_rx.data();
      cur_tx = mixed_tx.data();
      ++c->mixed_generations_;
      HM_LOG_DEBUG("stoq", "connection {}: key generation {} mixes the post-quantum secret", c->id_,
                   c->key_generation_);
    }
    uint8_t rx_key[64], tx_key[64];
    int rv = ngtcp2_crypto_update_key(conn, rx_secret, tx_secret, rx_aead_ctx, rx_key, rx_iv,
                                      tx_aead_ctx, tx_key, tx_iv, cur_rx, cur_tx, len);
    std::memset(rx_key, 0, sizeof rx_key);
    std::memset(tx_key, 0, sizeof tx_key);
    if (rv == 0 && c->mixed_generations_ == 1 && !mixed_rx.empty()) {
      c->mixed_rx_handle_ = rx_aead_ctx->native_handle;
    }
    return rv == 0 ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
  }

  // ngtcp2's decryption, noting the first packet that arrives under the first mixed key
  // generation (proof that the peer now sends with it).
  // ngtcp2's decrypt callback has no user data: Connection::Read names the connection.
  static int Decrypt(uint8_t* dest, const ngtcp2_crypto_aead* aead,
                     const ngtcp2_crypto_aead_ctx* aead_ctx, const uint8_t* ciphertext,
                     size_t ciphertextlen, const uint8_t* nonce, size_t noncelen,
                     const uint8_t* aad, size_t aadlen) {
    const int rv = ngtcp2_crypto_decrypt_cb(dest, aead, aead_ctx, ciphertext, ciphertextlen, nonce,
                                            noncelen, aad, aadlen);
    Connection* c = reading;
    if (rv == 0 && c != nullptr && c->mixed_rx_handle_ != nullptr &&
        aead_ctx->native_handle == c->mixed_rx_handle_) {
      c->mixed_rx_seen_ = true;
    }
    return rv;
  }
  static thread_local Connection* reading;

  static int GetPathChallengeData(ngtcp2_conn*, uint8_t* data, void* ud) {
    Self(ud)->random_.Fill(std::span<uint8_t>(data, NGTCP2_PATH_CHALLENGE_DATALEN));
    return 0;
  }

  static ngtcp2_callbacks Make(bool server) {
    ngtcp2_callbacks cb{};
    if (server) {
      cb.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
    } else {
      cb.client_initial = ngtcp2_crypto_client_initial_cb;
      cb.recv_retry = ngtcp2_crypto_recv_retry_cb;
    }
    cb.recv_crypto_data = RecvCryptoData;
    cb.encrypt = ngtcp2_crypto_encrypt_cb;
    cb.decrypt = Decrypt;
    cb.hp_mask = ngtcp2_crypto_hp_mask_cb;
    cb.handshake_completed = HandshakeCompleted;
    cb.recv_stream_data = RecvStreamData;
    cb.acked_stream_data_offset = AckedStreamData;
    cb.stream_close = StreamClose;
    cb.stream_reset = StreamReset;
    cb.stream_stop_sending = StopSending;
    cb.extend_max_stream_data = ExtendMaxStreamData;
    cb.rand = RandCb;
    cb.get_new_connection_id = GetNewConnectionId;
    cb.remove_connection_id = RemoveConnectionId;
    cb.update_key = UpdateKey;
    cb.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
    cb.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
    cb.get_path_challenge_data = GetPathChallengeData;
    cb.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
    return cb;
  }
};

Connection::Connection(const ConnectionOptions& options, ApplicationFactory factory,
                       base::Random& random, bool server)
    : options_(options), factory_(std::move(factory)), random_(random), server_(server) {
  ngtcp2_connection_close_error_default(&last_error_);
}

Connection::~Connection() {
  app_.reset();  // may still refer to the ngtcp2 connection
  if (conn_ != nullptr) ngtcp2_conn_del(conn_);
}

void Connection::FillSettings(ngtcp2_settings* s, Timestamp now) const {
  ngtcp2_settings_default(s);
  s->initial_ts = now;
  s->max_tx_udp_payload_size = options_.max_tx_udp_payload;
  s->max_window = options_.max_window;
  s->max_stream_window = options_.max_stream_window;
  s->handshake_timeout = options_.handshake_timeout_ms * kMillisecond;
  s->cc_algo = NGTCP2_CC_ALGO_CUBIC;
  s->rand_ctx.native_handle = &random_;
}

base::Status Connection::Init(const TlsCredentials& cred, const std::string& server_name,
                              const std::vector<std::string>& alpns, const ngtcp2_cid& dcid,
                              const ngtcp2_cid& scid, const ServerParams* sp, Timestamp now) {
  ngtcp2_settings settings;
  FillSettings(&settings, now);
  ngtcp2_transport_params params;
  ngtcp2_transport_params_default(&params);
  params.initial_max_data = options_.initial_max_data;
  params.initial_max_stream_data_bidi_local = options_.initial_max_stream_data;
  params.initial_max_stream_data_bidi_remote = options_.initial_max_stream_data;
  params.initial_max_stream_data_uni = options_.initial_max_stream_data;
  params.initial_max_streams_bidi = options_.max_streams_bidi;
  params.initial_max_streams_uni = options_.max_streams_uni;
  params.max_idle_timeout = options_.idle_timeout_ms * kMillisecond;
  params.max_ack_delay = options_.max_ack_delay_ms * kMillisecond;
  params.active_connection_id_limit = 4;
  const ngtcp2_callbacks cb = ConnectionCallbacks::Make(server_);
  ngtcp2_path np = MakePath(path_);
  int rv;
  if (server_) {
    registry_ = sp->registry;
    if (sp->retry_original_dcid != nullptr) {
      params.original_dcid = *sp->retry_original_dcid;
      params.retry_scid = sp->initial->dcid;
      params.retry_scid_present = 1;
    } else {
      params.original_dcid = sp->initial->dcid;
    }
    params.stateless_reset_token_present = 1;
    registry_->StatelessResetToken(scid, params.stateless_reset_token);
    rv = ngtcp2_conn_server_new(&conn_, &dcid, &scid, &np, sp->initial->version, &cb, &settings,
                                &params, &kMemory, this);
  } else {
    rv = ngtcp2_conn_client_new(&conn_, &dcid, &scid, &np, NGTCP2_PROTO_VER_V1, &cb, &settings,
                                &params, &kMemory, this);
  }
  if (rv != 0) return LibError(rv, "creating the QUIC connection");
  if (options_.keep_alive_ms > 0) {
    ngtcp2_conn_set_keep_alive_timeout(conn_, options_.keep_alive_ms * kMillisecond);
  }
  if (server_) {
    HM_ASSIGN_OR_RETURN(tls_, NewServerSession(cred, alpns));
  } else {
    if (cred.verify_peer()) {
      server_check_ = std::make_unique<ServerCheck>();
      server_check_->server_name = server_name;
      server_check_->chains = cred.verified_chains();
    }
    HM_ASSIGN_OR_RETURN(
        tls_, NewClientSession(cred, server_name, alpns, &Connection::VerifyServerCertificate));
  }
  conn_ref_.get_conn = GetConn;
  conn_ref_.user_data = this;
  gnutls_session_set_ptr(tls_.get(), &conn_ref_);
  ngtcp2_conn_set_tls_native_handle(conn_, tls_.get());
  return base::Status::Ok();
}

int Connection::VerifyServerCertificate(gnutls_session_t session) {
  auto* ref = static_cast<ngtcp2_crypto_conn_ref*>(gnutls_session_get_ptr(session));
  auto* c = static_cast<Connection*>(ref->user_data);
  ServerCheck* check = c->server_check_.get();
  if (check == nullptr) return GNUTLS_E_CERTIFICATE_ERROR;
  // Certificate validity is wall-clock time (GnuTLS reads the same clock when it verifies).
  check->status = check->chains->Verify(session, check->server_name, std::time(nullptr));
  return check->status == 0 ? 0 : GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
}

void Connection::ReleaseTls() {
  if (tls_ == nullptr || !handshake_completed_) return;
  ngtcp2_conn_set_tls_native_handle(conn_, nullptr);
  tls_.reset();
  server_check_.reset();  // the server's chain was accepted
}

base::Result<std::unique_ptr<Connection>> Connection::NewServer(
    const ConnectionOptions& options, const TlsCredentials& cred,
    const std::vector<std::string>& alpns, const ServerParams& params, const Path& path,
    ApplicationFactory factory, base::Random& random, Timestamp now) {
  std::unique_ptr<Connection> c(new Connection(options, std::move(factory), random, true));
  c->path_ = path;
  HM_TRY(c->Init(cred, "", alpns, params.initial->scid, params.scid, &params, now));
  return c;
}

base::Result<std::unique_ptr<Connection>> Connection::NewClient(
    const ConnectionOptions& options, const TlsCredentials& cred, const std::string& server_name,
    const std::vector<std::string>& alpns, const Path& path, ApplicationFactory factory,
    base::Random& random, Timestamp now) {
  std::unique_ptr<Connection> c(new Connection(options, std::move(factory), random, false));
  c->path_ = path;
  const ngtcp2_cid dcid = RandomCid(random, 18);
  const ngtcp2_cid scid = RandomCid(random, 17);
  HM_TRY(c->Init(cred, server_name, alpns, dcid, scid, nullptr, now));
  return c;
}

base::Status Connection::LibError(int rv, std::string_view what) {
  if (rv == NGTCP2_ERR_CRYPTO) {
    ngtcp2_connection_close_error_set_transport_error_tls_alert(
        &last_error_, ngtcp2_conn_get_tls_alert(conn_), nullptr, 0);
  } else if (!app_error_set_) {
    ngtcp2_connection_close_error_set_transport_error_liberr(&last_error_, rv, nullptr, 0);
  }
  if (rv == NGTCP2_ERR_CALLBACK_FAILURE && !app_failure_.ok()) return app_failure_;
  if (rv == NGTCP2_ERR_CRYPTO) {
    const unsigned verify = server_check_ != nullptr ? server_check_->status : 0;
    if (verify != 0) {
      gnutls_datum_t text{};
      std::string why = "verification failed";
      if (gnutls_certificate_verification_status_print(verify, GNUTLS_CRT_X509, &text, 0) == 0) {
        why.assign(reinterpret_cast<const char*>(text.data), text.size);
        gnutls_free(text.data);
      }
      return base::Unavailable(
          fmt::format("{}: the server's certificate is not trusted: {}", what, why));
    }
    return base::Unavailable(fmt::format("{}: TLS handshake failed ({})", what,
                                         TlsAlertName(ngtcp2_conn_get_tls_alert(conn_))));
  }
  return base::Unavailable(fmt::format("{}: {}", what, ngtcp2_strerror(rv)));
}

void Connection::SetApplicationError(uint64_t code, std::string reason) {
  app_error_code_ = code;
  app_error_reason_ = std::move(reason);
  app_error_set_ = true;
  ngtcp2_connection_close_error_set_application_error(
      &last_error_, code, reinterpret_cast<const uint8_t*>(app_error_reason_.data()),
      app_error_reason_.size());
}

thread_local Connection* ConnectionCallbacks::reading = nullptr;

base::Status Connection::Read(const Path& path, base::ByteSpan packet, Timestamp now) {
  now_ = now;
  if (closing_) return base::Status::Ok();
  ngtcp2_path np = MakePath(path);
  ngtcp2_pkt_info pi{};
  ConnectionCallbacks::reading = this;
  int rv = ngtcp2_conn_read_pkt(conn_, &np, &pi, packet.data(), packet.size(), now);
  ConnectionCallbacks::reading = nullptr;
  if (probing_mixed_ && mixed_rx_seen_) {
    probing_mixed_ = false;  // the peer answers under the mixed keys: back to normal keep-alive
    ngtcp2_conn_set_keep_alive_timeout(conn_, options_.keep_alive_ms * kMillisecond);
  }
  if (rv == 0) return base::Status::Ok();
  if (rv == NGTCP2_ERR_DRAINING) {
    if (close_deadline_ == kNever) close_deadline_ = now + 3 * ngtcp2_conn_get_pto(conn_);
    return base::Status::Ok();
  }
  if (rv == NGTCP2_ERR_DROP_CONN) return base::DeadlineExceeded("connection dropped");
  return LibError(rv, "reading a QUIC packet");
}

bool Connection::draining() const { return ngtcp2_conn_is_in_draining_period(conn_) != 0; }

Timestamp Connection::expiry() const {
  if (closing_ || draining()) return close_deadline_;
  Timestamp t = ngtcp2_conn_get_expiry(conn_);
  if (pending_key_updates_ > 0) t = std::min(t, next_key_update_try_);
  if (app_) t = std::min(t, app_->Deadline());
  return t;
}

base::Status Connection::HandleExpiry(Timestamp now) {
  now_ = now;
  if (closing_ || draining()) {
    return now >= close_deadline_ ? base::DeadlineExceeded("closing period over")
                                  : base::Status::Ok();
  }
  if (app_ && now >= app_->Deadline()) HM_TRY(app_->OnDeadline(now));
  int rv = ngtcp2_conn_handle_expiry(conn_, now);
  if (rv == NGTCP2_ERR_IDLE_CLOSE) return base::DeadlineExceeded("idle timeout");
  if (rv == NGTCP2_ERR_HANDSHAKE_TIMEOUT) return base::DeadlineExceeded("handshake timeout");
  if (rv != 0) return LibError(rv, "QUIC timer");
  return base::Status::Ok();
}

void Connection::ProbeUntilPeerUsesMixedKeys() {
  if (mixed_rx_seen_ || probing_mixed_) return;
  probing_mixed_ = true;
  // ngtcp2 0.12 has no call to send a PING; its keep-alive sends one after this much silence.
  ngtcp2_conn_set_keep_alive_timeout(conn_, ngtcp2_conn_get_pto(conn_));
}

void Connection::TryKeyUpdate(Timestamp now) {
  if (pending_key_updates_ <= 0 || !handshake_completed_) return;
  if (ngtcp2_conn_initiate_key_update(conn_, now) == 0) {
    --pending_key_updates_;
    ++key_updates_initiated_;
    if (app_) app_->OnKeyUpdateInitiated();
    HM_LOG_DEBUG("stoq", "connection {}: key update initiated", id_);
  }
  next_key_update_try_ = pending_key_updates_ > 0 ? now + ngtcp2_conn_get_pto(conn_) : kNever;
}

base::Status Connection::Write(PacketSink& sink, Timestamp now) {
  now_ = now;
  if (closing_ || draining()) return base::Status::Ok();
  TryKeyUpdate(now);
  return WriteStreams(sink, now);
}

base::Status Connection::WriteStreams(PacketSink& sink, Timestamp now) {
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_pkt_info pi{};
  const size_t max_payload = ngtcp2_conn_get_max_tx_udp_payload_size(conn_);
  const size_t path_max = ngtcp2_conn_get_path_max_tx_udp_payload_size(conn_);
  const size_t max_pkts = std::max<size_t>(
      1, std::min(options_.max_gso_segments, ngtcp2_conn_get_send_quantum(conn_) / max_payload));
  const std::span<uint8_t> buf = sink.Scratch();
  const size_t capacity = std::min(buf.size(), max_payload * max_pkts);
  size_t used = 0, segment = 0, packets = 0;
  auto flush = [&] {
    if (used > 0) sink.Send(path_.remote, base::ByteSpan(buf.data(), used), segment);
    used = 0;
    segment = 0;
    packets = 0;
  };
  for (;;) {
    StreamChunk chunk;
    if (app_) HM_TRY(app_->NextChunk(&chunk));
    uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
    if (chunk.fin) flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
    ngtcp2_ssize written = -1;
    // A packet larger than the segment size would break the GSO batch: cap at the segment.
    const size_t room = segment == 0 ? max_payload : segment;
    ngtcp2_ssize n =
        ngtcp2_conn_writev_stream(conn_, &ps.path, &pi, buf.data() + used, room, &written, flags,
                                  chunk.stream_id, chunk.vecs.data(), chunk.count, now);
    if (n < 0) {
      switch (n) {
        case NGTCP2_ERR_STREAM_DATA_BLOCKED:
          app_->OnStreamBlocked(chunk.stream_id, /*write_shut=*/false);
          continue;
        case NGTCP2_ERR_STREAM_SHUT_WR:
          app_->OnStreamBlocked(chunk.stream_id, /*write_shut=*/true);
          continue;
        case NGTCP2_ERR_WRITE_MORE:
          HM_TRY(app_->OnChunkWritten(chunk.stream_id, static_cast<size_t>(written)));
          continue;
        default:
          flush();
          return LibError(static_cast<int>(n), "writing QUIC packets");
      }
    }
    if (written >= 0 && chunk.stream_id >= 0) {
      HM_TRY(app_->OnChunkWritten(chunk.stream_id, static_cast<size_t>(written)));
    }
    if (n == 0) break;
    const size_t len = static_cast<size_t>(n);
    if (segment == 0) segment = len;
    used += len;
    ++packets;
    // A short packet ends the batch (GSO needs all but the last segment equal); so does a full one
    // and a packet bigger than what the path has validated (PMTUD probe).
    if (len < segment || packets >= max_pkts || len > path_max || used + max_payload > capacity) {
      flush();
    }
  }
  flush();
  // Pacing starts with the handshake done. Before that ngtcp2 has no RTT sample and paces by the
  // 333 ms initial RTT, so a certificate flight larger than the anti-amplification allowance
  // (hybrid chains with Falcon-1024 keys and signatures are ~8 KB) would sit ~60 ms behind its
  // first three packets. The window (10 packets) still bounds the handshake's burst.
  if (handshake_completed_) ngtcp2_conn_update_pkt_tx_time(conn_, now);
  return base::Status::Ok();
}

void Connection::Close(PacketSink& sink, Timestamp now, uint64_t error_code,
                       std::string_view reason, bool application) {
  if (closing_) return;
  if (application) {
    SetApplicationError(error_code, std::string(reason));
  } else {
    ngtcp2_connection_close_error_set_transport_error(
        &last_error_, error_code, reinterpret_cast<const uint8_t*>(reason.data()), reason.size());
  }
  CloseWithError(sink, now, base::Status::Ok());
}

void Connection::CloseWithError(PacketSink& sink, Timestamp now, const base::Status& why) {
  if (closing_) return;
  closing_ = true;
  close_deadline_ = now + 3 * ngtcp2_conn_get_pto(conn_);
  if (draining() || ngtcp2_conn_is_in_closing_period(conn_)) return;
  if (!why.ok() && last_error_.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_TRANSPORT &&
      last_error_.error_code == 0) {
    ngtcp2_connection_close_error_set_transport_error(&last_error_, NGTCP2_INTERNAL_ERROR, nullptr,
                                                      0);
  }
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_pkt_info pi{};
  close_packet_.resize(NGTCP2_MAX_UDP_PAYLOAD_SIZE);
  ngtcp2_ssize n = ngtcp2_conn_write_connection_close(conn_, &ps.path, &pi, close_packet_.data(),
                                                      close_packet_.size(), &last_error_, now);
  if (n <= 0) {
    close_packet_.clear();
    return;
  }
  close_packet_.resize(static_cast<size_t>(n));
  last_close_sent_ = now;
  sink.Send(path_.remote, close_packet_, close_packet_.size());
}

void Connection::ResendClose(PacketSink& sink, Timestamp now) {
  // At most one CONNECTION_CLOSE per 100 ms, so a flood of packets cannot amplify.
  if (close_packet_.empty() || now < last_close_sent_ + 100 * kMillisecond) return;
  last_close_sent_ = now;
  sink.Send(path_.remote, close_packet_, close_packet_.size());
}

base::Result<int64_t> Connection::OpenBidiStream() {
  int64_t id = -1;
  int rv = ngtcp2_conn_open_bidi_stream(conn_, &id, nullptr);
  if (rv == NGTCP2_ERR_STREAM_ID_BLOCKED) {
    return base::ResourceExhausted("the peer allows no more streams now");
  }
  if (rv != 0) return base::Internal(fmt::format("open stream: {}", ngtcp2_strerror(rv)));
  return id;
}

base::Result<int64_t> Connection::OpenUniStream() {
  int64_t id = -1;
  int rv = ngtcp2_conn_open_uni_stream(conn_, &id, nullptr);
  if (rv != 0) return base::Internal(fmt::format("open uni stream: {}", ngtcp2_strerror(rv)));
  return id;
}

void Connection::ExtendStreamWindow(int64_t stream_id, size_t bytes) {
  ngtcp2_conn_extend_max_stream_offset(conn_, stream_id, bytes);
  ngtcp2_conn_extend_max_offset(conn_, bytes);
}

void Connection::ShutdownStream(int64_t stream_id, uint64_t code) {
  ngtcp2_conn_shutdown_stream(conn_, stream_id, code);
}
void Connection::ShutdownStreamRead(int64_t stream_id, uint64_t code) {
  ngtcp2_conn_shutdown_stream_read(conn_, stream_id, code);
}
void Connection::ShutdownStreamWrite(int64_t stream_id, uint64_t code) {
  ngtcp2_conn_shutdown_stream_write(conn_, stream_id, code);
}

void Connection::NotifyShutdown() {
  if (app_) app_->OnShutdownNotice();
}

void Connection::InstallSecretMixer(SecretMixer mixer, uint32_t from_generation) {
  mixer_ = std::move(mixer);
  mix_from_generation_ = from_generation;
}

}  // namespace hm::stoq
