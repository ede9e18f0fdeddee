// The "ca" chain module (docs/spec/certificates.md "The ca chain module"). Everything Apply
// decides comes from the transaction, the block context and state; no clock is read.
#include "trustchain/ca/ca_module.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "base/ascii.h"
#include "codec/codec.h"
#include "crypto/ecdsa.h"
#include "crypto/ed25519.h"
#include "trustchain/ca/internal/ossl.h"

namespace hm::trustchain::ca {

using base::Bytes;
using base::ByteSpan;

namespace {

constexpr uint8_t kKeyCert = 'C';
constexpr uint8_t kKeyRevoked = 'V';
constexpr uint8_t kKeyCrlNumber = 'N';

constexpr std::string_view kRevokeDomain = "hm.revoke.v1";
// 9999-12-31T23:59:59.999Z: later times do not fit a system_clock time_point safely.
constexpr uint64_t kMaxTimeMs = 253'402'300'799'999;

base::Result<uint64_t> DecodeCrlNumber(const std::optional<Bytes>& value) {
  if (!value) return uint64_t{0};
  auto n = codec::DecodeU64Value(*value);
  if (!n.ok()) return base::Corruption("ca: bad CRL number value");
  return *n;
}

Bytes PrefixedKey(uint8_t prefix, ByteSpan serial) {
  Bytes key;
  key.reserve(1 + serial.size());
  key.push_back(prefix);
  key.insert(key.end(), serial.begin(), serial.end());
  return key;
}

// The subject public key as a DER SubjectPublicKeyInfo.
base::Result<Bytes> SpkiDer(EVP_PKEY* key) {
  const int len = key == nullptr ? 0 : i2d_PUBKEY(key, nullptr);
  if (len <= 0) return internal::OsslError(base::Code::kInvalidArgument, "unreadable public key");
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_PUBKEY(key, &p) != len) return internal::OsslInternal("encoding a public key");
  return der;
}

base::Result<crypto::EcdsaP256PublicKey> EcdsaKeyOf(X509* cert) {
  HM_ASSIGN_OR_RETURN(Bytes spki, SpkiDer(X509_get0_pubkey(cert)));
  return crypto::EcdsaP256PublicKey::FromSpkiDer(spki);
}

bool IsCa(X509* cert) { return (X509_get_extension_flags(cert) & EXFLAG_CA) != 0; }

// notAfter in milliseconds since the epoch; the conversion is pure calendar arithmetic (UTC).
base::Result<uint64_t> NotAfterMs(const X509* cert) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) {
    ERR_clear_error();
    return base::InvalidArgument("ca: certificate notAfter is malformed");
  }
  const time_t secs = timegm(&tm);
  if (secs < 0 || static_cast<uint64_t>(secs) > kMaxTimeMs / 1000) {
    return base::InvalidArgument("ca: certificate notAfter is out of range");
  }
  return static_cast<uint64_t>(secs) * 1000;
}

// The root + issuing CA of the genesis parameters, parsed and checked.
struct TrustAnchor {
  Bytes encoded;  // canonical CaParams encoding
  internal::X509Ptr root;
  internal::X509Ptr issuing;
  crypto::EcdsaP256PublicKey issuing_key;
};

base::Result<TrustAnchor> LoadTrustAnchor(const CaParams& params) {
  if (params.root_der.size() > kMaxCaCertBytes || params.issuing_der.size() > kMaxCaCertBytes) {
    return base::InvalidArgument("ca params: CA certificate too large");
  }
  auto root = internal::ParseCertDer(params.root_der);
  if (!root.ok()) return root.status().WithContext("ca params: root");
  auto issuing = internal::ParseCertDer(params.issuing_der);
  if (!issuing.ok()) return issuing.status().WithContext("ca params: issuing CA");
  auto root_key = EcdsaKeyOf(root->get());
  if (!root_key.ok()) return root_key.status().WithContext("ca params: root key is not P-256");
  auto issuing_key = EcdsaKeyOf(issuing->get());
  if (!issuing_key.ok()) {
    return issuing_key.status().WithContext("ca params: issuing CA key is not P-256");
  }
  if (!IsCa(root->get()) || !IsCa(issuing->get())) {
    return base::InvalidArgument("ca params: root and issuing certificates must be CAs");
  }
  if (X509_check_issued(root->get(), issuing->get()) != X509_V_OK) {
    ERR_clear_error();
    return base::InvalidArgument("ca params: the issuing CA is not issued by the root");
  }
  if (X509_get_signature_nid(issuing->get()) != NID_ecdsa_with_SHA256 ||
      X509_verify(issuing->get(), root_key->evp_pkey()) != 1) {
    ERR_clear_error();
    return base::InvalidArgument("ca params: the issuing CA is not signed (ECDSA) by the root");
  }
  return TrustAnchor{params.Encode(), std::move(root).value(), std::move(issuing).value(),
                     std::move(issuing_key).value()};
}

