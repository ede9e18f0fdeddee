#include "crypto/falcon/codec.h"

namespace hm::crypto::falcon::internal {
namespace {

// Accumulates bits most-significant first.
class BitWriter {
 public:
  explicit BitWriter(base::Bytes* out) : out_(out) {}
  void Put(uint32_t value, unsigned nbits) {
    for (unsigned i = nbits; i-- > 0;) {
      acc_ = static_cast<uint8_t>((acc_ << 1) | ((value >> i) & 1u));
      if (++len_ == 8) {
        out_->push_back(acc_);
        acc_ = 0;
        len_ = 0;
      }
    }
  }
  void Flush() {
    if (len_ > 0) out_->push_back(static_cast<uint8_t>(acc_ << (8 - len_)));
    acc_ = 0;
    len_ = 0;
  }

 private:
  base::Bytes* out_;
  uint8_t acc_ = 0;
  unsigned len_ = 0;
};

class BitReader {
 public:
  explicit BitReader(base::ByteSpan in) : in_(in) {}
  // Returns false when the input is exhausted.
  bool Get(unsigned nbits, uint32_t* value) {
    uint32_t v = 0;
    for (unsigned i = 0; i < nbits; ++i) {
      if (bit_ == 0) {
        if (pos_ >= in_.size()) return false;
        cur_ = in_[pos_++];
        bit_ = 8;
      }
      --bit_;
      v = (v << 1) | ((cur_ >> bit_) & 1u);
    }
    *value = v;
    return true;
  }
  size_t bytes_used() const { return pos_; }
  // True if the unread bits of the current byte are all zero.
  bool PaddingIsZero() const { return (cur_ & ((1u << bit_) - 1u)) == 0; }

 private:
  base::ByteSpan in_;
  size_t pos_ = 0;
  uint8_t cur_ = 0;
  unsigned bit_ = 0;
};

constexpr unsigned kMaxFgBits[11] = {0, 8, 8, 8, 8, 8, 7, 7, 6, 6, 5};

}  // namespace

unsigned FgBits(unsigned logn) { return kMaxFgBits[logn]; }

void ModqEncode(const uint16_t* h, unsigned logn, uint8_t* out) {
  base::Bytes buf;
  BitWriter w(&buf);
  const size_t n = size_t{1} << logn;
  for (size_t u = 0; u < n; ++u) w.Put(h[u], 14);
  w.Flush();
  for (size_t i = 0; i < buf.size(); ++i) out[i] = buf[i];
}

bool ModqDecode(base::ByteSpan in, unsigned logn, uint16_t* h) {
  const size_t n = size_t{1} << logn;
  if (in.size() != (n * 14 + 7) / 8) return false;
  BitReader r(in);
  for (size_t u = 0; u < n; ++u) {
    uint32_t v;
    if (!r.Get(14, &v) || v >= kQ) return false;
    h[u] = static_cast<uint16_t>(v);
  }
  return r.PaddingIsZero();
}

bool TrimI8Encode(const int8_t* x, unsigned logn, unsigned bits, uint8_t* out) {
  const size_t n = size_t{1} << logn;
  const int lim = 1 << (bits - 1);
  base::Bytes buf;
  BitWriter w(&buf);
  for (size_t u = 0; u < n; ++u) {
    if (x[u] <= -lim || x[u] >= lim) return false;
    w.Put(static_cast<uint32_t>(x[u]) & ((1u << bits) - 1u), bits);
  }
  w.Flush();
  for (size_t i = 0; i < buf.size(); ++i) out[i] = buf[i];
  return true;
}

bool TrimI8Decode(base::ByteSpan in, unsigned logn, unsigned bits, int8_t* x) {
  const size_t n = size_t{1} << logn;
  if (in.size() != (n * bits + 7) / 8) return false;
  BitReader r(in);
  const uint32_t sign = 1u << (bits - 1);
  for (size_t u = 0; u < n; ++u) {
    uint32_t v;
    if (!r.Get(bits, &v)) return false;
    if (v == sign) return false;  // -2^(bits-1) is never produced
    const int value = (v & sign) ? static_cast<int>(v) - static_cast<int>(sign << 1)
                                 : static_cast<int>(v);
    x[u] = static_cast<int8_t>(value);
  }
  return r.PaddingIsZero();
}

std::optional<base::Bytes> CompEncode(const int16_t* x, unsigned logn) {
  const size_t n = size_t{1} << logn;
  base::Bytes out;
  out.reserve(n * 2);
  BitWriter w(&out);
  for (size_t u = 0; u < n; ++u) {
    const int v = x[u];
    if (v < -2047 || v > 2047) return std::nullopt;
    const uint32_t t = static_cast<uint32_t>(v < 0 ? -v : v);
    w.Put(((v < 0 ? 1u : 0u) << 7) | (t & 0x7F), 8);
    w.Put(1, (t >> 7) + 1);  // (t >> 7) zeros, then a one
  }
  w.Flush();
  return out;
}

size_t CompDecode(base::ByteSpan in, unsigned logn, int16_t* x) {
  const size_t n = size_t{1} << logn;
  BitReader r(in);
  for (size_t u = 0; u < n; ++u) {
    uint32_t head;
    if (!r.Get(8, &head)) return 0;
    uint32_t m = head & 0x7F;
    for (;;) {
      uint32_t bit;
      if (!r.Get(1, &bit)) return 0;
      if (bit) break;
      m += 128;
      if (m > 2047) return 0;
    }
    const bool neg = (head & 0x80) != 0;
    if (neg && m == 0) return 0;  // "minus zero" is not canonical
    x[u] = static_cast<int16_t>(neg ? -static_cast<int>(m) : static_cast<int>(m));
  }
  if (!r.PaddingIsZero()) return 0;
  return r.bytes_used();
}

}  // namespace hm::crypto::falcon::internal
