#include "crypto/ecdsa.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/params.h>

#include <algorithm>
#include <string>

#include "base/check.h"
#include "crypto/openssl_util.h"

namespace hm::crypto {
namespace {

using internal::ClearErrors;
using internal::DrainErrors;
using internal::OsslError;
using internal::PkeyPtr;

constexpr char kGroupName[] = "prime256v1";
constexpr char kPublicPemLabel[] = "PUBLIC KEY";
constexpr char kPrivatePemLabel[] = "PRIVATE KEY";

// OK if `pkey` is an EC key on P-256 (named curve; explicit parameters are refused).
base::Status CheckP256(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "EC") != 1) {
    return base::InvalidArgument(std::string("key type is ") + EVP_PKEY_get0_type_name(pkey) +
                                 ", want EC P-256");
  }
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &len) != 1) {
    ClearErrors();
    return base::InvalidArgument("EC key without a named curve");
  }
  int nid = OBJ_sn2nid(group);
  if (nid == NID_undef) nid = EC_curve_nist2nid(group);
  if (nid != NID_X9_62_prime256v1) {
    return base::InvalidArgument(std::string("EC curve is ") + group + ", want P-256");
  }
  return base::Status::Ok();
}

// Uncompressed SEC 1 encoding of an EC key's public point, independent of the point form
// the key was parsed from.
base::Result<std::array<uint8_t, kP256PointSize>> PublicPoint(EVP_PKEY* pkey) {
  BIGNUM* x_raw = nullptr;
  BIGNUM* y_raw = nullptr;
  const bool got = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x_raw) == 1 &&
                   EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y_raw) == 1;
  internal::BnPtr x(x_raw);
  internal::BnPtr y(y_raw);
  if (!got) return OsslError(base::Code::kInvalidArgument, "EC key has no public point");
  std::array<uint8_t, kP256PointSize> point;
  point[0] = 0x04;
  if (BN_bn2binpad(x.get(), point.data() + 1, 32) != 32 ||
      BN_bn2binpad(y.get(), point.data() + 33, 32) != 32) {
    return base::InvalidArgument("EC public coordinates wider than 32 bytes");
  }
  return point;
}

// ECDSA_SIG parsed from strict DER, so that one signature has exactly one accepted encoding.
base::Result<internal::EcdsaSigPtr> ParseDerSig(base::ByteSpan der) {
  if (der.empty() || der.size() > kEcdsaP256MaxDerSigSize) {
    return base::InvalidArgument("ECDSA DER signature has bad length " +
                                 std::to_string(der.size()));
  }
  ClearErrors();
  const unsigned char* p = der.data();
  internal::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return OsslError(base::Code::kInvalidArgument, "malformed ECDSA DER signature");
  if (p != der.data() + der.size()) {
    return base::InvalidArgument("trailing bytes after ECDSA DER signature");
  }
  unsigned char buf[kEcdsaP256MaxDerSigSize + 8];
  unsigned char* q = buf;
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0 || static_cast<size_t>(len) != der.size() || i2d_ECDSA_SIG(sig.get(), &q) != len ||
      !std::equal(buf, buf + len, der.begin())) {
    ClearErrors();
    return base::InvalidArgument("ECDSA signature is not strict DER");
  }
  return sig;
}

}  // namespace

// ---- EcdsaP256PublicKey ----

EcdsaP256PublicKey::EcdsaP256PublicKey(EvpPkeyPtr pkey,
                                       const std::array<uint8_t, kP256PointSize>& sec1)
    : pkey_(std::move(pkey)), sec1_(sec1) {}

EcdsaP256PublicKey::EcdsaP256PublicKey(const EcdsaP256PublicKey& other)
    : pkey_(ShareEvpPkey(other.pkey_.get())), sec1_(other.sec1_) {}

EcdsaP256PublicKey& EcdsaP256PublicKey::operator=(const EcdsaP256PublicKey& other) {
  if (this != &other) {
    pkey_ = ShareEvpPkey(other.pkey_.get());
    sec1_ = other.sec1_;
  }
  return *this;
}

