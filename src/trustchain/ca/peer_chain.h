// Verification of TrustChain certificate chains offline: one link (a certificate under its issuer,
// ECDSA and the Falcon-1024 alternative signature, docs/spec/certificates.md), and the whole chain
// a peer node presents in TLS before the STOQ PQ exchange (docs/spec/stoq-pq.md), which must end
// at one of this network's roots and give the peer's Falcon-1024 key.
// Thread-safety: pure functions (time is passed in); thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/lru_cache.h"
#include "base/status.h"
#include "crypto/falcon/falcon.h"

namespace hm::trustchain::ca {

// More is refused before any signature is checked (a TrustChain chain is 2 or 3 long).
inline constexpr size_t kMaxPeerChainLength = 8;

// The outcome of checking one certificate under a would-be issuer.
struct LinkCheck {
  std::string subject, issuer;  // RFC 2253 names ("CN=HyperMesh Issuing CA,O=HyperMesh")
  base::Status ecdsa;           // OK when the names chain and the issuer's ECDSA signature verifies
  base::Status falcon;          // OK when the issuer's Falcon-1024 alt signature verifies
};

// Checks `cert_der` under `issuer_der` (both DER). InvalidArgument for an unparseable certificate.
// A failed check is not an error: it is reported in the LinkCheck (Unauthenticated, or NotFound
// when the issuer has no Falcon key).
base::Result<LinkCheck> CheckLink(base::ByteSpan cert_der, base::ByteSpan issuer_der);

// Every CERTIFICATE block in `pem`, as DER, in order. InvalidArgument if there is none.
base::Result<std::vector<base::Bytes>> ReadPemCertificates(std::string_view pem);

// Who a verified peer is, from its leaf certificate.
struct PeerIdentity {
  base::Bytes falcon_public_key;  // raw Falcon-1024 key (1793 bytes), subjectAltPublicKeyInfo
  // The same key decoded for verifying (always set by VerifyPeerChain), so that a remembered
  // chain also spares the decoding.
  std::optional<crypto::falcon::VerifyingKey> falcon_key;
  std::vector<std::string> dns_names;
  base::Bytes serial;  // minimal big-endian
  std::string subject;
  std::chrono::system_clock::time_point not_after;
};

// Verifies a chain presented by a peer (DER, leaf first; the root may be included or left out)
// against this network's roots (DER; one of them must be byte-equal to the chain's root):
//   - every link's ECDSA signature and Falcon-1024 alt signature verify under the next
//     certificate, the last presented one under a trusted root;
//   - every certificate, the root included, is within its validity at `now`;
//   - every certificate above the leaf is a CA within its path length limit; the leaf is not a
//     CA, and it carries a valid Falcon-1024 key in subjectAltPublicKeyInfo.
// Certificates after the first trusted root are ignored. Errors name the failing certificate
// by subject and say why: PermissionDenied (not issued by this network's TrustChain, no Falcon
// key, expired, a signature that does not verify, ...), InvalidArgument (an empty or over-long
// chain, a certificate or extension that does not parse, an unparseable trusted root).
base::Result<PeerIdentity> VerifyPeerChain(const std::vector<base::Bytes>& chain_der,
                                           const std::vector<base::Bytes>& trusted_roots_der,
                                           std::chrono::system_clock::time_point now);

// Remembers chains VerifyPeerChain accepted, so that a peer that reconnects (nodes do, all the
// time) is not parsed and re-verified: OpenSSL decoding and four signature checks cost
// milliseconds per handshake. An entry serves only while `now` is before the leaf's not_after
// and within `max_age` of its verification (which also bounds how long a replaced trust
// anchor or a revoked certificate could still be accepted); refusals are never cached. One
// cache belongs to one set of trusted roots.
// Thread-safety: Verify may be called from any number of threads.
class PeerChainCache {
 public:
  explicit PeerChainCache(std::vector<base::Bytes> trusted_roots_der, size_t capacity = 4096,
                          std::chrono::seconds max_age = std::chrono::minutes(10));
  base::Result<PeerIdentity> Verify(const std::vector<base::Bytes>& chain_der,
                                    std::chrono::system_clock::time_point now);
  size_t hits() const;

 private:
  struct Entry {
    PeerIdentity identity;
    std::chrono::system_clock::time_point verified_at;
  };
  const std::vector<base::Bytes> roots_;
  const std::chrono::seconds max_age_;
  mutable std::mutex mu_;
  base::LruCache<Entry> entries_;  // by SHA-256 of the length-prefixed chain
  size_t hits_ = 0;
};

}  // namespace hm::trustchain::ca
