// Revocation for the TrustChain issuing CA (docs/spec/certificates.md "Revocation"): signed
// X.509 v2 CRLs and RFC 6960 OCSP responses. Times and the status lookup are passed in.
// Thread-safety: reentrant; the lookup is called on the caller's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "trustchain/ca/x509_builder.h"

namespace hm::trustchain::ca {

// RFC 5280 §5.3.1 CRLReason values.
enum class RevocationReason : int {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kCaCompromise = 2,
  kAffiliationChanged = 3,
  kSuperseded = 4,
  kCessationOfOperation = 5,
  kCertificateHold = 6,
  kRemoveFromCrl = 8,
  kPrivilegeWithdrawn = 9,
  kAaCompromise = 10,
};

// RFC 5280 names ("keyCompromise", ...); "" for a value outside the enum.
std::string_view RevocationReasonName(RevocationReason reason);
// A name (case-insensitive) or a decimal code 0..10 other than 7. InvalidArgument otherwise.
base::Result<RevocationReason> ParseRevocationReason(std::string_view text);

struct RevokedCert {
  base::Bytes serial;  // big-endian, as issued
  std::chrono::system_clock::time_point revoked_at;
  RevocationReason reason = RevocationReason::kUnspecified;
};

struct Crl {
  base::Bytes der;
  std::string pem;
};

// InvalidArgument for a bad serial, next_update <= this_update, or a reason outside RFC 5280.
base::Result<Crl> BuildCrl(const IssuingCa& ca, const std::vector<RevokedCert>& revoked,
                           std::chrono::system_clock::time_point this_update,
                           std::chrono::system_clock::time_point next_update, uint64_t crl_number);

enum class CertStatus { kGood, kRevoked, kUnknown };

struct StatusAnswer {
  CertStatus status = CertStatus::kUnknown;
  std::chrono::system_clock::time_point revoked_at;  // kRevoked only
  RevocationReason reason = RevocationReason::kUnspecified;
};

// Looks up a serial (minimal big-endian bytes) among the certificates this CA issued.
using StatusLookup = std::function<StatusAnswer(base::ByteSpan serial)>;

inline constexpr size_t kMaxOcspRequestSize = 64 * 1024;
inline constexpr int kMaxOcspSingleRequests = 16;

// A DER OCSPResponse. Unparseable or oversized requests give a `malformedRequest` response (not
// an error). Errors are only local failures (Internal).
base::Result<base::Bytes> OcspRespond(const IssuingCa& ca, base::ByteSpan request_der,
                                      const StatusLookup& lookup,
                                      std::chrono::system_clock::time_point now,
                                      std::chrono::seconds validity = std::chrono::hours(1));

}  // namespace hm::trustchain::ca
