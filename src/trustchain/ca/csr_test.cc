#include "trustchain/ca/csr.h"

#include <gtest/gtest.h>

#include "crypto/hybrid/pq_keys.h"
#include "trustchain/ca/testing/ca_fixture.h"

namespace hm::trustchain::ca {
namespace {

using testing::GenerateKey;
using testing::MakeCsrPem;

void ExpectRejected(const std::string& pem, std::string_view needle) {
  auto csr = ParseCsrPem(pem);
  ASSERT_FALSE(csr.ok());
  EXPECT_EQ(csr.status().code(), base::Code::kInvalidArgument) << csr.status().ToString();
  EXPECT_NE(csr.status().message().find(needle), std::string_view::npos) << csr.status().ToString();
}

TEST(CsrTest, AcceptsP256WithNames) {
  auto key = GenerateKey("P-256");
  auto csr = ParseCsrPem(MakeCsrPem(key.get(), {"node1.hypermesh", "api.hypermesh"}, {"::1"}));
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  EXPECT_EQ(csr->key_type, SubjectKeyType::kEcdsaP256);
  EXPECT_EQ(csr->dns_names, (std::vector<std::string>{"node1.hypermesh", "api.hypermesh"}));
  ASSERT_EQ(csr->ip_addresses.size(), 1u);
  EXPECT_EQ(csr->ip_addresses[0][15], 1);
  EXPECT_FALSE(csr->falcon_public_key.has_value());
}

TEST(CsrTest, AcceptsEd25519) {
  auto key = GenerateKey("ED25519");
  auto csr = ParseCsrPem(MakeCsrPem(key.get(), {"node1.hypermesh"}));
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  EXPECT_EQ(csr->key_type, SubjectKeyType::kEd25519);
}

TEST(CsrTest, ReadsFalconAttribute) {
  const auto& pk = testing::GetTestPki().leaf_falcon_pk;
  auto spki = crypto::hybrid::PublicKeyToSpkiDer(crypto::hybrid::Algorithm::kFalcon1024, pk);
  ASSERT_TRUE(spki.ok());
  auto key = GenerateKey("P-256");
  auto csr = ParseCsrPem(MakeCsrPem(key.get(), {"node1.hypermesh"}, {}, *spki));
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  ASSERT_TRUE(csr->falcon_public_key.has_value());
  EXPECT_EQ(*csr->falcon_public_key, pk);
}

TEST(CsrTest, RejectsMalformedFalconAttribute) {
  auto key = GenerateKey("P-256");
  const base::Bytes not_spki = {0x30, 0x03, 0x02, 0x01, 0x01};
  ExpectRejected(MakeCsrPem(key.get(), {"a.hypermesh"}, {}, not_spki), "Falcon");
}

TEST(CsrTest, RejectsBadSignature) {
  auto key = GenerateKey("P-256");
  std::string pem = MakeCsrPem(key.get(), {"node1.hypermesh"});
  // Decode, flip a byte of the signature (the DER ends with it), re-encode.
  const size_t b = pem.find('\n') + 1;
  const size_t e = pem.find("-----END");
  std::string body;
  for (size_t i = b; i < e; ++i) {
    if (pem[i] != '\n') body += pem[i];
  }
  auto der = base::Base64Decode(body);
  ASSERT_TRUE(der.ok());
  (*der)[der->size() - 5] ^= 0x01;
  ExpectRejected(internal::DerToPem(*der, "CERTIFICATE REQUEST"), "signature");
}

TEST(CsrTest, RejectsUnsupportedKeys) {
  ExpectRejected(MakeCsrPem(GenerateKey("RSA-1024").get(), {"a.hypermesh"}), "RSA-1024");
  ExpectRejected(MakeCsrPem(GenerateKey("RSA-2048").get(), {"a.hypermesh"}), "RSA-2048");
  ExpectRejected(MakeCsrPem(GenerateKey("P-384").get(), {"a.hypermesh"}), "secp384r1");
}

TEST(CsrTest, RejectsGarbageAndIpv4) {
  ExpectRejected("hello", "PEM");
  ExpectRejected("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
                 "malformed");
  ExpectRejected(std::string(kMaxCsrPemSize + 1, 'A'), "16 KiB");
  auto key = GenerateKey("P-256");
  ExpectRejected(MakeCsrPem(key.get(), {"a.hypermesh"}, {"192.0.2.1"}), "IPv4");
  ExpectRejected(MakeCsrPem(key.get(), {"a.hypermesh"}, {"::ffff:192.0.2.1"}), "IPv4-mapped");
  ExpectRejected(MakeCsrPem(key.get(), {"a.hypermesh"}) + "trailing", "after");
}

}  // namespace
}  // namespace hm::trustchain::ca
