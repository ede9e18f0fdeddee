// See dns_module.h; the formats are in docs/spec/dns-registry.md.
#include "trustchain/dns/registry/dns_module.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/ascii.h"
#include "codec/codec.h"
#include "crypto/ecdsa.h"

namespace hm::trustchain::dns {
namespace {

using base::ByteSpan;
using base::Bytes;

constexpr uint8_t kKeyRrset = 'R';
constexpr uint8_t kKeyLastChange = 'T';
constexpr uint8_t kKeySerial = 'S';
constexpr size_t kMaxNameText = 253;

base::Result<uint64_t> DecodeU64(const std::optional<Bytes>& value, const char* what) {
  if (!value) return uint64_t{0};
  auto v = codec::DecodeU64Value(*value);
  if (!v.ok()) return base::Corruption(fmt::format("dns: bad {} value", what));
  return *v;
}

// The fields covered by the signature, in record order.
void WriteSignedFields(codec::Writer& w, const RrsetChange& c) {
  w.Header(kTagRrsetChange);
  w.U8(static_cast<uint8_t>(c.op));
  w.String(c.name);
  w.U16(c.type);
  w.U32(c.ttl);
  w.UVarint(c.rdatas.size());
  for (const auto& r : c.rdatas) w.Bytes(r);
  w.U64(c.timestamp_ms);
  w.U8(static_cast<uint8_t>(c.authority));
}

void WriteRdatas(codec::Writer& w, const std::vector<Bytes>& rdatas) {
  w.UVarint(rdatas.size());
  for (const auto& r : rdatas) w.Bytes(r);
}

base::Result<std::vector<Bytes>> ReadRdatas(codec::Reader& r) {
  HM_ASSIGN_OR_RETURN(uint64_t n, r.Count(kMaxRdatas, 1));
  std::vector<Bytes> out;
  out.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    HM_ASSIGN_OR_RETURN(ByteSpan rd, r.Bytes(kMaxRdataBytes));
    out.emplace_back(rd.begin(), rd.end());
  }
  return out;
}

std::vector<std::string_view> SplitLabels(std::string_view name) {
  std::vector<std::string_view> labels;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    labels.push_back(name.substr(start, dot - start));
    start = dot + 1;
  }
  return labels;
}

// `name` equals `san` or matches it as a one-label wildcard.
bool MatchesSan(std::string_view san, std::string_view name) {
  if (san == name) return true;
  if (san.size() < 3 || san.substr(0, 2) != "*.") return false;
  const std::string_view parent = san.substr(2);
  const size_t dot = name.find('.');
  return dot != std::string_view::npos && dot > 0 && name.substr(dot + 1) == parent;
}

}  // namespace

// ---- records

Bytes RrsetChange::SigningMessage() const {
  codec::Writer w(64 + name.size() + rdatas.size() * 32);
  static constexpr std::string_view kDomain = "hm.dns.v1";
  w.Fixed(ByteSpan(reinterpret_cast<const uint8_t*>(kDomain.data()), kDomain.size()));
  w.U8(0);
  WriteSignedFields(w, *this);
  return std::move(w).Take();
}

Bytes RrsetChange::Encode() const {
  codec::Writer w(64 + name.size() + signature.size() + rdatas.size() * 32);
  WriteSignedFields(w, *this);
  w.Bytes(serial);
  w.Bytes(signature);
  return std::move(w).Take();
}

