// Built-in STOQ RPC methods every node serves (docs/spec/stoq-rpc.md "Built-in methods"):
// "stoq.ping" (echo) and "stoq.bulk" (n bytes of the bulk pattern), and the pattern generator the
// caller uses to verify what it received. Thread-safety: pure functions; the handlers are
// stateless and may run concurrently.
#pragma once

#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/status.h"
#include "stoq/rpc/dispatcher.h"

namespace hm::stoq::rpc {

inline constexpr char kMethodPing[] = "stoq.ping";
inline constexpr char kMethodBulk[] = "stoq.bulk";

// Registers stoq.ping and stoq.bulk. Errors: kAlreadyExists if either is registered already.
base::Status RegisterBuiltins(Dispatcher& dispatcher);

// The bulk pattern repeats every kPatternPeriod bytes.
inline constexpr uint64_t kPatternPeriod = 251;

// Fills out[i] with the bulk pattern byte at position offset + i, i.e. (offset + i) mod 251.
void FillPattern(uint64_t offset, std::span<uint8_t> out);

// Request payload of stoq.bulk: n as 8 big-endian bytes.
Bytes EncodeBulkRequestPayload(uint64_t n);

}  // namespace hm::stoq::rpc
