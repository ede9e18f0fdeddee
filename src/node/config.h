// Reads hypermeshd's TOML configuration into NodeOptions. Unknown keys, wrong types and
// out-of-range values are errors that name the key; nothing is silently ignored.
// Thread-safety: pure functions plus file reads.
#pragma once

#include <string>

#include "node/options.h"

namespace hm::node {

// Applies the settings in `toml_text` on top of `base` (defaults, or dev defaults).
base::Result<NodeOptions> ParseConfig(std::string_view toml_text, NodeOptions base,
                                      std::string_view source_name = "config");
base::Result<NodeOptions> LoadConfigFile(const std::string& path, NodeOptions base);

// The documented example configuration (written by `hypermeshd --print-config`).
std::string ExampleConfig();

}  // namespace hm::node
