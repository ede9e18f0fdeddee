// The RFC 6962 §4 HTTP API of the CT log (docs/spec/ct.md) on an api::Router: add-chain and
// add-pre-chain submit add_entry transactions and answer with an SCT once the block is durable;
// the GET routes answer from committed state through CtLogReader. Thread-safety: handlers run
// concurrently from any thread; the STH cache and the duplicate index are internally locked.
#pragma once

#include <chrono>
#include <openssl/types.h>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "api/router.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"
#include "chain/chain.h"
#include "chain/sequencer.h"
#include "trustchain/ct/ct_module.h"
#include "trustchain/ct/log_entry.h"
#include "trustchain/ct/signing.h"

namespace hm::trustchain::ct {

struct CtRouteOptions {
  // DER roots: get-roots returns them; a submitted chain must end at or be signed by one.
  std::vector<Bytes> accepted_roots_der;
  // SCT and STH timestamps. Must outlive the routes.
  const base::Clock* clock = nullptr;
  // How stale a served STH may be (a new one is signed at once when the tree grew).
  std::chrono::milliseconds max_merge_delay{1000};
  size_t max_chain_length = 10;           // certificates in a submitted chain, root included
  size_t max_entries_per_request = 1000;  // get-entries cap (RFC 6962 allows fewer)
  uint64_t max_body_bytes = 1u << 20;     // add-chain / add-pre-chain request bodies

  // InvalidArgument naming the option (including a root that is not one DER certificate).
  base::Status Validate() const;
};

// Checks submitted chains against the accepted roots and builds their log entries (what
// EntryFromChain documents). Keeps the roots parsed and remembers (bounded) issuer-side chain
// suffixes already verified up to a root, so a chain through a known intermediate costs one
// certificate parse and one signature check. Thread-safety: Entry may run concurrently.
class ChainChecker {
 public:
  // InvalidArgument if a root is not one DER certificate.
  static base::Result<std::shared_ptr<ChainChecker>> Create(std::vector<Bytes> roots_der);
  ~ChainChecker();
  base::Result<LogEntry> Entry(std::span<const Bytes> chain, bool precert,
                               size_t max_chain_length) const;

 private:
  // Index of the accepted root that a chain's last certificate is, or is signed by.
  struct RootMatch {
    size_t index;
    bool included;  // the last certificate is the root itself
  };
  struct Verified;
  explicit ChainChecker(std::vector<Bytes> roots_der);
  std::optional<RootMatch> FindRoot(ByteSpan last_der, X509* last) const;
  base::Result<Verified> VerifySuffix(std::span<const Bytes> chain, size_t from) const;

  static constexpr size_t kMaxVerified = 256;
  const std::vector<Bytes> roots_der_;
  std::vector<std::shared_ptr<X509>> roots_;  // parsed once, read-only afterwards
  mutable std::mutex mu_;
  mutable std::map<Digest32, Verified> verified_;  // guarded by mu_
};

// The entry a submitted chain logs, with timestamp 0 (the caller stamps it). `chain` is leaf
// first. `precert`: the leaf must carry the critical poison extension and the entry is
// issuer_key_hash + TBS without the poison; otherwise the leaf must not carry it.
// extra_data is the RFC 6962 get-entries encoding of the rest of the chain, ending at the root
// (appended when the submitter left it out). InvalidArgument with the reason for anything wrong.
base::Result<LogEntry> EntryFromChain(std::span<const Bytes> chain, bool precert,
                                      std::span<const Bytes> accepted_roots_der,
                                      size_t max_chain_length);

// RFC 6962 PrecertChainEntry (the extra_data of a precert entry): the precertificate, then the
// chain up to and including the root (`chain_to_root`, issuer first).
Bytes PrecertChainExtraData(ByteSpan precert_der, std::span<const ByteSpan> chain_to_root);

//   POST /ct/v1/add-chain, /ct/v1/add-pre-chain, /api/v1/ct/submit (= add-chain)
//   GET  /ct/v1/get-sth, get-sth-consistency, get-proof-by-hash, get-entries, get-roots,
//        get-entry-and-proof
// Everything passed by reference must outlive the router. Errors: options.Validate(), and the
// router's (a route already registered).
base::Status RegisterCtRoutes(api::Router& router, chain::Sequencer& sequencer, const CtLogReader& reader,
                              const LogSigner& signer, CtRouteOptions options);

}  // namespace hm::trustchain::ct