base::Result<RrsetChange> RrsetChange::Decode(ByteSpan bytes) {
  codec::Reader r(bytes);
  HM_TRY(r.Header(kTagRrsetChange));
  RrsetChange c;
  HM_ASSIGN_OR_RETURN(uint8_t op, r.U8());
  HM_ASSIGN_OR_RETURN(c.name, r.String(kMaxNameText));
  HM_ASSIGN_OR_RETURN(c.type, r.U16());
  HM_ASSIGN_OR_RETURN(c.ttl, r.U32());
  HM_ASSIGN_OR_RETURN(c.rdatas, ReadRdatas(r));
  HM_ASSIGN_OR_RETURN(c.timestamp_ms, r.U64());
  HM_ASSIGN_OR_RETURN(uint8_t authority, r.U8());
  HM_ASSIGN_OR_RETURN(ByteSpan serial, r.Bytes(ca::kMaxSerialBytes));
  HM_ASSIGN_OR_RETURN(ByteSpan sig, r.Bytes(kMaxSignatureBytes));
  HM_TRY(r.Finish());
  if (op < 1 || op > 3) return base::InvalidArgument(fmt::format("dns: unknown op {}", op));
  if (authority != 1 && authority != 2) {
    return base::InvalidArgument(fmt::format("dns: unknown authority {}", authority));
  }
  if (authority == 1 && !ca::IsValidSerial(serial)) {
    return base::InvalidArgument("dns: change by certificate needs a valid serial");
  }
  if (authority == 2 && !serial.empty()) {
    return base::InvalidArgument("dns: change by the issuing CA carries no serial");
  }
  c.op = static_cast<ChangeOp>(op);
  c.authority = static_cast<ChangeAuthority>(authority);
  c.serial.assign(serial.begin(), serial.end());
  c.signature.assign(sig.begin(), sig.end());
  return c;
}

base::Status RrsetChange::ValidateContent() const {
  HM_ASSIGN_OR_RETURN(std::string canonical, CanonicalOwner(name));
  if (canonical != name) {
    return base::InvalidArgument(fmt::format("dns: name '{}' is not in canonical form", name));
  }
  if (!IsRegistrableType(type)) {
    return base::InvalidArgument(fmt::format("dns: records of type {} cannot be registered", type));
  }
  if (op == ChangeOp::kDelete) {
    if (!rdatas.empty() || ttl != 0) {
      return base::InvalidArgument("dns: delete carries no records and ttl 0");
    }
    return base::Status::Ok();
  }
  if (rdatas.empty()) return base::InvalidArgument("dns: replace/add needs at least one record");
  if (ttl > kMaxTtl) {
    return base::InvalidArgument(fmt::format("dns: ttl {} is over {}", ttl, kMaxTtl));
  }
  if (type == rrtype::kCname && rdatas.size() != 1) {
    return base::InvalidArgument("dns: a CNAME RRset has exactly one record");
  }
  size_t total = 0;
  for (size_t i = 0; i < rdatas.size(); ++i) {
    total += rdatas[i].size();
    if (auto parsed = ParseRdata(type, rdatas[i]); !parsed.ok()) {
      return parsed.status().WithContext(fmt::format("dns: record {}", i + 1));
    }
    for (size_t j = 0; j < i; ++j) {
      if (rdatas[j] == rdatas[i]) {
        return base::InvalidArgument(fmt::format("dns: record {} repeats record {}", i + 1, j + 1));
      }
    }
  }
  if (total > kMaxRrsetBytes) {
    return base::InvalidArgument(fmt::format("dns: RRset of {} bytes is over {}", total,
                                             kMaxRrsetBytes));
  }
  return base::Status::Ok();
}

Bytes RrsetRecord::Encode() const {
  codec::Writer w(16 + rdatas.size() * 32);
  w.Header(kTagRrsetRecord);
  w.U32(ttl);
  WriteRdatas(w, rdatas);
  return std::move(w).Take();
}

base::Result<RrsetRecord> RrsetRecord::Decode(ByteSpan bytes) {
  codec::Reader r(bytes);
  HM_TRY(r.Header(kTagRrsetRecord));
  RrsetRecord rec;
  HM_ASSIGN_OR_RETURN(rec.ttl, r.U32());
  HM_ASSIGN_OR_RETURN(rec.rdatas, ReadRdatas(r));
  HM_TRY(r.Finish());
  return rec;
}

