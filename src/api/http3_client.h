// A small blocking HTTP/3 client (nghttp3 over a stoq::Client QUIC connection) for `hm get --h3`
// and tests: one request per connection, ALPN "h3", IPv6 only.
// Thread-safety: Http3Fetch is reentrant; each call owns its socket, connection and nghttp3 state
// and runs on the calling thread (on_body is called on that thread too).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::api {

struct Http3FetchOptions {
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;  // names are sent lowercased
  std::string body;
  std::string
      ca_file;  // verify the server against this PEM bundle; empty + insecure=false -> error
  bool insecure = false;                     // skip verification (tests, dev)
  std::string server_name;                   // override SNI/verified name (default: the URL's host)
  std::chrono::milliseconds timeout{30000};  // the whole exchange, handshake included
  uint64_t max_body_bytes = 1ull << 31;      // larger response bodies -> kResourceExhausted
  std::function<void(base::ByteSpan)> on_body;  // if set, body bytes are streamed here, not kept
};

struct Http3Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // as received (lowercase names)
  std::string body;                                          // empty when on_body was set
};

// The parts of an "https://host[:port]/path?query" URL a request needs.
struct HttpsUrl {
  std::string host;  // name or IPv6 literal, without brackets
  uint16_t port = 443;
  std::string authority;  // for :authority / Host: "[::1]:8443", "example.org"
  std::string target;     // origin-form: "/path?query" ("/" when the URL has no path)
};

// Strict parser. kInvalidArgument naming the problem: not https (http:// is refused as HTTP/3
// and our HTTPS client need TLS), userinfo, empty or malformed host, unbracketed IPv6, bad port,
// control characters or spaces; an IPv4 literal gets net::Ipv4NotSupported. A fragment is dropped.
base::Result<HttpsUrl> ParseHttpsUrl(std::string_view url);

// "H3_REQUEST_CANCELLED" for 0x10c; "" for codes outside RFC 9114 section 8.1.
std::string_view H3ErrorName(uint64_t code);

// Performs one request. Any HTTP status is a successful result. Errors: kInvalidArgument (URL,
// options, CA file), kUnavailable (name does not resolve; handshake failed, naming the TLS alert
// or the peer's close reason; the server reset the stream, naming the H3 error code; the
// connection closed early), kDeadlineExceeded (nothing within `timeout`), kResourceExhausted
// (body larger than max_body_bytes).
base::Result<Http3Response> Http3Fetch(const std::string& url, const Http3FetchOptions& options);

}  // namespace hm::api
