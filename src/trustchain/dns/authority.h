// The authoritative answer engine (docs/spec/dns.md "Authoritative answers"): query bytes in,
// response bytes out, for every transport (UDP, TCP, DoH, DoQ). No I/O, no clock, no threads.
// Thread-safety: Answer, Resolve and Current may run on any number of threads while Publish
// swaps the zone snapshot; the read path takes no lock (one atomic shared_ptr load).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "base/bytes.h"
#include "base/status.h"
#include "trustchain/dns/message.h"
#include "trustchain/dns/zone.h"

namespace hm::trustchain::dns {

// Where a query came from: UDP answers are limited to the client's EDNS size (512 without EDNS);
// TCP and streams (DoH, DoQ) to 65535 octets.
enum class Transport { kUdp, kTcp, kStream };

struct AnswerOptions {
  // Names outside every served zone: kForward instead of REFUSED (Phase-0 bootstrap).
  bool forward_outside_zones = false;
  // Our EDNS UDP payload size (advertised in every OPT and the cap on UDP answers); values below
  // 512 count as 512.
  uint16_t max_udp_payload = 1232;
};

struct AnswerResult {
  enum class Action {
    kReply,    // send out[0, size)
    kDrop,     // send nothing (not a query, or too short to answer)
    kForward,  // the name is outside our zones and forwarding is on: pass the query upstream
  } action = Action::kDrop;
  size_t size = 0;         // bytes written to `out` for kReply
  uint8_t rcode = 0;       // full (extended) rcode of the reply, for metrics and rate limiting
  bool truncated = false;  // TC was set
};

class Authority {
 public:
  // Minimum size of Answer's output buffer.
  static constexpr size_t kMaxResponse = kMaxMessageSize;

  explicit Authority(AnswerOptions options);
  ~Authority();
  Authority(const Authority&) = delete;
  Authority& operator=(const Authority&) = delete;

  // Atomically replaces the snapshot (nullptr: no zones) and pre-builds the wire answers for
  // the common questions about its names (this runs on the caller's thread). The caller keeps
  // serials increasing.
  void Publish(std::shared_ptr<const ZoneSet> zones);
  std::shared_ptr<const ZoneSet> Current() const;

  // Answers one query (a whole DNS message, no TCP length prefix). `out` must hold at least
  // kMaxResponse bytes (HM_CHECKed). Never fails: bad input gets FORMERR or kDrop.
  AnswerResult Answer(base::ByteSpan query, Transport transport, std::span<uint8_t> out) const;

  // Structured answer for the JSON resolve API: the same decision as Answer for a class IN
  // query of qname (header, question, answer, authority and additional sections; REFUSED
  // without AA outside our zones). InvalidArgument for meta qtypes (0, OPT, TKEY, TSIG, IXFR,
  // AXFR), which Answer refuses.
  base::Result<Message> Resolve(const Name& qname, uint16_t qtype) const;

  // The two paths of Answer on their own, for tests that check they give the same bytes and
  // for benchmarks: the full parse-decide-serialize path, and the pre-built answers alone
  // (nullopt when they do not apply to this query).
  AnswerResult AnswerUncached(base::ByteSpan query, Transport transport,
                              std::span<uint8_t> out) const;
  std::optional<AnswerResult> AnswerPrebuilt(base::ByteSpan query, Transport transport,
                                             std::span<uint8_t> out) const;

  // Number of pre-built answers in the current snapshot.
  size_t prebuilt_answers() const;

 private:
  struct Snapshot;

  AnswerResult Slow(const Snapshot& snap, base::ByteSpan query, Transport transport,
                    std::span<uint8_t> out) const;
  bool Fast(const Snapshot& snap, base::ByteSpan query, Transport transport, std::span<uint8_t> out,
            AnswerResult* result) const;

  AnswerOptions options_;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
};

}  // namespace hm::trustchain::dns
