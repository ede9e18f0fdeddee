// `hm cert issue|renew|revoke|show`: client of the TrustChain CA API
// (docs/spec/trustchain-api.md). The pure helpers below (serials, revocation message, durations,
// the renewal decision, leaf keys and certificates on disk) are exposed for unit tests.
// Exit codes: 0 success, 1 operation failed (node unreachable or refused, bad answer), 2 usage
// error (bad flag, unreadable or mismatched file). Thread-safety: single-threaded CLI.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "cli/cert_support.h"
#include "cli/node_client.h"
#include "crypto/evp_pkey.h"

namespace hm::cli {

void AddCertCommands(CLI::App& app, GlobalFlags& flags, int& exit_code);

}  // namespace hm::cli