base::Result<EcdsaP256PublicKey> EcdsaP256PublicKey::FromSec1(base::ByteSpan point) {
  if (point.size() != kP256PointSize || point[0] != 0x04) {
    return base::InvalidArgument("P-256 public key must be a 65-byte uncompressed point");
  }
  ClearErrors();
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<uint8_t*>(point.data()),
                                        point.size()),
      OSSL_PARAM_construct_end()};
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx) return OsslError(base::Code::kInternal, "EVP_PKEY_CTX_new_from_name(EC)");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return OsslError(base::Code::kInvalidArgument, "invalid P-256 point");
  }
  PkeyPtr pkey(raw);
  // On-curve and not-infinity checks; P-256 has cofactor 1, so that is the whole subgroup test.
  internal::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check_quick(check.get()) != 1) {
    return OsslError(base::Code::kInvalidArgument, "invalid P-256 point");
  }
  std::array<uint8_t, kP256PointSize> sec1;
  std::copy(point.begin(), point.end(), sec1.begin());
  return EcdsaP256PublicKey(std::move(pkey), sec1);
}

base::Result<EcdsaP256PublicKey> EcdsaP256PublicKey::FromSpkiDer(base::ByteSpan der) {
  HM_ASSIGN_OR_RETURN(PkeyPtr pkey, internal::ParseSpkiDer(der));
  HM_TRY(CheckP256(pkey.get()));
  HM_ASSIGN_OR_RETURN(auto point, PublicPoint(pkey.get()));
  // Rebuild from the uncompressed point so every key has one canonical SPKI encoding.
  return FromSec1(point);
}

base::Result<EcdsaP256PublicKey> EcdsaP256PublicKey::FromSpkiPem(std::string_view pem) {
  HM_ASSIGN_OR_RETURN(base::Bytes der, internal::PemToDer(pem, kPublicPemLabel));
  return FromSpkiDer(der);
}

base::Bytes EcdsaP256PublicKey::ToSpkiDer() const { return internal::SpkiDer(pkey_.get()); }

std::string EcdsaP256PublicKey::ToSpkiPem() const {
  return internal::DerToPem(ToSpkiDer(), kPublicPemLabel);
}

base::Status EcdsaP256PublicKey::Verify(base::ByteSpan msg, base::ByteSpan der_sig) const {
  HM_ASSIGN_OR_RETURN(auto parsed, ParseDerSig(der_sig));
  (void)parsed;
  ClearErrors();
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA2-256", nullptr, nullptr, pkey_.get(),
                                      nullptr) != 1) {
    return OsslError(base::Code::kInternal, "ECDSA verify init");
  }
  const int rc =
      EVP_DigestVerify(ctx.get(), der_sig.data(), der_sig.size(), msg.data(), msg.size());
  if (rc != 1) {
    ClearErrors();
    return base::Unauthenticated("ECDSA P-256 signature does not verify");
  }
  return base::Status::Ok();
}

base::Status EcdsaP256PublicKey::VerifyRaw(base::ByteSpan msg, base::ByteSpan raw_sig) const {
  HM_ASSIGN_OR_RETURN(base::Bytes der, EcdsaRawToDer(raw_sig));
  return Verify(msg, der);
}

// ---- EcdsaP256PrivateKey ----

EcdsaP256PrivateKey::EcdsaP256PrivateKey(EvpPkeyPtr pkey, EcdsaP256PublicKey pub)
    : pkey_(std::move(pkey)), public_(std::move(pub)) {}

base::Result<EcdsaP256PrivateKey> EcdsaP256PrivateKey::FromPkey(EvpPkeyPtr pkey) {
  HM_TRY(CheckP256(pkey.get()));
  ClearErrors();
  // PKCS#8 may carry a public key that does not match the scalar; insist that it does.
  internal::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) {
    return OsslError(base::Code::kInvalidArgument, "inconsistent P-256 private key");
  }
  HM_ASSIGN_OR_RETURN(auto point, PublicPoint(pkey.get()));
  HM_ASSIGN_OR_RETURN(EcdsaP256PublicKey pub, EcdsaP256PublicKey::FromSec1(point));
  return EcdsaP256PrivateKey(std::move(pkey), std::move(pub));
}

