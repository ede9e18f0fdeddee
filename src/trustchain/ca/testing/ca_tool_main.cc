// Test-only driver for tests/system/ca_openssl_test.sh: builds a fresh in-memory hierarchy and
// writes certificates, CRLs and OCSP responses for one CSR so stock `openssl` can check them.
// Usage: hm_ca_tool OUT_DIR CSR.pem. Keys are generated per run and never written.
#include <openssl/ocsp.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "crypto/secure_random.h"
#include "trustchain/ca/issuer.h"
#include "trustchain/ca/revocation.h"
#include "trustchain/ca/testing/ca_fixture.h"

namespace ca = hm::trustchain::ca;

namespace {

bool Write(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(f);
}

// An OCSP request for `leaf` (SHA-1 CertID, like `openssl ocsp` by default).
hm::base::Bytes OcspRequest(X509* leaf, X509* issuer) {
  OCSP_REQUEST* req = OCSP_REQUEST_new();
  OCSP_request_add0_id(req, OCSP_cert_to_id(EVP_sha1(), leaf, issuer));
  const int len = i2d_OCSP_REQUEST(req, nullptr);
  hm::base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_OCSP_REQUEST(req, &p);
  OCSP_REQUEST_free(req);
  return der;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: hm_ca_tool OUT_DIR CSR.pem\n";
    return 2;
  }
  const std::string out = argv[1];
  std::ifstream in(argv[2], std::ios::binary);
  const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto csr = ca::ParseCsrPem(pem);
  if (!csr.ok()) {
    std::cerr << "hm_ca_tool: " << csr.status().ToString() << "\n";
    return 1;
  }
  const auto& pki = ca::testing::GetTestPki();
  const auto now = std::chrono::system_clock::now();
  hm::crypto::SecureRandom random;
  ca::LeafOptions o = ca::testing::DefaultLeafOptions(99);
  o.not_before = now - std::chrono::minutes(5);
  auto leaf = ca::IssueLeaf(
      pki.intermediate, *csr, o,
      [](const ca::PrecertEntry& e) {
        return hm::base::Result<hm::base::Bytes>(ca::testing::TestLogSctList(e, 1735689600123));
      },
      random);
  if (!leaf.ok()) {
    std::cerr << "hm_ca_tool: " << leaf.status().ToString() << "\n";
    return 1;
  }
  auto leaf_x = ca::testing::ParseCert(leaf->der);
  const auto req = OcspRequest(leaf_x.get(), pki.intermediate.cert());
  bool revoked = false;
  ca::StatusLookup lookup = [&](hm::base::ByteSpan) {
    ca::StatusAnswer a;
    a.status = revoked ? ca::CertStatus::kRevoked : ca::CertStatus::kGood;
    a.revoked_at = now - std::chrono::minutes(1);
    a.reason = ca::RevocationReason::kKeyCompromise;
    return a;
  };
  auto good = ca::OcspRespond(pki.intermediate, req, lookup, now);
  revoked = true;
  auto bad = ca::OcspRespond(pki.intermediate, req, lookup, now);
  auto crl = ca::BuildCrl(
      pki.intermediate,
      {{o.serial, now - std::chrono::minutes(1), ca::RevocationReason::kKeyCompromise}},
      now - std::chrono::minutes(1), now + std::chrono::hours(24), 1);
  if (!good.ok() || !bad.ok() || !crl.ok()) {
    std::cerr << "hm_ca_tool: revocation failed\n";
    return 1;
  }
  const bool ok = Write(out + "/root.pem", pki.root.CertPem()) &&
                  Write(out + "/chain.pem", pki.intermediate.CertPem()) &&
                  Write(out + "/leaf.pem", leaf->pem) &&
                  Write(out + "/ocsp_req.der", hm::base::AsString(req)) &&
                  Write(out + "/ocsp_good.der", hm::base::AsString(*good)) &&
                  Write(out + "/ocsp_revoked.der", hm::base::AsString(*bad)) &&
                  Write(out + "/crl.pem", crl->pem);
  if (!ok) {
    std::cerr << "hm_ca_tool: cannot write to " << out << "\n";
    return 1;
  }
  std::cout << "serial " << hm::base::HexEncode(o.serial) << "\n";
  return 0;
}
