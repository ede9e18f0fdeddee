// Minimal TLS presentation-language encoding (RFC 8446 §3) for the RFC 6962 structures:
// big-endian integers and length-prefixed opaque vectors. The reader is strict: truncation and
// over-long vectors are InvalidArgument. Thread-safety: value types, one instance per thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::trustchain::ct {

class TlsWriter {
 public:
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) { Uint(v, 2); }
  void U24(uint32_t v) { Uint(v, 3); }
  void U64(uint64_t v) { Uint(v, 8); }
  void Fixed(base::ByteSpan b) {
    // resize + memcpy: vector::insert trips a g++ 12 -O3 -Warray-bounds false positive.
    const size_t n = out_.size();
    out_.resize(n + b.size());
    if (!b.empty()) std::memcpy(out_.data() + n, b.data(), b.size());
  }
  // opaque x<0..2^(8*len_bytes)-1>; the caller guarantees the size fits (HM_CHECK otherwise).
  void Opaque(base::ByteSpan b, int len_bytes);

  const base::Bytes& bytes() const& { return out_; }
  base::Bytes Take() && { return std::move(out_); }

 private:
  void Uint(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  base::Bytes out_;
};

class TlsReader {
 public:
  explicit TlsReader(base::ByteSpan in) : in_(in) {}
  base::Result<uint64_t> Uint(int n, std::string_view what);
  base::Result<base::ByteSpan> Fixed(size_t n, std::string_view what);
  // opaque x<min..2^(8*len_bytes)-1>.
  base::Result<base::ByteSpan> Opaque(int len_bytes, size_t min_len, std::string_view what);
  base::Status Finish(std::string_view what) const;
  size_t remaining() const { return in_.size() - pos_; }

 private:
  base::ByteSpan in_;
  size_t pos_ = 0;
};

}  // namespace hm::trustchain::ct
