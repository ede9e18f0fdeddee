// libFuzzer entry for the STOQ post-quantum channel (docs/spec/stoq-pq.md): arbitrary stream
// bytes go to MessageReader and the four decoders (whatever decodes must re-encode to the same
// bytes), then to a server and to a client state machine. Both are set up exactly as in
// testing/pq_fixture.h, so the seeds in fuzz/corpus/stoq_pq/ carry them through every state.
// Nothing may crash; every outcome is a Status.
#include <cstddef>
#include <cstdint>

#include "base/check.h"
#include "base/random.h"
#include "stoq/pq/handshake.h"
#include "stoq/pq/messages.h"
#include "stoq/pq/testing/pq_fixture.h"

namespace {

namespace pq = hm::stoq::pq;
using hm::base::Bytes;
using hm::base::ByteSpan;

template <typename Decode, typename Encode>
void CheckRoundTrip(const pq::Frame& frame, Decode decode, Encode encode) {
  auto m = decode(frame.body());
  if (m.ok()) HM_CHECK(encode(*m) == frame.bytes);
}

void ReadFrames(ByteSpan data) {
  pq::MessageReader reader;
  reader.Feed(data);
  while (true) {
    auto next = reader.Next();
    if (!next.ok() || !next->has_value()) return;
    const pq::Frame& frame = **next;
    HM_CHECK(frame.bytes.size() <= pq::kFrameHeaderSize + pq::kMaxBodySize);
    switch (frame.type) {
      case pq::MessageType::kClientHello:
        CheckRoundTrip(frame, pq::DecodeClientHello, pq::EncodeClientHello);
        break;
      case pq::MessageType::kServerHello:
        CheckRoundTrip(frame, pq::DecodeServerHello, pq::EncodeServerHello);
        break;
      case pq::MessageType::kClientFinish:
        CheckRoundTrip(frame, pq::DecodeClientFinish, pq::EncodeClientFinish);
        break;
      case pq::MessageType::kServerConfirm:
        CheckRoundTrip(frame, pq::DecodeServerConfirm, pq::EncodeServerConfirm);
        break;
    }
  }
}

// After any run: done and failed exclude each other, and a secret exists exactly when done.
void CheckOutcome(pq::Handshake& h) {
  HM_CHECK(!(h.done() && h.failure().has_value()));
  HM_CHECK(h.pq_secret().size() == (h.done() ? 32u : 0u));
  (void)h.OnStreamEnd();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan input(data, size);
  const pq::testing::Fixture& f = pq::testing::Fixed();
  ReadFrames(input);
  {
    hm::base::SeededRandom random(pq::testing::kServerRandomSeed);
    pq::ServerHandshake server(f.exporter, f.server.signing_key,
                               pq::testing::AcceptAs(f.client.public_key), {}, random);
    (void)server.OnBytes(input);
    CheckOutcome(server);
  }
  {
    hm::base::SeededRandom random(pq::testing::kClientRandomSeed);
    pq::ClientHandshake client(f.exporter, f.client.signing_key,
                               pq::testing::AcceptAs(f.server.public_key), {}, random);
    HM_CHECK_OK(client.Start().status());
    // Two pieces, so partial frames are exercised too.
    const size_t cut = size / 2;
    if (client.OnBytes(input.first(cut)).ok()) (void)client.OnBytes(input.subspan(cut));
    CheckOutcome(client);
  }
  return 0;
}
