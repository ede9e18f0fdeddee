#include "trustchain/ca/alt_signature.h"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <string_view>

#include "trustchain/ca/testing/ca_fixture.h"

namespace hm::trustchain::ca {
namespace {

using testing::GetTestPki;

// Flips one byte of the first occurrence of `needle` in `der` (inside the TBS subject/issuer).
base::Bytes FlipIn(const base::Bytes& der, std::string_view needle) {
  auto it = std::search(der.begin(), der.end(), needle.begin(), needle.end());
  EXPECT_NE(it, der.end());
  base::Bytes out = der;
  out[static_cast<size_t>(it - der.begin())] ^= 0x01;
  return out;
}

TEST(AltSignatureTest, RootIsSelfAltSigned) {
  const auto& pki = GetTestPki();
  ASSERT_TRUE(pki.root.falcon().has_value());
  EXPECT_TRUE(VerifyAltSignature(pki.root.cert_der(), pki.root.falcon()->public_key).ok());
  auto alt_pk = SubjectAltPublicKey(pki.root.cert_der());
  ASSERT_TRUE(alt_pk.ok());
  ASSERT_TRUE(alt_pk->has_value());
  EXPECT_EQ(**alt_pk, pki.root.falcon()->public_key);
}

TEST(AltSignatureTest, IntermediateVerifiesWithRootKeyOnly) {
  const auto& pki = GetTestPki();
  const auto& der = pki.intermediate.cert_der();
  EXPECT_TRUE(VerifyAltSignature(der, pki.root.falcon()->public_key).ok());
  const auto wrong = VerifyAltSignature(der, pki.intermediate.falcon()->public_key);
  EXPECT_EQ(wrong.code(), base::Code::kUnauthenticated) << wrong.ToString();
}

TEST(AltSignatureTest, OneByteChangeInTbsFails) {
  const auto& pki = GetTestPki();
  for (const auto* ca : {&pki.root, &pki.intermediate}) {
    const auto tampered = FlipIn(ca->cert_der(), "HyperMesh");
    const auto s = VerifyAltSignature(tampered, pki.root.falcon()->public_key);
    EXPECT_EQ(s.code(), base::Code::kUnauthenticated) << s.ToString();
  }
}

TEST(AltSignatureTest, PreTbsOmitsSignatureFieldAndAltValue) {
  const auto& pki = GetTestPki();
  auto pre = PreTbsCertificate(pki.intermediate.cert());
  ASSERT_TRUE(pre.ok());
  // ecdsa-with-SHA256 OID content never appears (the signature field is gone) ...
  const base::Bytes ecdsa_sha256 = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02};
  EXPECT_EQ(std::search(pre->begin(), pre->end(), ecdsa_sha256.begin(), ecdsa_sha256.end()),
            pre->end());
  // ... nor does the altSignatureValue OID 2.5.29.74 (55 1D 4A), while 2.5.29.73 does.
  const base::Bytes alt_value = {0x06, 0x03, 0x55, 0x1D, 0x4A};
  const base::Bytes alt_alg = {0x06, 0x03, 0x55, 0x1D, 0x49};
  EXPECT_EQ(std::search(pre->begin(), pre->end(), alt_value.begin(), alt_value.end()), pre->end());
  EXPECT_NE(std::search(pre->begin(), pre->end(), alt_alg.begin(), alt_alg.end()), pre->end());
}

TEST(AltSignatureTest, ClassicalChainVerifiesWithOpenSsl) {
  const auto& pki = GetTestPki();
  X509_STORE* store = X509_STORE_new();
  ASSERT_EQ(X509_STORE_add_cert(store, pki.root.cert()), 1);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  ASSERT_EQ(X509_STORE_CTX_init(ctx, store, pki.intermediate.cert(), nullptr), 1);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx),
                             std::chrono::system_clock::to_time_t(testing::kT0) + 3600);
  EXPECT_EQ(X509_verify_cert(ctx), 1)
      << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
}

TEST(AltSignatureTest, MissingAltSignatureIsInvalidArgument) {
  const auto& pki = GetTestPki();
  internal::X509Ptr copy(X509_dup(pki.intermediate.cert()));
  internal::DeleteExtensions(copy.get(), kOidAltSignatureValue);
  ASSERT_GT(i2d_re_X509_tbs(copy.get(), nullptr), 0);  // X509_delete_ext keeps the cached DER
  const auto s = VerifyAltSignature(internal::CertDer(copy.get()), pki.root.falcon()->public_key);
  EXPECT_EQ(s.code(), base::Code::kInvalidArgument) << s.ToString();
}

}  // namespace
}  // namespace hm::trustchain::ca
