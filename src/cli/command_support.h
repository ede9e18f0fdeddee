// Plumbing shared by hm's subcommands: error classes and how a failure is reported (one stderr
// line, exit 1 or 2), field printing for node answers, and the admin token file.
// Thread-safety: stateless functions; the CLI is single-threaded.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/status.h"

namespace hm::cli {

// A usage error (exit 2): InvalidArgument with `message`.
base::Status Usage(std::string message);

// The operation failed (exit 1) while doing `context`: Aborted carrying s.message(). Used for
// node answers too, whose 4xx CallJson reports as InvalidArgument, which would read as exit 2.
base::Status Failed(std::string_view context, const base::Status& s);

// `text` with line breaks turned into spaces, so a report stays on one line.
std::string OneLine(std::string_view text);

// Sets `exit_code`: 0 when ok, 2 for InvalidArgument (usage error), else 1; and prints
// "hm <command>: <message>" to stderr on failure.
void Report(const char* command, const base::Status& s, int& exit_code);

// j[key] as text: strings as they are, other values as JSON, "-" when absent or null.
std::string Str(const nlohmann::json& j, const char* key);

// The node's admin token from `path` (mode 0600 or stricter; surrounding whitespace dropped).
// InvalidArgument when unreadable, empty or more than one line.
base::Result<std::string> ReadAdminToken(const std::string& path);

}  // namespace hm::cli