// A certificate of an issue transaction, checked against the issuing CA.
struct CheckedLeaf {
  Bytes serial;
  uint64_t not_after_ms = 0;
};

base::Result<CheckedLeaf> CheckLeaf(const TrustAnchor& anchor, ByteSpan der) {
  auto parsed = internal::ParseCertDer(der);
  if (!parsed.ok()) return parsed.status().WithContext("ca: issue");
  X509* cert = parsed->get();
  const uint32_t flags = X509_get_extension_flags(cert);
  if ((flags & EXFLAG_INVALID) != 0) {
    return base::InvalidArgument("ca: issue: certificate has malformed or repeated extensions");
  }
  if ((flags & EXFLAG_CA) != 0) return base::InvalidArgument("ca: issue: certificate is a CA");
  if ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(cert) & KU_KEY_CERT_SIGN) != 0) {
    return base::InvalidArgument("ca: issue: certificate may sign certificates (keyCertSign)");
  }
  const ASN1_INTEGER* sn = X509_get0_serialNumber(cert);
  if (ASN1_STRING_type(sn) == V_ASN1_NEG_INTEGER) {
    return base::InvalidArgument("ca: issue: serial is negative");
  }
  CheckedLeaf leaf;
  leaf.serial = internal::SerialToBytes(sn);
  // The DER INTEGER content (with a sign octet when the top bit is set) must fit RFC 5280's 20.
  const bool sign_octet = !leaf.serial.empty() && (leaf.serial[0] & 0x80) != 0;
  if (!IsValidSerial(leaf.serial) || leaf.serial.size() + (sign_octet ? 1 : 0) > kMaxSerialBytes) {
    return base::InvalidArgument("ca: issue: serial must be positive and at most 20 octets");
  }
  HM_ASSIGN_OR_RETURN(leaf.not_after_ms, NotAfterMs(cert));
  if (X509_get_signature_nid(cert) != NID_ecdsa_with_SHA256) {
    return base::InvalidArgument("ca: issue: certificate is not signed with ecdsa-with-SHA256");
  }
  if (X509_check_issued(anchor.issuing.get(), cert) != X509_V_OK) {
    ERR_clear_error();
    return base::PermissionDenied("ca: issue: certificate is not issued by the issuing CA");
  }
  if (X509_verify(cert, anchor.issuing_key.evp_pkey()) != 1) {
    ERR_clear_error();
    return base::PermissionDenied(
        "ca: issue: certificate signature does not verify under the issuing CA key");
  }
  return leaf;
}

}  // namespace

struct CaModule::Keys {
  TrustAnchor anchor;
};

base::Status VerifyByCertificateKey(ByteSpan cert_der, ByteSpan msg, ByteSpan sig) {
  auto cert = internal::ParseCertDer(cert_der);
  if (!cert.ok()) return base::InvalidArgument("certificate does not parse");
  EVP_PKEY* key = X509_get0_pubkey(cert->get());
  if (key == nullptr) {
    ERR_clear_error();
    return base::PermissionDenied("the certificate's key is unreadable");
  }
  HM_ASSIGN_OR_RETURN(Bytes spki, SpkiDer(key));
  base::Status verified;
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
      auto pub = crypto::EcdsaP256PublicKey::FromSpkiDer(spki);
      if (!pub.ok()) return base::PermissionDenied("certificate key is not P-256");
      verified = pub->Verify(msg, sig);
      break;
    }
    case EVP_PKEY_ED25519: {
      auto pub = crypto::Ed25519PublicKey::FromSpkiDer(spki);
      if (!pub.ok()) return base::PermissionDenied("certificate key is unreadable");
      verified = pub->Verify(msg, sig);
      break;
    }
    default:
      return base::PermissionDenied("the certificate's key type cannot sign");
  }
  if (!verified.ok()) {
    return base::PermissionDenied("signature is not by the certificate's key");
  }
  return base::Status::Ok();
}


