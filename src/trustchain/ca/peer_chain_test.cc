#include "trustchain/ca/peer_chain.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include "crypto/hybrid/pq_keys.h"
#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/issuer.h"
#include "trustchain/ca/testing/ca_fixture.h"

namespace hm::trustchain::ca {
namespace {

using std::chrono::hours;
using testing::GetTestPki;
using testing::kT0;

FalconKey NewFalconKey() {
  auto pair = crypto::falcon::KeyGen(crypto::falcon::Variant::kFalcon1024, testing::TestRandom());
  EXPECT_TRUE(pair.ok());
  auto sk =
      crypto::falcon::SigningKey::Load(crypto::falcon::Variant::kFalcon1024, pair->secret_key);
  EXPECT_TRUE(sk.ok());
  return FalconKey{std::move(sk).value(), pair->public_key};
}

// A leaf for node7.hypermesh from the test issuing CA, valid 24 h from kT0; hybrid when
// `falcon_pk` is set.
base::Bytes Leaf(uint8_t serial, const std::optional<base::Bytes>& falcon_pk) {
  std::optional<base::Bytes> spki;
  if (falcon_pk) {
    auto s = crypto::hybrid::PublicKeyToSpkiDer(crypto::hybrid::Algorithm::kFalcon1024, *falcon_pk);
    EXPECT_TRUE(s.ok());
    spki = *s;
  }
  auto key = testing::GenerateKey("P-256");
  auto csr = ParseCsrPem(testing::MakeCsrPem(key.get(), {"node7.hypermesh"}, {}, spki));
  EXPECT_TRUE(csr.ok()) << csr.status().ToString();
  auto leaf = IssueLeaf(GetTestPki().intermediate, *csr, testing::DefaultLeafOptions(serial), {},
                        testing::TestRandom());
  EXPECT_TRUE(leaf.ok()) << leaf.status().ToString();
  return leaf->der;
}

base::Bytes HybridLeaf() { return Leaf(40, GetTestPki().leaf_falcon_pk); }

std::vector<base::Bytes> Roots() { return {GetTestPki().root.cert_der()}; }

std::vector<base::Bytes> Chain(base::Bytes leaf, bool with_root = false) {
  std::vector<base::Bytes> chain = {std::move(leaf), GetTestPki().intermediate.cert_der()};
  if (with_root) chain.push_back(GetTestPki().root.cert_der());
  return chain;
}

void ExpectDenied(const base::Result<PeerIdentity>& r, std::string_view reason) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kPermissionDenied) << r.status().ToString();
  EXPECT_NE(r.status().message().find(reason), std::string::npos) << r.status().message();
}

TEST(PeerChainTest, GoodChainWithOrWithoutTheRoot) {
  const base::Bytes leaf = HybridLeaf();
  for (bool with_root : {false, true}) {
    auto id = VerifyPeerChain(Chain(leaf, with_root), Roots(), kT0 + hours(1));
    ASSERT_TRUE(id.ok()) << with_root << ": " << id.status().ToString();
    EXPECT_EQ(id->falcon_public_key, GetTestPki().leaf_falcon_pk);
    EXPECT_EQ(id->falcon_public_key.size(), crypto::falcon::kFalcon1024PublicKeySize);
    ASSERT_TRUE(id->falcon_key.has_value());  // decoded once, for the PQ channel
    EXPECT_EQ(id->falcon_key->variant(), crypto::falcon::Variant::kFalcon1024);
    EXPECT_EQ(id->dns_names, std::vector<std::string>{"node7.hypermesh"});
    EXPECT_EQ(id->serial, testing::Serial(40));
    EXPECT_EQ(id->not_after, kT0 + hours(24));
    EXPECT_NE(id->subject.find("node7.hypermesh"), std::string::npos) << id->subject;
  }
  // Several trusted roots: the matching one need not be first.
  std::vector<base::Bytes> roots = {GetTestPki().intermediate.cert_der(), Roots()[0]};
  EXPECT_TRUE(VerifyPeerChain(Chain(leaf), roots, kT0 + hours(1)).ok());
}

TEST(PeerChainTest, ForeignRootIsRefused) {
  // Another network's root with the same name: only the signatures can tell them apart.
  auto key = crypto::EcdsaP256PrivateKey::Generate();
  FalconKey falcon = NewFalconKey();
  CaCertOptions o{
      .common_name = "HyperMesh Root CA", .serial = testing::Serial(1), .not_before = kT0};
  auto foreign = CreateRootCertificate(key, falcon, o, testing::TestRandom());
  ASSERT_TRUE(foreign.ok()) << foreign.status().ToString();
  const base::Bytes leaf = HybridLeaf();
  for (bool with_root : {false, true}) {
    auto r = VerifyPeerChain(Chain(leaf, with_root), {*foreign}, kT0 + hours(1));
    ExpectDenied(r, "not issued by this network's TrustChain");
    EXPECT_NE(r.status().message().find("node7.hypermesh"), std::string::npos)
        << r.status().message();
  }
  // A bare leaf, without its issuing CA, does not reach the root either.
  ExpectDenied(VerifyPeerChain({leaf}, Roots(), kT0 + hours(1)),
               "not issued by this network's TrustChain");
}

