// REST routes over the chain: submit a transaction (answered once its block is durable), and read
// the head, blocks and transactions. Thread-safety: handlers run concurrently on handler threads;
// Chain reads and Sequencer::Submit are thread-safe.
#pragma once

#include "api/router.h"
#include "chain/sequencer.h"

namespace hm::api {

//   GET  /api/v1/chain/head
//   GET  /api/v1/blocks/{height}
//   GET  /api/v1/transactions/{hash}
//   POST /api/v1/transactions   {"module", "kind", "nonce", "payload": base64} -> receipt
base::Status RegisterChainRoutes(Router& router, const chain::Chain& chain,
                                 chain::Sequencer& sequencer);

}  // namespace hm::api
