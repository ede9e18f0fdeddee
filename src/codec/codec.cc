#include "codec/codec.h"

#include <fmt/format.h>

#include "base/check.h"

namespace hm::codec {

using base::InvalidArgument;
using base::Result;
using base::Status;

void Writer::U16(uint16_t v) {
  U8(static_cast<uint8_t>(v >> 8));
  U8(static_cast<uint8_t>(v));
}

void Writer::U32(uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) U8(static_cast<uint8_t>(v >> s));
}

void Writer::U64(uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) U8(static_cast<uint8_t>(v >> s));
}

void Writer::UVarint(uint64_t v) {
  while (v >= 0x80) {
    U8(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  U8(static_cast<uint8_t>(v));
}

void Writer::Bytes(ByteSpan v) {
  UVarint(v.size());
  Fixed(v);
}

void Writer::String(std::string_view v) {
  HM_DCHECK(IsValidUtf8(v));
  Bytes(base::AsBytes(v));
}

Status Reader::Need(size_t n, std::string_view what) const {
  if (remaining() < n) {
    return InvalidArgument(fmt::format("codec: truncated {} at offset {} (need {} bytes, have {})",
                                       what, pos_, n, remaining()));
  }
  return Status::Ok();
}

Result<uint8_t> Reader::U8() {
  HM_TRY(Need(1, "u8"));
  return in_[pos_++];
}

Result<uint16_t> Reader::U16() {
  HM_TRY(Need(2, "u16"));
  uint16_t v = static_cast<uint16_t>((in_[pos_] << 8) | in_[pos_ + 1]);
  pos_ += 2;
  return v;
}

Result<uint32_t> Reader::U32() {
  HM_TRY(Need(4, "u32"));
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | in_[pos_ + i];
  pos_ += 4;
  return v;
}

Result<uint64_t> Reader::U64() {
  HM_TRY(Need(8, "u64"));
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | in_[pos_ + i];
  pos_ += 8;
  return v;
}

Result<uint64_t> Reader::UVarint() {
  uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    HM_TRY(Need(1, "uvarint"));
    const uint8_t b = in_[pos_++];
    if (i == 9 && b > 0x01) return InvalidArgument("codec: uvarint overflows 64 bits");
    v |= uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0) return InvalidArgument("codec: non-minimal uvarint");
      return v;
    }
  }
  return InvalidArgument("codec: uvarint longer than 10 bytes");
}

Result<bool> Reader::Bool() {
  HM_ASSIGN_OR_RETURN(uint8_t b, U8());
  if (b > 1) return InvalidArgument(fmt::format("codec: bool byte {:#04x} is not 0 or 1", b));
  return b == 1;
}

Result<ByteSpan> Reader::Bytes(size_t max_len) {
  HM_ASSIGN_OR_RETURN(uint64_t len, UVarint());
  if (len > max_len) {
    return InvalidArgument(fmt::format("codec: length {} exceeds limit {}", len, max_len));
  }
  return Fixed(static_cast<size_t>(len));
}

Result<std::string> Reader::String(size_t max_len) {
  HM_ASSIGN_OR_RETURN(ByteSpan b, Bytes(max_len));
  std::string s(base::AsString(b));
  if (!IsValidUtf8(s)) return InvalidArgument("codec: string is not valid UTF-8");
  return s;
}

Result<ByteSpan> Reader::Fixed(size_t len) {
  HM_TRY(Need(len, "bytes"));
  ByteSpan out = in_.subspan(pos_, len);
  pos_ += len;
  return out;
}

Result<uint64_t> Reader::Count(size_t max_count, size_t min_element_size) {
  HM_ASSIGN_OR_RETURN(uint64_t n, UVarint());
  if (n > max_count) {
    return InvalidArgument(fmt::format("codec: count {} exceeds limit {}", n, max_count));
  }
  if (min_element_size > 0 && n > remaining() / min_element_size) {
    return InvalidArgument(fmt::format("codec: count {} cannot fit in {} remaining bytes", n,
                                       remaining()));
  }
  return n;
}

Status Reader::Header(uint8_t type_tag, uint8_t version) {
  HM_ASSIGN_OR_RETURN(uint8_t tag, U8());
  if (tag != type_tag) {
    return InvalidArgument(fmt::format("codec: type tag {:#04x}, expected {:#04x}", tag, type_tag));
  }
  HM_ASSIGN_OR_RETURN(uint8_t ver, U8());
  if (ver != version) {
    return InvalidArgument(fmt::format("codec: unsupported version {} (expected {})", ver, version));
  }
  return Status::Ok();
}

Status Reader::Finish() const {
  if (remaining() != 0) {
    return InvalidArgument(fmt::format("codec: {} trailing bytes", remaining()));
  }
  return Status::Ok();
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // continuation bytes missing
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

base::Bytes EncodeU64Value(uint64_t v) {
  Writer w(8);
  w.U64(v);
  return std::move(w).Take();
}

base::Result<uint64_t> DecodeU64Value(ByteSpan bytes) {
  Reader r(bytes);
  HM_ASSIGN_OR_RETURN(uint64_t v, r.U64());
  HM_TRY(r.Finish());
  return v;
}

}  // namespace hm::codec