base::Result<std::vector<std::string>> CertificateDnsNames(ByteSpan cert_der) {
  auto cert = internal::ParseCertDer(cert_der);
  if (!cert.ok()) return base::InvalidArgument("certificate does not parse");
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert->get(), NID_subject_alt_name, nullptr, nullptr));
  if (sans == nullptr) {
    ERR_clear_error();
    return names;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
    if (gn->type != GEN_DNS) continue;
    const ASN1_IA5STRING* s = gn->d.dNSName;
    std::string name(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
    base::AsciiLowerInPlace(name);
    names.push_back(std::move(name));
  }
  GENERAL_NAMES_free(sans);
  return names;
}

base::Result<crypto::EcdsaP256PublicKey> IssuingCaKey(const CaParams& params) {
  HM_ASSIGN_OR_RETURN(TrustAnchor anchor, LoadTrustAnchor(params));
  return std::move(anchor.issuing_key);
}

// ---- records

bool IsValidSerial(ByteSpan serial) {
  return !serial.empty() && serial.size() <= kMaxSerialBytes && serial[0] != 0;
}

bool IsValidRevocationReason(uint64_t reason) { return reason <= 10 && reason != 7; }

Bytes CaParams::Encode() const {
  codec::Writer w(root_der.size() + issuing_der.size() + 16);
  w.Header(kTagCaParams);
  w.Bytes(root_der);
  w.Bytes(issuing_der);
  return std::move(w).Take();
}

base::Result<CaParams> CaParams::Decode(ByteSpan bytes) {
  codec::Reader r(bytes);
  HM_TRY(r.Header(kTagCaParams));
  CaParams p;
  HM_ASSIGN_OR_RETURN(ByteSpan root, r.Bytes(kMaxCaCertBytes));
  HM_ASSIGN_OR_RETURN(ByteSpan issuing, r.Bytes(kMaxCaCertBytes));
  HM_TRY(r.Finish());
  p.root_der.assign(root.begin(), root.end());
  p.issuing_der.assign(issuing.begin(), issuing.end());
  HM_TRY(LoadTrustAnchor(p).status());
  return p;
}

Bytes IssuedCert::Encode() const {
  codec::Writer w(der.size() + 24);
  w.Header(kTagIssuedCert);
  w.Bytes(der);
  w.U64(ct_leaf_index);
  return std::move(w).Take();
}

base::Result<IssuedCert> IssuedCert::Decode(ByteSpan bytes) {
  codec::Reader r(bytes);
  HM_TRY(r.Header(kTagIssuedCert));
  IssuedCert c;
  HM_ASSIGN_OR_RETURN(ByteSpan der, r.Bytes(kMaxLeafCertBytes));
  HM_ASSIGN_OR_RETURN(c.ct_leaf_index, r.U64());
  HM_TRY(r.Finish());
  c.der.assign(der.begin(), der.end());
  return c;
}

Bytes Revocation::Encode() const {
  codec::Writer w(serial.size() + signature.size() + 32);
  w.Header(kTagRevocation);
  w.Bytes(serial);
  w.U8(static_cast<uint8_t>(reason));
  w.U64(revoked_at_ms);
  w.U8(static_cast<uint8_t>(authority));
  w.Bytes(signature);
  return std::move(w).Take();
}

