// The CT log's signatures (docs/spec/ct.md): signed tree heads (ECDSA P-256 as RFC 6962 requires,
// plus Falcon-1024 over the same TreeHeadSignature bytes), SCTs and their TLS / X.509 encodings,
// the verifiers, and the log key files. Thread-safety: LogSigner and LogPublicKeys are immutable
// after creation; their const methods may run concurrently. LoadOrCreateLogKeys does file I/O.
#pragma once

#include <span>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/ecdsa.h"
#include "crypto/falcon/falcon.h"
#include "trustchain/ct/log_entry.h"

namespace hm::trustchain::ct {

// TLS DigitallySigned with hash sha256(4) and signature ecdsa(3).
inline constexpr uint8_t kHashSha256 = 4;
inline constexpr uint8_t kSigEcdsa = 3;
base::Bytes EncodeDigitallySigned(base::ByteSpan der_signature);
// The DER ECDSA signature inside; InvalidArgument for other algorithms or a malformed encoding.
base::Result<base::Bytes> DecodeDigitallySigned(base::ByteSpan tls);

// RFC 6962 §3.5 TreeHeadSignature (50 bytes): v1, tree_hash(1), timestamp, size, root.
base::Bytes TreeHeadSignatureInput(uint64_t timestamp_ms, uint64_t tree_size, const Digest32& root);
// RFC 6962 §3.2 signed data of an SCT: v1, certificate_timestamp(0), timestamp, entry_type,
// signed_entry, extensions (timestamp and extensions taken from the arguments).
base::Bytes SctSignatureInput(uint64_t timestamp_ms, const LogEntry& entry,
                              base::ByteSpan extensions);

struct SignedTreeHead {
  uint64_t timestamp_ms = 0;
  uint64_t tree_size = 0;
  Digest32 root{};
  base::Bytes ecdsa_signature;   // TLS DigitallySigned: JSON tree_head_signature
  base::Bytes falcon_signature;  // compressed Falcon-1024: JSON hm_falcon1024_signature
};

struct Sct {
  uint64_t timestamp_ms = 0;
  Digest32 log_id{};
  base::Bytes extensions;
  base::Bytes signature;  // TLS DigitallySigned

  // RFC 6962 §3.2 SignedCertificateTimestamp (TLS).
  base::Bytes Serialize() const;
  static base::Result<Sct> Parse(base::ByteSpan tls);
};

// SignedCertificateTimestampList (RFC 6962 §3.3); InvalidArgument if empty or too large.
base::Result<base::Bytes> SerializeSctList(std::span<const Sct> scts);
// The extnValue content of X.509 extension 1.3.6.1.4.1.11129.2.4.2: DER OCTET STRING wrapping
// the TLS SignedCertificateTimestampList.
base::Result<base::Bytes> SctListExtensionValue(std::span<const Sct> scts);

// The log's public identity, for verifiers.
class LogPublicKeys {
 public:
  // InvalidArgument for a malformed SPKI or Falcon-1024 public key.
  static base::Result<LogPublicKeys> Create(base::ByteSpan ecdsa_spki_der,
                                            base::ByteSpan falcon_public_key);

  const Digest32& log_id() const { return log_id_; }  // SHA-256 of the ECDSA SPKI DER
  const crypto::EcdsaP256PublicKey& ecdsa() const { return ecdsa_; }
  const base::Bytes& falcon_public_key() const { return falcon_public_key_; }

  // OK iff both signatures verify. InvalidArgument: malformed; Unauthenticated: wrong.
  base::Status VerifySth(const SignedTreeHead& sth) const;
  // OK iff the log id is ours and the ECDSA signature covers `entry` (its type, entry bytes and
  // issuer key hash) with the SCT's timestamp and extensions.
  base::Status VerifySct(const Sct& sct, const LogEntry& entry) const;

 private:
  LogPublicKeys(crypto::EcdsaP256PublicKey ecdsa, crypto::falcon::VerifyingKey falcon,
                base::Bytes falcon_pk, const Digest32& log_id)
      : ecdsa_(std::move(ecdsa)), falcon_(std::move(falcon)),
        falcon_public_key_(std::move(falcon_pk)), log_id_(log_id) {}

  crypto::EcdsaP256PublicKey ecdsa_;
  crypto::falcon::VerifyingKey falcon_;
  base::Bytes falcon_public_key_;
  Digest32 log_id_;
};

class LogSigner {
 public:
  // InvalidArgument if the Falcon-1024 secret key is malformed.
  static base::Result<LogSigner> Create(crypto::EcdsaP256PrivateKey ecdsa,
                                        base::ByteSpan falcon_secret_key);

  const LogPublicKeys& public_keys() const { return public_; }
  const Digest32& log_id() const { return public_.log_id(); }

  // Both signatures over the TreeHeadSignature (randomness from the OS CSPRNG).
  base::Result<SignedTreeHead> SignSth(uint64_t timestamp_ms, uint64_t tree_size,
                                       const Digest32& root) const;
  // An SCT for `entry` with its timestamp and extensions.
  Sct SignSct(const LogEntry& entry) const;

 private:
  LogSigner(crypto::EcdsaP256PrivateKey ecdsa, crypto::falcon::SigningKey falcon,
            LogPublicKeys pub)
      : ecdsa_(std::move(ecdsa)), falcon_(std::move(falcon)), public_(std::move(pub)) {}

  crypto::EcdsaP256PrivateKey ecdsa_;
  crypto::falcon::SigningKey falcon_;
  LogPublicKeys public_;
};

inline constexpr char kEcdsaKeyFile[] = "ct_log_ecdsa.pem";
inline constexpr char kFalconKeyFile[] = "ct_log_falcon1024.pem";

// Loads the log keys from `dir` (PKCS#8 PEM files, mode 0600), or creates both when neither
// exists (creating `dir` with mode 0700 if needed). FailedPrecondition if only one exists;
// IoError/PermissionDenied naming the path; InvalidArgument for a malformed key file.
base::Result<LogSigner> LoadOrCreateLogKeys(const std::string& dir);

}  // namespace hm::trustchain::ct
