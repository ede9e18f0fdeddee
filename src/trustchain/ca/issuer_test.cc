#include "trustchain/ca/issuer.h"

#include <gtest/gtest.h>
#include <openssl/ct.h>
#include <openssl/x509_vfy.h>

#include "crypto/hybrid/pq_keys.h"
#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/testing/ca_fixture.h"

namespace hm::trustchain::ca {
namespace {

using testing::DefaultLeafOptions;
using testing::GenerateKey;
using testing::GetTestPki;
using testing::MakeCsrPem;

ParsedCsr Csr(const std::vector<std::string>& dns, const std::vector<std::string>& ips = {},
              const std::optional<base::Bytes>& falcon_spki = std::nullopt,
              const std::string& kind = "P-256") {
  auto key = GenerateKey(kind);
  auto csr = ParseCsrPem(MakeCsrPem(key.get(), dns, ips, falcon_spki));
  EXPECT_TRUE(csr.ok()) << csr.status().ToString();
  return std::move(csr).value();
}

constexpr uint64_t kSctTime = 1735689600123;

// SCTs from a real CT log signer; records what was submitted.
SctProvider TestLog(std::vector<PrecertEntry>* seen) {
  return [seen](const PrecertEntry& e) -> base::Result<base::Bytes> {
    seen->push_back(e);
    return testing::TestLogSctList(e, kSctTime);
  };
}

int VerifyChain(X509* leaf, int purpose) {
  const auto& pki = GetTestPki();
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, pki.root.cert());
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  sk_X509_push(untrusted, pki.intermediate.cert());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, untrusted);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx),
                             std::chrono::system_clock::to_time_t(testing::kT0) + 3600);
  const int rc = X509_verify_cert(ctx);
  if (rc != 1) ADD_FAILURE() << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  sk_X509_free(untrusted);
  X509_STORE_free(store);
  return rc;
}

base::Bytes TbsWithout(const base::Bytes& der, const char* oid) {
  auto x = testing::ParseCert(der);
  internal::DeleteExtensions(x.get(), oid);
  const int len = i2d_re_X509_tbs(x.get(), nullptr);
  base::Bytes tbs(static_cast<size_t>(len));
  unsigned char* p = tbs.data();
  i2d_re_X509_tbs(x.get(), &p);
  return tbs;
}