base::Result<Revocation> Revocation::Decode(ByteSpan bytes) {
  codec::Reader r(bytes);
  HM_TRY(r.Header(kTagRevocation));
  Revocation v;
  HM_ASSIGN_OR_RETURN(ByteSpan serial, r.Bytes(kMaxSerialBytes));
  HM_ASSIGN_OR_RETURN(uint8_t reason, r.U8());
  HM_ASSIGN_OR_RETURN(v.revoked_at_ms, r.U64());
  HM_ASSIGN_OR_RETURN(uint8_t authority, r.U8());
  HM_ASSIGN_OR_RETURN(ByteSpan sig, r.Bytes(kMaxRevocationSignatureBytes));
  HM_TRY(r.Finish());
  if (!IsValidSerial(serial)) {
    return base::InvalidArgument("ca: revocation serial must be 1..20 bytes, minimal, non-zero");
  }
  if (!IsValidRevocationReason(reason)) {
    return base::InvalidArgument(fmt::format("ca: revocation reason {} is not allowed", reason));
  }
  if (authority != static_cast<uint8_t>(RevocationAuthority::kCertificateKey) &&
      authority != static_cast<uint8_t>(RevocationAuthority::kIssuingCa)) {
    return base::InvalidArgument(fmt::format("ca: unknown revocation authority {}", authority));
  }
  v.serial.assign(serial.begin(), serial.end());
  v.reason = static_cast<RevocationReason>(reason);
  v.authority = static_cast<RevocationAuthority>(authority);
  v.signature.assign(sig.begin(), sig.end());
  return v;
}

Bytes RevocationMessage(ByteSpan serial, RevocationReason reason) {
  Bytes m(kRevokeDomain.begin(), kRevokeDomain.end());
  m.push_back(0x00);
  m.push_back(static_cast<uint8_t>(serial.size()));
  m.insert(m.end(), serial.begin(), serial.end());
  m.push_back(static_cast<uint8_t>(reason));
  return m;
}

Bytes CertRecord::Encode() const {
  codec::Writer w(der.size() + 40);
  w.Header(kTagCertRecord);
  w.Bytes(der);
  w.U64(not_after_ms);
  w.U64(ct_leaf_index);
  w.U8(revoked ? 1 : 0);
  w.U64(revoked_at_ms);
  w.U8(static_cast<uint8_t>(reason));
  return std::move(w).Take();
}

base::Result<CertRecord> CertRecord::Decode(ByteSpan bytes) {
  codec::Reader r(bytes);
  HM_TRY(r.Header(kTagCertRecord));
  CertRecord c;
  HM_ASSIGN_OR_RETURN(ByteSpan der, r.Bytes(kMaxLeafCertBytes));
  HM_ASSIGN_OR_RETURN(c.not_after_ms, r.U64());
  HM_ASSIGN_OR_RETURN(c.ct_leaf_index, r.U64());
  HM_ASSIGN_OR_RETURN(uint8_t status, r.U8());
  HM_ASSIGN_OR_RETURN(c.revoked_at_ms, r.U64());
  HM_ASSIGN_OR_RETURN(uint8_t reason, r.U8());
  HM_TRY(r.Finish());
  if (status > 1) return base::InvalidArgument(fmt::format("ca: bad record status {}", status));
  if (!IsValidRevocationReason(reason)) {
    return base::InvalidArgument(fmt::format("ca: bad record reason {}", reason));
  }
  c.der.assign(der.begin(), der.end());
  c.revoked = status == 1;
  c.reason = static_cast<RevocationReason>(reason);
  return c;
}

Bytes CertKey(ByteSpan serial) { return PrefixedKey(kKeyCert, serial); }
Bytes RevokedKey(ByteSpan serial) { return PrefixedKey(kKeyRevoked, serial); }
Bytes CrlNumberKey() { return {kKeyCrlNumber}; }

chain::Transaction MakeIssueTx(const IssuedCert& cert, uint64_t nonce) {
  chain::Transaction tx;
  tx.module = std::string(kModuleName);
  tx.kind = kKindIssue;
  tx.nonce = nonce;
  tx.payload = cert.Encode();
  return tx;
}

chain::Transaction MakeRevokeTx(const Revocation& revocation, uint64_t nonce) {
  chain::Transaction tx;
  tx.module = std::string(kModuleName);
  tx.kind = kKindRevoke;
  tx.nonce = nonce;
  tx.payload = revocation.Encode();
  return tx;
}

