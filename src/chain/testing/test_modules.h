// Modules for tests and benchmarks of the chain itself (not linked into the daemon).
// NoopModule accepts everything and writes nothing. CounterModule keeps counters so that state,
// and so the state root, changes with every transaction: kind 1 increments the counter named by
// the payload and a global total; kind 2 is always rejected by Apply; other kinds fail Check.
// Thread-safety: as Module.
#pragma once

#include "chain/module.h"

namespace hm::chain::testing {

class NoopModule final : public Module {
 public:
  std::string_view Name() const override { return "noop"; }
  base::Status Check(const Transaction&) const override { return base::Status::Ok(); }
  base::Result<Bytes> Apply(const Transaction&, const BlockContext&, ModuleState&) override {
    return Bytes{};
  }
};

class CounterModule final : public Module {
 public:
  static constexpr uint64_t kIncrement = 1;
  static constexpr uint64_t kAlwaysFails = 2;

  std::string_view Name() const override { return "counter"; }
  base::Status Check(const Transaction& tx) const override;
  base::Result<Bytes> Apply(const Transaction& tx, const BlockContext& ctx,
                            ModuleState& state) override;
  base::Status InitGenesis(const Genesis& genesis, ModuleState& state) override;

  static Transaction Increment(std::string_view counter, uint64_t nonce);
  // Reads a counter value (8-byte big-endian) from committed state; 0 if absent.
  static uint64_t Decode(const std::optional<Bytes>& value);
};

}  // namespace hm::chain::testing
