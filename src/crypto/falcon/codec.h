// Falcon byte encodings (spec v1.2 section 3.11): public key coefficients (14 bits each),
// private key polynomials (fixed-width two's complement) and the compressed signature
// polynomial s2. Decoders are strict: exactly one accepted encoding per value.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/bytes.h"

namespace hm::crypto::falcon::internal {

inline constexpr uint32_t kQ = 12289;

// Bits per coefficient of f and g in the private key, by logn (F and G use 8).
unsigned FgBits(unsigned logn);
inline constexpr unsigned kBigFgBits = 8;

// 14 bits per coefficient, most significant bit first; n*14/8 bytes.
void ModqEncode(const uint16_t* h, unsigned logn, uint8_t* out);
// Rejects wrong length (must be exactly n*14/8 bytes) and values >= q.
bool ModqDecode(base::ByteSpan in, unsigned logn, uint16_t* h);

// `bits` per coefficient, two's complement; requires |x| < 2^(bits-1) (returns false
// otherwise). Output length n*bits/8 bytes.
bool TrimI8Encode(const int8_t* x, unsigned logn, unsigned bits, uint8_t* out);
// Rejects wrong length and the value -2^(bits-1).
bool TrimI8Decode(base::ByteSpan in, unsigned logn, unsigned bits, int8_t* x);

// Compressed s2: per coefficient a sign bit, the 7 low bits of |x|, then |x|>>7 zeros and a
// one; zero padding to a byte boundary. Fails if some |x| > 2047.
std::optional<base::Bytes> CompEncode(const int16_t* x, unsigned logn);
// Returns the number of bytes consumed, or 0 if the data is not a canonical encoding
// (truncated, |x| > 2047, "minus zero", or non-zero padding bits in the last byte).
size_t CompDecode(base::ByteSpan in, unsigned logn, int16_t* x);

}  // namespace hm::crypto::falcon::internal
