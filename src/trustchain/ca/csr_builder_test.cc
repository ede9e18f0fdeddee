// Tests for BuildCsrPem: every CSR it builds must round-trip through the CA's strict parser.
#include "trustchain/ca/csr_builder.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>

#include "base/random.h"
#include "crypto/falcon/falcon.h"
#include "trustchain/ca/csr.h"
#include "trustchain/ca/internal/ossl.h"

namespace hm::trustchain::ca {
namespace {

internal::PkeyPtr NewKey(const char* type, const char* curve = nullptr) {
  EVP_PKEY* key = curve != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                                   : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  EXPECT_NE(key, nullptr);
  return internal::PkeyPtr(key);
}

base::Bytes SpkiOf(EVP_PKEY* key) {
  const int len = i2d_PUBKEY(key, nullptr);
  base::Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_PUBKEY(key, &p);
  return out;
}

// One Falcon-1024 key pair per test binary (key generation is the slow part).
const base::Bytes& FalconPublicKey() {
  static const base::Bytes pk = [] {
    base::SeededRandom random(7);
    auto pair = crypto::falcon::KeyGen(crypto::falcon::Variant::kFalcon1024, random);
    EXPECT_TRUE(pair.ok());
    return pair.ok() ? pair->public_key : base::Bytes();
  }();
  return pk;
}

std::string SubjectCn(const std::string& pem) {
  internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  internal::X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) return "<unparsable>";
  char cn[256] = {0};
  X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req.get()), NID_commonName, cn, sizeof(cn));
  return cn;
}

std::array<uint8_t, 16> Ip(std::initializer_list<uint8_t> head, uint8_t last) {
  std::array<uint8_t, 16> a{};
  std::copy(head.begin(), head.end(), a.begin());
  a[15] = last;
  return a;
}

TEST(CsrBuilderTest, P256RoundTripsWithNamesAndIpv6) {
  auto key = NewKey("EC", "P-256");
  auto pem = BuildCsrPem(key.get(), {"Node1.HyperMesh", "api.hypermesh"}, {"::1", "2001:db8::5"},
                         std::nullopt);
  ASSERT_TRUE(pem.ok()) << pem.status().ToString();
  auto csr = ParseCsrPem(*pem);
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  EXPECT_EQ(csr->key_type, SubjectKeyType::kEcdsaP256);
  EXPECT_EQ(csr->spki_der, SpkiOf(key.get()));
  EXPECT_EQ(csr->dns_names, (std::vector<std::string>{"node1.hypermesh", "api.hypermesh"}));
  ASSERT_EQ(csr->ip_addresses.size(), 2u);
  EXPECT_EQ(csr->ip_addresses[0], Ip({}, 1));
  EXPECT_EQ(csr->ip_addresses[1], Ip({0x20, 0x01, 0x0d, 0xb8}, 5));
  EXPECT_FALSE(csr->falcon_public_key.has_value());
  EXPECT_EQ(SubjectCn(*pem), "node1.hypermesh");
}

TEST(CsrBuilderTest, Ed25519RoundTrips) {
  auto key = NewKey("ED25519");
  auto pem = BuildCsrPem(key.get(), {"edge.hypermesh"}, {}, std::nullopt);
  ASSERT_TRUE(pem.ok()) << pem.status().ToString();
  auto csr = ParseCsrPem(*pem);
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  EXPECT_EQ(csr->key_type, SubjectKeyType::kEd25519);
  EXPECT_EQ(csr->spki_der, SpkiOf(key.get()));
  EXPECT_EQ(csr->dns_names, std::vector<std::string>{"edge.hypermesh"});
  EXPECT_TRUE(csr->ip_addresses.empty());
}

