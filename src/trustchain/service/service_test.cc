// TrustChainService on a real chain (RocksDB, sequencer, ct + ca modules) through the Router:
// issuance with embedded SCTs and an inclusion proof, status, revocation by key and by admin,
// OCSP and CRL, and bad requests that write nothing. Certificates are checked with OpenSSL.
#include "trustchain/service/service.h"

#include <gtest/gtest.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <nlohmann/json.hpp>

#include "api/http.h"
#include "chain/signer.h"
#include "chain/testing/chain_fixture.h"
#include "crypto/hybrid/pq_keys.h"
#include "crypto/ossl_ptr.h"
#include "crypto/pem.h"
#include "crypto/secure_random.h"
#include "storage/test_util.h"
#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/testing/ca_fixture.h"
#include "trustchain/ct/merkle_tree.h"
#include "trustchain/service/ca_keys.h"
#include "trustchain/service/testing/trustchain_fixture.h"

namespace hm::trustchain::service {
namespace {

using base::Bytes;
using nlohmann::json;
namespace cat = ca::testing;

using testing::kAdminToken;

using X509Ptr = crypto::OsslPtr<X509, X509_free>;

X509Ptr FromPem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return X509Ptr(x);
}

X509Ptr FromDer(const Bytes& der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

class ServiceTest : public testing::TrustChainFixture {
 protected:
  json IssueOk(EVP_PKEY* key, const std::vector<std::string>& names,
               const std::optional<Bytes>& falcon_spki = std::nullopt) {
    const std::string csr = cat::MakeCsrPem(key, names, {}, falcon_spki);
    api::Response r = Call("POST", "/api/v1/certificates/issue", json{{"csr", csr}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }
};

TEST_F(ServiceTest, IssuesAVerifiableHybridCertificateLoggedInCt) {
  auto key = cat::GenerateKey("P-256");
  auto spki = crypto::hybrid::PublicKeyToSpkiDer(crypto::hybrid::Algorithm::kFalcon1024,
                                                 cat::GetTestPki().leaf_falcon_pk);
  ASSERT_TRUE(spki.ok());
  const json j = IssueOk(key.get(), {"node1.hypermesh"}, *spki);
  ASSERT_TRUE(j.is_object());
  EXPECT_TRUE(j["hybrid"].get<bool>());
  auto leaf = FromPem(j["certificate"].get<std::string>());
  ASSERT_NE(leaf, nullptr);

  // OpenSSL path validation to our root, through the chain the answer carries.
  auto root = FromDer(params_.root_der);
  auto issuing = FromDer(params_.issuing_der);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, root.get());
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  sk_X509_push(untrusted, issuing.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), untrusted);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), 1'763'700'100);
  EXPECT_EQ(X509_verify_cert(ctx), 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  sk_X509_free(untrusted);
  X509_STORE_free(store);
  EXPECT_NE(j["chain"].get<std::string>().find("BEGIN CERTIFICATE"), std::string::npos);

  // The Falcon alternative signature verifies under the issuing CA's Falcon key.
  unsigned char* der = nullptr;
  const int len = i2d_X509(leaf.get(), &der);
  Bytes leaf_der(der, der + len);
  OPENSSL_free(der);
  auto falcon_pk = ca::SubjectAltPublicKey(params_.issuing_der);
  ASSERT_TRUE(falcon_pk.ok() && falcon_pk->has_value());
  EXPECT_TRUE(ca::VerifyAltSignature(leaf_der, **falcon_pk).ok());

  // The inclusion proof leads from the leaf hash to the root of the tree of tree_size.
  const uint64_t index = j["ct"]["leaf_index"].get<uint64_t>();
  const uint64_t size = j["ct"]["tree_size"].get<uint64_t>();
  auto leaf_hash = base::Base64Decode(j["ct"]["leaf_hash"].get<std::string>());
  ASSERT_TRUE(leaf_hash.ok());
  std::vector<crypto::Digest32> path;
  for (const auto& h : j["ct"]["audit_path"]) {
    auto b = base::Base64Decode(h.get<std::string>());
    ASSERT_TRUE(b.ok() && b->size() == 32);
    crypto::Digest32 d{};
    std::copy(b->begin(), b->end(), d.begin());
    path.push_back(d);
  }
  crypto::Digest32 lh{};
  std::copy(leaf_hash->begin(), leaf_hash->end(), lh.begin());
  ct::CtLogReader reader(*chain_);
  auto root_hash = reader.Root(size);
  ASSERT_TRUE(root_hash.ok());
  EXPECT_TRUE(ct::VerifyInclusion(lh, index, size, path, *root_hash).ok());

  // The certificate is recorded and can be looked up.
  api::Response show = Call("GET", "/api/v1/certificates/" + j["serial"].get<std::string>());
  ASSERT_EQ(show.status, 200) << show.body;
  const json s = json::parse(show.body);
  EXPECT_EQ(s["status"], "good");
  EXPECT_EQ(s["ct_leaf_index"], index);
}

TEST_F(ServiceTest, RevocationByKeyShowsInOcspAndCrl) {
  auto key = cat::GenerateKey("P-256");
  const json j = IssueOk(key.get(), {"node2.hypermesh"});
  const std::string serial_hex = j["serial"].get<std::string>();
  auto serial = ca::ParseSerialHex(serial_hex);
  ASSERT_TRUE(serial.ok());

  // Another certificate's key may not revoke it: 403, nothing written.
  auto other = cat::GenerateKey("P-256");
  auto sign = [&](EVP_PKEY* k, ca::RevocationReason reason) {
    const Bytes msg = ca::RevocationMessage(*serial, reason);
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    size_t sig_len = 0;
    EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, k);
    EVP_DigestSign(md, nullptr, &sig_len, msg.data(), msg.size());
    Bytes sig(sig_len);
    EVP_DigestSign(md, sig.data(), &sig_len, msg.data(), msg.size());
    sig.resize(sig_len);
    EVP_MD_CTX_free(md);
    return base::Base64Encode(sig);
  };
  const uint64_t before = Height();
  api::Response r = Call("POST", "/api/v1/certificates/" + serial_hex + "/revoke",
                         json{{"reason", "keyCompromise"},
                              {"signature", sign(other.get(), ca::RevocationReason::kKeyCompromise)}}
                             .dump());
  EXPECT_EQ(r.status, 403) << r.body;
  // No authorisation at all: 401.
  r = Call("POST", "/api/v1/certificates/" + serial_hex + "/revoke", "{}");
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(Height(), before);

  r = Call("POST", "/api/v1/certificates/" + serial_hex + "/revoke",
           json{{"reason", "keyCompromise"},
                {"signature", sign(key.get(), ca::RevocationReason::kKeyCompromise)}}
               .dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["status"], "revoked");
  r = Call("POST", "/api/v1/certificates/" + serial_hex + "/revoke",
           json{{"signature", sign(key.get(), ca::RevocationReason::kUnspecified)}}.dump());
  EXPECT_EQ(r.status, 409) << r.body;

  api::Response show = Call("GET", "/api/v1/certificates/" + serial_hex);
  EXPECT_EQ(json::parse(show.body)["status"], "revoked");
  EXPECT_EQ(json::parse(show.body)["reason"], "keyCompromise");

  // The CRL lists the serial.
  api::Response crl = Call("GET", "/ca/crl.der");
  ASSERT_EQ(crl.status, 200);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(crl.body.data());
  X509_CRL* x = d2i_X509_CRL(nullptr, &p, static_cast<long>(crl.body.size()));
  ASSERT_NE(x, nullptr);
  auto issuing = FromDer(params_.issuing_der);
  EXPECT_EQ(X509_CRL_verify(x, X509_get0_pubkey(issuing.get())), 1);
  ASSERT_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(x)), 1);
  X509_CRL_free(x);

  // OCSP (POST form) answers revoked.
  auto leaf = FromPem(j["certificate"].get<std::string>());
  OCSP_REQUEST* req = OCSP_REQUEST_new();
  OCSP_request_add0_id(req, OCSP_cert_to_id(EVP_sha1(), leaf.get(), issuing.get()));
  unsigned char* rder = nullptr;
  const int rlen = i2d_OCSP_REQUEST(req, &rder);
  std::string req_body(reinterpret_cast<char*>(rder), static_cast<size_t>(rlen));
  OPENSSL_free(rder);
  OCSP_REQUEST_free(req);
  api::Response o = Call("POST", "/ocsp", req_body, "application/ocsp-request");
  ASSERT_EQ(o.status, 200);
  p = reinterpret_cast<const unsigned char*>(o.body.data());
  OCSP_RESPONSE* resp = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(o.body.size()));
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_SUCCESSFUL);
  OCSP_BASICRESP* basic = OCSP_response_get1_basic(resp);
  ASSERT_NE(basic, nullptr);
  OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), leaf.get(), issuing.get());
  int status = -1, reason = -1;
  ASSERT_EQ(OCSP_resp_find_status(basic, id, &status, &reason, nullptr, nullptr, nullptr), 1);
  EXPECT_EQ(status, V_OCSP_CERTSTATUS_REVOKED);
  OCSP_CERTID_free(id);
  OCSP_BASICRESP_free(basic);
  OCSP_RESPONSE_free(resp);
}

