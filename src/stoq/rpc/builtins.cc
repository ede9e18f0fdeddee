#include "stoq/rpc/builtins.h"

#include <algorithm>
#include <cstring>

#include "codec/codec.h"

namespace hm::stoq::rpc {
namespace {

void Ping(const Request& request, const std::function<void(Response)>& reply) {
  reply(Response::Ok(request.payload));
}

void Bulk(size_t max_frame_bytes, const Request& request,
          const std::function<void(Response)>& reply) {
  auto n = codec::DecodeU64Value(request.payload);
  if (!n.ok()) {
    reply(ErrorResponse(base::InvalidArgument("stoq.bulk: payload must be a u64 byte count")));
    return;
  }
  // Capped rather than refused: the caller reads the real count from the payload length.
  const uint64_t count = std::min<uint64_t>(*n, MaxResponsePayload(max_frame_bytes));
  Bytes payload(static_cast<size_t>(count));
  FillPattern(0, payload);
  reply(Response::Ok(std::move(payload)));
}

}  // namespace

base::Status RegisterBuiltins(Dispatcher& dispatcher) {
  HM_TRY(dispatcher.Register(kMethodPing, Ping));
  const size_t max_frame_bytes = dispatcher.max_frame_bytes();
  return dispatcher.Register(
      kMethodBulk, [max_frame_bytes](const Request& request, std::function<void(Response)> reply) {
        Bulk(max_frame_bytes, request, reply);
      });
}

void FillPattern(uint64_t offset, std::span<uint8_t> out) {
  // Byte i is (offset + i) mod 251, so the span repeats with period 251: write one period,
  // then copy whole periods, doubling up to a block that stays in cache (~64 KiB).
  const size_t head = std::min<size_t>(out.size(), kPatternPeriod);
  uint64_t v = offset % kPatternPeriod;
  for (size_t i = 0; i < head; ++i) {
    out[i] = static_cast<uint8_t>(v);
    if (++v == kPatternPeriod) v = 0;
  }
  constexpr size_t kBlock = kPatternPeriod * 256;
  size_t filled = head;
  while (filled < out.size()) {
    const size_t n = std::min(std::min(filled, kBlock), out.size() - filled);
    std::memcpy(out.data() + filled, out.data(), n);
    filled += n;
  }
}

Bytes EncodeBulkRequestPayload(uint64_t n) { return codec::EncodeU64Value(n); }

}  // namespace hm::stoq::rpc
