// The Module interface every service implements to own replicated state (TrustChain, DNS, ...).
// check: stateless validation; apply: deterministic execution (no clock, randomness or I/O; time
// and identity come from BlockContext); commit: notification after the block is durable.
// Thread-safety: Check may be called from any thread concurrently; Apply/InitGenesis/Commit are
// called only from the chain's single writer (the sequencer thread), one block at a time.
#pragma once

#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "chain/types.h"

namespace hm::chain {

struct BlockContext {
  std::string_view chain_id;
  uint64_t height = 0;
  uint64_t time_ms = 0;
  Digest32 prev_hash{};
  Digest32 proposer{};
};

// A module's view of state while it applies a transaction: reads see every earlier write of this
// block (and of this transaction). Keys are the module's own; the chain adds the module prefix.
class ModuleState {
 public:
  virtual ~ModuleState() = default;
  virtual base::Result<std::optional<Bytes>> Get(ByteSpan key) const = 0;
  // Read-only view of another module's state at the same point (committed state plus this
  // block's writes so far), e.g. the dns module reading the ca module's certificate records.
  // Deterministic like Get. Writes always go to the module's own state.
  virtual base::Result<std::optional<Bytes>> GetOther(std::string_view module,
                                                      ByteSpan key) const = 0;
  virtual void Put(ByteSpan key, ByteSpan value) = 0;
  virtual void Delete(ByteSpan key) = 0;
};

class Module {
 public:
  virtual ~Module() = default;

  // Unique, matches Transaction::module; [a-z0-9_-]{1,32}.
  virtual std::string_view Name() const = 0;

  // Stateless validation before a transaction is queued: payload format, signatures.
  // A rejection is kInvalidArgument / kUnauthenticated / kPermissionDenied with the reason.
  virtual base::Status Check(const Transaction& tx) const = 0;

  // Executes `tx` against `state`. Must be deterministic. A non-OK result rejects the transaction:
  // its writes are discarded and it is not included in the block. The returned bytes are handed
  // to the submitter (e.g. an issued certificate's serial); they are not part of consensus.
  virtual base::Result<Bytes> Apply(const Transaction& tx, const BlockContext& ctx,
                                    ModuleState& state) = 0;

  // Writes the module's initial state at genesis (height 0).
  virtual base::Status InitGenesis(const Genesis& /*genesis*/, ModuleState& /*state*/) {
    return base::Status::Ok();
  }

  // Called after the block at `header.height` is durable, in height order. For caches and
  // notifications; must not fail.
  virtual void Commit(const BlockHeader& /*header*/) {}
};

}  // namespace hm::chain
