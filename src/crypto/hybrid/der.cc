#include "crypto/hybrid/der.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace hm::crypto::hybrid {
namespace {

using base::InvalidArgument;

// Unsigned big integer as little-endian 32-bit limbs; only what OID arcs need.
using BigNat = std::vector<uint32_t>;

void MulAdd(BigNat& n, uint32_t mul, uint32_t add) {
  uint64_t carry = add;
  for (uint32_t& limb : n) {
    const uint64_t v = uint64_t{limb} * mul + carry;
    limb = static_cast<uint32_t>(v);
    carry = v >> 32;
  }
  if (carry != 0) n.push_back(static_cast<uint32_t>(carry));
}

// Divides in place, returns the remainder.
uint32_t DivMod(BigNat& n, uint32_t div) {
  uint64_t rem = 0;
  for (size_t i = n.size(); i-- > 0;) {
    const uint64_t cur = (rem << 32) | n[i];
    n[i] = static_cast<uint32_t>(cur / div);
    rem = cur % div;
  }
  while (!n.empty() && n.back() == 0) n.pop_back();
  return static_cast<uint32_t>(rem);
}

base::Result<BigNat> ParseArc(std::string_view digits) {
  if (digits.empty() || digits.size() > 60) return InvalidArgument("OID arc empty or too long");
  if (digits.size() > 1 && digits[0] == '0') return InvalidArgument("OID arc with leading zero");
  BigNat n;
  for (char c : digits) {
    if (c < '0' || c > '9') return InvalidArgument("OID arc is not decimal");
    MulAdd(n, 10, static_cast<uint32_t>(c - '0'));
  }
  return n;
}

// Base-128 big-endian with continuation bits (X.690 8.19.2).
void AppendSubidentifier(BigNat n, base::Bytes& out) {
  uint8_t groups[80];
  size_t count = 0;
  do {
    groups[count++] = static_cast<uint8_t>(DivMod(n, 128));
  } while (!n.empty());
  while (count-- > 0) out.push_back(static_cast<uint8_t>(groups[count] | (count > 0 ? 0x80 : 0)));
}

void AppendLength(base::Bytes& out, size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<uint8_t>(len));
    return;
  }
  uint8_t buf[sizeof(size_t)];
  size_t n = 0;
  for (size_t v = len; v != 0; v >>= 8) buf[n++] = static_cast<uint8_t>(v);
  out.push_back(static_cast<uint8_t>(0x80 | n));
  while (n-- > 0) out.push_back(buf[n]);
}

}  // namespace

base::Bytes DerTlv(uint8_t tag, base::ByteSpan content) {
  base::Bytes out;
  out.reserve(content.size() + 6);
  out.push_back(tag);
  AppendLength(out, content.size());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

base::Bytes DerBitString(base::ByteSpan content) {
  base::Bytes body;
  body.reserve(content.size() + 1);
  body.push_back(0x00);
  body.insert(body.end(), content.begin(), content.end());
  return DerTlv(kDerBitString, body);
}

void DerAppend(base::Bytes& out, base::ByteSpan part) {
  out.insert(out.end(), part.begin(), part.end());
}

base::Result<base::Bytes> OidContent(std::string_view dotted) {
  std::vector<BigNat> arcs;
  size_t start = 0;
  while (true) {
    const size_t dot = dotted.find('.', start);
    const std::string_view arc =
        dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    HM_ASSIGN_OR_RETURN(BigNat n, ParseArc(arc));
    arcs.push_back(std::move(n));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (arcs.size() < 2) return InvalidArgument("OID needs at least two arcs");
  const BigNat& first = arcs[0];
  const uint32_t a = first.empty() ? 0 : first[0];
  if (first.size() > 1 || a > 2) return InvalidArgument("OID first arc must be 0, 1 or 2");
  BigNat b = arcs[1];
  if (a < 2 && (b.size() > 1 || (!b.empty() && b[0] >= 40))) {
    return InvalidArgument("OID second arc must be < 40 under arcs 0 and 1");
  }
  // First subidentifier = 40 * a + b.
  if (b.empty()) b.push_back(0);
  MulAdd(b, 1, 40 * a);
  while (!b.empty() && b.back() == 0) b.pop_back();
  base::Bytes out;
  AppendSubidentifier(std::move(b), out);
  for (size_t i = 2; i < arcs.size(); ++i) AppendSubidentifier(arcs[i], out);
  return out;
}

namespace {

// n -= v; precondition n >= v.
void SubSmall(BigNat& n, uint32_t v) {
  uint64_t borrow = v;
  for (size_t i = 0; i < n.size() && borrow != 0; ++i) {
    const uint64_t limb = n[i];
    n[i] = static_cast<uint32_t>(limb - borrow);
    borrow = limb < borrow ? 1 : 0;
  }
  while (!n.empty() && n.back() == 0) n.pop_back();
}

std::string Decimal(BigNat n) {
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + DivMod(n, 10)));
  } while (!n.empty());
  return std::string(digits.rbegin(), digits.rend());
}

}  // namespace