TEST(PeerChainTest, LeafWithoutFalconKeyIsRefused) {
  auto r = VerifyPeerChain(Chain(Leaf(41, std::nullopt)), Roots(), kT0 + hours(1));
  ExpectDenied(r, "no Falcon-1024 key in the certificate");
  EXPECT_NE(r.status().message().find("node7.hypermesh"), std::string::npos);
}

TEST(PeerChainTest, WrongFalconAltSignatureIsRefused) {
  // Re-sign the leaf: a valid ECDSA signature by the issuing CA over a Falcon alt signature made
  // with some other Falcon key. Only the Falcon check can catch it.
  auto x = testing::ParseCert(HybridLeaf());
  FalconKey wrong = NewFalconKey();
  ASSERT_TRUE(SignHybrid(x.get(), GetTestPki().intermediate.key().evp_pkey(), &wrong.signing,
                         testing::TestRandom())
                  .ok());
  ASSERT_EQ(X509_verify(x.get(), X509_get0_pubkey(GetTestPki().intermediate.cert())), 1);
  auto r = VerifyPeerChain(Chain(internal::CertDer(x.get())), Roots(), kT0 + hours(1));
  ExpectDenied(r, "Falcon-1024 alt signature");
  EXPECT_NE(r.status().message().find("does not verify"), std::string::npos)
      << r.status().message();
}

TEST(PeerChainTest, TamperedLeafIsRefused) {
  base::Bytes leaf = HybridLeaf();
  const std::string_view needle = "node7";
  auto it = std::search(leaf.begin(), leaf.end(), needle.begin(), needle.end());
  ASSERT_NE(it, leaf.end());
  *it ^= 0x01;
  ExpectDenied(VerifyPeerChain(Chain(leaf), Roots(), kT0 + hours(1)), "ECDSA signature");
}

TEST(PeerChainCacheTest, RemembersAcceptedChainsUntilExpiryOrMaxAge) {
  const base::Bytes leaf = HybridLeaf();
  PeerChainCache cache(Roots(), 8, std::chrono::minutes(10));
  ASSERT_TRUE(cache.Verify(Chain(leaf), kT0 + hours(1)).ok());
  auto again = cache.Verify(Chain(leaf), kT0 + hours(1) + std::chrono::minutes(5));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_FALSE(again->falcon_public_key.empty());
  // Past max_age: verified afresh (still good), not a hit.
  ASSERT_TRUE(cache.Verify(Chain(leaf), kT0 + hours(2)).ok());
  EXPECT_EQ(cache.hits(), 1u);
  // Past the leaf's not_after: refused even though it was cached a minute earlier.
  ASSERT_TRUE(cache.Verify(Chain(leaf), kT0 + hours(24) - std::chrono::minutes(1)).ok());
  ExpectDenied(cache.Verify(Chain(leaf), kT0 + hours(25)), "expired");
  // Refusals are not remembered as acceptances.
  base::Bytes tampered = leaf;
  const std::string_view needle = "node7";
  auto it = std::search(tampered.begin(), tampered.end(), needle.begin(), needle.end());
  ASSERT_NE(it, tampered.end());
  *it ^= 0x01;
  ExpectDenied(cache.Verify(Chain(tampered), kT0 + hours(1)), "ECDSA signature");
  ExpectDenied(cache.Verify(Chain(tampered), kT0 + hours(1)), "ECDSA signature");
}

TEST(PeerChainTest, CertificatesOutsideTheirValidityAreRefused) {
  const base::Bytes leaf = HybridLeaf();
  ExpectDenied(VerifyPeerChain(Chain(leaf), Roots(), kT0 + hours(25)),
               "expired on 2025-01-02T00:00:00Z");
  ExpectDenied(VerifyPeerChain(Chain(leaf), Roots(), kT0 - hours(1)),
               "not valid before 2025-01-01T00:00:00Z");

  // A short-lived issuing CA that expires before its leaf does.
  auto key = crypto::EcdsaP256PrivateKey::Generate();
  FalconKey falcon = NewFalconKey();
  CaCertOptions o{.common_name = "Short CA",
                  .serial = testing::Serial(3),
                  .not_before = kT0,
                  .validity = hours(12)};
  auto der = CreateIntermediateCertificate(GetTestPki().root, key.PublicKey(), falcon.public_key, o,
                                           testing::TestRandom());
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  auto ca = IssuingCa::Create(*der, std::move(key), std::move(falcon));
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  auto csr_key = testing::GenerateKey("P-256");
  auto spki = crypto::hybrid::PublicKeyToSpkiDer(crypto::hybrid::Algorithm::kFalcon1024,
                                                 GetTestPki().leaf_falcon_pk);
  auto csr = ParseCsrPem(testing::MakeCsrPem(csr_key.get(), {"node8.hypermesh"}, {}, *spki));
  ASSERT_TRUE(csr.ok());
  auto short_leaf =
      IssueLeaf(*ca, *csr, testing::DefaultLeafOptions(42), {}, testing::TestRandom());
  ASSERT_TRUE(short_leaf.ok()) << short_leaf.status().ToString();
  const std::vector<base::Bytes> chain = {short_leaf->der, *der};
  EXPECT_TRUE(VerifyPeerChain(chain, Roots(), kT0 + hours(11)).ok());
  auto r = VerifyPeerChain(chain, Roots(), kT0 + hours(13));
  ExpectDenied(r, "expired on 2025-01-01T12:00:00Z");
  EXPECT_NE(r.status().message().find("Short CA"), std::string::npos) << r.status().message();
}

