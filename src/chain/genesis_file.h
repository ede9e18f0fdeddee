// genesis.json: reading, validating and writing the genesis file (docs/spec/chain.md).
// Thread-safety: pure functions plus file I/O.
#pragma once

#include <string>

#include "chain/types.h"

namespace hm::chain {

// Parses genesis JSON; errors name the offending field.
base::Result<Genesis> ParseGenesisJson(std::string_view text);
std::string GenesisToJson(const Genesis& genesis);

base::Result<Genesis> LoadGenesisFile(const std::string& path);
// Writes atomically (temp file + rename); fails if `path` exists.
base::Status WriteGenesisFile(const std::string& path, const Genesis& genesis);

}  // namespace hm::chain