bool IsRegistrableType(uint16_t type) {
  switch (type) {
    case rrtype::kA:
    case rrtype::kAaaa:
    case rrtype::kCname:
    case rrtype::kTxt:
    case rrtype::kSrv:
    case rrtype::kCaa:
    case rrtype::kSvcb:
    case rrtype::kHttps:
      return true;
    default:
      return false;
  }
}

base::Result<std::string> CanonicalOwner(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return base::InvalidArgument("dns: empty name");
  if (name.size() > kMaxNameText) {
    return base::InvalidArgument(fmt::format("dns: name is over {} characters", kMaxNameText));
  }
  std::string out = base::AsciiLowercase(name);
  const auto labels = SplitLabels(out);
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string_view l = labels[i];
    if (l.empty()) return base::InvalidArgument(fmt::format("dns: name '{}' has an empty label", out));
    if (l.size() > kMaxLabelLength) {
      return base::InvalidArgument(fmt::format("dns: label '{}' is over 63 characters", l));
    }
    if (l == "*") {
      if (i != 0) return base::InvalidArgument("dns: '*' is only allowed as the first label");
      continue;
    }
    for (char c : l) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return base::InvalidArgument(fmt::format(
            "dns: name '{}' has a character outside letters, digits, '-' and '_'", out));
      }
    }
  }
  if (labels.size() < 2) {
    return base::InvalidArgument(fmt::format("dns: '{}' is a top-level name", out));
  }
  return out;
}

bool CertificateCoversName(const std::vector<std::string>& san_names, std::string_view name) {
  // Strip leading underscore labels: `_8443._https.app.hypermesh` is app.hypermesh's.
  std::string_view base_name = name;
  while (!base_name.empty() && base_name.front() == '_') {
    const size_t dot = base_name.find('.');
    if (dot == std::string_view::npos) return false;
    base_name.remove_prefix(dot + 1);
  }
  for (const auto& san : san_names) {
    if (MatchesSan(san, name) || MatchesSan(san, base_name)) return true;
  }
  return false;
}

Bytes RrsetKey(std::string_view name, uint16_t type) {
  Bytes k;
  k.reserve(name.size() + 4);
  k.push_back(kKeyRrset);
  k.insert(k.end(), name.begin(), name.end());
  k.push_back(0);
  k.push_back(static_cast<uint8_t>(type >> 8));
  k.push_back(static_cast<uint8_t>(type));
  return k;
}

Bytes LastChangeKey(std::string_view name) {
  Bytes k;
  k.push_back(kKeyLastChange);
  k.insert(k.end(), name.begin(), name.end());
  return k;
}

Bytes SerialKey() { return {kKeySerial}; }

chain::Transaction MakeChangeTx(const RrsetChange& change, uint64_t nonce) {
  chain::Transaction tx;
  tx.module = std::string(kModuleName);
  tx.kind = kKindChange;
  tx.nonce = nonce;
  tx.payload = change.Encode();
  return tx;
}

// ---- module

struct DnsModule::Keys {
  crypto::EcdsaP256PublicKey issuing_key;
};

DnsModule::DnsModule(std::optional<ca::CaParams> ca_params) {
  if (!ca_params) return;
  auto key = ca::IssuingCaKey(*ca_params);
  if (key.ok()) keys_ = std::make_unique<Keys>(Keys{std::move(key).value()});
}

DnsModule::~DnsModule() = default;

base::Status DnsModule::Check(const chain::Transaction& tx) const {
  if (tx.kind != kKindChange) {
    return base::InvalidArgument(fmt::format("dns: unknown transaction kind {}", tx.kind));
  }
  HM_ASSIGN_OR_RETURN(RrsetChange change, RrsetChange::Decode(tx.payload));
  return change.ValidateContent();
}