EcdsaP256PrivateKey EcdsaP256PrivateKey::Generate() {
  ClearErrors();
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", kGroupName));
  HM_CHECK_MSG(pkey != nullptr, DrainErrors());
  auto key = FromPkey(std::move(pkey));
  HM_CHECK_OK(key.status());
  return std::move(key).value();
}

base::Result<EcdsaP256PrivateKey> EcdsaP256PrivateKey::FromPkcs8Der(base::ByteSpan der) {
  HM_ASSIGN_OR_RETURN(PkeyPtr pkey, internal::ParsePkcs8Der(der));
  return FromPkey(std::move(pkey));
}

base::Result<EcdsaP256PrivateKey> EcdsaP256PrivateKey::FromPkcs8Pem(std::string_view pem) {
  HM_ASSIGN_OR_RETURN(base::Bytes der, internal::PemToDer(pem, kPrivatePemLabel));
  auto key = FromPkcs8Der(der);
  internal::Cleanse(der);
  return key;
}

base::Bytes EcdsaP256PrivateKey::ToPkcs8Der() const { return internal::Pkcs8Der(pkey_.get()); }

std::string EcdsaP256PrivateKey::ToPkcs8Pem() const {
  base::Bytes der = ToPkcs8Der();
  std::string pem = internal::DerToPem(der, kPrivatePemLabel);
  internal::Cleanse(der);
  return pem;
}

base::Bytes EcdsaP256PrivateKey::Sign(base::ByteSpan msg) const {
  ClearErrors();
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  HM_CHECK(ctx != nullptr);
  HM_CHECK_MSG(EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA2-256", nullptr, nullptr, pkey_.get(),
                                     nullptr) == 1,
               DrainErrors());
  base::Bytes sig(kEcdsaP256MaxDerSigSize);
  size_t len = sig.size();
  HM_CHECK_MSG(EVP_DigestSign(ctx.get(), sig.data(), &len, msg.data(), msg.size()) == 1,
               DrainErrors());
  sig.resize(len);
  return sig;
}

std::array<uint8_t, kEcdsaP256RawSigSize> EcdsaP256PrivateKey::SignRaw(base::ByteSpan msg) const {
  auto raw = EcdsaDerToRaw(Sign(msg));
  HM_CHECK_OK(raw.status());
  return *raw;
}

// ---- signature encodings ----

base::Result<std::array<uint8_t, kEcdsaP256RawSigSize>> EcdsaDerToRaw(base::ByteSpan der_sig) {
  HM_ASSIGN_OR_RETURN(internal::EcdsaSigPtr sig, ParseDerSig(der_sig));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::array<uint8_t, kEcdsaP256RawSigSize> raw;
  if (BN_is_negative(r) || BN_is_negative(s) || BN_bn2binpad(r, raw.data(), 32) != 32 ||
      BN_bn2binpad(s, raw.data() + 32, 32) != 32) {
    ClearErrors();
    return base::InvalidArgument("ECDSA r or s out of range for P-256");
  }
  return raw;
}

base::Result<base::Bytes> EcdsaRawToDer(base::ByteSpan raw_sig) {
  if (raw_sig.size() != kEcdsaP256RawSigSize) {
    return base::InvalidArgument("raw ECDSA P-256 signature must be 64 bytes, got " +
                                 std::to_string(raw_sig.size()));
  }
  ClearErrors();
  internal::BnPtr r(BN_bin2bn(raw_sig.data(), 32, nullptr));
  internal::BnPtr s(BN_bin2bn(raw_sig.data() + 32, 32, nullptr));
  internal::EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return OsslError(base::Code::kInternal, "ECDSA_SIG construction");
  }
  (void)r.release();  // now owned by sig
  (void)s.release();
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return OsslError(base::Code::kInternal, "i2d_ECDSA_SIG");
  base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &p) != len) return OsslError(base::Code::kInternal, "i2d");
  return der;
}

}  // namespace hm::crypto
