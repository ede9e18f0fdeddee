// A small synchronous HTTPS/1.1 client (TLS 1.3, certificate and host/IP verification) for the
// hm CLI and tests. One request per connection; every failure is a Status, never an exception.
// Thread-safety: HttpsRequest is reentrant; each call uses its own io_context and connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http.h"
#include "base/status.h"

namespace hm::api {

struct ClientOptions {
  std::string host = "::1";  // IPv6 literal (brackets optional) or a DNS name resolving to IPv6
  uint16_t port = 8443;
  std::string ca_file;      // PEM trust anchors; empty = system trust store
  bool verify = true;       // false skips certificate checks (debugging only)
  std::string server_name;  // identity to verify instead of `host`, e.g. "localhost"
  std::chrono::milliseconds timeout{10'000};  // the whole exchange
  uint64_t max_response_bytes = 64u << 20;
};

struct ClientResponse {
  int status = 0;
  std::string content_type;
  HeaderMap headers;
  std::string body;
};

// Errors: kInvalidArgument (IPv4 host, bad target, malformed response), kUnavailable (cannot
// resolve or connect, e.g. "connect to [::1]:8443 failed: Connection refused", or the connection
// broke), kUnauthenticated (certificate verification failed; OpenSSL's reason), kDeadlineExceeded
// (timeout), kResourceExhausted (response larger than max_response_bytes), kIoError (CA file).
base::Result<ClientResponse> HttpsRequest(
    const ClientOptions& options, std::string_view method, std::string_view target,
    std::string_view body = {}, std::string_view content_type = {},
    const std::vector<std::pair<std::string, std::string>>& extra_headers = {});

}  // namespace hm::api