base::Status DnsModule::Authorise(const RrsetChange& change, const chain::BlockContext& ctx,
                                  const chain::ModuleState& state) const {
  const Bytes msg = change.SigningMessage();
  if (change.authority == ChangeAuthority::kIssuingCa) {
    if (!keys_) return base::PermissionDenied("dns: this chain has no issuing CA");
    if (!keys_->issuing_key.Verify(msg, change.signature).ok()) {
      return base::PermissionDenied("dns: signature is not by the issuing CA");
    }
    return base::Status::Ok();
  }
  const std::string serial_hex = ca::SerialHex(change.serial);
  HM_ASSIGN_OR_RETURN(auto stored, state.GetOther(ca::kModuleName, ca::CertKey(change.serial)));
  if (!stored) {
    return base::PermissionDenied(fmt::format("dns: no certificate with serial {}", serial_hex));
  }
  auto record = ca::CertRecord::Decode(*stored);
  if (!record.ok()) return base::Corruption("dns: stored certificate record does not decode");
  if (record->revoked) {
    return base::PermissionDenied(fmt::format("dns: certificate {} is revoked", serial_hex));
  }
  if (record->not_after_ms < ctx.time_ms) {
    return base::PermissionDenied(fmt::format("dns: certificate {} has expired", serial_hex));
  }
  HM_ASSIGN_OR_RETURN(auto names, ca::CertificateDnsNames(record->der));
  if (!CertificateCoversName(names, change.name)) {
    return base::PermissionDenied(fmt::format("dns: certificate {} does not cover '{}'",
                                              serial_hex, change.name));
  }
  if (auto st = ca::VerifyByCertificateKey(record->der, msg, change.signature); !st.ok()) {
    return st.WithContext("dns");
  }
  return base::Status::Ok();
}

base::Result<Bytes> DnsModule::Apply(const chain::Transaction& tx, const chain::BlockContext& ctx,
                                     chain::ModuleState& state) {
  if (tx.kind != kKindChange) {
    return base::InvalidArgument(fmt::format("dns: unknown transaction kind {}", tx.kind));
  }
  HM_ASSIGN_OR_RETURN(RrsetChange change, RrsetChange::Decode(tx.payload));
  HM_TRY(change.ValidateContent());
  const uint64_t skew = change.timestamp_ms > ctx.time_ms ? change.timestamp_ms - ctx.time_ms
                                                          : ctx.time_ms - change.timestamp_ms;
  if (skew > kMaxChangeSkewMs) {
    return base::InvalidArgument(fmt::format(
        "dns: change time {} is more than 10 minutes from block time {}", change.timestamp_ms,
        ctx.time_ms));
  }
  HM_TRY(Authorise(change, ctx, state));
  HM_ASSIGN_OR_RETURN(auto last_value, state.Get(LastChangeKey(change.name)));
  HM_ASSIGN_OR_RETURN(uint64_t last, DecodeU64(last_value, "last change"));
  if (change.timestamp_ms <= last) {
    return base::FailedPrecondition(fmt::format(
        "dns: change time {} is not after the last change of '{}' ({}): replayed or stale",
        change.timestamp_ms, change.name, last));
  }

  // CNAME exclusivity: look at the other types present at the name.
  if (change.op != ChangeOp::kDelete) {
    const bool adding_cname = change.type == rrtype::kCname;
    for (uint16_t t : {rrtype::kA, rrtype::kAaaa, rrtype::kCname, rrtype::kTxt, rrtype::kSrv,
                       rrtype::kCaa, rrtype::kSvcb, rrtype::kHttps}) {
      if (t == change.type || (!adding_cname && t != rrtype::kCname)) continue;
      HM_ASSIGN_OR_RETURN(auto other, state.Get(RrsetKey(change.name, t)));
      if (other) {
        return base::FailedPrecondition(fmt::format(
            "dns: '{}' has {} records; a CNAME cannot coexist with other data", change.name,
            adding_cname ? "other" : "CNAME"));
      }
    }
  }

  const Bytes key = RrsetKey(change.name, change.type);
  if (change.op == ChangeOp::kDelete) {
    state.Delete(key);
  } else {
    RrsetRecord record;
    record.ttl = change.ttl;
    if (change.op == ChangeOp::kAdd) {
      HM_ASSIGN_OR_RETURN(auto existing, state.Get(key));
      if (existing) {
        auto old = RrsetRecord::Decode(*existing);
        if (!old.ok()) return base::Corruption("dns: stored RRset does not decode");
        record.rdatas = std::move(old->rdatas);
      }
      for (const auto& rd : change.rdatas) {
        if (std::find(record.rdatas.begin(), record.rdatas.end(), rd) == record.rdatas.end()) {
          record.rdatas.push_back(rd);
        }
      }
      size_t total = 0;
      for (const auto& rd : record.rdatas) total += rd.size();
      if (record.rdatas.size() > kMaxRdatas || total > kMaxRrsetBytes) {
        return base::FailedPrecondition(
            fmt::format("dns: '{}' would exceed {} records or {} bytes", change.name, kMaxRdatas,
                        kMaxRrsetBytes));
      }
    } else {
      record.rdatas = change.rdatas;
    }
    state.Put(key, record.Encode());
  }
  state.Put(LastChangeKey(change.name), codec::EncodeU64Value(change.timestamp_ms));
  HM_ASSIGN_OR_RETURN(auto serial_value, state.Get(SerialKey()));
  HM_ASSIGN_OR_RETURN(uint64_t count, DecodeU64(serial_value, "serial"));
  state.Put(SerialKey(), codec::EncodeU64Value(count + 1));
  changed_in_block_ = true;
  return codec::EncodeU64Value(count + 1);
}

