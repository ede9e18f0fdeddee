#include "trustchain/ca/revocation.h"

#include <algorithm>
#include <string>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "base/ascii.h"
#include "trustchain/ca/internal/ossl.h"

namespace hm::trustchain::ca {

namespace {
// Indexed by CRLReason code; 7 is not used.
constexpr std::string_view kReasonNames[] = {
    "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
    "superseded",    "cessationOfOperation", "certificateHold", "",
    "removeFromCRL", "privilegeWithdrawn",   "aACompromise"};
}  // namespace

std::string_view RevocationReasonName(RevocationReason reason) {
  const auto code = static_cast<size_t>(reason);
  return code < std::size(kReasonNames) ? kReasonNames[code] : std::string_view();
}

base::Result<RevocationReason> ParseRevocationReason(std::string_view text) {
  if (!text.empty() && text.size() <= 2 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const int code = std::stoi(std::string(text));
    if (code <= 10 && code != 7) return static_cast<RevocationReason>(code);
  }
  for (size_t i = 0; i < std::size(kReasonNames); ++i) {
    const std::string_view name = kReasonNames[i];
    if (!name.empty() && name.size() == text.size() &&
        base::EqualsIgnoreCase(name, text)) {
      return static_cast<RevocationReason>(i);
    }
  }
  return base::InvalidArgument(
      "reason must be an RFC 5280 CRLReason name (unspecified, keyCompromise, cACompromise, "
      "affiliationChanged, superseded, cessationOfOperation, certificateHold, removeFromCRL, "
      "privilegeWithdrawn, aACompromise) or its code 0..10 other than 7");
}
namespace {

bool ValidReason(RevocationReason r) {
  const int v = static_cast<int>(r);
  return v >= 0 && v <= 10 && v != 7;
}

base::Status AddRevoked(X509_CRL* crl, const RevokedCert& r) {
  if (!ValidReason(r.reason)) return base::InvalidArgument("invalid revocation reason");
  HM_ASSIGN_OR_RETURN(auto serial, internal::SerialFromBytes(r.serial));
  HM_ASSIGN_OR_RETURN(auto when, internal::MakeTime(r.revoked_at));
  internal::X509RevokedPtr rev(X509_REVOKED_new());
  if (!rev || X509_REVOKED_set_serialNumber(rev.get(), serial.get()) != 1 ||
      X509_REVOKED_set_revocationDate(rev.get(), when.get()) != 1) {
    return internal::OsslInternal("CRL entry");
  }
  if (r.reason != RevocationReason::kUnspecified) {
    internal::Asn1EnumPtr code(ASN1_ENUMERATED_new());
    if (!code || ASN1_ENUMERATED_set(code.get(), static_cast<int>(r.reason)) != 1 ||
        X509_REVOKED_add1_ext_i2d(rev.get(), NID_crl_reason, code.get(), 0, 0) != 1) {
      return internal::OsslInternal("CRL reason");
    }
  }
  if (X509_CRL_add0_revoked(crl, rev.get()) != 1) return internal::OsslInternal("CRL entry");
  (void)rev.release();
  return base::Status::Ok();
}

base::Status AddCrlExtensions(X509_CRL* crl, const IssuingCa& ca, uint64_t crl_number) {
  internal::AuthorityKeyIdPtr akid(AUTHORITY_KEYID_new());
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ca.cert());
  internal::Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (!akid || ski == nullptr || !number) return internal::OsslInternal("CRL extensions");
  akid->keyid = ASN1_OCTET_STRING_dup(ski);
  if (akid->keyid == nullptr || ASN1_INTEGER_set_uint64(number.get(), crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid.get(), 0, 0) != 1 ||
      X509_CRL_add1_ext_i2d(crl, NID_crl_number, number.get(), 0, 0) != 1) {
    return internal::OsslInternal("CRL extensions");
  }
  return base::Status::Ok();
}

base::Result<base::Bytes> ResponseDer(OCSP_RESPONSE* resp) {
  const int len = i2d_OCSP_RESPONSE(resp, nullptr);
  if (len <= 0) return internal::OsslInternal("i2d_OCSP_RESPONSE");
  base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_OCSP_RESPONSE(resp, &p);
  return der;
}

base::Result<base::Bytes> ErrorResponse(int status) {
  internal::OcspResponsePtr resp(OCSP_response_create(status, nullptr));
  if (!resp) return internal::OsslInternal("OCSP_response_create");
  return ResponseDer(resp.get());
}

// True if `id` names our CA as issuer (hashes recomputed with the request's digest).
bool IssuedByUs(OCSP_CERTID* id, const IssuingCa& ca) {
  ASN1_OBJECT* md_oid = nullptr;
  ASN1_INTEGER* serial = nullptr;
  if (OCSP_id_get0_info(nullptr, &md_oid, nullptr, &serial, id) != 1) return false;
  const EVP_MD* md = EVP_get_digestbyobj(md_oid);
  if (md == nullptr) return false;
  internal::OcspCertIdPtr ours(OCSP_cert_id_new(md, X509_get_subject_name(ca.cert()),
                                                X509_get0_pubkey_bitstr(ca.cert()), serial));
  return ours && OCSP_id_issuer_cmp(ours.get(), id) == 0;
}

base::Status AddStatus(OCSP_BASICRESP* basic, OCSP_CERTID* id, const IssuingCa& ca,
                       const StatusLookup& lookup, ASN1_TIME* this_update, ASN1_TIME* next_update) {
  StatusAnswer answer;
  if (IssuedByUs(id, ca)) {
    ASN1_INTEGER* serial = nullptr;
    OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, id);
    answer = lookup(internal::SerialToBytes(serial));
  }
  int status = V_OCSP_CERTSTATUS_UNKNOWN;
  int reason = -1;
  internal::Asn1TimePtr revoked_at;
  if (answer.status == CertStatus::kGood) status = V_OCSP_CERTSTATUS_GOOD;
  if (answer.status == CertStatus::kRevoked) {
    status = V_OCSP_CERTSTATUS_REVOKED;
    if (answer.reason != RevocationReason::kUnspecified && ValidReason(answer.reason)) {
      reason = static_cast<int>(answer.reason);
    }
    HM_ASSIGN_OR_RETURN(revoked_at, internal::MakeTime(answer.revoked_at));
  }
  if (OCSP_basic_add1_status(basic, id, status, reason, revoked_at.get(), this_update,
                             next_update) == nullptr) {
    return internal::OsslInternal("OCSP_basic_add1_status");
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<Crl> BuildCrl(const IssuingCa& ca, const std::vector<RevokedCert>& revoked,
                           std::chrono::system_clock::time_point this_update,
                           std::chrono::system_clock::time_point next_update, uint64_t crl_number) {
  ERR_clear_error();
  if (next_update <= this_update)
    return base::InvalidArgument("next_update must follow this_update");
  HM_ASSIGN_OR_RETURN(auto last, internal::MakeTime(this_update));
  HM_ASSIGN_OR_RETURN(auto next, internal::MakeTime(next_update));
  internal::X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.cert())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return internal::OsslInternal("CRL fields");
  }
  for (const auto& r : revoked) HM_TRY(AddRevoked(crl.get(), r));
  X509_CRL_sort(crl.get());
  HM_TRY(AddCrlExtensions(crl.get(), ca, crl_number));
  if (X509_CRL_sign(crl.get(), ca.key().evp_pkey(), EVP_sha256()) <= 0) {
    return internal::OsslInternal("X509_CRL_sign");
  }
  const int len = i2d_X509_CRL(crl.get(), nullptr);
  if (len <= 0) return internal::OsslInternal("i2d_X509_CRL");
  Crl out;
  out.der.resize(static_cast<size_t>(len));
  unsigned char* p = out.der.data();
  i2d_X509_CRL(crl.get(), &p);
  out.pem = internal::DerToPem(out.der, "X509 CRL");
  return out;
}

