// Byte containers and text encodings of bytes (hex, base64). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace hm::base {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsString(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Lower-case hex.
std::string HexEncode(ByteSpan data);
// Accepts upper or lower case; rejects odd length and non-hex characters.
Result<Bytes> HexDecode(std::string_view hex);

// RFC 4648 base64 with padding (standard alphabet).
std::string Base64Encode(ByteSpan data);
// Strict: rejects missing or misplaced padding, non-alphabet bytes and non-zero trailing bits.
Result<Bytes> Base64Decode(std::string_view text);

// RFC 4648 §5 base64url without padding.
std::string Base64UrlEncode(ByteSpan data);
Result<Bytes> Base64UrlDecode(std::string_view text);

// Constant-time equality for secrets and MACs (length is not secret).
bool ConstantTimeEqual(ByteSpan a, ByteSpan b);

}  // namespace hm::base