TEST(CsrBuilderTest, CarriesFalconKeyForBothKeyTypes) {
  ASSERT_EQ(FalconPublicKey().size(), crypto::falcon::kFalcon1024PublicKeySize);
  for (const char* type : {"EC", "ED25519"}) {
    auto key = std::string(type) == "EC" ? NewKey("EC", "P-256") : NewKey("ED25519");
    auto pem = BuildCsrPem(key.get(), {"hybrid.hypermesh"}, {"fd00::7"}, FalconPublicKey());
    ASSERT_TRUE(pem.ok()) << type << ": " << pem.status().ToString();
    auto csr = ParseCsrPem(*pem);
    ASSERT_TRUE(csr.ok()) << type << ": " << csr.status().ToString();
    ASSERT_TRUE(csr->falcon_public_key.has_value()) << type;
    EXPECT_EQ(*csr->falcon_public_key, FalconPublicKey()) << type;
    EXPECT_EQ(csr->dns_names, std::vector<std::string>{"hybrid.hypermesh"});
  }
}

TEST(CsrBuilderTest, Ipv6OnlyUsesTheAddressAsCommonName) {
  auto key = NewKey("EC", "P-256");
  auto pem = BuildCsrPem(key.get(), {}, {"fe80::1"}, std::nullopt);
  ASSERT_TRUE(pem.ok()) << pem.status().ToString();
  auto csr = ParseCsrPem(*pem);
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  EXPECT_TRUE(csr->dns_names.empty());
  ASSERT_EQ(csr->ip_addresses.size(), 1u);
  EXPECT_EQ(csr->ip_addresses[0], Ip({0xfe, 0x80}, 1));
  EXPECT_EQ(SubjectCn(*pem), "fe80::1");
}

void ExpectInvalid(const base::Result<std::string>& r, std::string_view needle) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find(needle), std::string_view::npos) << r.status().ToString();
}

TEST(CsrBuilderTest, RejectsBadNamesAndAddresses) {
  auto key = NewKey("EC", "P-256");
  ExpectInvalid(BuildCsrPem(key.get(), {}, {}, std::nullopt), "at least one");
  ExpectInvalid(BuildCsrPem(key.get(), {"a.hypermesh"}, {"127.0.0.1"}, std::nullopt), "IPv4");
  ExpectInvalid(BuildCsrPem(key.get(), {"a.hypermesh"}, {"::ffff:10.0.0.1"}, std::nullopt),
                "IPv4-mapped");
  ExpectInvalid(BuildCsrPem(key.get(), {"a.hypermesh"}, {"not-an-ip"}, std::nullopt), "not-an-ip");
  ExpectInvalid(BuildCsrPem(key.get(), {"bad_name!.hypermesh"}, {}, std::nullopt), "");
  std::vector<std::string> many;
  for (int i = 0; i < 33; ++i) many.push_back("n" + std::to_string(i) + ".hypermesh");
  ExpectInvalid(BuildCsrPem(key.get(), many, {}, std::nullopt), "more than 32");
}

TEST(CsrBuilderTest, RejectsOtherKeyTypesAndBadFalconKeys) {
  ExpectInvalid(BuildCsrPem(NewKey("EC", "P-384").get(), {"a.hypermesh"}, {}, std::nullopt),
                "P-256");
  ExpectInvalid(BuildCsrPem(nullptr, {"a.hypermesh"}, {}, std::nullopt), "key");
  auto key = NewKey("EC", "P-256");
  ExpectInvalid(BuildCsrPem(key.get(), {"a.hypermesh"}, {}, base::Bytes(100, 1)), "Falcon");
  base::Bytes corrupt = FalconPublicKey();
  corrupt[0] ^= 0xff;  // wrong header byte
  ExpectInvalid(BuildCsrPem(key.get(), {"a.hypermesh"}, {}, corrupt), "Falcon");
}

TEST(CsrBuilderTest, PublicOnlyKeyCannotSign) {
  auto key = NewKey("EC", "P-256");
  const base::Bytes spki = SpkiOf(key.get());
  const unsigned char* p = spki.data();
  internal::PkeyPtr pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  ASSERT_TRUE(pub);
  auto r = BuildCsrPem(pub.get(), {"a.hypermesh"}, {}, std::nullopt);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace hm::trustchain::ca