base::Result<base::Bytes> OcspRespond(const IssuingCa& ca, base::ByteSpan request_der,
                                      const StatusLookup& lookup,
                                      std::chrono::system_clock::time_point now,
                                      std::chrono::seconds validity) {
  ERR_clear_error();
  if (request_der.size() > kMaxOcspRequestSize) {
    return ErrorResponse(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  }
  const unsigned char* p = request_der.data();
  internal::OcspRequestPtr req(
      d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(request_der.size())));
  const int count = req ? OCSP_request_onereq_count(req.get()) : 0;
  if (!req || p != request_der.data() + request_der.size() || count <= 0 ||
      count > kMaxOcspSingleRequests) {
    ERR_clear_error();
    return ErrorResponse(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  }
  // A CertID that decodes but cannot be re-encoded (e.g. a malformed hash algorithm) would fail
  // when copied into the response: that is a malformed request, not a responder failure.
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* copy = OCSP_CERTID_dup(OCSP_onereq_get0_id(OCSP_request_onereq_get0(req.get(), i)));
    if (copy == nullptr) {
      ERR_clear_error();
      return ErrorResponse(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    }
    OCSP_CERTID_free(copy);
  }
  HM_ASSIGN_OR_RETURN(auto this_update, internal::MakeTime(now));
  HM_ASSIGN_OR_RETURN(auto next_update, internal::MakeTime(now + validity));
  internal::OcspBasicRespPtr basic(OCSP_BASICRESP_new());
  if (!basic) return internal::OsslInternal("OCSP_BASICRESP_new");
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req.get(), i));
    HM_TRY(AddStatus(basic.get(), id, ca, lookup, this_update.get(), next_update.get()));
  }
  if (OCSP_copy_nonce(basic.get(), req.get()) <= 0) return internal::OsslInternal("OCSP nonce");
  // producedAt comes from OpenSSL's clock: OCSP_basic_sign takes no time parameter.
  if (OCSP_basic_sign(basic.get(), ca.cert(), ca.key().evp_pkey(), EVP_sha256(), nullptr, 0) != 1) {
    return internal::OsslInternal("OCSP_basic_sign");
  }
  internal::OcspResponsePtr resp(
      OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  if (!resp) return internal::OsslInternal("OCSP_response_create");
  return ResponseDer(resp.get());
}

}  // namespace hm::trustchain::ca
