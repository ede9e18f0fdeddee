#include "trustchain/ct/log_entry.h"

#include "chain/merkle.h"
#include "codec/codec.h"
#include "trustchain/ct/tls.h"

namespace hm::trustchain::ct {

base::Status LogEntry::Validate() const {
  if (type != EntryType::kX509 && type != EntryType::kPrecert) {
    return base::InvalidArgument("ct: unknown entry type");
  }
  if (entry.empty() || entry.size() > kMaxEntryBytes) {
    return base::InvalidArgument("ct: entry must be 1-262144 bytes");
  }
  if ((type == EntryType::kPrecert) != issuer_key_hash.has_value()) {
    return base::InvalidArgument("ct: issuer_key_hash must be present exactly for precerts");
  }
  if (extensions.size() > kMaxExtensionsBytes) {
    return base::InvalidArgument("ct: extensions exceed 65535 bytes");
  }
  if (extra_data.size() > kMaxExtraDataBytes) {
    return base::InvalidArgument("ct: extra_data exceeds 524288 bytes");
  }
  return base::Status::Ok();
}

Bytes LogEntry::Encode() const {
  codec::Writer w(entry.size() + extensions.size() + extra_data.size() + 64);
  w.Header(kTagCtEntry);
  w.U64(timestamp_ms);
  w.U8(static_cast<uint8_t>(type));
  w.Bytes(entry);
  if (issuer_key_hash) {
    w.U8(1);
    w.Fixed(*issuer_key_hash);
  } else {
    w.U8(0);
  }
  w.Bytes(extensions);
  w.Bytes(extra_data);
  return std::move(w).Take();
}

base::Result<LogEntry> LogEntry::Decode(ByteSpan bytes) {
  codec::Reader r(bytes);
  HM_TRY(r.Header(kTagCtEntry));
  LogEntry e;
  HM_ASSIGN_OR_RETURN(e.timestamp_ms, r.U64());
  HM_ASSIGN_OR_RETURN(uint8_t type, r.U8());
  if (type > 1) return base::InvalidArgument("ct: unknown entry type");
  e.type = static_cast<EntryType>(type);
  HM_ASSIGN_OR_RETURN(auto entry, r.Bytes(kMaxEntryBytes));
  e.entry.assign(entry.begin(), entry.end());
  HM_ASSIGN_OR_RETURN(uint8_t has_ikh, r.U8());
  if (has_ikh > 1) return base::InvalidArgument("ct: bad optional tag for issuer_key_hash");
  if (has_ikh == 1) {
    HM_ASSIGN_OR_RETURN(auto ikh, r.Fixed(32));
    Digest32 d;
    std::copy(ikh.begin(), ikh.end(), d.begin());
    e.issuer_key_hash = d;
  }
  HM_ASSIGN_OR_RETURN(auto ext, r.Bytes(kMaxExtensionsBytes));
  e.extensions.assign(ext.begin(), ext.end());
  HM_ASSIGN_OR_RETURN(auto extra, r.Bytes(kMaxExtraDataBytes));
  e.extra_data.assign(extra.begin(), extra.end());
  HM_TRY(r.Finish());
  HM_TRY(e.Validate());
  return e;
}

Bytes LogEntry::TimestampedEntryTls() const {
  TlsWriter w;
  w.U64(timestamp_ms);
  w.U16(static_cast<uint16_t>(type));
  if (type == EntryType::kPrecert) w.Fixed(*issuer_key_hash);
  w.Opaque(entry, 3);
  w.Opaque(extensions, 2);
  return std::move(w).Take();
}

Bytes LogEntry::MerkleTreeLeafTls() const {
  TlsWriter w;
  w.U8(0);  // v1
  w.U8(0);  // timestamped_entry
  w.Fixed(TimestampedEntryTls());
  return std::move(w).Take();
}

Digest32 LogEntry::LeafHash() const { return chain::MerkleLeafHash(MerkleTreeLeafTls()); }

}  // namespace hm::trustchain::ct