TEST(IssuerTest, LeafChainsToRootWithEmbeddedScts) {
  const auto& pki = GetTestPki();
  std::vector<PrecertEntry> seen;
  auto leaf = IssueLeaf(pki.intermediate, Csr({"node1.hypermesh"}), DefaultLeafOptions(10),
                        TestLog(&seen), testing::TestRandom());
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  auto x = testing::ParseCert(leaf->der);
  EXPECT_EQ(VerifyChain(x.get(), X509_PURPOSE_SSL_SERVER), 1);
  EXPECT_EQ(VerifyChain(x.get(), X509_PURPOSE_SSL_CLIENT), 1);

  // SCT list present and parseable; no poison.
  STACK_OF(SCT)* scts =
      static_cast<STACK_OF(SCT)*>(X509_get_ext_d2i(x.get(), NID_ct_precert_scts, nullptr, nullptr));
  ASSERT_NE(scts, nullptr);
  ASSERT_EQ(sk_SCT_num(scts), 1);
  EXPECT_EQ(SCT_get_timestamp(sk_SCT_value(scts, 0)), 1735689600123u);
  SCT_LIST_free(scts);
  EXPECT_LT(X509_get_ext_by_NID(x.get(), NID_ct_precert_poison, -1), 0);

  // Precertificate: critical poison; TBS minus poison == logged TBS == final TBS minus SCTs.
  ASSERT_EQ(seen.size(), 1u);
  auto pre = testing::ParseCert(leaf->precert_der);
  const int idx = X509_get_ext_by_NID(pre.get(), NID_ct_precert_poison, -1);
  ASSERT_GE(idx, 0);
  EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(pre.get(), idx)), 1);
  EXPECT_EQ(seen[0].tbs_certificate, leaf->precert_entry.tbs_certificate);
  EXPECT_EQ(TbsWithout(leaf->der, kOidCtSctList), seen[0].tbs_certificate);
  EXPECT_EQ(TbsWithout(leaf->precert_der, kOidCtPoison), seen[0].tbs_certificate);
  EXPECT_EQ(seen[0].issuer_key_hash, pki.intermediate.key_hash());
  EXPECT_EQ(X509_verify(pre.get(), X509_get0_pubkey(pki.intermediate.cert())), 1);

  // The embedded SCT is the log's signature over the entry rebuilt from the final certificate
  // (issuer key hash + TBS without the SCT list), as an RFC 6962 client checks it.
  PrecertEntry rebuilt{pki.intermediate.key_hash(), TbsWithout(leaf->der, kOidCtSctList)};
  ct::LogEntry logged = testing::PrecertLogEntry(rebuilt, kSctTime);
  ct::Sct sct = testing::TestLog().SignSct(logged);
  EXPECT_TRUE(testing::TestLog().public_keys().VerifySct(sct, logged).ok());
  auto ext = base::Bytes();
  {
    const int sct_idx = X509_get_ext_by_NID(x.get(), NID_ct_precert_scts, -1);
    ASSERT_GE(sct_idx, 0);
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(x.get(), sct_idx));
    ext.assign(data->data, data->data + data->length);
  }
  // extnValue = OCTET STRING { u16 list length, u16 sct length, SCT }.
  ASSERT_GT(ext.size(), 6u);
  const size_t header = ext[1] < 0x80 ? 2 : 2 + (ext[1] & 0x7f);
  auto embedded = ct::Sct::Parse(base::ByteSpan(ext).subspan(header + 4));
  ASSERT_TRUE(embedded.ok()) << embedded.status().ToString();
  EXPECT_TRUE(testing::TestLog().public_keys().VerifySct(*embedded, logged).ok());
  logged.entry.back() ^= 1;
  EXPECT_FALSE(testing::TestLog().public_keys().VerifySct(*embedded, logged).ok());

  // Profile.
  EXPECT_EQ(X509_get_extension_flags(x.get()) & EXFLAG_CA, 0u);
  EXPECT_EQ(X509_get_key_usage(x.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_get_extended_key_usage(x.get()),
            static_cast<uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));
  EXPECT_GE(X509_get_ext_by_NID(x.get(), NID_info_access, -1), 0);
  EXPECT_GE(X509_get_ext_by_NID(x.get(), NID_crl_distribution_points, -1), 0);
  EXPECT_NE(X509_get0_authority_key_id(x.get()), nullptr);
  EXPECT_EQ(
      ASN1_TIME_diff(nullptr, nullptr, X509_get0_notBefore(x.get()), X509_get0_notAfter(x.get())),
      1);
  int day = 0, sec = 0;
  ASSERT_EQ(ASN1_TIME_diff(&day, &sec, X509_get0_notBefore(x.get()), X509_get0_notAfter(x.get())),
            1);
  EXPECT_EQ(day, 1);
  EXPECT_EQ(sec, 0);
}

TEST(IssuerTest, AltSignatureOnLeafsAndTampering) {
  const auto& pki = GetTestPki();
  auto spki = crypto::hybrid::PublicKeyToSpkiDer(crypto::hybrid::Algorithm::kFalcon1024,
                                                 pki.leaf_falcon_pk);
  ASSERT_TRUE(spki.ok());
  std::vector<PrecertEntry> seen;
  auto hybrid = IssueLeaf(pki.intermediate, Csr({"node2.hypermesh"}, {}, *spki),
                          DefaultLeafOptions(11), TestLog(&seen), testing::TestRandom());
  ASSERT_TRUE(hybrid.ok()) << hybrid.status().ToString();
  const auto& int_pk = pki.intermediate.falcon()->public_key;
  EXPECT_TRUE(VerifyAltSignature(hybrid->der, int_pk).ok());
  EXPECT_TRUE(VerifyAltSignature(hybrid->precert_der, int_pk).ok());
  auto alt = SubjectAltPublicKey(hybrid->der);
  ASSERT_TRUE(alt.ok() && alt->has_value());
  EXPECT_EQ(**alt, pki.leaf_falcon_pk);

  base::Bytes tampered = hybrid->der;
  const std::string_view needle = "node2";
  auto it = std::search(tampered.begin(), tampered.end(), needle.begin(), needle.end());
  ASSERT_NE(it, tampered.end());
  *it ^= 0x01;
  EXPECT_EQ(VerifyAltSignature(tampered, int_pk).code(), base::Code::kUnauthenticated);

  // A classical (Ed25519) leaf has no subjectAltPublicKeyInfo but is still alt-signed.
  auto plain = IssueLeaf(pki.intermediate, Csr({"node3.hypermesh"}, {}, std::nullopt, "ED25519"),
                         DefaultLeafOptions(12), TestLog(&seen), testing::TestRandom());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_TRUE(VerifyAltSignature(plain->der, int_pk).ok());
  auto none = SubjectAltPublicKey(plain->der);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto x = testing::ParseCert(plain->der);
  EXPECT_EQ(VerifyChain(x.get(), X509_PURPOSE_SSL_SERVER), 1);
}

