#include "crypto/ed25519.h"

#include <openssl/evp.h>

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

constexpr char kPublicPemLabel[] = "PUBLIC KEY";
constexpr char kPrivatePemLabel[] = "PRIVATE KEY";

base::Status CheckEd25519(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519") != 1) {
    return base::InvalidArgument(std::string("key type is ") + EVP_PKEY_get0_type_name(pkey) +
                                 ", want ED25519");
  }
  return base::Status::Ok();
}

}  // namespace

// ---- Ed25519PublicKey ----

Ed25519PublicKey::Ed25519PublicKey(EvpPkeyPtr pkey,
                                   const std::array<uint8_t, kEd25519PublicKeySize>& raw)
    : pkey_(std::move(pkey)), raw_(raw) {}

Ed25519PublicKey::Ed25519PublicKey(const Ed25519PublicKey& other)
    : pkey_(ShareEvpPkey(other.pkey_.get())), raw_(other.raw_) {}

Ed25519PublicKey& Ed25519PublicKey::operator=(const Ed25519PublicKey& other) {
  if (this != &other) {
    pkey_ = ShareEvpPkey(other.pkey_.get());
    raw_ = other.raw_;
  }
  return *this;
}

base::Result<Ed25519PublicKey> Ed25519PublicKey::FromRaw(base::ByteSpan raw) {
  if (raw.size() != kEd25519PublicKeySize) {
    return base::InvalidArgument("Ed25519 public key must be 32 bytes, got " +
                                 std::to_string(raw.size()));
  }
  ClearErrors();
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size()));
  if (!pkey) return OsslError(base::Code::kInvalidArgument, "invalid Ed25519 public key");
  std::array<uint8_t, kEd25519PublicKeySize> copy;
  std::copy(raw.begin(), raw.end(), copy.begin());
  return Ed25519PublicKey(std::move(pkey), copy);
}

base::Result<Ed25519PublicKey> Ed25519PublicKey::FromSpkiDer(base::ByteSpan der) {
  HM_ASSIGN_OR_RETURN(PkeyPtr pkey, internal::ParseSpkiDer(der));
  HM_TRY(CheckEd25519(pkey.get()));
  std::array<uint8_t, kEd25519PublicKeySize> raw;
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), raw.data(), &len) != 1 || len != raw.size()) {
    return OsslError(base::Code::kInvalidArgument, "Ed25519 SPKI without a 32-byte key");
  }
  return Ed25519PublicKey(std::move(pkey), raw);
}

base::Result<Ed25519PublicKey> Ed25519PublicKey::FromSpkiPem(std::string_view pem) {
  HM_ASSIGN_OR_RETURN(base::Bytes der, internal::PemToDer(pem, kPublicPemLabel));
  return FromSpkiDer(der);
}

base::Bytes Ed25519PublicKey::ToSpkiDer() const { return internal::SpkiDer(pkey_.get()); }

std::string Ed25519PublicKey::ToSpkiPem() const {
  return internal::DerToPem(ToSpkiDer(), kPublicPemLabel);
}

base::Status Ed25519PublicKey::Verify(base::ByteSpan msg, base::ByteSpan sig) const {
  if (sig.size() != kEd25519SignatureSize) {
    return base::InvalidArgument("Ed25519 signature must be 64 bytes, got " +
                                 std::to_string(sig.size()));
  }
  ClearErrors();
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, pkey_.get(),
                                      nullptr) != 1) {
    return OsslError(base::Code::kInternal, "Ed25519 verify init");
  }
  if (EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size()) != 1) {
    ClearErrors();
    return base::Unauthenticated("Ed25519 signature does not verify");
  }
  return base::Status::Ok();
}

// ---- Ed25519PrivateKey ----

Ed25519PrivateKey::Ed25519PrivateKey(EvpPkeyPtr pkey, Ed25519PublicKey pub)
    : pkey_(std::move(pkey)), public_(std::move(pub)) {}

base::Result<Ed25519PrivateKey> Ed25519PrivateKey::FromPkey(EvpPkeyPtr pkey) {
  HM_TRY(CheckEd25519(pkey.get()));
  std::array<uint8_t, kEd25519PublicKeySize> raw;
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), raw.data(), &len) != 1 || len != raw.size()) {
    return OsslError(base::Code::kInvalidArgument, "Ed25519 key without a public half");
  }
  HM_ASSIGN_OR_RETURN(Ed25519PublicKey pub, Ed25519PublicKey::FromRaw(raw));
  return Ed25519PrivateKey(std::move(pkey), std::move(pub));
}

Ed25519PrivateKey Ed25519PrivateKey::Generate() {
  ClearErrors();
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  HM_CHECK_MSG(pkey != nullptr, DrainErrors());
  auto key = FromPkey(std::move(pkey));
  HM_CHECK_OK(key.status());
  return std::move(key).value();
}

base::Result<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(base::ByteSpan seed) {
  if (seed.size() != kEd25519SeedSize) {
    return base::InvalidArgument("Ed25519 seed must be 32 bytes, got " +
                                 std::to_string(seed.size()));
  }
  ClearErrors();
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!pkey) return OsslError(base::Code::kInternal, "EVP_PKEY_new_raw_private_key(ED25519)");
  return FromPkey(std::move(pkey));
}

base::Result<Ed25519PrivateKey> Ed25519PrivateKey::FromPkcs8Der(base::ByteSpan der) {
  HM_ASSIGN_OR_RETURN(PkeyPtr pkey, internal::ParsePkcs8Der(der));
  return FromPkey(std::move(pkey));
}

base::Result<Ed25519PrivateKey> Ed25519PrivateKey::FromPkcs8Pem(std::string_view pem) {
  HM_ASSIGN_OR_RETURN(base::Bytes der, internal::PemToDer(pem, kPrivatePemLabel));
  auto key = FromPkcs8Der(der);
  internal::Cleanse(der);
  return key;
}

base::Bytes Ed25519PrivateKey::ToPkcs8Der() const { return internal::Pkcs8Der(pkey_.get()); }

std::string Ed25519PrivateKey::ToPkcs8Pem() const {
  base::Bytes der = ToPkcs8Der();
  std::string pem = internal::DerToPem(der, kPrivatePemLabel);
  internal::Cleanse(der);
  return pem;
}

std::array<uint8_t, kEd25519SignatureSize> Ed25519PrivateKey::Sign(base::ByteSpan msg) const {
  ClearErrors();
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  HM_CHECK(ctx != nullptr);
  HM_CHECK_MSG(EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, pkey_.get(),
                                     nullptr) == 1,
               DrainErrors());
  std::array<uint8_t, kEd25519SignatureSize> sig;
  size_t len = sig.size();
  HM_CHECK_MSG(
      EVP_DigestSign(ctx.get(), sig.data(), &len, msg.data(), msg.size()) == 1 && len == sig.size(),
      DrainErrors());
  return sig;
}

}  // namespace hm::crypto
