// Just enough DNS wire handling for the transport: header ID access and minimal replies built
// from a query's header and first question (TC=1 slips, SERVFAIL, REFUSED). Does not depend on
// the full codec so the hot path never parses a whole message.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"

namespace hm::trustchain::dns::internal {

inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxMessageSize = 65535;
// Largest UDP payload over IPv6 without jumbograms (65535 - 8 octets of UDP header).
inline constexpr size_t kMaxUdpPayload = 65527;
// Header + longest name + QTYPE + QCLASS.
inline constexpr size_t kMaxMinimalReply = kHeaderSize + 255 + 4;

inline constexpr uint8_t kRcodeNoError = 0;
inline constexpr uint8_t kRcodeServFail = 2;
inline constexpr uint8_t kRcodeRefused = 5;

inline uint16_t ReadId(base::ByteSpan msg) { return static_cast<uint16_t>(msg[0] << 8 | msg[1]); }
inline void WriteId(std::span<uint8_t> msg, uint16_t id) {
  msg[0] = static_cast<uint8_t>(id >> 8);
  msg[1] = static_cast<uint8_t>(id);
}

// Offset just past the first question (name, QTYPE, QCLASS), or kHeaderSize when there is no
// usable question: QDCOUNT 0, a malformed or compressed name, or a cut-off question.
// Requires msg.size() >= kHeaderSize.
size_t QuestionEnd(base::ByteSpan msg);

// Writes a reply carrying `msg`'s ID, OPCODE, RD and CD, QR=1, the given TC and RCODE, and a
// copy of the first question (QDCOUNT 0 or 1, no other records). Returns its size, or 0 when
// `msg` is shorter than a header. `out` must hold kMaxMinimalReply octets.
size_t BuildMinimalReply(base::ByteSpan msg, uint8_t rcode, bool tc, std::span<uint8_t> out);

}  // namespace hm::trustchain::dns::internal