TEST(IssuerTest, NamePolicy) {
  NamePolicy policy;
  EXPECT_TRUE(CheckDnsName("hypermesh", policy).ok());
  EXPECT_EQ(*CheckDnsName("Node1.HyperMesh", policy), "node1.hypermesh");
  for (const char* bad : {"hypermesh.com", "xhypermesh", "example.org", "*.x.hypermesh"}) {
    auto r = CheckDnsName(bad, policy);
    EXPECT_EQ(r.status().code(), base::Code::kPermissionDenied) << bad;
  }
  for (const char* bad : {"", "a..hypermesh", "a_b.hypermesh", "-a.hypermesh", "a.hypermesh."}) {
    EXPECT_EQ(CheckDnsName(bad, policy).status().code(), base::Code::kInvalidArgument) << bad;
  }
  policy.allow_any = true;
  EXPECT_TRUE(CheckDnsName("example.org", policy).ok());
  EXPECT_TRUE(CheckDnsName("*.example.org", policy).ok());
}

TEST(IssuerTest, RejectsOutOfPolicyWithoutCallingTheLog) {
  const auto& pki = GetTestPki();
  std::vector<PrecertEntry> seen;
  auto r = IssueLeaf(pki.intermediate, Csr({"node1.hypermesh", "evil.example.com"}),
                     DefaultLeafOptions(13), TestLog(&seen), testing::TestRandom());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kPermissionDenied);
  EXPECT_NE(r.status().message().find("evil.example.com"), std::string_view::npos);
  EXPECT_TRUE(seen.empty());

  auto ip = IssueLeaf(pki.intermediate, Csr({"a.hypermesh"}, {"::1"}), DefaultLeafOptions(14),
                      TestLog(&seen), testing::TestRandom());
  EXPECT_EQ(ip.status().code(), base::Code::kPermissionDenied);

  LeafOptions dev = DefaultLeafOptions(15);
  dev.policy.allow_any = true;
  auto ok = IssueLeaf(pki.intermediate, Csr({"example.org"}, {"::1"}), dev, TestLog(&seen),
                      testing::TestRandom());
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();

  LeafOptions bad_url = DefaultLeafOptions(16);
  bad_url.ocsp_url = "ftp://x";
  EXPECT_EQ(IssueLeaf(pki.intermediate, Csr({"a.hypermesh"}), bad_url, TestLog(&seen),
                      testing::TestRandom())
                .status()
                .code(),
            base::Code::kInvalidArgument);
  LeafOptions bad_serial = DefaultLeafOptions(17);
  bad_serial.serial[0] = 0x80;
  EXPECT_EQ(IssueLeaf(pki.intermediate, Csr({"a.hypermesh"}), bad_serial, TestLog(&seen),
                      testing::TestRandom())
                .status()
                .code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(IssueLeaf(pki.intermediate, Csr({}), DefaultLeafOptions(18), TestLog(&seen),
                      testing::TestRandom())
                .status()
                .code(),
            base::Code::kInvalidArgument);
}

TEST(IssuerTest, ExplicitNamesAndValidityOverride) {
  const auto& pki = GetTestPki();
  LeafOptions o = DefaultLeafOptions(19);
  o.dns_names = {"svc.node1.hypermesh"};
  o.validity = std::chrono::hours(1);
  auto leaf =
      IssueLeaf(pki.intermediate, Csr({"ignored.hypermesh"}), o, nullptr, testing::TestRandom());
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  EXPECT_TRUE(leaf->precert_der.empty());
  auto x = testing::ParseCert(leaf->der);
  EXPECT_EQ(X509_check_host(x.get(), "svc.node1.hypermesh", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_host(x.get(), "ignored.hypermesh", 0, 0, nullptr), 1);
  EXPECT_LT(X509_get_ext_by_NID(x.get(), NID_ct_precert_scts, -1), 0);
}

}  // namespace
}  // namespace hm::trustchain::ca