base::Result<std::string> OidText(base::ByteSpan content) {
  if (content.empty() || content.size() > 256) return InvalidArgument("OID: bad length");
  if ((content.back() & 0x80) != 0) return InvalidArgument("OID: truncated subidentifier");
  std::string out;
  BigNat n;
  bool first = true;
  size_t groups = 0;
  for (uint8_t b : content) {
    if (groups == 0 && b == 0x80) return InvalidArgument("OID: non-minimal subidentifier");
    // 28 groups = 196 bits, which OidContent's 60-digit arcs can always express.
    if (++groups > 28) return InvalidArgument("OID: subidentifier too large");
    MulAdd(n, 128, b & 0x7f);
    if ((b & 0x80) != 0) continue;
    if (first) {
      // The first subidentifier packs two arcs: 40 * a + b, a in {0, 1, 2}.
      uint32_t a = 2;
      if (n.size() <= 1 && (n.empty() ? 0 : n[0]) < 80) a = (n.empty() ? 0 : n[0]) / 40;
      BigNat rest = n;
      SubSmall(rest, 40 * a);
      out = std::to_string(a) + "." + Decimal(rest);
      first = false;
    } else {
      out += "." + Decimal(n);
    }
    n.clear();
    groups = 0;
  }
  return out;
}

base::Result<base::ByteSpan> DerReader::Read(uint8_t tag, std::string_view what) {
  const size_t left = in_.size() - pos_;
  if (left < 2) return InvalidArgument(fmt::format("DER: {} truncated", what));
  if (in_[pos_] != tag) {
    return InvalidArgument(
        fmt::format("DER: {} has tag 0x{:02x}, want 0x{:02x}", what, in_[pos_], tag));
  }
  size_t p = pos_ + 1;
  const uint8_t first = in_[p++];
  size_t len = 0;
  if (first < 0x80) {
    len = first;
  } else {
    const size_t n = first & 0x7f;
    if (n == 0) return InvalidArgument(fmt::format("DER: {} uses an indefinite length", what));
    if (n > 3) return InvalidArgument(fmt::format("DER: {} length too large", what));
    if (in_.size() - p < n) return InvalidArgument(fmt::format("DER: {} truncated", what));
    if (in_[p] == 0) return InvalidArgument(fmt::format("DER: {} length not minimal", what));
    for (size_t i = 0; i < n; ++i) len = (len << 8) | in_[p++];
    if (len < 0x80) return InvalidArgument(fmt::format("DER: {} length not minimal", what));
  }
  if (len > kDerMaxLength) return InvalidArgument(fmt::format("DER: {} length too large", what));
  if (in_.size() - p < len) return InvalidArgument(fmt::format("DER: {} truncated", what));
  pos_ = p + len;
  return in_.subspan(p, len);
}

base::Result<base::ByteSpan> DerReader::ReadBitString(std::string_view what) {
  HM_ASSIGN_OR_RETURN(base::ByteSpan body, Read(kDerBitString, what));
  if (body.empty()) return InvalidArgument(fmt::format("DER: {} is an empty BIT STRING", what));
  if (body[0] != 0) {
    return InvalidArgument(fmt::format("DER: {} has {} unused bits, want 0", what, body[0]));
  }
  return body.subspan(1);
}

base::Status DerReader::ExpectSmallInteger(uint8_t want, std::string_view what) {
  HM_ASSIGN_OR_RETURN(base::ByteSpan body, Read(kDerInteger, what));
  if (body.size() != 1 || body[0] != want) {
    return InvalidArgument(fmt::format("DER: {} must be the INTEGER {}", what, want));
  }
  return base::Status::Ok();
}

base::Result<uint8_t> DerReader::PeekTag() const {
  if (AtEnd()) return InvalidArgument("DER: unexpected end of input");
  return in_[pos_];
}

base::Status DerReader::Finish(std::string_view what) const {
  if (!AtEnd()) {
    return InvalidArgument(
        fmt::format("DER: {} bytes of trailing data after {}", in_.size() - pos_, what));
  }
  return base::Status::Ok();
}

}  // namespace hm::crypto::hybrid
