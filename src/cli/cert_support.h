// The parts of `hm cert` that need no node: serial and reason text, the revocation message,
// durations and the renewal decision, leaf keys and certificates on disk. Exposed for the
// subcommands in cert_commands.cc and for unit tests. Thread-safety: pure or file-local; the
// CLI is single-threaded.
#pragma once

#include <openssl/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "cli/command_support.h"
#include "crypto/evp_pkey.h"

namespace hm::cli {

// ---- serials and revocation ----

// Lower-case hex of minimal big-endian serial bytes (the API's serial form).
std::string SerialHex(base::ByteSpan serial);
// Accepts upper or lower case, an optional "0x" prefix and ':' separators (openssl -text form);
// returns the minimal big-endian bytes. InvalidArgument: not hex, zero, longer than 20 bytes.
base::Result<base::Bytes> ParseSerialHex(std::string_view text);

// RFC 5280 CRLReason: a name ("keyCompromise", case-insensitive) or its code (0..10, not 7).
base::Result<uint8_t> ParseRevocationReason(std::string_view text);
std::string_view RevocationReasonName(uint8_t code);  // "unspecified", "keyCompromise", ...

// "hm.revoke.v1" || 0x00 || u8 len(serial) || serial || u8 reason. Precondition: 1..20 bytes.
base::Bytes RevocationMessage(base::ByteSpan serial, uint8_t reason);

// ---- durations and the renewal decision ----

// "90" (seconds), "90s", "30m", "6h", "2d", or a sum such as "1h30m". InvalidArgument otherwise.
base::Result<std::chrono::seconds> ParseDuration(std::string_view text);
std::string FormatDuration(std::chrono::seconds d);               // "5h 59m", "-2m 3s", "45s"
std::string FormatTime(std::chrono::system_clock::time_point t);  // "2026-11-22T10:00:00Z"

struct RenewalCheck {
  std::chrono::seconds time_left;  // negative once expired
  std::chrono::seconds threshold;  // the --before actually applied
  bool due = false;
};
// Due when less than `before` remains. The threshold is capped at half the certificate's lifetime
// so that a certificate shorter than `before` is renewed at its midpoint, not on every check.
RenewalCheck CheckRenewal(std::chrono::system_clock::time_point not_before,
                          std::chrono::system_clock::time_point not_after,
                          std::chrono::system_clock::time_point now, std::chrono::seconds before);

// ---- leaf keys and certificates ----

enum class LeafKeyType { kP256, kEd25519 };

// An ECDSA P-256 or Ed25519 private key for a leaf certificate.
struct LeafKey {
  crypto::EvpPkeyPtr pkey;
  LeafKeyType type = LeafKeyType::kP256;
};
LeafKey GenerateLeafKey(LeafKeyType type);
// A PEM private key (PKCS#8, or SEC 1 "EC PRIVATE KEY"), unencrypted, mode 0600 or stricter.
// InvalidArgument naming the path on any problem.
base::Result<LeafKey> LoadLeafKey(const std::string& path);
// PKCS#8 PEM of the private key (secret: wipe after use).
base::Result<std::string> LeafKeyPem(const LeafKey& key);
// Writes PKCS#8 PEM with mode 0600 (atomic).
base::Status WriteLeafKey(const std::string& path, const LeafKey& key);
base::Bytes SpkiDer(EVP_PKEY* pkey);
// ECDSA-SHA256 (DER) for P-256, pure Ed25519 for Ed25519.
base::Result<base::Bytes> SignWithLeafKey(const LeafKey& key, base::ByteSpan message);

struct LeafCert {
  base::Bytes der;
  base::Bytes serial;  // minimal big-endian
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // text form, e.g. "::1"
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  base::Bytes spki_der;
  std::optional<base::Bytes> falcon_public_key;  // subjectAltPublicKeyInfo, raw Falcon-1024
};
// The first CERTIFICATE block of `pem` (a chain may follow). InvalidArgument when malformed.
base::Result<LeafCert> ParseLeafCertPem(std::string_view pem);
// ParseLeafCertPem of the file at `path`; InvalidArgument naming it when unreadable or malformed.
base::Result<LeafCert> ReadCertFile(const std::string& path);
// InvalidArgument naming both files unless `key` is the key of `cert`.
base::Status CheckKeyMatches(const LeafKey& key, const LeafCert& cert, const std::string& key_path,
                             const std::string& cert_path);

}  // namespace hm::cli
