// `hm get URL`: fetches an https:// URL and writes the body to stdout (binary-safe) or, with -o,
// atomically to a file (FILE.tmp, then rename). --h3 uses HTTP/3 over QUIC (api::Http3Fetch);
// without it the request goes over HTTPS/TCP (api::HttpsRequest). Exit codes: 0 for a 2xx
// answer, 1 for any other HTTP status (the body is still written), 2 usage error (flags, URL,
// unreadable CA file, unwritable output path), 3 the fetch failed (transport, TLS, timeout,
// size limit, writing the output); messages go to stderr and start with "hm get: ".
// Thread-safety: single-threaded CLI.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "cli/node_client.h"

namespace hm::cli {

struct GetOptions {
  std::string url;
  bool h3 = false;
  std::string cacert;     // empty: the global --cacert/$HM_CACERT/dev root, else the system store
  bool insecure = false;  // -k: skip certificate verification
  std::string output;     // -o FILE; empty: stdout
  bool include = false;   // -i: status line and headers before the body (on `out`)
  double timeout_s = 30;  // the whole exchange
};

void AddGetCommand(CLI::App& app, GlobalFlags& flags, int& exit_code);

// Runs one `hm get`: body (and with `include` the head) to `out`, messages to `err`.
// `default_cacert` is used when options.cacert is empty. Returns the exit code.
int RunGet(const GetOptions& options, const std::string& default_cacert, std::FILE* out,
           std::FILE* err);

}  // namespace hm::cli
