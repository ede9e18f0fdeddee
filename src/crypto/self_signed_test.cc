#include "crypto/self_signed.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace hm::crypto {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

// 2030-01-01T00:00:00Z, a fixed and injected "now".
const system_clock::time_point kNotBefore = system_clock::from_time_t(1893456000);

CertOptions DefaultOptions() {
  CertOptions o;
  o.common_name = "node-1.hypermesh";
  o.dns_names = {"node-1.hypermesh", "localhost"};
  o.ip_addresses = {"::1", "2001:db8::7"};
  o.validity = seconds(86400);
  o.not_before = kNotBefore;
  o.serial = 0x1234567890ull;
  return o;
}

X509Ptr ParseDer(const base::Bytes& der) {
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  EXPECT_EQ(p, der.data() + der.size());
  return x;
}

TEST(SelfSignedTest, ParsesBackWithExpectedFields) {
  const auto key = EcdsaP256PrivateKey::Generate();
  auto cert = MakeSelfSignedCert(key, DefaultOptions());
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  X509Ptr x = ParseDer(cert->der);
  ASSERT_NE(x, nullptr);

  EXPECT_EQ(X509_get_version(x.get()), X509_VERSION_3);
  EXPECT_EQ(X509_verify(x.get(), key.PublicKey().evp_pkey()), 1);
  const auto other = EcdsaP256PrivateKey::Generate();
  EXPECT_EQ(X509_verify(x.get(), other.PublicKey().evp_pkey()), 0);
  EXPECT_EQ(X509_get_signature_nid(x.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(x.get()), key.PublicKey().evp_pkey()), 1);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(x.get()), X509_get_issuer_name(x.get())), 0);
  // A leaf, not a CA: its keyUsage lacks keyCertSign, so it cannot issue (even itself).
  EXPECT_EQ(X509_check_issued(x.get(), x.get()), X509_V_ERR_KEYUSAGE_NO_CERTSIGN);

  char cn[128] = {0};
  ASSERT_GT(
      X509_NAME_get_text_by_NID(X509_get_subject_name(x.get()), NID_commonName, cn, sizeof(cn)), 0);
  EXPECT_STREQ(cn, "node-1.hypermesh");
  uint64_t serial = 0;
  ASSERT_EQ(ASN1_INTEGER_get_uint64(&serial, X509_get0_serialNumber(x.get())), 1);
  EXPECT_EQ(serial, 0x1234567890ull);

  // Validity: exactly [not_before, not_before + 1 day].
  const time_t nb = system_clock::to_time_t(kNotBefore);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notBefore(x.get()), nb), 0);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notAfter(x.get()), nb + 86400), 0);

  // Extensions.
  const uint32_t flags = X509_get_extension_flags(x.get());
  EXPECT_TRUE(flags & EXFLAG_BCONS);
  EXPECT_FALSE(flags & EXFLAG_CA);
  EXPECT_EQ(X509_get_key_usage(x.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_get_extended_key_usage(x.get()), static_cast<uint32_t>(XKU_SSL_SERVER));
  const int bc_index = X509_get_ext_by_NID(x.get(), NID_basic_constraints, -1);
  ASSERT_GE(bc_index, 0);
  EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(x.get(), bc_index)), 1);
  EXPECT_NE(X509_get0_subject_key_id(x.get()), nullptr);
}

