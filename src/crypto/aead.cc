#include "crypto/aead.h"

#include <openssl/evp.h>

#include <algorithm>
#include <string>

#include "base/check.h"
#include "crypto/openssl_util.h"

namespace hm::crypto {
namespace {

// EVP update calls take int lengths; larger inputs are fed in chunks.
constexpr size_t kChunk = size_t{1} << 30;

const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* cipher = [] {
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    HM_CHECK_MSG(c != nullptr, internal::DrainErrors());
    return c;
  }();
  return cipher;
}

base::Status CheckSizes(base::ByteSpan key, base::ByteSpan nonce) {
  if (key.size() != kAes256GcmKeySize) {
    return base::InvalidArgument("AES-256-GCM key must be 32 bytes, got " +
                                 std::to_string(key.size()));
  }
  if (nonce.size() != kAes256GcmNonceSize) {
    return base::InvalidArgument("AES-256-GCM nonce must be 12 bytes, got " +
                                 std::to_string(nonce.size()));
  }
  return base::Status::Ok();
}

// Feeds `in` through the cipher (out == nullptr means AAD). Returns false on OpenSSL failure.
bool Feed(EVP_CIPHER_CTX* ctx, bool encrypt, base::ByteSpan in, uint8_t* out) {
  for (size_t off = 0; off < in.size(); off += kChunk) {
    const int n = static_cast<int>(std::min(kChunk, in.size() - off));
    int written = 0;
    const int ok =
        encrypt ? EVP_EncryptUpdate(ctx, out ? out + off : nullptr, &written, in.data() + off, n)
                : EVP_DecryptUpdate(ctx, out ? out + off : nullptr, &written, in.data() + off, n);
    if (ok != 1 || written != n) return false;
  }
  return true;
}

}  // namespace

base::Result<base::Bytes> Aes256GcmSeal(base::ByteSpan key, base::ByteSpan nonce,
                                        base::ByteSpan aad, base::ByteSpan plaintext) {
  HM_TRY(CheckSizes(key, nonce));
  internal::ClearErrors();
  internal::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return internal::OsslError(base::Code::kInternal, "EVP_CIPHER_CTX_new");
  base::Bytes out(plaintext.size() + kAes256GcmTagSize);
  int final_len = 0;
  // The default GCM IV length is 12, so no EVP_CTRL_GCM_SET_IVLEN is needed.
  const bool ok =
      EVP_EncryptInit_ex2(ctx.get(), Aes256Gcm(), key.data(), nonce.data(), nullptr) == 1 &&
      Feed(ctx.get(), true, aad, nullptr) && Feed(ctx.get(), true, plaintext, out.data()) &&
      EVP_EncryptFinal_ex(ctx.get(), out.data() + plaintext.size(), &final_len) == 1 &&
      final_len == 0 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAes256GcmTagSize,
                          out.data() + plaintext.size()) == 1;
  if (!ok) return internal::OsslError(base::Code::kInternal, "AES-256-GCM seal");
  return out;
}

base::Result<base::Bytes> Aes256GcmOpen(base::ByteSpan key, base::ByteSpan nonce,
                                        base::ByteSpan aad, base::ByteSpan sealed) {
  HM_TRY(CheckSizes(key, nonce));
  if (sealed.size() < kAes256GcmTagSize) {
    return base::InvalidArgument("AES-256-GCM input of " + std::to_string(sealed.size()) +
                                 " bytes is shorter than the 16-byte tag");
  }
  internal::ClearErrors();
  internal::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return internal::OsslError(base::Code::kInternal, "EVP_CIPHER_CTX_new");
  const size_t ct_len = sealed.size() - kAes256GcmTagSize;
  base::Bytes tag(sealed.begin() + static_cast<ptrdiff_t>(ct_len), sealed.end());
  base::Bytes out(ct_len);
  const bool ok =
      EVP_DecryptInit_ex2(ctx.get(), Aes256Gcm(), key.data(), nonce.data(), nullptr) == 1 &&
      Feed(ctx.get(), false, aad, nullptr) &&
      Feed(ctx.get(), false, sealed.first(ct_len), out.data()) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAes256GcmTagSize, tag.data()) == 1;
  if (!ok) return internal::OsslError(base::Code::kInternal, "AES-256-GCM open");
  int final_len = 0;
  uint8_t final_block[16];
  if (EVP_DecryptFinal_ex(ctx.get(), final_block, &final_len) != 1) {
    internal::Cleanse(out);  // never release unauthenticated plaintext
    internal::ClearErrors();
    return base::Unauthenticated("AES-256-GCM tag mismatch");
  }
  return out;
}

}  // namespace hm::crypto
