// A CT log entry (docs/spec/ct.md): the canonical record carried by an add_entry transaction and
// stored per leaf, and its RFC 6962 TLS encodings (TimestampedEntry, MerkleTreeLeaf, leaf hash).
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/hash.h"

namespace hm::trustchain::ct {

using base::Bytes;
using base::ByteSpan;
using crypto::Digest32;

inline constexpr uint8_t kTagCtEntry = 0x20;
inline constexpr size_t kMaxEntryBytes = 262'144;
inline constexpr size_t kMaxExtensionsBytes = 65'535;
inline constexpr size_t kMaxExtraDataBytes = 524'288;

enum class EntryType : uint16_t { kX509 = 0, kPrecert = 1 };

struct LogEntry {
  uint64_t timestamp_ms = 0;
  EntryType type = EntryType::kX509;
  Bytes entry;                             // DER certificate (x509) or TBSCertificate (precert)
  std::optional<Digest32> issuer_key_hash;  // precert only
  Bytes extensions;                        // CtExtensions
  Bytes extra_data;                        // chain for get-entries; not part of the leaf

  // Canonical record (type tag 0x20, v1). Precondition: Validate() is OK.
  Bytes Encode() const;
  // Strict decode + Validate.
  static base::Result<LogEntry> Decode(ByteSpan bytes);
  // Limits and the issuer_key_hash / entry type pairing. InvalidArgument with the reason.
  base::Status Validate() const;

  // RFC 6962 TimestampedEntry (TLS). Precondition: Validate() is OK.
  Bytes TimestampedEntryTls() const;
  // RFC 6962 MerkleTreeLeaf: version v1 (0), timestamped_entry (0), TimestampedEntry.
  Bytes MerkleTreeLeafTls() const;
  // SHA-256(0x00 || MerkleTreeLeaf).
  Digest32 LeafHash() const;

  bool operator==(const LogEntry&) const = default;
};

}  // namespace hm::trustchain::ct