TEST(SelfSignedTest, SubjectAltNames) {
  const auto key = EcdsaP256PrivateKey::Generate();
  auto cert = MakeSelfSignedCert(key, DefaultOptions());
  ASSERT_TRUE(cert.ok());
  X509Ptr x = ParseDer(cert->der);
  ASSERT_NE(x, nullptr);
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x.get(), NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  std::vector<std::string> dns;
  std::vector<std::string> ips;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gen = sk_GENERAL_NAME_value(names, i);
    int type = 0;
    const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(gen, &type));
    base::ByteSpan bytes(ASN1_STRING_get0_data(value),
                         static_cast<size_t>(ASN1_STRING_length(value)));
    if (type == GEN_DNS) dns.emplace_back(base::AsString(bytes));
    if (type == GEN_IPADD) ips.push_back(base::HexEncode(bytes));
  }
  GENERAL_NAMES_free(names);
  EXPECT_EQ(dns, (std::vector<std::string>{"node-1.hypermesh", "localhost"}));
  EXPECT_EQ(ips, (std::vector<std::string>{"00000000000000000000000000000001",
                                           "20010db8000000000000000000000007"}));
  EXPECT_EQ(X509_check_host(x.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(x.get(), "other.hypermesh", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(x.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(x.get(), "::2", 0), 0);
}

// A client that pins this certificate as its trust anchor accepts it for TLS server use,
// inside the validity window only.
TEST(SelfSignedTest, VerifiesAsPinnedServerCertificate) {
  const auto key = EcdsaP256PrivateKey::Generate();
  auto cert = MakeSelfSignedCert(key, DefaultOptions());
  ASSERT_TRUE(cert.ok());
  BIO* bio = BIO_new_mem_buf(cert->pem.data(), static_cast<int>(cert->pem.size()));
  X509Ptr x(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  ASSERT_NE(x, nullptr);

  auto verify_at = [&](time_t when) {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, x.get());
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, x.get(), nullptr);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
    X509_STORE_CTX_set_time(ctx, 0, when);
    X509_VERIFY_PARAM_set1_ip_asc(X509_STORE_CTX_get0_param(ctx), "::1");
    const int ok = X509_verify_cert(ctx);
    const int err = X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return ok == 1 ? X509_V_OK : err;
  };
  const time_t nb = system_clock::to_time_t(kNotBefore);
  EXPECT_EQ(verify_at(nb + 3600), X509_V_OK);
  EXPECT_EQ(verify_at(nb - 3600), X509_V_ERR_CERT_NOT_YET_VALID);
  EXPECT_EQ(verify_at(nb + 2 * 86400), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST(SelfSignedTest, PemMatchesDer) {
  const auto key = EcdsaP256PrivateKey::Generate();
  auto cert = MakeSelfSignedCert(key, DefaultOptions());
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(cert->pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  BIO* bio = BIO_new_mem_buf(cert->pem.data(), static_cast<int>(cert->pem.size()));
  X509Ptr x(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  ASSERT_NE(x, nullptr);
  unsigned char* der = nullptr;
  const int len = i2d_X509(x.get(), &der);
  ASSERT_GT(len, 0);
  EXPECT_EQ(base::Bytes(der, der + len), cert->der);
  OPENSSL_free(der);
}

TEST(SelfSignedTest, RejectsBadOptions) {
  const auto key = EcdsaP256PrivateKey::Generate();
  auto expect_invalid = [&](CertOptions o, std::string_view mention) {
    auto r = MakeSelfSignedCert(key, o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(mention), std::string_view::npos) << r.status().ToString();
  };
  CertOptions o = DefaultOptions();
  o.ip_addresses = {"127.0.0.1"};
  expect_invalid(o, "IPv4");
  o.ip_addresses = {"::ffff:10.0.0.1"};
  expect_invalid(o, "IPv4-mapped");
  o.ip_addresses = {"not-an-ip"};
  expect_invalid(o, "not-an-ip");
  o = DefaultOptions();
  o.dns_names = {"bad name"};
  expect_invalid(o, "bad name");
  o.dns_names = {"a..b"};
  expect_invalid(o, "a..b");
  o.dns_names = {"x.*.y"};
  expect_invalid(o, "x.*.y");
  o = DefaultOptions();
  o.common_name = "";
  expect_invalid(o, "common_name");
  o.common_name = std::string(65, 'a');
  expect_invalid(o, "common_name");
  o = DefaultOptions();
  o.validity = seconds(0);
  expect_invalid(o, "validity");
  o = DefaultOptions();
  o.serial = 0;
  expect_invalid(o, "serial");
}

TEST(SelfSignedTest, WildcardAndNoSan) {
  const auto key = EcdsaP256PrivateKey::Generate();
  CertOptions o = DefaultOptions();
  o.dns_names = {"*.node-1.hypermesh"};
  o.ip_addresses.clear();
  auto cert = MakeSelfSignedCert(key, o);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  X509Ptr x = ParseDer(cert->der);
  EXPECT_EQ(X509_check_host(x.get(), "api.node-1.hypermesh", 0, 0, nullptr), 1);

  o.dns_names.clear();
  cert = MakeSelfSignedCert(key, o);
  ASSERT_TRUE(cert.ok());
  x = ParseDer(cert->der);
  EXPECT_LT(X509_get_ext_by_NID(x.get(), NID_subject_alt_name, -1), 0);
}

}  // namespace
}  // namespace hm::crypto
