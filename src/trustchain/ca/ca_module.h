// The "ca" chain module (docs/spec/certificates.md "The ca chain module"): records issued
// certificates and revocations as transactions; the trust anchor (root + issuing CA) comes from
// the genesis module parameters. Signing happens on the API node; this module only validates and
// records. CaReader answers certificate status queries from committed state.
// Thread-safety: CaModule follows chain::Module (Check from any thread; Apply/InitGenesis on the
// chain's writer). CaReader may be used from any thread.
#pragma once

#include <openssl/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "chain/chain.h"
#include "chain/module.h"
#include "crypto/ecdsa.h"
#include "trustchain/ca/revocation.h"

namespace hm::trustchain::ca {

inline constexpr std::string_view kModuleName = "ca";
inline constexpr uint64_t kKindIssue = 1;
inline constexpr uint64_t kKindRevoke = 2;

inline constexpr uint8_t kTagCaParams = 0x28;
inline constexpr uint8_t kTagIssuedCert = 0x29;
inline constexpr uint8_t kTagRevocation = 0x2a;
inline constexpr uint8_t kTagCertRecord = 0x2b;

inline constexpr size_t kMaxCaCertBytes = 16 * 1024;
inline constexpr size_t kMaxLeafCertBytes = 64 * 1024;
inline constexpr size_t kMaxSerialBytes = 20;
inline constexpr size_t kMaxRevocationSignatureBytes = 8192;
inline constexpr uint64_t kMaxRevocationSkewMs = 10 * 60 * 1000;

// Genesis parameters of module "ca".
struct CaParams {
  base::Bytes root_der;
  base::Bytes issuing_der;

  base::Bytes Encode() const;
  // Strict decode; also checks both parse and the issuing CA is signed by the root.
  static base::Result<CaParams> Decode(base::ByteSpan bytes);
};

// Issue payload. Decode checks only the record format; Check/Apply validate the certificate.
struct IssuedCert {
  base::Bytes der;
  uint64_t ct_leaf_index = 0;

  base::Bytes Encode() const;
  static base::Result<IssuedCert> Decode(base::ByteSpan bytes);
};

enum class RevocationAuthority : uint8_t { kCertificateKey = 1, kIssuingCa = 2 };

struct Revocation {
  base::Bytes serial;  // minimal big-endian, positive, 1..20 bytes
  RevocationReason reason = RevocationReason::kUnspecified;
  uint64_t revoked_at_ms = 0;
  RevocationAuthority authority = RevocationAuthority::kCertificateKey;
  base::Bytes signature;

  base::Bytes Encode() const;
  // Strict decode; also rejects an invalid serial, reason (7 or > 10) or authority.
  static base::Result<Revocation> Decode(base::ByteSpan bytes);
};

// "hm.revoke.v1" || 0x00 || u8 len(serial) || serial || u8 reason.
base::Bytes RevocationMessage(base::ByteSpan serial, RevocationReason reason);

struct CertRecord {
  base::Bytes der;
  uint64_t not_after_ms = 0;
  uint64_t ct_leaf_index = 0;
  bool revoked = false;
  uint64_t revoked_at_ms = 0;
  RevocationReason reason = RevocationReason::kUnspecified;

  base::Bytes Encode() const;
  // Strict decode; status must be 0 or 1 and the reason valid.
  static base::Result<CertRecord> Decode(base::ByteSpan bytes);
};

// Module-state keys.
base::Bytes CertKey(base::ByteSpan serial);     // 'C' || serial
base::Bytes RevokedKey(base::ByteSpan serial);  // 'V' || serial
base::Bytes CrlNumberKey();                     // 'N'

chain::Transaction MakeIssueTx(const IssuedCert& cert, uint64_t nonce);
chain::Transaction MakeRevokeTx(const Revocation& revocation, uint64_t nonce);

// A serial as this module keys it: 1..20 bytes, minimal (first byte non-zero, so also non-zero).
bool IsValidSerial(base::ByteSpan serial);
// RFC 5280 CRLReason accepted in a revocation: 0..10 except 7.
bool IsValidRevocationReason(uint64_t reason);

// Serial text <-> bytes: lower-case hex of the minimal big-endian bytes; parsing accepts upper
// case and rejects empty, odd-length, over-long (> 20 bytes), non-minimal or zero serials.
std::string SerialHex(base::ByteSpan serial);
// A certificate's serial as minimal big-endian bytes (empty if unreadable).
base::Bytes SerialOf(const X509* cert);
base::Result<base::Bytes> ParseSerialHex(std::string_view hex);

// Verifies `sig` over `msg` under the subject key of the certificate `cert_der`: ECDSA P-256
// (SHA-256, DER signature) or Ed25519 (pure). PermissionDenied when it does not verify or the key
// cannot sign; InvalidArgument when the certificate does not parse.
base::Status VerifyByCertificateKey(base::ByteSpan cert_der, base::ByteSpan msg,
                                    base::ByteSpan sig);
// The issuing CA's public key from validated params (see CaParams::Decode for the checks).
base::Result<crypto::EcdsaP256PublicKey> IssuingCaKey(const CaParams& params);
// The certificate's subjectAltName dNSNames, lower-cased, in certificate order.
base::Result<std::vector<std::string>> CertificateDnsNames(base::ByteSpan cert_der);

class CaModule final : public chain::Module {
 public:
  // `params` come from the genesis the chain opens with (nullopt: every tx is refused with
  // FailedPrecondition). Params that do not validate (see CaParams::Decode) are treated like
  // nullopt, and InitGenesis reports why. InitGenesis also fails (InvalidArgument) when the
  // genesis parameters for "ca" are not exactly these.
  explicit CaModule(std::optional<CaParams> params);
  ~CaModule() override;

  std::string_view Name() const override { return kModuleName; }
  base::Status Check(const chain::Transaction& tx) const override;
  base::Result<base::Bytes> Apply(const chain::Transaction& tx, const chain::BlockContext& ctx,
                                  chain::ModuleState& state) override;
  base::Status InitGenesis(const chain::Genesis& genesis, chain::ModuleState& state) override;
  // Calls the revocation listener (if any) after a block with a revocation is durable.
  void Commit(const chain::BlockHeader& header) override;

  // Set before the chain is opened; called on the sequencer thread; must not block long.
  void SetRevocationListener(std::function<void()> listener) { listener_ = std::move(listener); }

 private:
  struct Keys;                  // parsed issuing CA key etc.
  std::unique_ptr<Keys> keys_;  // null without (valid) params
  base::Status params_error_;   // why `keys_` is null although params were given
  std::function<void()> listener_;
  bool revoked_in_block_ = false;
};

// Reads certificate records and revocations from committed state.
class CaReader {
 public:
  explicit CaReader(const chain::Chain& chain) : chain_(chain) {}
  // The record of `serial` (minimal big-endian bytes); nullopt if unknown or not a valid serial.
  base::Result<std::optional<CertRecord>> Find(base::ByteSpan serial) const;
  // Every revoked certificate, in state key order. Each serial is in the form BuildCrl takes:
  // the minimal bytes, with a 0x00 prepended when the top bit is set (two's complement).
  // Corruption if an index entry has no revoked record.
  base::Result<std::vector<RevokedCert>> Revoked() const;
  // The number of revocations so far (0 before the first).
  base::Result<uint64_t> CrlNumber() const;

 private:
  const chain::Chain& chain_;
};

}  // namespace hm::trustchain::ca
