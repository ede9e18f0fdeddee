// A strict subset of ASN.1 DER (X.690) for the key and signature encodings of crypto/hybrid:
// single-byte tags, definite minimal lengths, OBJECT IDENTIFIERs from dotted text.
// The reader rejects everything a DER encoder could not have produced. Thread-safety: value types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::crypto::hybrid {

// Universal tags (and the context tags these formats use), as the full identifier octet.
inline constexpr uint8_t kDerInteger = 0x02;
inline constexpr uint8_t kDerBitString = 0x03;
inline constexpr uint8_t kDerOctetString = 0x04;
inline constexpr uint8_t kDerNull = 0x05;
inline constexpr uint8_t kDerOid = 0x06;
inline constexpr uint8_t kDerSequence = 0x30;
inline constexpr uint8_t kDerContext0Primitive = 0x80;  // [0] IMPLICIT, primitive

// Lengths above this are refused by the reader (no key or signature here comes close).
inline constexpr size_t kDerMaxLength = size_t{1} << 20;

// tag || minimal definite length || content.
base::Bytes DerTlv(uint8_t tag, base::ByteSpan content);
// BIT STRING with zero unused bits holding `content`.
base::Bytes DerBitString(base::ByteSpan content);
// Concatenation helper for building SEQUENCE contents.
void DerAppend(base::Bytes& out, base::ByteSpan part);

// Content octets of an OBJECT IDENTIFIER given in dotted decimal ("1.2.840.10045.2.1"). Arcs
// may be arbitrarily large (2.25.<uuid> arcs are 128-bit). InvalidArgument on malformed text.
base::Result<base::Bytes> OidContent(std::string_view dotted);
// Dotted text of OID content octets (for messages and tests); InvalidArgument if malformed
// (empty, truncated subidentifier, non-minimal 0x80 group, a subidentifier above 196 bits).
base::Result<std::string> OidText(base::ByteSpan content);

// Sequential reader over DER bytes. Every Read checks the tag, rejects indefinite, non-minimal
// and over-long lengths, and truncation. Views alias the input.
class DerReader {
 public:
  explicit DerReader(base::ByteSpan in) : in_(in) {}

  // The content of the next element, which must have identifier octet `tag`. `what` names the
  // field in error messages.
  base::Result<base::ByteSpan> Read(uint8_t tag, std::string_view what);
  // The content of a BIT STRING whose unused-bits octet is 0, without that octet.
  base::Result<base::ByteSpan> ReadBitString(std::string_view what);
  // INTEGER that must equal `want` (small, non-negative): rejects non-minimal encodings too.
  base::Status ExpectSmallInteger(uint8_t want, std::string_view what);

  // Identifier octet of the next element; InvalidArgument at the end of input.
  base::Result<uint8_t> PeekTag() const;
  bool AtEnd() const { return pos_ == in_.size(); }
  // OK only if every byte was consumed.
  base::Status Finish(std::string_view what) const;

 private:
  base::ByteSpan in_;
  size_t pos_ = 0;
};

}  // namespace hm::crypto::hybrid
