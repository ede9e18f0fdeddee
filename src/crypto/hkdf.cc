#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>

#include "base/check.h"
#include "crypto/openssl_util.h"

namespace hm::crypto {
namespace {

EVP_KDF* HkdfKdf() {
  static EVP_KDF* kdf = [] {
    EVP_KDF* k = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    HM_CHECK_MSG(k != nullptr, internal::DrainErrors());
    return k;
  }();
  return kdf;
}

// OpenSSL treats a null octet-string parameter as absent; empty inputs need a real pointer.
uint8_t* ParamPtr(base::ByteSpan b) {
  static uint8_t empty[1] = {0};
  return b.empty() ? empty : const_cast<uint8_t*>(b.data());
}

// Runs HKDF in `mode`; `key` is the IKM (extract) or the PRK (expand). OpenSSL only reads
// the buffers, but its OSSL_PARAM API takes non-const pointers.
base::Status RunHkdf(int mode, base::ByteSpan key, base::ByteSpan salt, base::ByteSpan info,
                     uint8_t* out, size_t out_len) {
  internal::ClearErrors();
  internal::KdfCtxPtr ctx(EVP_KDF_CTX_new(HkdfKdf()));
  if (!ctx) return internal::OsslError(base::Code::kInternal, "EVP_KDF_CTX_new");
  char digest[] = "SHA2-256";
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ParamPtr(key), key.size());
  if (!salt.empty()) {
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, ParamPtr(salt), salt.size());
  }
  if (!info.empty()) {
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, ParamPtr(info), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx.get(), out, out_len, params) != 1) {
    return internal::OsslError(base::Code::kInternal, "HKDF-SHA-256 derive");
  }
  return base::Status::Ok();
}

}  // namespace

Digest32 HkdfExtract(base::ByteSpan salt, base::ByteSpan ikm) {
  Digest32 prk;
  HM_CHECK_OK(RunHkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, salt, {}, prk.data(), prk.size()));
  return prk;
}

base::Result<base::Bytes> HkdfExpand(base::ByteSpan prk, base::ByteSpan info, size_t len) {
  if (len > kHkdfSha256MaxOutput) {
    return base::InvalidArgument("HKDF-SHA-256 output length " + std::to_string(len) +
                                 " exceeds 255*32");
  }
  if (prk.size() < 32) {
    return base::InvalidArgument("HKDF-SHA-256 PRK must be at least 32 bytes, got " +
                                 std::to_string(prk.size()));
  }
  base::Bytes okm(len);
  if (len == 0) return okm;
  HM_TRY(RunHkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, {}, info, okm.data(), okm.size()));
  return okm;
}

base::Result<base::Bytes> Hkdf(base::ByteSpan ikm, base::ByteSpan salt, base::ByteSpan info,
                               size_t len) {
  Digest32 prk = HkdfExtract(salt, ikm);
  auto okm = HkdfExpand(prk, info, len);
  OPENSSL_cleanse(prk.data(), prk.size());
  return okm;
}

}  // namespace hm::crypto
