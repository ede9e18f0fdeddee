#include "stoq/tls.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gnutls/x509.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include <algorithm>

#include "crypto/hash.h"

namespace hm::stoq {
namespace {

// TLS 1.3 only (QUIC requires it), the three AEADs RFC 9001 allows, X25519 first.
constexpr const char* kPriority =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+CHACHA20-POLY1305:+AES-256-GCM:"
    "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:%DISABLE_TLS13_COMPAT_MODE";
// For stoq/1 clients, whose servers are nodes (all offer X25519): X25519 only. A GnuTLS client
// sends a key share for its first group of each kind, so with the list above every handshake
// would also generate a P-256 share that a node never uses (~50 us).
constexpr const char* kStoqClientPriority =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+CHACHA20-POLY1305:+AES-256-GCM:"
    "-GROUP-ALL:+GROUP-X25519:%DISABLE_TLS13_COMPAT_MODE";

base::Status GnutlsError(int rv, std::string_view what) {
  return base::Internal(fmt::format("{}: {}", what, gnutls_strerror(rv)));
}

// A priority string parsed once and shared by every session: GnuTLS references the cache from
// each session (an atomic count) instead of parsing the string and keeping a copy per
// connection (~8 KB of every connection's memory, and CPU on every handshake). Never freed.
struct ParsedPriority {
  explicit ParsedPriority(const char* text) { rv = gnutls_priority_init(&priority, text, nullptr); }
  gnutls_priority_t priority = nullptr;
  int rv = 0;
};

base::Status SetPriority(gnutls_session_t s, bool stoq_client) {
  static const ParsedPriority* const normal = new ParsedPriority(kPriority);
  static const ParsedPriority* const stoq = new ParsedPriority(kStoqClientPriority);
  const ParsedPriority* p = stoq_client ? stoq : normal;
  if (p->rv != 0) return GnutlsError(p->rv, "gnutls_priority_init");
  const int rv = gnutls_priority_set(s, p->priority);
  if (rv != 0) return GnutlsError(rv, "gnutls_priority_set");
  return base::Status::Ok();
}

// SHA-256 over the server name and each certificate, as length-prefixed fields.
std::string ChainKey(const std::string& server_name, const gnutls_datum_t* certs, unsigned n) {
  crypto::Sha256Hasher h;
  h.UpdateField(base::AsBytes(server_name));
  for (unsigned i = 0; i < n; ++i) h.UpdateField(base::ByteSpan(certs[i].data, certs[i].size));
  const auto digest = h.Finish();
  return std::string(digest.begin(), digest.end());
}

// The earliest notAfter in the chain; 0 when a certificate does not parse.
std::time_t EarliestExpiry(const gnutls_datum_t* certs, unsigned n) {
  std::time_t earliest = 0;
  for (unsigned i = 0; i < n; ++i) {
    gnutls_x509_crt_t crt = nullptr;
    if (gnutls_x509_crt_init(&crt) != 0) return 0;
    const int rv = gnutls_x509_crt_import(crt, &certs[i], GNUTLS_X509_FMT_DER);
    const std::time_t t = rv == 0 ? gnutls_x509_crt_get_expiration_time(crt) : -1;
    gnutls_x509_crt_deinit(crt);
    if (t <= 0) return 0;
    earliest = earliest == 0 ? t : std::min(earliest, t);
  }
  return earliest;
}

base::Status SetAlpn(gnutls_session_t s, const std::vector<std::string>& alpns, bool server) {
  std::vector<gnutls_datum_t> list;
  for (const auto& a : alpns) {
    list.push_back({reinterpret_cast<unsigned char*>(const_cast<char*>(a.data())),
                    static_cast<unsigned>(a.size())});
  }
  int rv = gnutls_alpn_set_protocols(s, list.data(), static_cast<unsigned>(list.size()),
                                     server ? GNUTLS_ALPN_SERVER_PRECEDENCE : 0);
  if (rv != 0) return GnutlsError(rv, "gnutls_alpn_set_protocols");
  return base::Status::Ok();
}

// Runs once the ClientHello is parsed, ALPN chosen: only stoq/1 uses a client certificate (the
// peer's Falcon key). Asking h3 and doq clients for one would make browsers prompt for it and a
// client that has one spend a signature, and the server a verification, on nothing.
int AskCertificateOfStoqClientsOnly(gnutls_session_t session) {
  if (SelectedAlpn(session) != kAlpnStoq) {
    gnutls_certificate_server_set_request(session, GNUTLS_CERT_IGNORE);
  }
  return 0;
}

}  // namespace

TlsCredentials::~TlsCredentials() {
  if (cred_ != nullptr) gnutls_certificate_free_credentials(cred_);
}

base::Result<std::shared_ptr<TlsCredentials>> TlsCredentials::FromPemFiles(
    const std::string& chain_file, const std::string& key_file) {
  std::shared_ptr<TlsCredentials> c(new TlsCredentials());
  int rv = gnutls_certificate_allocate_credentials(&c->cred_);
  if (rv != 0) return GnutlsError(rv, "allocating TLS credentials");
  rv = gnutls_certificate_set_x509_key_file2(c->cred_, chain_file.c_str(), key_file.c_str(),
                                             GNUTLS_X509_FMT_PEM, nullptr, 0);
  if (rv < 0) {
    return base::InvalidArgument(
        fmt::format("TLS certificate {} / key {}: {}", chain_file, key_file, gnutls_strerror(rv)));
  }
  return c;
}

base::Result<std::shared_ptr<TlsCredentials>> TlsCredentials::ForClient(
    const std::string& ca_file, const std::string& chain_file, const std::string& key_file) {
  std::shared_ptr<TlsCredentials> c(new TlsCredentials());
  int rv = gnutls_certificate_allocate_credentials(&c->cred_);
  if (rv != 0) return GnutlsError(rv, "allocating TLS credentials");
  if (!ca_file.empty()) {
    rv = gnutls_certificate_set_x509_trust_file(c->cred_, ca_file.c_str(), GNUTLS_X509_FMT_PEM);
    if (rv <= 0) {
      return base::InvalidArgument(fmt::format(
          "CA file {}: {}", ca_file, rv == 0 ? "no certificate in it" : gnutls_strerror(rv)));
    }
    c->verified_chains_ = std::make_shared<VerifiedChains>();
  }
  if (!chain_file.empty()) {
    rv = gnutls_certificate_set_x509_key_file2(c->cred_, chain_file.c_str(), key_file.c_str(),
                                               GNUTLS_X509_FMT_PEM, nullptr, 0);
    if (rv < 0) {
      return base::InvalidArgument(fmt::format("client certificate {} / key {}: {}", chain_file,
                                               key_file, gnutls_strerror(rv)));
    }
  }
  return c;
}

base::Result<TlsSession> NewServerSession(const TlsCredentials& cred,
                                          const std::vector<std::string>& alpns) {
  gnutls_session_t raw = nullptr;
  int rv =
      gnutls_init(&raw, GNUTLS_SERVER | GNUTLS_NO_AUTO_SEND_TICKET | GNUTLS_NO_END_OF_EARLY_DATA);
  if (rv != 0) return GnutlsError(rv, "gnutls_init");
  TlsSession s(raw);
  if (ngtcp2_crypto_gnutls_configure_server_session(raw) != 0) {
    return base::Internal("ngtcp2_crypto_gnutls_configure_server_session failed");
  }
  HM_TRY(SetPriority(raw, /*stoq_client=*/false));
  rv = gnutls_credentials_set(raw, GNUTLS_CRD_CERTIFICATE, cred.get());
  if (rv != 0) return GnutlsError(rv, "gnutls_credentials_set");
  gnutls_certificate_server_set_request(raw, GNUTLS_CERT_REQUEST);
  gnutls_handshake_set_post_client_hello_function(raw, &AskCertificateOfStoqClientsOnly);
  HM_TRY(SetAlpn(raw, alpns, /*server=*/true));
  return s;
}

base::Result<TlsSession> NewClientSession(const TlsCredentials& cred,
                                          const std::string& server_name,
                                          const std::vector<std::string>& alpns,
                                          gnutls_certificate_verify_function* verify) {
  gnutls_session_t raw = nullptr;
  int rv = gnutls_init(&raw, GNUTLS_CLIENT | GNUTLS_NO_END_OF_EARLY_DATA);
  if (rv != 0) return GnutlsError(rv, "gnutls_init");
  TlsSession s(raw);
  if (ngtcp2_crypto_gnutls_configure_client_session(raw) != 0) {
    return base::Internal("ngtcp2_crypto_gnutls_configure_client_session failed");
  }
  const bool stoq_only = alpns.size() == 1 && alpns[0] == kAlpnStoq;
  HM_TRY(SetPriority(raw, stoq_only));
  rv = gnutls_credentials_set(raw, GNUTLS_CRD_CERTIFICATE, cred.get());
  if (rv != 0) return GnutlsError(rv, "gnutls_credentials_set");
  HM_TRY(SetAlpn(raw, alpns, /*server=*/false));
  unsigned char ip[16];
  const bool is_ip = ::inet_pton(AF_INET6, server_name.c_str(), ip) == 1;
  if (!is_ip && !server_name.empty()) {
    rv = gnutls_server_name_set(raw, GNUTLS_NAME_DNS, server_name.data(), server_name.size());
    if (rv != 0) return GnutlsError(rv, "gnutls_server_name_set");
  }
  if (cred.verify_peer()) gnutls_session_set_verify_function(raw, verify);
  return s;
}

unsigned VerifiedChains::Verify(gnutls_session_t session, const std::string& server_name,
                                std::time_t now) {
  unsigned n = 0;
  const gnutls_datum_t* certs = gnutls_certificate_get_peers(session, &n);
  if (certs == nullptr || n == 0) {
    std::lock_guard lock(mu_);
    ++stats_.rejected;
    return GNUTLS_CERT_INVALID;
  }
  const std::string key = ChainKey(server_name, certs, n);
  {
    std::lock_guard lock(mu_);
    if (const std::time_t* valid_until = entries_.Find(key)) {
      if (now < *valid_until) {
        ++stats_.hits;
        return 0;
      }
      entries_.Erase(key);
    }
  }
  // The full check: path to a trust anchor, signatures, validity periods, key usage, and the
  // name (a DNS name or an IP address SAN).
  unsigned status = 0;
  const int rv = gnutls_certificate_verify_peers3(session, server_name.c_str(), &status);
  if (rv != 0 || status != 0) {
    std::lock_guard lock(mu_);
    ++stats_.rejected;
    return status != 0 ? status : static_cast<unsigned>(GNUTLS_CERT_INVALID);
  }
  const std::time_t expiry = EarliestExpiry(certs, n);
  std::lock_guard lock(mu_);
  ++stats_.verified;
  if (expiry > now) entries_.Put(key, std::min(expiry, now + kMaxAge));
  return 0;
}

VerifiedChains::Stats VerifiedChains::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::string SelectedAlpn(gnutls_session_t session) {
  gnutls_datum_t proto{};
  if (gnutls_alpn_get_selected_protocol(session, &proto) != 0) return "";
  return std::string(reinterpret_cast<const char*>(proto.data), proto.size);
}

std::vector<base::Bytes> PeerCertificateChain(gnutls_session_t session) {
  unsigned n = 0;
  const gnutls_datum_t* certs = gnutls_certificate_get_peers(session, &n);
  std::vector<base::Bytes> out;
  for (unsigned i = 0; certs != nullptr && i < n; ++i) {
    out.emplace_back(certs[i].data, certs[i].data + certs[i].size);
  }
  return out;
}

base::Result<base::Bytes> ExportKeyingMaterial(gnutls_session_t session, std::string_view label,
                                               size_t length) {
  base::Bytes out(length);
  int rv = gnutls_prf_rfc5705(session, label.size(), label.data(), 0, nullptr, length,
                              reinterpret_cast<char*>(out.data()));
  if (rv != 0) return GnutlsError(rv, "TLS exporter");
  return out;
}

std::string TlsAlertName(uint8_t alert) {
  const char* name = gnutls_alert_get_name(static_cast<gnutls_alert_description_t>(alert));
  return name == nullptr ? fmt::format("TLS alert {}", alert)
                         : fmt::format("TLS alert {} ({})", alert, name);
}

}  // namespace hm::stoq
