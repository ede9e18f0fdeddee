// TLS contexts for TCP: TLS 1.3 only, built from PEM files. The server context serves one
// certificate chain; the client context verifies peers against a CA file or the system store.
// Thread-safety: a TlsContext is immutable once built and may be shared by many connections.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace hm::net {

class TlsContext {
 public:
  explicit TlsContext(boost::asio::ssl::context ctx) : ctx_(std::move(ctx)) {}
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  boost::asio::ssl::context& native() { return ctx_; }
  SSL_CTX* native_handle() { return ctx_.native_handle(); }

 private:
  boost::asio::ssl::context ctx_;
};

// Loads a PEM certificate chain (leaf first) and its PEM private key. Selects ALPN "h2" when
// offered, else "http/1.1" (and no ALPN when the client offers neither). Errors name the file: kIoError (unreadable), kInvalidArgument (not a usable
// certificate or key, or the key does not match the certificate), kInternal (OpenSSL failure).
base::Result<std::shared_ptr<TlsContext>> MakeServerTlsContext(
    const std::string& cert_chain_pem_path, const std::string& key_pem_path);

// A client context. `ca_file_path` empty means the system trust store. With `verify` false the
// peer is not authenticated at all (tests and debugging only). Callers must also call
// SetClientPeerIdentity on each connection so the host name or IP is checked.
base::Result<std::shared_ptr<TlsContext>> MakeClientTlsContext(const std::string& ca_file_path,
                                                               bool verify);

// Sets what one client connection must verify: an IP literal (with or without brackets) is
// matched against IP SANs and sends no SNI; anything else is a DNS name, sent as SNI and matched
// against DNS SANs.
base::Status SetClientPeerIdentity(SSL* ssl, std::string_view host);

// Drains OpenSSL's thread-local error queue into one line ("" when empty).
std::string DrainOpenSslErrors();

}  // namespace hm::net
