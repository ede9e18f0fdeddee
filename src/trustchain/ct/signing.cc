#include "trustchain/ct/signing.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>

#include "crypto/hybrid/pq_keys.h"
#include "crypto/key_file.h"
#include "crypto/secure_random.h"
#include "trustchain/ct/tls.h"

namespace hm::trustchain::ct {

namespace falcon = crypto::falcon;
using base::Bytes;

namespace {
constexpr falcon::Variant kFalcon = falcon::Variant::kFalcon1024;
constexpr uint8_t kV1 = 0;
constexpr uint8_t kCertificateTimestamp = 0;
constexpr uint8_t kTreeHash = 1;
}  // namespace

Bytes EncodeDigitallySigned(ByteSpan der_signature) {
  TlsWriter w;
  w.U8(kHashSha256);
  w.U8(kSigEcdsa);
  w.Opaque(der_signature, 2);
  return std::move(w).Take();
}

base::Result<Bytes> DecodeDigitallySigned(ByteSpan tls) {
  TlsReader r(tls);
  HM_ASSIGN_OR_RETURN(uint64_t hash, r.Uint(1, "hash algorithm"));
  HM_ASSIGN_OR_RETURN(uint64_t sig, r.Uint(1, "signature algorithm"));
  if (hash != kHashSha256 || sig != kSigEcdsa) {
    return base::InvalidArgument(
        fmt::format("unsupported DigitallySigned algorithms ({}, {}); want sha256/ecdsa", hash, sig));
  }
  HM_ASSIGN_OR_RETURN(auto der, r.Opaque(2, 1, "signature"));
  HM_TRY(r.Finish("DigitallySigned"));
  return Bytes(der.begin(), der.end());
}

Bytes TreeHeadSignatureInput(uint64_t timestamp_ms, uint64_t tree_size, const Digest32& root) {
  TlsWriter w;
  w.U8(kV1);
  w.U8(kTreeHash);
  w.U64(timestamp_ms);
  w.U64(tree_size);
  w.Fixed(root);
  return std::move(w).Take();
}

Bytes SctSignatureInput(uint64_t timestamp_ms, const LogEntry& entry, ByteSpan extensions) {
  TlsWriter w;
  w.U8(kV1);
  w.U8(kCertificateTimestamp);
  w.U64(timestamp_ms);
  w.U16(static_cast<uint16_t>(entry.type));
  if (entry.type == EntryType::kPrecert) w.Fixed(*entry.issuer_key_hash);
  w.Opaque(entry.entry, 3);
  w.Opaque(extensions, 2);
  return std::move(w).Take();
}

Bytes Sct::Serialize() const {
  TlsWriter w;
  w.U8(kV1);
  w.Fixed(log_id);
  w.U64(timestamp_ms);
  w.Opaque(extensions, 2);
  w.Fixed(signature);
  return std::move(w).Take();
}

base::Result<Sct> Sct::Parse(ByteSpan tls) {
  TlsReader r(tls);
  HM_ASSIGN_OR_RETURN(uint64_t version, r.Uint(1, "sct_version"));
  if (version != kV1) return base::InvalidArgument(fmt::format("unknown SCT version {}", version));
  Sct sct;
  HM_ASSIGN_OR_RETURN(auto id, r.Fixed(32, "log_id"));
  std::copy(id.begin(), id.end(), sct.log_id.begin());
  HM_ASSIGN_OR_RETURN(sct.timestamp_ms, r.Uint(8, "timestamp"));
  HM_ASSIGN_OR_RETURN(auto ext, r.Opaque(2, 0, "extensions"));
  sct.extensions.assign(ext.begin(), ext.end());
  HM_ASSIGN_OR_RETURN(auto sig, r.Fixed(r.remaining(), "signature"));
  sct.signature.assign(sig.begin(), sig.end());
  HM_TRY(DecodeDigitallySigned(sct.signature).status());
  return sct;
}

base::Result<Bytes> SerializeSctList(std::span<const Sct> scts) {
  if (scts.empty()) return base::InvalidArgument("SCT list must not be empty");
  TlsWriter list;
  for (const auto& sct : scts) {
    const Bytes one = sct.Serialize();
    if (one.size() > 0xffff) return base::InvalidArgument("SCT too large");
    list.Opaque(one, 2);
  }
  if (list.bytes().size() > 0xffff) return base::InvalidArgument("SCT list too large");
  TlsWriter out;
  out.Opaque(list.bytes(), 2);
  return std::move(out).Take();
}

base::Result<Bytes> SctListExtensionValue(std::span<const Sct> scts) {
  HM_ASSIGN_OR_RETURN(Bytes list, SerializeSctList(scts));
  Bytes der = {0x04};  // OCTET STRING; the list is < 64 KiB so the length fits in two bytes
  if (list.size() < 0x80) {
    der.push_back(static_cast<uint8_t>(list.size()));
  } else if (list.size() <= 0xff) {
    der.insert(der.end(), {0x81, static_cast<uint8_t>(list.size())});
  } else {
    der.insert(der.end(), {0x82, static_cast<uint8_t>(list.size() >> 8),
                           static_cast<uint8_t>(list.size())});
  }
  der.insert(der.end(), list.begin(), list.end());
  return der;
}

base::Result<LogPublicKeys> LogPublicKeys::Create(ByteSpan ecdsa_spki_der,
                                                  ByteSpan falcon_public_key) {
  HM_ASSIGN_OR_RETURN(auto ecdsa, crypto::EcdsaP256PublicKey::FromSpkiDer(ecdsa_spki_der));
  HM_ASSIGN_OR_RETURN(auto vk, falcon::VerifyingKey::Load(kFalcon, falcon_public_key));
  return LogPublicKeys(std::move(ecdsa), std::move(vk),
                       Bytes(falcon_public_key.begin(), falcon_public_key.end()),
                       crypto::Sha256(ecdsa_spki_der));
}

base::Status LogPublicKeys::VerifySth(const SignedTreeHead& sth) const {
  const Bytes input = TreeHeadSignatureInput(sth.timestamp_ms, sth.tree_size, sth.root);
  HM_ASSIGN_OR_RETURN(Bytes der, DecodeDigitallySigned(sth.ecdsa_signature));
  HM_TRY(ecdsa_.Verify(input, der).WithContext("STH ECDSA signature"));
  return falcon_.Verify(input, sth.falcon_signature).WithContext("STH Falcon-1024 signature");
}

base::Status LogPublicKeys::VerifySct(const Sct& sct, const LogEntry& entry) const {
  if (sct.log_id != log_id_) return base::Unauthenticated("SCT is from another log");
  HM_TRY(entry.Validate());
  HM_ASSIGN_OR_RETURN(Bytes der, DecodeDigitallySigned(sct.signature));
  return ecdsa_.Verify(SctSignatureInput(sct.timestamp_ms, entry, sct.extensions), der)
      .WithContext("SCT signature");
}

base::Result<LogSigner> LogSigner::Create(crypto::EcdsaP256PrivateKey ecdsa,
                                          ByteSpan falcon_secret_key) {
  HM_ASSIGN_OR_RETURN(auto sk, falcon::SigningKey::Load(kFalcon, falcon_secret_key));
  HM_ASSIGN_OR_RETURN(Bytes pk, falcon::PublicKeyFromSecretKey(kFalcon, falcon_secret_key));
  HM_ASSIGN_OR_RETURN(auto pub, LogPublicKeys::Create(ecdsa.PublicKey().ToSpkiDer(), pk));
  return LogSigner(std::move(ecdsa), std::move(sk), std::move(pub));
}

base::Result<SignedTreeHead> LogSigner::SignSth(uint64_t timestamp_ms, uint64_t tree_size,
                                                const Digest32& root) const {
  SignedTreeHead sth;
  sth.timestamp_ms = timestamp_ms;
  sth.tree_size = tree_size;
  sth.root = root;
  const Bytes input = TreeHeadSignatureInput(timestamp_ms, tree_size, root);
  sth.ecdsa_signature = EncodeDigitallySigned(ecdsa_.Sign(input));
  crypto::SecureRandom random;
  HM_ASSIGN_OR_RETURN(sth.falcon_signature, falcon_.Sign(input, random));
  return sth;
}

Sct LogSigner::SignSct(const LogEntry& entry) const {
  Sct sct;
  sct.timestamp_ms = entry.timestamp_ms;
  sct.log_id = log_id();
  sct.extensions = entry.extensions;
  sct.signature = EncodeDigitallySigned(
      ecdsa_.Sign(SctSignatureInput(entry.timestamp_ms, entry, entry.extensions)));
  return sct;
}

namespace {

base::Result<LogSigner> CreateKeys(const std::string& ecdsa_path, const std::string& falcon_path) {
  auto ecdsa = crypto::EcdsaP256PrivateKey::Generate();
  crypto::SecureRandom random;
  HM_ASSIGN_OR_RETURN(auto pair, falcon::KeyGen(kFalcon, random));
  HM_ASSIGN_OR_RETURN(std::string falcon_pem,
                      crypto::hybrid::SecretKeyToPem(crypto::hybrid::Algorithm::kFalcon1024,
                                                     pair.secret_key));
  // Falcon first: a crash in between leaves only it, which the next start refuses loudly.
  HM_TRY(crypto::WriteSecretFile(falcon_path, base::AsBytes(falcon_pem)));
  HM_TRY(crypto::WriteSecretFile(ecdsa_path, base::AsBytes(ecdsa.ToPkcs8Pem())));
  return LogSigner::Create(std::move(ecdsa), pair.secret_key);
}

base::Result<LogSigner> LoadKeys(const std::string& ecdsa_path, const std::string& falcon_path) {
  HM_ASSIGN_OR_RETURN(Bytes ecdsa_pem, crypto::ReadSecretFile(ecdsa_path));
  auto ecdsa = crypto::EcdsaP256PrivateKey::FromPkcs8Pem(base::AsString(ecdsa_pem));
  if (!ecdsa.ok()) return ecdsa.status().WithContext(ecdsa_path);
  HM_ASSIGN_OR_RETURN(Bytes falcon_pem, crypto::ReadSecretFile(falcon_path));
  auto falcon_sk = crypto::hybrid::SecretKeyFromPem(crypto::hybrid::Algorithm::kFalcon1024,
                                                    base::AsString(falcon_pem));
  if (!falcon_sk.ok()) return falcon_sk.status().WithContext(falcon_path);
  return LogSigner::Create(std::move(*ecdsa), *falcon_sk);
}

}  // namespace

base::Result<LogSigner> LoadOrCreateLogKeys(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec || ::chmod(dir.c_str(), 0700) != 0) {
      return base::IoError(fmt::format("cannot create key directory {}", dir));
    }
  }
  const std::string ecdsa_path = (fs::path(dir) / kEcdsaKeyFile).string();
  const std::string falcon_path = (fs::path(dir) / kFalconKeyFile).string();
  const bool have_ecdsa = fs::exists(ecdsa_path, ec);
  const bool have_falcon = fs::exists(falcon_path, ec);
  if (have_ecdsa != have_falcon) {
    return base::FailedPrecondition(fmt::format(
        "CT log key {} exists without {}; refusing to replace half of the log identity",
        have_ecdsa ? ecdsa_path : falcon_path, have_ecdsa ? falcon_path : ecdsa_path));
  }
  if (!have_ecdsa) return CreateKeys(ecdsa_path, falcon_path);
  return LoadKeys(ecdsa_path, falcon_path);
}

}  // namespace hm::trustchain::ct
