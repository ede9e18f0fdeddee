// X25519 Diffie-Hellman (RFC 7748) over OpenSSL 3: the classical half of the hybrid KEM.
// Keys and shared secrets are raw 32-byte strings.
// Thread-safety: keys are immutable after construction; const methods may run concurrently.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/evp_pkey.h"

namespace hm::crypto {

inline constexpr size_t kX25519KeySize = 32;
using X25519Key = std::array<uint8_t, kX25519KeySize>;

class X25519PrivateKey {
 public:
  static X25519PrivateKey Generate();
  // Raw 32-byte scalar (clamped by X25519 itself). InvalidArgument unless 32 bytes.
  static base::Result<X25519PrivateKey> FromRaw(base::ByteSpan priv);

  X25519PrivateKey(X25519PrivateKey&&) noexcept = default;
  X25519PrivateKey& operator=(X25519PrivateKey&&) noexcept = default;
  X25519PrivateKey(const X25519PrivateKey&) = delete;
  X25519PrivateKey& operator=(const X25519PrivateKey&) = delete;

  const X25519Key& PublicRaw() const { return public_; }
  // Secret: the caller must wipe it (OPENSSL_cleanse) when done.
  X25519Key PrivateRaw() const;

  // X25519(priv, peer). InvalidArgument if peer_public is not 32 bytes or the result is all
  // zero (a low-order peer point, RFC 7748 §6.1). The caller must wipe the secret.
  base::Result<X25519Key> DeriveShared(base::ByteSpan peer_public) const;

 private:
  X25519PrivateKey(EvpPkeyPtr pkey, const X25519Key& pub);
  static X25519PrivateKey FromPkey(EvpPkeyPtr pkey);

  EvpPkeyPtr pkey_;
  X25519Key public_;
};

}  // namespace hm::crypto