base::Bytes SerialOf(const X509* cert) {
  return cert == nullptr ? base::Bytes() : internal::SerialToBytes(X509_get0_serialNumber(cert));
}

std::string SerialHex(ByteSpan serial) { return base::HexEncode(serial); }

base::Result<Bytes> ParseSerialHex(std::string_view hex) {
  if (hex.empty()) return base::InvalidArgument("serial: empty");
  if (hex.size() % 2 != 0) return base::InvalidArgument("serial: odd number of hex digits");
  if (hex.size() > 2 * kMaxSerialBytes) return base::InvalidArgument("serial: over 20 bytes");
  auto bytes = base::HexDecode(hex);
  if (!bytes.ok()) return base::InvalidArgument("serial: not hex");
  bool zero = true;
  for (uint8_t b : *bytes) zero = zero && b == 0;
  if (zero) return base::InvalidArgument("serial: zero");
  if ((*bytes)[0] == 0) return base::InvalidArgument("serial: leading zero byte (not minimal)");
  return bytes;
}

// ---- module

CaModule::CaModule(std::optional<CaParams> params) {
  if (!params) return;
  auto anchor = LoadTrustAnchor(*params);
  if (!anchor.ok()) {
    params_error_ = anchor.status();
    return;
  }
  keys_ = std::make_unique<Keys>(Keys{std::move(anchor).value()});
}

CaModule::~CaModule() = default;

base::Status CaModule::Check(const chain::Transaction& tx) const {
  if (!keys_) return base::FailedPrecondition("ca module has no genesis parameters");
  switch (tx.kind) {
    case kKindIssue: {
      HM_ASSIGN_OR_RETURN(IssuedCert cert, IssuedCert::Decode(tx.payload));
      return CheckLeaf(keys_->anchor, cert.der).status();
    }
    case kKindRevoke:
      return Revocation::Decode(tx.payload).status();
    default:
      return base::InvalidArgument(fmt::format("ca: unknown transaction kind {}", tx.kind));
  }
}

base::Result<Bytes> CaModule::Apply(const chain::Transaction& tx, const chain::BlockContext& ctx,
                                    chain::ModuleState& state) {
  if (!keys_) return base::FailedPrecondition("ca module has no genesis parameters");
  if (tx.kind == kKindIssue) {
    HM_ASSIGN_OR_RETURN(IssuedCert cert, IssuedCert::Decode(tx.payload));
    HM_ASSIGN_OR_RETURN(CheckedLeaf leaf, CheckLeaf(keys_->anchor, cert.der));
    HM_ASSIGN_OR_RETURN(auto existing, state.Get(CertKey(leaf.serial)));
    if (existing) {
      return base::AlreadyExists(
          fmt::format("ca: serial {} is already issued", SerialHex(leaf.serial)));
    }
    CertRecord record;
    record.der = std::move(cert.der);
    record.not_after_ms = leaf.not_after_ms;
    record.ct_leaf_index = cert.ct_leaf_index;
    state.Put(CertKey(leaf.serial), record.Encode());
    return leaf.serial;
  }
  if (tx.kind != kKindRevoke) {
    return base::InvalidArgument(fmt::format("ca: unknown transaction kind {}", tx.kind));
  }
  HM_ASSIGN_OR_RETURN(Revocation rev, Revocation::Decode(tx.payload));
  const std::string serial_hex = SerialHex(rev.serial);
  HM_ASSIGN_OR_RETURN(auto stored, state.Get(CertKey(rev.serial)));
  if (!stored) return base::NotFound(fmt::format("ca: no certificate with serial {}", serial_hex));
  auto record = CertRecord::Decode(*stored);
  if (!record.ok()) return base::Corruption("ca: stored certificate record does not decode");
  if (record->revoked) {
    return base::FailedPrecondition(fmt::format("ca: serial {} is already revoked", serial_hex));
  }
  if (rev.revoked_at_ms > ctx.time_ms && rev.revoked_at_ms - ctx.time_ms > kMaxRevocationSkewMs) {
    return base::FailedPrecondition(fmt::format(
        "ca: revocation time {} is too far after block time {}", rev.revoked_at_ms, ctx.time_ms));
  }
  const Bytes msg = RevocationMessage(rev.serial, rev.reason);
  if (rev.authority == RevocationAuthority::kCertificateKey) {
    if (auto st = VerifyByCertificateKey(record->der, msg, rev.signature); !st.ok()) {
      return st.WithContext("ca: revoke");
    }
  } else if (!keys_->anchor.issuing_key.Verify(msg, rev.signature).ok()) {
    return base::PermissionDenied("ca: revoke: signature is not by the issuing CA");
  }
  HM_ASSIGN_OR_RETURN(auto crl_value, state.Get(CrlNumberKey()));
  HM_ASSIGN_OR_RETURN(uint64_t crl_number, DecodeCrlNumber(crl_value));
  record->revoked = true;
  record->revoked_at_ms = rev.revoked_at_ms;
  record->reason = rev.reason;
  state.Put(CertKey(rev.serial), record->Encode());
  state.Put(RevokedKey(rev.serial), Bytes{});
  state.Put(CrlNumberKey(), codec::EncodeU64Value(crl_number + 1));
  revoked_in_block_ = true;
  return Bytes{};
}

