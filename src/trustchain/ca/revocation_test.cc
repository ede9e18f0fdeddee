#include "trustchain/ca/revocation.h"

#include <gtest/gtest.h>
#include <openssl/ocsp.h>

#include "trustchain/ca/testing/ca_fixture.h"

namespace hm::trustchain::ca {
namespace {

using testing::GetTestPki;
using testing::kT0;
using testing::Serial;

TEST(CrlTest, ListsRevokedSerialAndVerifies) {
  const auto& pki = GetTestPki();
  std::vector<RevokedCert> revoked = {
      {Serial(40), kT0 + std::chrono::minutes(5), RevocationReason::kKeyCompromise},
      {Serial(30), kT0 + std::chrono::minutes(6), RevocationReason::kUnspecified}};
  auto crl = BuildCrl(pki.intermediate, revoked, kT0 + std::chrono::minutes(10),
                      kT0 + std::chrono::hours(24), 7);
  ASSERT_TRUE(crl.ok()) << crl.status().ToString();
  const unsigned char* p = crl->der.data();
  X509_CRL* x = d2i_X509_CRL(nullptr, &p, static_cast<long>(crl->der.size()));
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(X509_CRL_verify(x, X509_get0_pubkey(pki.intermediate.cert())), 1);
  EXPECT_NE(X509_CRL_verify(x, X509_get0_pubkey(pki.root.cert())), 1);
  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(x);
  ASSERT_EQ(sk_X509_REVOKED_num(entries), 2);
  // Sorted by serial.
  EXPECT_EQ(
      internal::SerialToBytes(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(entries, 0))),
      Serial(30));
  X509_REVOKED* found = nullptr;
  auto serial = internal::SerialFromBytes(Serial(40));
  ASSERT_TRUE(serial.ok());
  EXPECT_EQ(X509_CRL_get0_by_serial(x, &found, serial->get()), 1);
  ASN1_INTEGER* number =
      static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(x, NID_crl_number, nullptr, nullptr));
  ASSERT_NE(number, nullptr);
  EXPECT_EQ(ASN1_INTEGER_get(number), 7);
  ASN1_INTEGER_free(number);
  X509_CRL_free(x);

  EXPECT_FALSE(BuildCrl(pki.intermediate, {}, kT0, kT0, 1).ok());
  EXPECT_FALSE(BuildCrl(pki.intermediate, {{base::Bytes{0x80}, kT0, {}}}, kT0,
                        kT0 + std::chrono::hours(1), 1)
                   .ok());
}

struct OcspResult {
  int response_status = -1;
  int cert_status = -1;
  int reason = -1;
  bool verified = false;
};

