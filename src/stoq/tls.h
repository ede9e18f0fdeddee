// GnuTLS configuration for QUIC: server credentials (the node's certificate chain and key, PEM
// files), client credentials (trust anchors or, for tests and dev, no verification), and per
// connection session setup with ALPN. The ngtcp2 crypto helper drives the TLS 1.3 handshake.
// Thread-safety: a TlsCredentials is immutable after creation and shared by the connections of
// any thread; sessions belong to one connection.
#pragma once

#include <gnutls/gnutls.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/lru_cache.h"
#include "base/status.h"

namespace hm::stoq {

inline constexpr std::string_view kAlpnH3 = "h3";
inline constexpr std::string_view kAlpnStoq = "stoq/1";
inline constexpr std::string_view kAlpnDoq = "doq";

// The server chains a client has verified against its trust anchors, by server name: a client
// that reconnects to a server presenting the same chain (a node's peers, a load generator)
// skips GnuTLS's path building and the CA's signature check, about a fifth of a client
// handshake's CPU. The handshake signature (CertificateVerify) is still checked on every
// connection; only the verdict "this chain, for this name, leads to a trusted root" is kept,
// until the earliest expiry in the chain and at most kMaxAge. Only successes are cached.
// Thread-safety: thread-safe (one mutex).
class VerifiedChains {
 public:
  static constexpr size_t kCapacity = 4096;  // entries; the least recently used goes first
  static constexpr std::time_t kMaxAge = 600;  // seconds, as the stoq/1 PeerChainCache

  struct Stats {
    uint64_t hits = 0;
    uint64_t verified = 0;  // full verifications that succeeded (and were remembered)
    uint64_t rejected = 0;
  };

  // Verifies the session's peer chain for `server_name` (the DNS name or IPv6 literal the
  // client dialed; no certificate matches an empty one) at time `now`. Returns 0 when trusted; otherwise the
  // GnuTLS verification status bits (never 0; GNUTLS_CERT_INVALID when nothing was sent or
  // verification could not run).
  unsigned Verify(gnutls_session_t session, const std::string& server_name, std::time_t now);
  Stats stats() const;

 private:
  mutable std::mutex mu_;
  // SHA-256 of the name and chain -> when the verdict lapses.
  base::LruCache<std::time_t> entries_{kCapacity};
  Stats stats_;
};

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
  bool verify_peer() const { return verified_chains_ != nullptr; }
  // Client credentials with a CA file: where their server verifications are remembered.
  const std::shared_ptr<VerifiedChains>& verified_chains() const { return verified_chains_; }

 private:
  TlsCredentials() = default;
  gnutls_certificate_credentials_t cred_ = nullptr;
  std::shared_ptr<VerifiedChains> verified_chains_;
};

// Owns a gnutls_session_t.
struct TlsSessionDeleter {
  void operator()(gnutls_session_int* s) const { gnutls_deinit(s); }
};
using TlsSession = std::unique_ptr<gnutls_session_int, TlsSessionDeleter>;

// A QUIC server session offering `alpns` (in our order of preference). On stoq/1 only it asks
// for, but does not require, a client certificate (the PQ channel checks it).
base::Result<TlsSession> NewServerSession(const TlsCredentials& cred,
                                          const std::vector<std::string>& alpns);
// A QUIC client session for `server_name` (SNI unless it is an IP literal) offering `alpns`.
// When the credentials verify, GnuTLS calls `verify` once the server's certificate has
// arrived (non-zero fails the handshake); the caller checks the chain there, normally with
// cred.verified_chains() and the same server name.
base::Result<TlsSession> NewClientSession(const TlsCredentials& cred,
                                          const std::string& server_name,
                                          const std::vector<std::string>& alpns,
                                          gnutls_certificate_verify_function* verify);

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