base::Status CaModule::InitGenesis(const chain::Genesis& genesis, chain::ModuleState& state) {
  const Bytes* raw = genesis.ParamsFor(kModuleName);
  if (raw != nullptr) {
    auto params = CaParams::Decode(*raw);
    if (!params.ok()) return base::InvalidArgument(std::string(params.status().message()));
  }
  if (!params_error_.ok()) return params_error_;
  const bool same =
      (raw == nullptr && !keys_) || (raw != nullptr && keys_ && *raw == keys_->anchor.encoded);
  if (!same) {
    return base::InvalidArgument("ca: module parameters differ from the genesis parameters");
  }
  state.Put(CrlNumberKey(), codec::EncodeU64Value(0));
  return base::Status::Ok();
}

void CaModule::Commit(const chain::BlockHeader& /*header*/) {
  if (!revoked_in_block_) return;
  revoked_in_block_ = false;
  if (listener_) listener_();
}

// ---- reader

base::Result<std::optional<CertRecord>> CaReader::Find(ByteSpan serial) const {
  if (!IsValidSerial(serial)) return std::optional<CertRecord>();
  HM_ASSIGN_OR_RETURN(auto value, chain_.ReadState(kModuleName, CertKey(serial)));
  if (!value) return std::optional<CertRecord>();
  auto record = CertRecord::Decode(*value);
  if (!record.ok()) {
    return base::Corruption(
        fmt::format("ca: record of serial {} does not decode", SerialHex(serial)));
  }
  return std::optional<CertRecord>(std::move(record).value());
}

base::Result<std::vector<RevokedCert>> CaReader::Revoked() const {
  std::vector<Bytes> serials;
  const Bytes prefix{kKeyRevoked};
  HM_TRY(chain_.ScanState(kModuleName, prefix, [&](ByteSpan key, ByteSpan) {
    serials.emplace_back(key.begin() + 1, key.end());
    return true;
  }));
  std::vector<RevokedCert> out;
  out.reserve(serials.size());
  for (Bytes& serial : serials) {
    HM_ASSIGN_OR_RETURN(auto record, Find(serial));
    if (!record || !record->revoked || record->revoked_at_ms > kMaxTimeMs) {
      return base::Corruption(
          fmt::format("ca: revoked serial {} has no revoked record", SerialHex(serial)));
    }
    RevokedCert rc;
    if ((serial[0] & 0x80) != 0) serial.insert(serial.begin(), 0x00);
    rc.serial = std::move(serial);
    rc.revoked_at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::milliseconds(record->revoked_at_ms)));
    rc.reason = record->reason;
    out.push_back(std::move(rc));
  }
  return out;
}

base::Result<uint64_t> CaReader::CrlNumber() const {
  HM_ASSIGN_OR_RETURN(auto value, chain_.ReadState(kModuleName, CrlNumberKey()));
  return DecodeCrlNumber(value);
}

}  // namespace hm::trustchain::ca
