#include "trustchain/dns/server/internal/wire.h"

#include <cstring>

namespace hm::trustchain::dns::internal {

size_t QuestionEnd(base::ByteSpan msg) {
  const unsigned qdcount = msg[4] << 8 | msg[5];
  if (qdcount == 0) return kHeaderSize;
  size_t pos = kHeaderSize;
  size_t name_length = 0;
  while (true) {
    if (pos >= msg.size()) return kHeaderSize;
    const uint8_t len = msg[pos];
    // Pointers (or reserved label types) in a question are not copied: their target may lie
    // outside the part we copy.
    if (len & 0xC0) return kHeaderSize;
    name_length += len + 1;
    if (name_length > 255) return kHeaderSize;
    pos += len + 1;
    if (len == 0) break;
  }
  if (msg.size() - pos < 4) return kHeaderSize;
  return pos + 4;
}

size_t BuildMinimalReply(base::ByteSpan msg, uint8_t rcode, bool tc, std::span<uint8_t> out) {
  if (msg.size() < kHeaderSize || out.size() < kMaxMinimalReply) return 0;
  const size_t qend = QuestionEnd(msg);
  const size_t size = qend;
  std::memcpy(out.data(), msg.data(), size);
  // Byte 2: QR | OPCODE(4) | AA | TC | RD; byte 3: RA | Z | AD | CD | RCODE(4).
  out[2] = static_cast<uint8_t>(0x80 | (msg[2] & 0x78) | (tc ? 0x02 : 0) | (msg[2] & 0x01));
  out[3] = static_cast<uint8_t>((msg[3] & 0x10) | (rcode & 0x0F));
  out[4] = 0;
  out[5] = qend > kHeaderSize ? 1 : 0;
  std::memset(out.data() + 6, 0, 6);
  return size;
}

}  // namespace hm::trustchain::dns::internal
