// Key schedule of the STOQ post-quantum channel (docs/spec/stoq-pq.md): the signed messages,
// pq_secret, the ServerConfirm MAC, and MixTrafficSecret for QUIC key generation 2.
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <string_view>

#include "base/bytes.h"
#include "crypto/hash.h"

namespace hm::stoq::pq {

inline constexpr std::string_view kServerSignatureLabel = "hypermesh stoq/1 server signature";
inline constexpr std::string_view kClientSignatureLabel = "hypermesh stoq/1 client signature";
inline constexpr std::string_view kPqSecretLabel = "hypermesh stoq/1 pq secret";
inline constexpr std::string_view kConfirmLabel = "hypermesh stoq/1 confirm";
inline constexpr std::string_view kMixedSecretLabel = "hypermesh stoq/1 mixed traffic secret";

inline constexpr size_t kPqSecretSize = 32;

// What the server signs: kServerSignatureLabel || SHA-256(T1).
base::Bytes ServerSignedMessage(base::ByteSpan t1);
// What the client signs: kClientSignatureLabel || SHA-256(T2).
base::Bytes ClientSignedMessage(base::ByteSpan t2);

// HKDF-SHA-256(ikm = ss_s || ss_c, salt = exporter, info = kPqSecretLabel || th, 32), where
// th = SHA-256(T2 || sig_c). Input sizes are the caller's invariant (32 bytes each).
base::Bytes DerivePqSecret(base::ByteSpan exporter, base::ByteSpan ss_s, base::ByteSpan ss_c,
                           const crypto::Digest32& th);

// HMAC-SHA-256(pq_secret, kConfirmLabel || th).
crypto::Digest32 ConfirmMac(base::ByteSpan pq_secret, const crypto::Digest32& th);

// HMAC-SHA-256 (RFC 2104).
crypto::Digest32 HmacSha256(base::ByteSpan key, base::ByteSpan data);

// HKDF-Expand(HKDF-Extract(salt = pq_secret, ikm = current_secret), kMixedSecretLabel,
// current_secret.size()). The transport applies it to QUIC traffic secret generation 1 before
// the "quic ku" derivation of generation 2. current_secret must be 1..8160 bytes and pq_secret
// kPqSecretSize bytes (caller invariants, HM_CHECK).
base::Bytes MixTrafficSecret(base::ByteSpan current_secret, base::ByteSpan pq_secret);

}  // namespace hm::stoq::pq
