#include "api/chain_routes.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "api/errors.h"

namespace hm::api {

using nlohmann::json;

namespace {

json HeaderJson(const chain::BlockHeader& h) {
  return {{"chain_id", h.chain_id},
          {"height", h.height},
          {"hash", base::HexEncode(h.Hash())},
          {"prev_hash", base::HexEncode(h.prev_hash)},
          {"time_ms", h.time_ms},
          {"tx_count", h.tx_count},
          {"tx_root", base::HexEncode(h.tx_root)},
          {"state_root", base::HexEncode(h.state_root)},
          {"proposer", base::HexEncode(h.proposer)}};
}

json TxJson(const chain::Transaction& tx) {
  return {{"hash", base::HexEncode(tx.Hash())},
          {"module", tx.module},
          {"kind", tx.kind},
          {"nonce", tx.nonce},
          {"payload", base::Base64Encode(tx.payload)}};
}

base::Result<uint64_t> ParseU64(std::string_view s, std::string_view what) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return base::InvalidArgument(std::string(what) + " must be a non-negative integer");
  }
  return v;
}

base::Result<chain::Transaction> TxFromJson(const json& j) {
  for (const auto& [key, _] : j.items()) {
    if (key != "module" && key != "kind" && key != "nonce" && key != "payload") {
      return base::InvalidArgument("unknown field '" + key + "'");
    }
  }
  chain::Transaction tx;
  if (!j.contains("module") || !j["module"].is_string()) {
    return base::InvalidArgument("'module' must be a string");
  }
  tx.module = j["module"].get<std::string>();
  if (!j.contains("kind") || !j["kind"].is_number_unsigned()) {
    return base::InvalidArgument("'kind' must be a non-negative integer");
  }
  tx.kind = j["kind"].get<uint64_t>();
  if (j.contains("nonce")) {
    if (!j["nonce"].is_number_unsigned()) {
      return base::InvalidArgument("'nonce' must be a non-negative integer");
    }
    tx.nonce = j["nonce"].get<uint64_t>();
  }
  if (!j.contains("payload") || !j["payload"].is_string()) {
    return base::InvalidArgument("'payload' must be a base64 string");
  }
  auto payload = base::Base64Decode(j["payload"].get<std::string>());
  if (!payload.ok()) return payload.status().WithContext("'payload'");
  tx.payload = std::move(payload).value();
  HM_TRY(tx.Validate());
  return tx;
}

}  // namespace

base::Status RegisterChainRoutes(Router& router, const chain::Chain& chain,
                                 chain::Sequencer& sequencer) {
  HM_TRY(router.Add("GET", "/api/v1/chain/head", [&chain](const Request&) {
    const chain::Head h = chain.head();
    return Response::Json(200, {{"chain_id", chain.genesis().chain_id},
                                {"height", h.height},
                                {"hash", base::HexEncode(h.block_hash)},
                                {"state_root", base::HexEncode(h.state_root)},
                                {"time_ms", h.time_ms}});
  }));
  HM_TRY(router.Add("GET", "/api/v1/blocks/{height}", [&chain](const Request& req) {
    auto height = ParseU64(req.PathParam("height"), "height");
    if (!height.ok()) return ErrorResponse(height.status());
    auto block = chain.GetBlock(*height);
    if (!block.ok()) return ErrorResponse(block.status());
    if (!block->has_value()) {
      return ErrorResponse(base::NotFound("no block at height " + std::to_string(*height)));
    }
    json j = HeaderJson((*block)->header());
    j["transactions"] = json::array();
    for (const auto& tx : (*block)->txs) j["transactions"].push_back(TxJson(tx));
    return Response::Json(200, j);
  }));
  HM_TRY(router.Add("GET", "/api/v1/transactions/{hash}", [&chain](const Request& req) {
    auto hash = base::HexDecode(req.PathParam("hash"));
    if (!hash.ok() || hash->size() != 32) {
      return ErrorResponse(base::InvalidArgument("transaction hash must be 64 hex digits"));
    }
    chain::Digest32 d;
    std::copy(hash->begin(), hash->end(), d.begin());
    auto loc = chain.FindTx(d);
    if (!loc.ok()) return ErrorResponse(loc.status());
    if (!loc->has_value()) return ErrorResponse(base::NotFound("no such transaction"));
    auto block = chain.GetBlock((*loc)->height);
    if (!block.ok() || !block->has_value()) {
      return ErrorResponse(base::Corruption("indexed transaction's block is missing"));
    }
    json j = TxJson((*block)->txs.at((*loc)->index));
    j["height"] = (*loc)->height;
    j["index"] = (*loc)->index;
    return Response::Json(200, j);
  }));
  // Answered from the sequencer's callback once the block is durable: no thread waits.
  return router.AddAsync("POST", "/api/v1/transactions", [&sequencer](const Request& req,
                                                                       Responder respond) {
    auto body = ParseJsonBody(req);
    if (!body.ok()) return respond(ErrorResponse(body.status()));
    auto tx = TxFromJson(*body);
    if (!tx.ok()) return respond(ErrorResponse(tx.status()));
    sequencer.Submit(std::move(tx).value(),
                     [respond = std::move(respond)](base::Result<chain::TxReceipt> receipt) {
                       if (!receipt.ok()) return respond(ErrorResponse(receipt.status()));
                       respond(Response::Json(200, {{"tx_hash", base::HexEncode(receipt->tx_hash)},
                                                    {"height", receipt->height},
                                                    {"index", receipt->index},
                                                    {"output", base::Base64Encode(receipt->output)}}));
                     });
  });
}

}  // namespace hm::api
