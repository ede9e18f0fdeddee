#include "stoq/rpc/builtins.h"

#include <algorithm>

#include "codec/codec.h"

namespace hm::stoq::rpc {
namespace {

constexpr uint64_t kPatternPeriod = 251;

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
  uint64_t v = offset % kPatternPeriod;
  for (uint8_t& b : out) {
    b = static_cast<uint8_t>(v);
    if (++v == kPatternPeriod) v = 0;
  }
}

Bytes EncodeBulkRequestPayload(uint64_t n) { return codec::EncodeU64Value(n); }

}  // namespace hm::stoq::rpc
