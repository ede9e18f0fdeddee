// `hm stoq ping|bench`: node-to-node RPC over QUIC (ALPN stoq/1) with the post-quantum channel.
// The client presents a TrustChain certificate with a Falcon-1024 key (by default the local dev
// node's own: ./hm-data/tls/cert.pem, keys/tls_ecdsa_p256.pem, keys/node_falcon1024.pem) and accepts a
// server whose chain verifies to the given roots (default ./hm-data/tls/root.pem).
// Exit codes: 0 success, 1 failure (unreachable, refused, wrong answer), 2 usage error.
// Thread-safety: single-threaded CLI.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "base/status.h"
#include "stoq/channel/rpc_client.h"

namespace hm::cli {

struct StoqIdentity {
  std::string data_dir = "hm-data";
  std::string cert, key, falcon_key, roots;  // empty: under data_dir
  std::string server_name;                   // empty: the target's host
};

// "[::1]:8443", "host:port" or "host" (port 8443) into transport options with our identity:
// TLS client certificate, Falcon key, and a verifier against the roots. Errors name the file.
base::Result<stoq::channel::RpcClientOptions> StoqClientOptions(const std::string& target,
                                                                const StoqIdentity& identity);

void AddStoqCommands(CLI::App& app, int& exit_code);

}  // namespace hm::cli
