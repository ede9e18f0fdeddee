// GnuTLS configuration for QUIC: server credentials (the node's certificate chain and key, PEM
// files), client credentials (trust anchors or, for tests and dev, no verification), and per
// connection session setup with ALPN. The ngtcp2 crypto helper drives the TLS 1.3 handshake.
// Thread-safety: a TlsCredentials is immutable after creation and shared by the connections of
// any thread; sessions belong to one connection.
#pragma once

#include <gnutls/gnutls.h>

#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::stoq {

inline constexpr std::string_view kAlpnH3 = "h3";
inline constexpr std::string_view kAlpnStoq = "stoq/1";
inline constexpr std::string_view kAlpnDoq = "doq";

class TlsCredentials {
 public:
  ~TlsCredentials();
  TlsCredentials(const TlsCredentials&) = delete;
  TlsCredentials& operator=(const TlsCredentials&) = delete;

  // The chain file holds the leaf first, then intermediates. Errors name the file and say why.
  static base::Result<std::shared_ptr<TlsCredentials>> FromPemFiles(const std::string& chain_file,
                                                                   const std::string& key_file);
  // For clients. `ca_file` empty: the server's certificate is not verified (tests, `--insecure`).
  // With `chain_file`/`key_file` the client presents a certificate (stoq/1 needs one).
  static base::Result<std::shared_ptr<TlsCredentials>> ForClient(const std::string& ca_file,
                                                                 const std::string& chain_file,
                                                                 const std::string& key_file);

  gnutls_certificate_credentials_t get() const { return cred_; }
  bool verify_peer() const { return verify_peer_; }

 private:
  TlsCredentials() = default;
  gnutls_certificate_credentials_t cred_ = nullptr;
  bool verify_peer_ = false;
};

// Owns a gnutls_session_t.
struct TlsSessionDeleter {
  void operator()(gnutls_session_int* s) const { gnutls_deinit(s); }
};
using TlsSession = std::unique_ptr<gnutls_session_int, TlsSessionDeleter>;

// A QUIC server session offering `alpns` (in our order of preference); asks for, but does not
// require, a client certificate (stoq/1 checks it in the PQ channel).
base::Result<TlsSession> NewServerSession(const TlsCredentials& cred,
                                          const std::vector<std::string>& alpns);
// A QUIC client session for `server_name` (SNI unless it is an IP literal; also the name verified
// when the credentials verify) offering `alpns`.
base::Result<TlsSession> NewClientSession(const TlsCredentials& cred,
                                          const std::string& server_name,
                                          const std::vector<std::string>& alpns);

// The ALPN the handshake selected, or "" before it completed.
std::string SelectedAlpn(gnutls_session_t session);
// The peer's certificate chain (DER, leaf first); empty when it sent none.
std::vector<base::Bytes> PeerCertificateChain(gnutls_session_t session);
// RFC 8446 section 7.5 exporter with an empty context.
base::Result<base::Bytes> ExportKeyingMaterial(gnutls_session_t session, std::string_view label,
                                               size_t length);

// "TLS alert 42 (Certificate is bad)".
std::string TlsAlertName(uint8_t alert);

}  // namespace hm::stoq
