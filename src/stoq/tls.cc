#include "stoq/tls.h"

#include <fmt/format.h>
#include <gnutls/x509.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include <arpa/inet.h>

namespace hm::stoq {
namespace {

// TLS 1.3 only (QUIC requires it), the three AEADs RFC 9001 allows, X25519 first.
constexpr const char* kPriority =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+CHACHA20-POLY1305:+AES-256-GCM:"
    "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:%DISABLE_TLS13_COMPAT_MODE";

base::Status GnutlsError(int rv, std::string_view what) {
  return base::Internal(fmt::format("{}: {}", what, gnutls_strerror(rv)));
}

// kPriority parsed once and shared by every session: GnuTLS references the cache from each
// session (an atomic count) instead of parsing the string and keeping a copy per connection
// (~8 KB of every connection's memory, and CPU on every handshake). Never freed.
base::Status SetPriority(gnutls_session_t s) {
  struct Cache {
    gnutls_priority_t priority = nullptr;
    int rv = 0;
  };
  static const Cache* const cache = [] {
    auto* c = new Cache;
    c->rv = gnutls_priority_init(&c->priority, kPriority, nullptr);
    return c;
  }();
  if (cache->rv != 0) return GnutlsError(cache->rv, "gnutls_priority_init");
  const int rv = gnutls_priority_set(s, cache->priority);
  if (rv != 0) return GnutlsError(rv, "gnutls_priority_set");
  return base::Status::Ok();
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
    return base::InvalidArgument(fmt::format("TLS certificate {} / key {}: {}", chain_file,
                                             key_file, gnutls_strerror(rv)));
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
    c->verify_peer_ = true;
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
  int rv = gnutls_init(&raw, GNUTLS_SERVER | GNUTLS_NO_AUTO_SEND_TICKET | GNUTLS_NO_END_OF_EARLY_DATA);
  if (rv != 0) return GnutlsError(rv, "gnutls_init");
  TlsSession s(raw);
  if (ngtcp2_crypto_gnutls_configure_server_session(raw) != 0) {
    return base::Internal("ngtcp2_crypto_gnutls_configure_server_session failed");
  }
  HM_TRY(SetPriority(raw));
  rv = gnutls_credentials_set(raw, GNUTLS_CRD_CERTIFICATE, cred.get());
  if (rv != 0) return GnutlsError(rv, "gnutls_credentials_set");
  gnutls_certificate_server_set_request(raw, GNUTLS_CERT_REQUEST);
  HM_TRY(SetAlpn(raw, alpns, /*server=*/true));
  return s;
}

base::Result<TlsSession> NewClientSession(const TlsCredentials& cred,
                                          const std::string& server_name,
                                          const std::vector<std::string>& alpns) {
  gnutls_session_t raw = nullptr;
  int rv = gnutls_init(&raw, GNUTLS_CLIENT | GNUTLS_NO_END_OF_EARLY_DATA);
  if (rv != 0) return GnutlsError(rv, "gnutls_init");
  TlsSession s(raw);
  if (ngtcp2_crypto_gnutls_configure_client_session(raw) != 0) {
    return base::Internal("ngtcp2_crypto_gnutls_configure_client_session failed");
  }
  HM_TRY(SetPriority(raw));
  rv = gnutls_credentials_set(raw, GNUTLS_CRD_CERTIFICATE, cred.get());
  if (rv != 0) return GnutlsError(rv, "gnutls_credentials_set");
  HM_TRY(SetAlpn(raw, alpns, /*server=*/false));
  unsigned char ip[16];
  const bool is_ip = ::inet_pton(AF_INET6, server_name.c_str(), ip) == 1;
  if (!is_ip && !server_name.empty()) {
    rv = gnutls_server_name_set(raw, GNUTLS_NAME_DNS, server_name.data(), server_name.size());
    if (rv != 0) return GnutlsError(rv, "gnutls_server_name_set");
  }
  if (cred.verify_peer()) {
    // Hostname (or IP address SAN) checked by GnuTLS during the handshake.
    gnutls_session_set_verify_cert(raw, server_name.c_str(), 0);
  }
  return s;
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
