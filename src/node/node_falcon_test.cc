// The node's Falcon-1024 identity: created once, certified in its TLS leaf, kept across restarts
// and renewals, and the stoq/1 peer verifier built on the TrustChain roots.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/clock.h"
#include "base/random.h"
#include "chain/genesis_file.h"
#include "crypto/ecdsa.h"
#include "crypto/key_file.h"
#include "crypto/pem.h"
#include "crypto/secure_random.h"
#include "node/node.h"
#include "storage/test_util.h"
#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/issuer.h"
#include "trustchain/ca/peer_chain.h"
#include "trustchain/service/ca_keys.h"

namespace hm::node {
namespace {

NodeOptions DevOptions(const std::string& dir) {
  NodeOptions o = NodeOptions::Dev();
  o.data_dir = dir;
  o.api.port = 0;
  o.dns.port = 0;
  o.api.io_threads = 1;
  o.api.handler_threads = 1;
  return o;
}

// The certificates of a PEM file, DER, in order (empty on any failure).
std::vector<base::Bytes> PemFile(const std::string& path) {
  auto pem = crypto::ReadFile(path);
  if (!pem.ok()) return {};
  auto certs = trustchain::ca::ReadPemCertificates(base::AsString(*pem));
  return certs.ok() ? std::move(certs).value() : std::vector<base::Bytes>{};
}

// The Falcon key certified by the node's TLS leaf; empty if none.
base::Bytes LeafFalconKey(const Node& node) {
  auto chain = PemFile(node.layout().tls_cert);
  if (chain.empty()) return {};
  auto alt = trustchain::ca::SubjectAltPublicKey(chain.front());
  return alt.ok() && alt->has_value() ? **alt : base::Bytes{};
}

TEST(NodeFalconTest, TlsLeafCertifiesTheFalconKeyAcrossRenewalAndRestart) {
  storage::testing::TempDir dir;
  base::ManualClock clock(base::SystemClock::Instance().NowUnixMillis());
  base::Bytes falcon_pk;
  {
    Node node(DevOptions(dir.Sub("data")), &clock);
    ASSERT_TRUE(node.Start().ok());
    falcon_pk = node.falcon_public_key();
    ASSERT_EQ(falcon_pk.size(), crypto::falcon::kFalcon1024PublicKeySize);
    EXPECT_EQ(LeafFalconKey(node), falcon_pk);
    struct stat st;
    ASSERT_EQ(::stat(node.layout().node_falcon_key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // The signing key is the certified one.
    crypto::SecureRandom random;
    const base::Bytes msg = {1, 2, 3};
    auto sig = node.falcon_key().Sign(msg, random);
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(
        crypto::falcon::Verify(crypto::falcon::Variant::kFalcon1024, falcon_pk, msg, *sig).ok());

    const std::string first = node.tls_serial();
    clock.Advance(std::chrono::hours(18) + std::chrono::minutes(5));
    auto renewed = node.RenewTlsIfDue();
    ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
    ASSERT_TRUE(*renewed);
    EXPECT_NE(node.tls_serial(), first);
    EXPECT_EQ(LeafFalconKey(node), falcon_pk);
  }
  Node again(DevOptions(dir.Sub("data")), &clock);
  ASSERT_TRUE(again.Start().ok());
  EXPECT_EQ(again.falcon_public_key(), falcon_pk);
  EXPECT_EQ(LeafFalconKey(again), falcon_pk);
}

// A data directory from before the Falcon key: its fresh, valid TLS certificate has no alt key,
// so the next start re-issues it.
TEST(NodeFalconTest, CertificateWithoutTheFalconKeyIsReissuedAtStart) {
  storage::testing::TempDir dir;
  DataDirLayout layout;
  {
    Node node(DevOptions(dir.Sub("data")));
    ASSERT_TRUE(node.Start().ok());
    layout = node.layout();
  }
  // Plant an ECDSA-only leaf from the node's own issuing CA (as older versions made it).
  auto genesis = chain::LoadGenesisFile(layout.genesis);
  ASSERT_TRUE(genesis.ok());
  auto params = trustchain::ca::CaParams::Decode(*genesis->ParamsFor(trustchain::ca::kModuleName));
  ASSERT_TRUE(params.ok());
  auto issuing = trustchain::service::LoadIssuingCa(layout.keys, *params);
  ASSERT_TRUE(issuing.ok()) << issuing.status().ToString();
  auto key = crypto::EcdsaP256PrivateKey::Generate();
  trustchain::ca::ParsedCsr csr;
  csr.spki_der = key.PublicKey().ToSpkiDer();
  csr.dns_names = {"localhost"};
  trustchain::ca::LeafOptions lo;
  lo.serial = base::Bytes(16, 0x2a);
  lo.not_before = std::chrono::system_clock::now() - std::chrono::minutes(1);
  lo.ocsp_url = "https://localhost:1/ocsp";
  lo.ca_issuers_url = "https://localhost:1/ca/issuing.der";
  lo.crl_url = "https://localhost:1/ca/crl.der";
  lo.policy.allow_any = true;
  crypto::SecureRandom random;
  auto leaf = trustchain::ca::IssueLeaf(*issuing, csr, lo, {}, random);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  ASSERT_TRUE(crypto::WriteSecretFile(layout.tls_key, base::AsBytes(key.ToPkcs8Pem())).ok());
  const std::string chain_pem = leaf->pem + crypto::DerToPem(params->issuing_der, "CERTIFICATE");
  ASSERT_TRUE(crypto::WritePublicFile(layout.tls_cert, base::AsBytes(chain_pem)).ok());

  Node again(DevOptions(dir.Sub("data")));
  ASSERT_TRUE(again.Start().ok());
  EXPECT_NE(again.tls_serial(), trustchain::ca::SerialHex(lo.serial));
  EXPECT_EQ(LeafFalconKey(again), again.falcon_public_key());
}

TEST(NodeFalconTest, CorruptFalconKeyFileStopsTheStartNamingIt) {
  storage::testing::TempDir dir;
  std::string path;
  {
    Node node(DevOptions(dir.Sub("data")));
    ASSERT_TRUE(node.Start().ok());
    path = node.layout().node_falcon_key;
  }
  ASSERT_TRUE(crypto::WriteSecretFile(path, base::AsBytes("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                                          "-----END PRIVATE KEY-----\n"))
                  .ok());
  Node again(DevOptions(dir.Sub("data")));
  auto st = again.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
}

// Whether `key` is the Falcon key `signer` holds: it accepts a signature made with it.
bool IsKeyOf(const crypto::falcon::VerifyingKey& key, const Node& signer) {
  base::SeededRandom random(1);
  const base::Bytes message = {'h', 'm'};
  auto signature = signer.falcon_key().Sign(message, random);
  return signature.ok() && key.Verify(message, *signature).ok();
}

TEST(NodeFalconTest, StoqPeerVerifierTrustsOwnAndConfiguredRootsOnly) {
  storage::testing::TempDir dir;
  Node a(DevOptions(dir.Sub("a")));
  ASSERT_TRUE(a.Start().ok());
  Node b(DevOptions(dir.Sub("b")));
  ASSERT_TRUE(b.Start().ok());
  const auto a_chain = PemFile(a.layout().tls_cert);
  const auto b_chain = PemFile(b.layout().tls_cert);
  ASSERT_EQ(a_chain.size(), 2u);  // leaf, issuing CA (the root is not sent)
  ASSERT_EQ(b_chain.size(), 2u);

  auto verify_a = a.StoqPeerVerifier();
  auto own = verify_a(a_chain);
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_TRUE(IsKeyOf(*own, a));
  EXPECT_FALSE(IsKeyOf(*own, b));
  // Another dev node has its own TrustChain root.
  auto foreign = verify_a(b_chain);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), base::Code::kPermissionDenied);
  EXPECT_NE(foreign.status().message().find("not issued by this network's TrustChain"),
            std::string::npos)
      << foreign.status().message();

  // A third node that lists b's root (absolute path) trusts b and itself, not a.
  NodeOptions o = DevOptions(dir.Sub("c"));
  o.stoq.trusted_roots = {b.layout().tls_root};
  Node c(o);
  ASSERT_TRUE(c.Start().ok());
  auto verify_c = c.StoqPeerVerifier();
  auto from_b = verify_c(b_chain);
  ASSERT_TRUE(from_b.ok()) << from_b.status().ToString();
  EXPECT_TRUE(IsKeyOf(*from_b, b));
  EXPECT_TRUE(verify_c(PemFile(c.layout().tls_cert)).ok());
  EXPECT_EQ(verify_c(a_chain).status().code(), base::Code::kPermissionDenied);
}

TEST(NodeFalconTest, BadTrustedRootsFailBeforeWritingAnything) {
  storage::testing::TempDir dir;
  NodeOptions o = DevOptions(dir.Sub("data"));
  o.stoq.trusted_roots = {dir.Sub("missing.pem")};
  Node missing(o);
  auto st = missing.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("stoq.trusted_roots"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("missing.pem"), std::string::npos) << st.message();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("data")));

  ASSERT_TRUE(
      crypto::WritePublicFile(dir.Sub("junk.pem"), base::AsBytes("not a certificate")).ok());
  o.stoq.trusted_roots = {dir.Sub("junk.pem")};
  Node junk(o);
  st = junk.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), base::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("stoq.trusted_roots"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("junk.pem"), std::string::npos) << st.message();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("data")));
}

}  // namespace
}  // namespace hm::node
