// Feeds arbitrary stream events to the DNS over QUIC server application (stoq/doq.h) through a
// fake connection: stream bytes with or without FIN on any stream type, partial writes of the
// responses, acks, closes, resets, STOP_SENDING and flow-control blocking. Input: records of
// [u8 op][u8 stream][u16 length][bytes]. op & 7 picks the event, op & 8 is FIN / write_shut;
// stream selects the stream ID (its low two bits are the QUIC stream type). Checks: a failed
// callback recorded DOQ_PROTOCOL_ERROR, nothing is offered after it, and every chunk offered is
// readable (ASan) and is a length prefix plus that many bytes.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "stoq/doq.h"

namespace {

using namespace hm;

struct Control final : stoq::DoqStreamControl {
  uint64_t error = 0;
  bool error_set = false;
  void ExtendStreamWindow(int64_t, size_t) override {}
  void ResetStream(int64_t, uint64_t) override {}
  void SetApplicationError(uint64_t code, std::string) override {
    error = code;
    error_set = true;
  }
};

// Echoes the query with QR set; the first payload byte after the header steers drops,
// rejections, big and out-of-range answers.
stoq::DoqAnswer Answer(base::ByteSpan query, std::span<uint8_t> out) {
  const uint8_t steer = query.size() > 12 ? query[12] : 0;
  switch (steer) {
    case 0xf0:
      return {stoq::DoqAnswer::Action::kDrop, 0, {}};
    case 0xf1:
      return {stoq::DoqAnswer::Action::kReject, 0, "fuzz rejects"};
    case 0xf2:  // out-of-range sizes are an internal error, never sent
      return {stoq::DoqAnswer::Action::kReply, query.size() % 2 ? 0 : out.size() + 1, {}};
    case 0xf3:
      std::fill(out.begin(), out.end(), 0x5a);
      return {stoq::DoqAnswer::Action::kReply, out.size(), {}};
    default:
      break;
  }
  std::copy(query.begin(), query.end(), out.begin());
  out[2] |= 0x80;
  return {stoq::DoqAnswer::Action::kReply, query.size(), {}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Control control;
  stoq::DoqApplication app(control, Answer);
  std::map<int64_t, size_t> offered;  // bytes of each response handed out so far
  size_t i = 0;
  while (i + 4 <= size) {
    const uint8_t op = data[i];
    const int64_t stream = data[i + 1];
    const size_t len = std::min<size_t>((size_t{data[i + 2]} << 8) | data[i + 3], size - i - 4);
    const base::ByteSpan payload(data + i + 4, len);
    i += 4 + len;
    const bool flag = (op & 8) != 0;
    base::Status s;
    switch (op & 7) {
      case 0:
        s = app.OnStreamData(stream, payload, flag);
        break;
      case 1: {
        stoq::StreamChunk c;
        s = app.NextChunk(&c);
        if (!s.ok() || c.stream_id < 0) break;
        if (c.count != 1 || c.vecs[0].len == 0 || c.vecs[0].len > 2 + stoq::kDoqMaxMessage) {
          std::abort();
        }
        const uint8_t* p = c.vecs[0].base;
        unsigned sum = 0;
        for (size_t k = 0; k < c.vecs[0].len; ++k) sum += p[k];  // readable?
        size_t& done = offered[c.stream_id];
        if (done == 0 && size_t{2} + ((p[0] << 8) | p[1]) != c.vecs[0].len) std::abort();
        const size_t n = std::min<size_t>(c.vecs[0].len, len == 0 ? (sum % 1500) : len);
        done += n;
        s = app.OnChunkWritten(c.stream_id, n);
        break;
      }
      case 2:
        s = app.OnStreamClose(stream, 0);
        offered.erase(stream);
        break;
      case 3:
        s = app.OnStreamReset(stream, len);
        break;
      case 4:
        s = app.OnStopSending(stream, len);
        break;
      case 5:
        app.OnStreamBlocked(stream, flag);
        break;
      case 6:
        app.OnStreamWritable(stream);
        break;
      default:
        s = app.OnStreamAcked(stream, len);
        break;
    }
    if (!s.ok()) {
      // The connection closes here; the error it closes with must be DoQ's.
      if (!control.error_set || control.error != stoq::doq_error::kProtocolError) std::abort();
      return 0;
    }
    if (control.error_set) std::abort();  // an error recorded but not reported
  }
  return 0;
}