OcspResult Query(const base::Bytes& serial, X509* issuer, bool with_nonce = true) {
  const auto& pki = GetTestPki();
  OCSP_REQUEST* req = OCSP_REQUEST_new();
  auto sn = internal::SerialFromBytes(serial);
  OCSP_CERTID* id = OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(issuer),
                                     X509_get0_pubkey_bitstr(issuer), sn->get());
  OCSP_CERTID* id_copy = OCSP_CERTID_dup(id);
  OCSP_request_add0_id(req, id);
  if (with_nonce) OCSP_request_add1_nonce(req, nullptr, 16);
  int len = i2d_OCSP_REQUEST(req, nullptr);
  base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_OCSP_REQUEST(req, &p);

  StatusLookup lookup = [](base::ByteSpan s) {
    StatusAnswer a;
    const base::Bytes sb(s.begin(), s.end());
    if (sb == Serial(50)) a.status = CertStatus::kGood;
    if (sb == Serial(51)) {
      a.status = CertStatus::kRevoked;
      a.revoked_at = kT0 + std::chrono::minutes(1);
      a.reason = RevocationReason::kSuperseded;
    }
    return a;
  };
  auto resp_der = OcspRespond(pki.intermediate, der, lookup, kT0 + std::chrono::minutes(2));
  OcspResult out;
  EXPECT_TRUE(resp_der.ok()) << resp_der.status().ToString();
  const unsigned char* q = resp_der->data();
  OCSP_RESPONSE* resp = d2i_OCSP_RESPONSE(nullptr, &q, static_cast<long>(resp_der->size()));
  out.response_status = OCSP_response_status(resp);
  OCSP_BASICRESP* basic = OCSP_response_get1_basic(resp);
  if (basic != nullptr) {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, pki.root.cert());
    STACK_OF(X509)* certs = sk_X509_new_null();
    sk_X509_push(certs, pki.intermediate.cert());
    // The responder is the issuing CA itself; verify its signature against that certificate.
    out.verified = OCSP_basic_verify(basic, certs, store, OCSP_TRUSTOTHER | OCSP_NOCHECKS) == 1;
    if (with_nonce) {
      EXPECT_EQ(OCSP_check_nonce(req, basic), 1);
    }
    ASN1_GENERALIZEDTIME* rev = nullptr;
    ASN1_GENERALIZEDTIME* thisupd = nullptr;
    ASN1_GENERALIZEDTIME* nextupd = nullptr;
    EXPECT_EQ(OCSP_resp_find_status(basic, id_copy, &out.cert_status, &out.reason, &rev, &thisupd,
                                    &nextupd),
              1);
    EXPECT_EQ(OCSP_check_validity(thisupd, nextupd, 300, -1), 0);  // fixed 2025 times, past
    sk_X509_free(certs);
    X509_STORE_free(store);
    OCSP_BASICRESP_free(basic);
  }
  OCSP_CERTID_free(id_copy);
  OCSP_RESPONSE_free(resp);
  OCSP_REQUEST_free(req);
  return out;
}

TEST(OcspTest, GoodRevokedUnknown) {
  const auto& pki = GetTestPki();
  auto good = Query(Serial(50), pki.intermediate.cert());
  EXPECT_EQ(good.response_status, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  EXPECT_TRUE(good.verified);
  EXPECT_EQ(good.cert_status, V_OCSP_CERTSTATUS_GOOD);

  auto revoked = Query(Serial(51), pki.intermediate.cert(), false);
  EXPECT_TRUE(revoked.verified);
  EXPECT_EQ(revoked.cert_status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(revoked.reason, static_cast<int>(RevocationReason::kSuperseded));

  auto unknown = Query(Serial(52), pki.intermediate.cert());
  EXPECT_EQ(unknown.cert_status, V_OCSP_CERTSTATUS_UNKNOWN);
  // Serial 50 asked under another issuer (the root) is unknown too.
  auto other_issuer = Query(Serial(50), pki.root.cert());
  EXPECT_EQ(other_issuer.cert_status, V_OCSP_CERTSTATUS_UNKNOWN);
}

TEST(OcspTest, MalformedRequest) {
  const auto& pki = GetTestPki();
  StatusLookup lookup = [](base::ByteSpan) { return StatusAnswer{}; };
  // A request whose CertID decodes but cannot be re-encoded (found by the ca_ocsp fuzzer; also a
  // seed in fuzz/corpus/ca_ocsp/malformed_certid_alg).
  const base::Bytes bad_certid = *base::Base64Decode(
      "MFEwTzBNMEswSTAJBgUrCgMCGiAABBSgJOd8hcghPHnSpsTOPSxRgRNPQQQUziBXCQG/o5GU7S834Gl0TJ2ZmgcCEGNu"
      "lLl8RVUf0tBf/szZzt8=");
  for (const base::Bytes& bad : {base::Bytes{}, base::Bytes{0x30, 0x03, 0x02, 0x01, 0x00},
                                 base::Bytes(kMaxOcspRequestSize + 1, 0x30), bad_certid}) {
    auto der = OcspRespond(pki.intermediate, bad, lookup, kT0);
    ASSERT_TRUE(der.ok());
    const unsigned char* p = der->data();
    OCSP_RESPONSE* resp = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der->size()));
    ASSERT_NE(resp, nullptr);
    EXPECT_EQ(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    OCSP_RESPONSE_free(resp);
  }
}

}  // namespace
}  // namespace hm::trustchain::ca
