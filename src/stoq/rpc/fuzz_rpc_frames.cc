// libFuzzer target: untrusted stream bytes through the STOQ RPC FrameReader (in input-dependent
// chunks), the strict Request/Response frame decoders and the Dispatcher with the built-ins.
// Checks: nothing crashes; anything that decodes re-encodes to the same bytes; the reader yields
// exactly the input when the input is one valid frame; every call answers with one valid frame.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base/check.h"
#include "stoq/rpc/builtins.h"
#include "stoq/rpc/dispatcher.h"
#include "stoq/rpc/frame_reader.h"
#include "stoq/rpc/messages.h"

namespace {

using hm::base::Bytes;
using hm::base::ByteSpan;
namespace rpc = hm::stoq::rpc;

// Small, so stoq.bulk answers stay cheap; still exercises the cap.
constexpr size_t kMaxFrame = 64 << 10;

const rpc::Dispatcher& TheDispatcher() {
  static const rpc::Dispatcher* dispatcher = [] {
    auto* d = new rpc::Dispatcher(kMaxFrame);
    HM_CHECK_OK(rpc::RegisterBuiltins(*d));
    return d;
  }();
  return *dispatcher;
}

bool SameBytes(const Bytes& a, ByteSpan b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan in(data, size);

  // Chunk size from the input length, so seeds stay plain frames.
  rpc::FrameReader reader(kMaxFrame);
  const size_t chunk = 1 + size % 7;
  bool fed = true;
  for (size_t pos = 0; pos < size && fed; pos += chunk) {
    fed = reader.Feed(in.subspan(pos, std::min(chunk, size - pos))).ok();
  }
  const bool finished = fed && reader.Finish().ok();
  auto frame = reader.Next();
  if (finished) {
    HM_CHECK(frame.has_value() && SameBytes(*frame, in));
    HM_CHECK(!reader.Next().has_value());
  }

  if (auto request = rpc::DecodeRequestFrame(in, kMaxFrame); request.ok()) {
    HM_CHECK(finished);
    auto again = rpc::EncodeRequestFrame(*request, kMaxFrame);
    HM_CHECK(again.ok() && SameBytes(*again, in));
  }
  if (auto response = rpc::DecodeResponseFrame(in, kMaxFrame); response.ok()) {
    HM_CHECK(finished);
    auto again = rpc::EncodeResponseFrame(*response, kMaxFrame);
    HM_CHECK(again.ok() && SameBytes(*again, in));
  }

  int answers = 0;
  TheDispatcher().Handle(in, [&answers](Bytes response_frame) {
    ++answers;
    HM_CHECK(response_frame.size() <= kMaxFrame + rpc::kFrameHeaderBytes);
    HM_CHECK(rpc::DecodeResponseFrame(response_frame, kMaxFrame).ok());
  });
  HM_CHECK(answers == 1);  // the built-ins answer synchronously
  return 0;
}
