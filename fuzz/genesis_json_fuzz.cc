// genesis.json parsing: never crashes or throws, whatever the JSON.
#include "chain/genesis_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto g = hm::chain::ParseGenesisJson(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)g;
  return 0;
}
