#include "crypto/hybrid/hybrid_sig.h"

#include <openssl/crypto.h>

#include <string>

#include "crypto/hybrid/der.h"
#include "crypto/hybrid/ecdsa_scalar.h"

namespace hm::crypto::hybrid {
namespace {

constexpr falcon::Variant kFalcon = falcon::Variant::kFalcon1024;

}  // namespace

base::Bytes HybridSigMessage(base::ByteSpan message) {
  base::Bytes m;
  m.reserve(kHybridSigLabel.size() + 1 + message.size());
  DerAppend(m, base::AsBytes(kHybridSigLabel));
  m.push_back(0x00);
  DerAppend(m, message);
  return m;
}

base::Bytes EncodeHybridSignature(const HybridSignature& sig) {
  base::Bytes body = DerBitString(sig.ecdsa_der);
  DerAppend(body, DerBitString(sig.falcon));
  return DerTlv(kDerSequence, body);
}

base::Result<HybridSignature> DecodeHybridSignature(base::ByteSpan der) {
  DerReader outer(der);
  HM_ASSIGN_OR_RETURN(base::ByteSpan body, outer.Read(kDerSequence, "hybrid signature"));
  HM_TRY(outer.Finish("hybrid signature"));
  DerReader r(body);
  HM_ASSIGN_OR_RETURN(base::ByteSpan ecdsa, r.ReadBitString("ECDSA half of hybrid signature"));
  HM_ASSIGN_OR_RETURN(base::ByteSpan falcon_sig,
                      r.ReadBitString("Falcon half of hybrid signature"));
  HM_TRY(r.Finish("the two halves of the hybrid signature"));
  if (ecdsa.empty() || ecdsa.size() > kEcdsaP256MaxDerSigSize) {
    return base::InvalidArgument("ECDSA half of hybrid signature has bad length " +
                                 std::to_string(ecdsa.size()));
  }
  if (falcon_sig.empty() || falcon_sig.size() > kHybridSigMaxFalconSize) {
    return base::InvalidArgument("Falcon half of hybrid signature has bad length " +
                                 std::to_string(falcon_sig.size()));
  }
  return HybridSignature{base::Bytes(ecdsa.begin(), ecdsa.end()),
                         base::Bytes(falcon_sig.begin(), falcon_sig.end())};
}

// ---- HybridSigPublicKey ----

base::Result<HybridSigPublicKey> HybridSigPublicKey::FromRaw(base::ByteSpan raw) {
  if (raw.size() != kHybridSigPublicKeySize) {
    return base::InvalidArgument("hybrid signature public key must be " +
                                 std::to_string(kHybridSigPublicKeySize) + " bytes, got " +
                                 std::to_string(raw.size()));
  }
  auto ecdsa = EcdsaP256PublicKey::FromSec1(raw.first(kP256PointSize));
  if (!ecdsa.ok()) return ecdsa.status().WithContext("ECDSA half of hybrid public key");
  const base::ByteSpan falcon_raw = raw.subspan(kP256PointSize);
  auto falcon_key = falcon::VerifyingKey::Load(kFalcon, falcon_raw);
  if (!falcon_key.ok()) return falcon_key.status().WithContext("Falcon half of hybrid public key");
  return HybridSigPublicKey(std::move(ecdsa).value(),
                            base::Bytes(falcon_raw.begin(), falcon_raw.end()),
                            std::move(falcon_key).value());
}

base::Bytes HybridSigPublicKey::Raw() const {
  base::Bytes raw(ecdsa_.Sec1().begin(), ecdsa_.Sec1().end());
  DerAppend(raw, falcon_raw_);
  return raw;
}

base::Status HybridSigPublicKey::Verify(base::ByteSpan message,
                                        base::ByteSpan signature_der) const {
  HM_ASSIGN_OR_RETURN(HybridSignature sig, DecodeHybridSignature(signature_der));
  return Verify(message, sig);
}

base::Status HybridSigPublicKey::Verify(base::ByteSpan message,
                                        const HybridSignature& signature) const {
  const base::Bytes m = HybridSigMessage(message);
  // Both halves are always checked; either failure rejects the whole signature.
  const base::Status ecdsa_status = ecdsa_.Verify(m, signature.ecdsa_der);
  const base::Status falcon_status = falcon_key_.Verify(m, signature.falcon);
  if (!ecdsa_status.ok()) {
    return base::Status(ecdsa_status.code(),
                        "ECDSA half of hybrid signature: " + std::string(ecdsa_status.message()));
  }
  if (!falcon_status.ok()) {
    return base::Status(falcon_status.code(),
                        "Falcon half of hybrid signature: " + std::string(falcon_status.message()));
  }
  return base::Status::Ok();
}

// ---- HybridSigSecretKey ----

HybridSigSecretKey::~HybridSigSecretKey() {
  if (!falcon_raw_.empty()) OPENSSL_cleanse(falcon_raw_.data(), falcon_raw_.size());
}

base::Result<HybridSigSecretKey> HybridSigSecretKey::FromParts(EcdsaP256PrivateKey ecdsa,
                                                               base::ByteSpan falcon_sk) {
  auto signing = falcon::SigningKey::Load(kFalcon, falcon_sk);
  if (!signing.ok()) return signing.status().WithContext("Falcon half of hybrid secret key");
  HM_ASSIGN_OR_RETURN(base::Bytes falcon_pk, falcon::PublicKeyFromSecretKey(kFalcon, falcon_sk));
  auto verifying = falcon::VerifyingKey::Load(kFalcon, falcon_pk);
  if (!verifying.ok()) return verifying.status().WithContext("Falcon half of hybrid secret key");
  HybridSigPublicKey pub(ecdsa.PublicKey(), std::move(falcon_pk), std::move(verifying).value());
  return HybridSigSecretKey(std::move(ecdsa), base::Bytes(falcon_sk.begin(), falcon_sk.end()),
                            std::move(signing).value(), std::move(pub));
}

base::Result<HybridSigSecretKey> HybridSigSecretKey::Generate(base::Random& random) {
  EcdsaP256PrivateKey ecdsa = EcdsaP256Generate(random);
  HM_ASSIGN_OR_RETURN(falcon::KeyPair pair, falcon::KeyGen(kFalcon, random));
  auto key = FromParts(std::move(ecdsa), pair.secret_key);
  OPENSSL_cleanse(pair.secret_key.data(), pair.secret_key.size());
  return key;
}

base::Result<HybridSigSecretKey> HybridSigSecretKey::FromRaw(base::ByteSpan raw) {
  if (raw.size() != kHybridSigSecretKeySize) {
    return base::InvalidArgument("hybrid signature secret key must be " +
                                 std::to_string(kHybridSigSecretKeySize) + " bytes, got " +
                                 std::to_string(raw.size()));
  }
  auto ecdsa = EcdsaP256FromScalar(raw.first(kEcdsaP256ScalarSize));
  if (!ecdsa.ok()) return ecdsa.status().WithContext("ECDSA half of hybrid secret key");
  return FromParts(std::move(ecdsa).value(), raw.subspan(kEcdsaP256ScalarSize));
}

base::Bytes HybridSigSecretKey::Raw() const {
  EcdsaP256Scalar d = EcdsaP256ScalarOf(ecdsa_);
  base::Bytes raw(d.begin(), d.end());
  OPENSSL_cleanse(d.data(), d.size());
  DerAppend(raw, falcon_raw_);
  return raw;
}

base::Result<HybridSignature> HybridSigSecretKey::SignParts(base::ByteSpan message,
                                                            base::Random& random) const {
  const base::Bytes m = HybridSigMessage(message);
  HybridSignature sig;
  sig.ecdsa_der = ecdsa_.Sign(m);
  HM_ASSIGN_OR_RETURN(sig.falcon, falcon_key_.Sign(m, random));
  return sig;
}

base::Result<base::Bytes> HybridSigSecretKey::Sign(base::ByteSpan message,
                                                   base::Random& random) const {
  HM_ASSIGN_OR_RETURN(HybridSignature sig, SignParts(message, random));
  return EncodeHybridSignature(sig);
}

}  // namespace hm::crypto::hybrid
