// Strict PEM (RFC 7468 "stricttextualmsg") for the key files of crypto/hybrid: one block,
// base64 lines of 64 characters (the last one shorter), LF or CRLF line ends.
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::crypto::hybrid {

inline constexpr std::string_view kPemPublicKeyLabel = "PUBLIC KEY";
inline constexpr std::string_view kPemPrivateKeyLabel = "PRIVATE KEY";

// "-----BEGIN <label>-----\n", base64 in 64-character lines, "-----END <label>-----\n".
std::string PemEncode(std::string_view label, base::ByteSpan der);

// The DER inside the single block labelled `label`. InvalidArgument for: a different label, text
// before the block or anything but blank lines after it, headers, lines longer than 64
// characters or a short line before the last, non-base64 characters, bad padding, an empty body.
base::Result<base::Bytes> PemDecode(std::string_view label, std::string_view text);

// The label of the first line if `text` starts like a PEM block, else empty (for error messages).
std::string PemLabel(std::string_view text);

}  // namespace hm::crypto::hybrid
