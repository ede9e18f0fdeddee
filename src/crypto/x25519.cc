#include "crypto/x25519.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <string>

#include "base/check.h"
#include "crypto/openssl_util.h"

namespace hm::crypto {

using internal::ClearErrors;
using internal::DrainErrors;
using internal::OsslError;
using internal::PkeyPtr;

X25519PrivateKey::X25519PrivateKey(EvpPkeyPtr pkey, const X25519Key& pub)
    : pkey_(std::move(pkey)), public_(pub) {}

X25519PrivateKey X25519PrivateKey::FromPkey(EvpPkeyPtr pkey) {
  X25519Key pub;
  size_t len = pub.size();
  HM_CHECK_MSG(EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &len) == 1 && len == pub.size(),
               DrainErrors());
  return X25519PrivateKey(std::move(pkey), pub);
}

X25519PrivateKey X25519PrivateKey::Generate() {
  ClearErrors();
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  HM_CHECK_MSG(pkey != nullptr, DrainErrors());
  return FromPkey(std::move(pkey));
}

base::Result<X25519PrivateKey> X25519PrivateKey::FromRaw(base::ByteSpan priv) {
  if (priv.size() != kX25519KeySize) {
    return base::InvalidArgument("X25519 private key must be 32 bytes, got " +
                                 std::to_string(priv.size()));
  }
  ClearErrors();
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size()));
  if (!pkey) return OsslError(base::Code::kInternal, "EVP_PKEY_new_raw_private_key(X25519)");
  return FromPkey(std::move(pkey));
}

X25519Key X25519PrivateKey::PrivateRaw() const {
  X25519Key priv;
  size_t len = priv.size();
  HM_CHECK_MSG(
      EVP_PKEY_get_raw_private_key(pkey_.get(), priv.data(), &len) == 1 && len == priv.size(),
      DrainErrors());
  return priv;
}

base::Result<X25519Key> X25519PrivateKey::DeriveShared(base::ByteSpan peer_public) const {
  if (peer_public.size() != kX25519KeySize) {
    return base::InvalidArgument("X25519 peer public key must be 32 bytes, got " +
                                 std::to_string(peer_public.size()));
  }
  ClearErrors();
  PkeyPtr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer_public.data(),
                                           peer_public.size()));
  if (!peer) return OsslError(base::Code::kInvalidArgument, "invalid X25519 peer key");
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), 0) != 1) {
    return OsslError(base::Code::kInternal, "X25519 derive setup");
  }
  X25519Key shared;
  size_t len = shared.size();
  // OpenSSL itself fails the derive when the output is all zero (a low-order peer point).
  const bool derived = EVP_PKEY_derive(ctx.get(), shared.data(), &len) == 1 && len == shared.size();
  const X25519Key zero{};
  if (!derived || CRYPTO_memcmp(shared.data(), zero.data(), shared.size()) == 0) {
    OPENSSL_cleanse(shared.data(), shared.size());
    ClearErrors();
    return base::InvalidArgument("X25519 peer public key is a low-order point");
  }
  return shared;
}

}  // namespace hm::crypto
