// `hm key gen`, `hm sign`, `hm verify`, `hm kem encap|decap`: local key, signature and KEM tools
// for the classical, post-quantum and hybrid algorithms (file formats in docs/spec/crypto.md).
// They need no node. Exit codes: 0 success (verify: valid), 1 operation failed (verify: invalid),
// 2 usage error. Thread-safety: single-threaded CLI.
#pragma once

#include <CLI/CLI.hpp>

namespace hm::cli {

void AddKeyCommands(CLI::App& app, int& exit_code);

}  // namespace hm::cli