TEST(PeerChainTest, PathLengthOfTheIssuingCaIsEnforced) {
  // The issuing CA has pathLen 0, so a CA below it cannot issue node certificates.
  auto key = crypto::EcdsaP256PrivateKey::Generate();
  FalconKey falcon = NewFalconKey();
  CaCertOptions o{.common_name = "Sub CA", .serial = testing::Serial(4), .not_before = kT0};
  auto der = CreateIntermediateCertificate(GetTestPki().intermediate, key.PublicKey(),
                                           falcon.public_key, o, testing::TestRandom());
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  auto ca = IssuingCa::Create(*der, std::move(key), std::move(falcon));
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  auto csr_key = testing::GenerateKey("P-256");
  auto spki = crypto::hybrid::PublicKeyToSpkiDer(crypto::hybrid::Algorithm::kFalcon1024,
                                                 GetTestPki().leaf_falcon_pk);
  auto csr = ParseCsrPem(testing::MakeCsrPem(csr_key.get(), {"node9.hypermesh"}, {}, *spki));
  ASSERT_TRUE(csr.ok());
  auto leaf = IssueLeaf(*ca, *csr, testing::DefaultLeafOptions(43), {}, testing::TestRandom());
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  auto r = VerifyPeerChain({leaf->der, *der, GetTestPki().intermediate.cert_der()}, Roots(),
                           kT0 + hours(1));
  ExpectDenied(r, "path length limit 0");
  EXPECT_NE(r.status().message().find("HyperMesh Issuing CA"), std::string::npos)
      << r.status().message();
}

TEST(PeerChainTest, MalformedAndMisusedChainsAreRefused) {
  EXPECT_EQ(VerifyPeerChain({}, Roots(), kT0).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(
      VerifyPeerChain({base::Bytes{0x30, 0x03, 0x02, 0x01, 0x01}}, Roots(), kT0).status().code(),
      base::Code::kInvalidArgument);
  std::vector<base::Bytes> long_chain(kMaxPeerChainLength + 1, HybridLeaf());
  EXPECT_EQ(VerifyPeerChain(long_chain, Roots(), kT0 + hours(1)).status().code(),
            base::Code::kInvalidArgument);
  // The issuing CA is a CA, not a node, even though it has a Falcon key.
  ExpectDenied(
      VerifyPeerChain({GetTestPki().intermediate.cert_der(), Roots()[0]}, Roots(), kT0 + hours(1)),
      "a CA certificate cannot identify a node");
  ExpectDenied(VerifyPeerChain(Roots(), Roots(), kT0 + hours(1)), "a root certificate");
}

TEST(PeerChainTest, CheckLinkReportsBothSignatures) {
  auto ok = CheckLink(HybridLeaf(), GetTestPki().intermediate.cert_der());
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ecdsa.ok()) << ok->ecdsa.ToString();
  EXPECT_TRUE(ok->falcon.ok()) << ok->falcon.ToString();
  EXPECT_NE(ok->issuer.find("HyperMesh Issuing CA"), std::string::npos) << ok->issuer;
  auto wrong = CheckLink(HybridLeaf(), GetTestPki().root.cert_der());
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(wrong->ecdsa.ok());
  EXPECT_FALSE(wrong->falcon.ok());
}

TEST(PeerChainTest, ReadPemCertificatesKeepsOrder) {
  const std::string pem = GetTestPki().intermediate.CertPem() + GetTestPki().root.CertPem();
  auto certs = ReadPemCertificates(pem);
  ASSERT_TRUE(certs.ok());
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ((*certs)[0], GetTestPki().intermediate.cert_der());
  EXPECT_EQ((*certs)[1], GetTestPki().root.cert_der());
  EXPECT_EQ(ReadPemCertificates("nothing").status().code(), base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace hm::trustchain::ca