TEST_F(ServiceTest, AdminRevocationNeedsTheToken) {
  auto key = cat::GenerateKey("ED25519");
  const json j = IssueOk(key.get(), {"node3.hypermesh"});
  const std::string path = "/api/v1/certificates/" + j["serial"].get<std::string>() + "/revoke";
  api::Response r = Call("POST", path, "{}", "application/json",
                         {{"Authorization", "Bearer wrong-token-wrong-token"}});
  EXPECT_EQ(r.status, 403) << r.body;
  r = Call("POST", path, json{{"reason", 4}}.dump(), "application/json",
           {{"Authorization", std::string("Bearer ") + kAdminToken}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["reason"], "superseded");
}

TEST_F(ServiceTest, BadRequestsWriteNothing) {
  const uint64_t before = Height();
  auto rsa = cat::GenerateKey("RSA-1024");
  api::Response r = Call("POST", "/api/v1/certificates/issue",
                         json{{"csr", cat::MakeCsrPem(rsa.get(), {"a.hypermesh"})}}.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("RSA"), std::string::npos) << r.body;

  auto key = cat::GenerateKey("P-256");
  std::string csr = cat::MakeCsrPem(key.get(), {"a.hypermesh"});
  std::string broken = csr;
  broken[broken.size() / 2] = broken[broken.size() / 2] == 'A' ? 'B' : 'A';  // signature or DER
  r = Call("POST", "/api/v1/certificates/issue", json{{"csr", broken}}.dump());
  EXPECT_EQ(r.status, 400) << r.body;

  r = Call("POST", "/api/v1/certificates/issue",
           json{{"csr", cat::MakeCsrPem(key.get(), {"example.com"})}}.dump());
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("example.com"), std::string::npos) << r.body;

  r = Call("POST", "/api/v1/certificates/issue", csr, "image/png");
  EXPECT_EQ(r.status, 415) << r.body;
  r = Call("POST", "/api/v1/certificates/issue", json{{"csr", csr}, {"x", 1}}.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  r = Call("GET", "/api/v1/certificates/zz");
  EXPECT_EQ(r.status, 400) << r.body;
  r = Call("GET", "/api/v1/certificates/0abc");
  EXPECT_EQ(r.status, 404) << r.body;
  r = Call("POST", "/api/v1/certificates/0abc/revoke", "{}");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(Height(), before);
  ct::CtLogReader reader(*chain_);
  EXPECT_EQ(*reader.TreeSize(), 0u);

  // PEM body (application/pkcs10) is accepted as well.
  r = Call("POST", "/api/v1/certificates/issue", csr, "application/pkcs10");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ServiceTest, PublishesRootChainAndAnswersMalformedOcsp) {
  api::Response r = Call("GET", "/api/v1/ca/root");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, crypto::DerToPem(params_.root_der, "CERTIFICATE"));
  r = Call("GET", "/api/v1/ca/chain");
  EXPECT_EQ(r.body, crypto::DerToPem(params_.issuing_der, "CERTIFICATE") + crypto::DerToPem(params_.root_der, "CERTIFICATE"));
  r = Call("GET", "/ca/issuing.der");
  EXPECT_EQ(Bytes(r.body.begin(), r.body.end()), params_.issuing_der);
  r = Call("POST", "/ocsp", "garbage", "application/ocsp-request");
  ASSERT_EQ(r.status, 200);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(r.body.data());
  OCSP_RESPONSE* resp = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(r.body.size()));
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  OCSP_RESPONSE_free(resp);
  r = Call("GET", "/ct/v1/get-roots");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["certificates"][0], base::Base64Encode(params_.root_der));
}

}  // namespace
}  // namespace hm::trustchain::service
