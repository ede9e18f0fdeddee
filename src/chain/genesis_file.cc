#include "chain/genesis_file.h"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "crypto/key_file.h"

namespace hm::chain {

using base::InvalidArgument;
using base::Result;
using nlohmann::json;

Result<Genesis> ParseGenesisJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("genesis: not a JSON object");
  for (const auto& [key, _] : j.items()) {
    if (key != "chain_id" && key != "genesis_time_ms" && key != "proposer" &&
        key != "module_params") {
      return InvalidArgument("genesis: unknown field '" + key + "'");
    }
  }
  Genesis g;
  if (!j.contains("chain_id") || !j["chain_id"].is_string()) {
    return InvalidArgument("genesis: 'chain_id' must be a string");
  }
  g.chain_id = j["chain_id"].get<std::string>();
  if (!j.contains("genesis_time_ms") || !j["genesis_time_ms"].is_number_unsigned()) {
    return InvalidArgument("genesis: 'genesis_time_ms' must be a non-negative integer");
  }
  g.genesis_time_ms = j["genesis_time_ms"].get<uint64_t>();
  const json* p = j.contains("proposer") ? &j["proposer"] : nullptr;
  if (p == nullptr || !p->is_object() || !p->contains("alg") || !(*p)["alg"].is_string() ||
      !p->contains("public_key") || !(*p)["public_key"].is_string()) {
    return InvalidArgument("genesis: 'proposer' must be {\"alg\": ..., \"public_key\": base64}");
  }
  const std::string alg = (*p)["alg"].get<std::string>();
  if (alg == "ed25519") {
    g.proposer_sig_alg = SigAlg::kEd25519;
  } else if (alg == "falcon1024") {
    g.proposer_sig_alg = SigAlg::kFalcon1024;
  } else {
    return InvalidArgument("genesis: proposer.alg '" + alg + "' is not ed25519 or falcon1024");
  }
  auto key = base::Base64Decode((*p)["public_key"].get<std::string>());
  if (!key.ok()) return key.status().WithContext("genesis: proposer.public_key");
  g.proposer_public_key = std::move(key).value();
  if (j.contains("module_params")) {
    const json& mp = j["module_params"];
    if (!mp.is_object()) {
      return InvalidArgument("genesis: 'module_params' must be an object {module: base64}");
    }
    for (const auto& [name, value] : mp.items()) {  // nlohmann orders object keys
      if (!value.is_string()) {
        return InvalidArgument("genesis: module_params." + name + " must be a base64 string");
      }
      auto bytes = base::Base64Decode(value.get<std::string>());
      if (!bytes.ok()) return bytes.status().WithContext("genesis: module_params." + name);
      g.module_params.push_back({name, std::move(bytes).value()});
    }
  }
  HM_TRY(g.Validate().WithContext("genesis"));
  return g;
}

std::string GenesisToJson(const Genesis& g) {
  json j = {{"chain_id", g.chain_id},
            {"genesis_time_ms", g.genesis_time_ms},
            {"proposer",
             {{"alg", std::string(SigAlgName(g.proposer_sig_alg))},
              {"public_key", base::Base64Encode(g.proposer_public_key)}}}};
  if (!g.module_params.empty()) {
    json mp = json::object();
    for (const auto& p : g.module_params) mp[p.module] = base::Base64Encode(p.params);
    j["module_params"] = std::move(mp);
  }
  return j.dump(2) + "\n";
}

Result<Genesis> LoadGenesisFile(const std::string& path) {
  HM_ASSIGN_OR_RETURN(auto bytes, crypto::ReadFile(path));
  auto g = ParseGenesisJson(base::AsString(bytes));
  if (!g.ok()) return g.status().WithContext(path);
  return g;
}

base::Status WriteGenesisFile(const std::string& path, const Genesis& genesis) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return base::AlreadyExists(path + " already exists");
  return crypto::WritePublicFile(path, base::AsBytes(GenesisToJson(genesis)));
}

}  // namespace hm::chain
