#include "api/http_client.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "net/address.h"
#include "net/tls_context.h"

namespace hm::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using Stream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::chrono::milliseconds kCloseNotifyWait{500};

std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view Bsv(std::string_view s) { return {s.data(), s.size()}; }

std::string StripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::string(host);
}

base::Result<tcp::endpoint> Resolve(asio::io_context& io, const std::string& host, uint16_t port) {
  if (net::IsIpv4Literal(host)) return net::Ipv4NotSupported(host);
  ErrorCode ec;
  const auto literal = asio::ip::make_address_v6(host, ec);
  if (!ec) {
    if (literal.is_v4_mapped()) return net::Ipv4NotSupported(host);
    return tcp::endpoint(literal, port);
  }
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(tcp::v6(), host, std::to_string(port), ec);
  if (!ec) {
    for (const auto& entry : results) {
      const auto addr = entry.endpoint().address();
      if (addr.is_v6() && !addr.to_v6().is_v4_mapped()) return entry.endpoint();
    }
  }
  return base::Unavailable(fmt::format("cannot resolve '{}' to an IPv6 address{}", host,
                                       ec ? ": " + ec.message() : std::string()));
}

// Runs one asynchronous operation to completion on `io` (the stream's expiry bounds it).
template <typename Initiate>
ErrorCode Run(asio::io_context& io, Initiate&& initiate) {
  std::optional<ErrorCode> result;
  initiate([&result](ErrorCode ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result.value_or(asio::error::operation_aborted);
}

base::Status TransportError(std::string_view what, const std::string& where, ErrorCode ec) {
  if (ec == beast::error::timeout) {
    return base::DeadlineExceeded(fmt::format("{} {} timed out", what, where));
  }
  return base::Unavailable(fmt::format("{} {} failed: {}", what, where, ec.message()));
}

base::Status CheckTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return base::InvalidArgument(fmt::format("request target '{}' must start with '/'", target));
  }
  for (unsigned char c : target) {
    if (c <= 0x20 || c >= 0x7f) {
      return base::InvalidArgument("request target contains a space or control character");
    }
  }
  return base::Status::Ok();
}

ClientResponse ToClientResponse(http::response<http::string_body>&& res) {
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    auto [it, inserted] =
        out.headers.emplace(std::string(Sv(field.name_string())), std::string(Sv(field.value())));
    if (!inserted) it->second += ", " + std::string(Sv(field.value()));
  }
  out.content_type = std::string(Sv(res[http::field::content_type]));
  out.body = std::move(res.body());
  return out;
}

}  // namespace

base::Result<ClientResponse> HttpsRequest(
    const ClientOptions& options, std::string_view method, std::string_view target,
    std::string_view body, std::string_view content_type,
    const std::vector<std::pair<std::string, std::string>>& extra_headers) {
  HM_TRY(CheckTarget(target));
  if (method.empty()) return base::InvalidArgument("request method is empty");
  const std::string host = StripBrackets(options.host);
  const std::string where = net::FormatHostPort(host, options.port);
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  asio::io_context io;
  HM_ASSIGN_OR_RETURN(tcp::endpoint endpoint, Resolve(io, host, options.port));
  HM_ASSIGN_OR_RETURN(auto tls, net::MakeClientTlsContext(options.ca_file, options.verify));
  Stream stream(io, tls->native());
  HM_TRY(net::SetClientPeerIdentity(stream.native_handle(),
                                    options.server_name.empty() ? host : options.server_name));
  static constexpr unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_set_alpn_protos(stream.native_handle(), kAlpn, sizeof(kAlpn));

  auto& lowest = beast::get_lowest_layer(stream);
  ErrorCode ec;
  lowest.socket().open(tcp::v6(), ec);
  if (!ec) lowest.socket().set_option(asio::ip::v6_only(true), ec);
  if (ec) return base::IoError(fmt::format("cannot open a socket for {}: {}", where, ec.message()));
  lowest.expires_at(deadline);
  ec = Run(io, [&](auto handler) { lowest.async_connect(endpoint, std::move(handler)); });
  if (ec) return TransportError("connect to", where, ec);

  lowest.expires_at(deadline);
  ec = Run(io, [&](auto handler) {
    stream.async_handshake(asio::ssl::stream_base::client, std::move(handler));
  });
  if (ec) {
    const long verify = SSL_get_verify_result(stream.native_handle());
    if (options.verify && verify != X509_V_OK) {
      return base::Unauthenticated(fmt::format("TLS certificate verification for {} failed: {}",
                                               where, X509_verify_cert_error_string(verify)));
    }
    net::DrainOpenSslErrors();
    return TransportError("TLS handshake with", where, ec);
  }

  http::request<http::string_body> req;
  req.method_string(Bsv(method));
  req.target(Bsv(target));
  req.version(11);
  req.set(http::field::host, where);
  req.set(http::field::user_agent, "hm/0.1");
  req.keep_alive(false);
  for (const auto& [name, value] : extra_headers) req.insert(Bsv(name), value);
  if (!body.empty() || !content_type.empty()) {
    if (!content_type.empty()) req.set(http::field::content_type, Bsv(content_type));
    req.body() = std::string(body);
    req.content_length(body.size());
  }
  lowest.expires_at(deadline);
  // A server may answer early (e.g. 413) and stop reading; still try to read its response.
  const ErrorCode write_error =
      Run(io, [&](auto handler) { http::async_write(stream, req, std::move(handler)); });
  if (write_error == beast::error::timeout) {
    return TransportError("sending the request to", where, write_error);
  }

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  parser.header_limit(64u << 10);
  if (method == "HEAD") parser.skip(true);
  lowest.expires_at(deadline);
  ec = Run(io, [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
  if (ec && write_error) return TransportError("sending the request to", where, write_error);
  if (ec == http::error::body_limit) {
    return base::ResourceExhausted(
        fmt::format("response from {} exceeds {} bytes", where, options.max_response_bytes));
  }
  if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
      ec != http::error::partial_message && ec != http::error::end_of_stream) {
    return base::InvalidArgument(
        fmt::format("malformed response from {}: {}", where, ec.message()));
  }
  if (ec) return TransportError("reading the response from", where, ec);

  // Polite close; the peer may already have gone, which is fine.
  lowest.expires_after(kCloseNotifyWait);
  (void)Run(io, [&](auto handler) { stream.async_shutdown(std::move(handler)); });
  return ToClientResponse(parser.release());
}

}  // namespace hm::api
