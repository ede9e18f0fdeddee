#include "net/tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/system/system_error.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace hm::net {
namespace {

namespace ssl = boost::asio::ssl;

// Fails with the errno text when `path` cannot be opened for reading, so a missing file gets a
// clearer message than OpenSSL's "system lib".
base::Status CheckReadable(const std::string& path, std::string_view what) {
  if (path.empty()) return base::InvalidArgument(fmt::format("{} path is empty", what));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return base::IoError(fmt::format("cannot read {} '{}': {}", what, path, std::strerror(errno)));
  }
  std::fclose(f);
  return base::Status::Ok();
}

std::string Describe(const boost::system::error_code& ec) {
  std::string queued = DrainOpenSslErrors();
  return queued.empty() ? ec.message() : queued;
}

// ssl::context's constructor throws on allocation failure; this is the boundary.
base::Result<std::shared_ptr<TlsContext>> NewContext(ssl::context::method method) {
  try {
    auto ctx = std::make_shared<TlsContext>(ssl::context(method));
    SSL_CTX* native = ctx->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1) {
      return base::Internal("cannot restrict TLS context to TLS 1.3: " + DrainOpenSslErrors());
    }
    return ctx;
  } catch (const boost::system::system_error& e) {
    return base::Internal(fmt::format("cannot create TLS context: {}", e.what()));
  }
}

// HTTP/2 when the client offers it (DoH clients such as kdig and dig speak nothing else), else
// HTTP/1.1. The server's order decides: SSL_select_next_proto walks our list first.
int SelectHttp(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
               const unsigned char* in, unsigned int inlen, void* /*arg*/) {
  static constexpr unsigned char kServerProtos[] = {2,   'h', '2', 8,   'h', 't',
                                                    't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kServerProtos, sizeof(kServerProtos), in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;  // proceed without ALPN rather than fail the handshake
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::string DrainOpenSslErrors() {
  std::string out;
  while (unsigned long err = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

base::Result<std::shared_ptr<TlsContext>> MakeServerTlsContext(
    const std::string& cert_chain_pem_path, const std::string& key_pem_path) {
  HM_TRY(CheckReadable(cert_chain_pem_path, "certificate chain"));
  HM_TRY(CheckReadable(key_pem_path, "private key"));
  ERR_clear_error();
  HM_ASSIGN_OR_RETURN(auto ctx, NewContext(ssl::context::tls_server));
  boost::system::error_code ec;
  ctx->native().set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                                ssl::context::single_dh_use,
                            ec);
  if (ec) return base::Internal("cannot set TLS options: " + Describe(ec));
  ctx->native().use_certificate_chain_file(cert_chain_pem_path, ec);
  if (ec) {
    return base::InvalidArgument(
        fmt::format("certificate chain '{}' is not usable: {}", cert_chain_pem_path, Describe(ec)));
  }
  ctx->native().use_private_key_file(key_pem_path, ssl::context::pem, ec);
  if (ec) {
    return base::InvalidArgument(
        fmt::format("private key '{}' is not usable: {}", key_pem_path, Describe(ec)));
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return base::InvalidArgument(fmt::format("private key '{}' does not match certificate '{}': {}",
                                             key_pem_path, cert_chain_pem_path,
                                             DrainOpenSslErrors()));
  }
  SSL_CTX_set_alpn_select_cb(ctx->native_handle(), &SelectHttp, nullptr);
  return ctx;
}

base::Result<std::shared_ptr<TlsContext>> MakeClientTlsContext(const std::string& ca_file_path,
                                                               bool verify) {
  if (verify && !ca_file_path.empty()) HM_TRY(CheckReadable(ca_file_path, "CA file"));
  ERR_clear_error();
  HM_ASSIGN_OR_RETURN(auto ctx, NewContext(ssl::context::tls_client));
  boost::system::error_code ec;
  if (!verify) {
    ctx->native().set_verify_mode(ssl::verify_none, ec);
    if (ec) return base::Internal("cannot set TLS verify mode: " + Describe(ec));
    return ctx;
  }
  ctx->native().set_verify_mode(ssl::verify_peer, ec);
  if (ec) return base::Internal("cannot set TLS verify mode: " + Describe(ec));
  if (ca_file_path.empty()) {
    ctx->native().set_default_verify_paths(ec);
    if (ec) return base::IoError("cannot load the system trust store: " + Describe(ec));
  } else {
    ctx->native().load_verify_file(ca_file_path, ec);
    if (ec) {
      return base::InvalidArgument(
          fmt::format("CA file '{}' is not usable: {}", ca_file_path, Describe(ec)));
    }
  }
  return ctx;
}

base::Status SetClientPeerIdentity(SSL* ssl, std::string_view host) {
  std::string bare(host);
  if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  if (bare.empty()) return base::InvalidArgument("TLS peer host is empty");
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(bare, ec);
  if (!ec) {
    // RFC 6066 forbids IP literals in SNI; verify the IP SAN instead.
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), bare.c_str()) != 1) {
      return base::InvalidArgument(
          fmt::format("cannot verify peer IP '{}': {}", bare, DrainOpenSslErrors()));
    }
    return base::Status::Ok();
  }
  if (SSL_set_tlsext_host_name(ssl, bare.c_str()) != 1) {
    return base::InvalidArgument(
        fmt::format("cannot send SNI '{}': {}", bare, DrainOpenSslErrors()));
  }
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(ssl, bare.c_str()) != 1) {
    return base::InvalidArgument(
        fmt::format("cannot verify peer name '{}': {}", bare, DrainOpenSslErrors()));
  }
  return base::Status::Ok();
}

}  // namespace hm::net
