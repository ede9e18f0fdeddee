// The canonical binary encoding (docs/spec/encoding.md): one encoding per value, strict decoding.
// Writer builds bytes; Reader consumes them and rejects anything the Writer would not produce.
// Thread-safety: value types; use one instance per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::codec {

using base::ByteSpan;
using base::Bytes;

inline constexpr uint8_t kVersion1 = 1;

class Writer {
 public:
  Writer() = default;
  explicit Writer(size_t reserve) { out_.reserve(reserve); }

  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v);
  void U32(uint32_t v);
  void U64(uint64_t v);
  void UVarint(uint64_t v);
  void Bool(bool v) { U8(v ? 1 : 0); }
  // Length-prefixed byte string.
  void Bytes(ByteSpan v);
  // Length-prefixed UTF-8 string. The caller guarantees valid UTF-8 (checked in debug builds).
  void String(std::string_view v);
  // Raw bytes with no length prefix (fixed-size fields).
  void Fixed(ByteSpan v) { out_.insert(out_.end(), v.begin(), v.end()); }
  // Type tag and version that open every top-level object.
  void Header(uint8_t type_tag, uint8_t version = kVersion1) {
    U8(type_tag);
    U8(version);
  }

  const base::Bytes& bytes() const& { return out_; }
  base::Bytes Take() && { return std::move(out_); }
  size_t size() const { return out_.size(); }

 private:
  base::Bytes out_;
};

class Reader {
 public:
  explicit Reader(ByteSpan in) : in_(in) {}

  base::Result<uint8_t> U8();
  base::Result<uint16_t> U16();
  base::Result<uint32_t> U32();
  base::Result<uint64_t> U64();
  base::Result<uint64_t> UVarint();
  base::Result<bool> Bool();
  // Length-prefixed bytes of at most `max_len` bytes; the view aliases the input.
  base::Result<ByteSpan> Bytes(size_t max_len);
  base::Result<std::string> String(size_t max_len);
  base::Result<ByteSpan> Fixed(size_t len);
  // A list count of at most `max_count`; also rejects counts that could not fit in what is left
  // given each element needs at least `min_element_size` bytes.
  base::Result<uint64_t> Count(size_t max_count, size_t min_element_size = 1);
  // Reads and checks the type tag and version.
  base::Status Header(uint8_t type_tag, uint8_t version = kVersion1);
  // OK only if every byte was consumed.
  base::Status Finish() const;

  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }

 private:
  base::Status Need(size_t n, std::string_view what) const;

  ByteSpan in_;
  size_t pos_ = 0;
};

// True if `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s);

// A value that is a single u64 (state counters): its 8 big-endian bytes.
base::Bytes EncodeU64Value(uint64_t v);
// Strict inverse of EncodeU64Value: exactly 8 bytes (kInvalidArgument otherwise).
base::Result<uint64_t> DecodeU64Value(ByteSpan bytes);

}  // namespace hm::codec
