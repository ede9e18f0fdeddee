// Shared plumbing of hm's subcommands: the global --node/--cacert flags and one HTTPS call to a
// node that turns every failure into a message for the terminal. Thread-safety: single-threaded CLI.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "api/http_client.h"
#include "base/status.h"

namespace hm::cli {

struct GlobalFlags {
  std::string node;    // "[::1]:8443" or "https://[::1]:8443"
  std::string cacert;  // PEM file; empty = system trust store
  bool json = false;
};

// Fills defaults: $HM_NODE or [::1]:8443; $HM_CACERT, else ./hm-data/tls/root.pem (the dev
// node's TrustChain root) when present.
void ApplyDefaults(GlobalFlags& flags);

base::Result<api::ClientOptions> ClientOptionsFor(const GlobalFlags& flags);

// GET/POST and decode a JSON answer; a non-2xx answer becomes a Status carrying the node's
// {code, message}. `headers` are sent as given (e.g. Authorization).
base::Result<nlohmann::json> CallJson(
    const GlobalFlags& flags, std::string_view method, std::string_view target,
    std::string_view body = {},
    const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace hm::cli