void DnsModule::Commit(const chain::BlockHeader& header) {
  if (!changed_in_block_) return;
  changed_in_block_ = false;
  if (listener_) listener_(header.height);
}

// ---- reader

base::Result<std::vector<StoredRrset>> DnsReader::All() const {
  std::vector<StoredRrset> out;
  base::Status bad;
  const Bytes prefix{kKeyRrset};
  HM_TRY(chain_.ScanState(kModuleName, prefix, [&](ByteSpan key, ByteSpan value) {
    // key = 'R' || name || 0 || u16 type
    if (key.size() < 4 || key[key.size() - 3] != 0) {
      bad = base::Corruption("dns: malformed RRset key");
      return false;
    }
    auto record = RrsetRecord::Decode(value);
    if (!record.ok()) {
      bad = base::Corruption("dns: stored RRset does not decode");
      return false;
    }
    StoredRrset s;
    s.name.assign(reinterpret_cast<const char*>(key.data() + 1), key.size() - 4);
    s.type = static_cast<uint16_t>((key[key.size() - 2] << 8) | key[key.size() - 1]);
    s.record = std::move(record).value();
    out.push_back(std::move(s));
    return true;
  }));
  HM_TRY(bad);
  return out;
}

base::Result<std::optional<RrsetRecord>> DnsReader::Find(std::string_view name,
                                                         uint16_t type) const {
  HM_ASSIGN_OR_RETURN(auto value, chain_.ReadState(kModuleName, RrsetKey(name, type)));
  if (!value) return std::optional<RrsetRecord>();
  auto record = RrsetRecord::Decode(*value);
  if (!record.ok()) return base::Corruption("dns: stored RRset does not decode");
  return std::optional<RrsetRecord>(std::move(record).value());
}

base::Result<uint64_t> DnsReader::LastChange(std::string_view name) const {
  HM_ASSIGN_OR_RETURN(auto value, chain_.ReadState(kModuleName, LastChangeKey(name)));
  return DecodeU64(value, "last change");
}

base::Result<uint64_t> DnsReader::ChangeCount() const {
  HM_ASSIGN_OR_RETURN(auto value, chain_.ReadState(kModuleName, SerialKey()));
  return DecodeU64(value, "serial");
}

}  // namespace hm::trustchain::dns
