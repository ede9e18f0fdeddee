#include "trustchain/ct/routes.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "api/http.h"
#include "chain/testing/chain_fixture.h"
#include "storage/test_util.h"
#include "trustchain/ca/csr.h"
#include "trustchain/ca/issuer.h"
#include "trustchain/ca/testing/ca_fixture.h"
#include "trustchain/ct/tls.h"

namespace hm::trustchain::ct {
namespace {

using nlohmann::json;
namespace cat = ca::testing;

constexpr int64_t kStartMs = 1'735'689'700'000;

// base64 made safe for a query string.
std::string QueryEscape(std::string_view b64) {
  std::string out;
  for (char c : b64) {
    if (c == '+')
      out += "%2B";
    else if (c == '/')
      out += "%2F";
    else if (c == '=')
      out += "%3D";
    else
      out += c;
  }
  return out;
}

Bytes B64(const json& j) { return std::move(base::Base64Decode(j.get<std::string>())).value(); }

Digest32 ToDigest(const Bytes& b) {
  Digest32 d{};
  EXPECT_EQ(b.size(), d.size());
  std::copy_n(b.begin(), std::min(b.size(), d.size()), d.begin());
  return d;
}

// RFC 6962 ASN.1Cert list: u24 total, then u24-prefixed certificates.
Bytes CertList(const std::vector<Bytes>& certs) {
  TlsWriter list;
  for (const auto& c : certs) list.Opaque(c, 3);
  TlsWriter out;
  out.Opaque(list.bytes(), 3);
  return std::move(out).Take();
}

ca::IssuedLeaf IssueTestLeaf(uint8_t serial, const std::string& name) {
  auto key = cat::GenerateKey("P-256");
  auto csr = ca::ParseCsrPem(cat::MakeCsrPem(key.get(), {name}));
  EXPECT_TRUE(csr.ok()) << csr.status().ToString();
  auto leaf = ca::IssueLeaf(
      cat::GetTestPki().intermediate, *csr, cat::DefaultLeafOptions(serial),
      [](const ca::PrecertEntry& e) { return cat::TestLogSctList(e, kStartMs); },
      cat::TestRandom());
  EXPECT_TRUE(leaf.ok()) << leaf.status().ToString();
  return std::move(leaf).value();
}

// A self-signed certificate carrying the real root's name but another key.
Bytes ImpostorRoot() {
  auto key = cat::GenerateKey("P-256");
  X509* x = X509_new();
  X509_set_version(x, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_subject_name(x, X509_get_subject_name(cat::GetTestPki().root.cert()));
  X509_set_issuer_name(x, X509_get_subject_name(cat::GetTestPki().root.cert()));
  X509_set_pubkey(x, key.get());
  EXPECT_GT(X509_sign(x, key.get(), EVP_sha256()), 0);
  const int len = i2d_X509(x, nullptr);
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_X509(x, &p);
  X509_free(x);
  return der;
}

json ChainBody(const std::vector<Bytes>& chain) {
  json list = json::array();
  for (const auto& c : chain) list.push_back(base::Base64Encode(c));
  return {{"chain", list}};
}

class CtRoutesTest : public ::testing::Test {
 protected:
  CtRoutesTest() : key_(crypto::Ed25519PrivateKey::Generate()), block_signer_(key_) {
    store_ = std::move(chain::testing::OpenChainStore(dir_.Sub("db"))).value();
    chain_ =
        std::move(chain::Chain::Open(store_.get(), chain::testing::MakeGenesis(key_), {&module_}))
            .value();
    sequencer_ = std::make_unique<chain::Sequencer>(*chain_, block_signer_, clock_,
                                                    chain::SequencerOptions{});
    sequencer_->Start();
    reader_ = std::make_unique<CtLogReader>(*chain_);
    router_ = std::make_unique<api::Router>();
    EXPECT_TRUE(Register(*router_, Options()).ok());
  }
  ~CtRoutesTest() override { sequencer_->Stop(); }

  CtRouteOptions Options() {
    CtRouteOptions o;
    o.accepted_roots_der = {cat::GetTestPki().root.cert_der()};
    o.clock = &clock_;
    return o;
  }
  base::Status Register(api::Router& router, CtRouteOptions o) {
    return RegisterCtRoutes(router, *sequencer_, *reader_, cat::TestLog(), std::move(o));
  }

  api::Response Post(const std::string& path, const std::string& body,
                     const std::string& content_type = "application/json") {
    api::Request req;
    req.method = "POST";
    EXPECT_TRUE(api::ParseRequestTarget(path, &req).ok());
    if (!content_type.empty()) req.headers["Content-Type"] = content_type;
    req.body = body;
    return router_->Dispatch(req);
  }
  api::Response Get(const std::string& target, api::Router* router = nullptr) {
    api::Request req;
    req.method = "GET";
    EXPECT_TRUE(api::ParseRequestTarget(target, &req).ok()) << target;
    return (router ? router : router_.get())->Dispatch(req);
  }
  json Ok(const api::Response& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }
  uint64_t Size() { return *reader_->TreeSize(); }

  // Submits `chain` and returns the SCT (expects 200).
  Sct AddChain(const std::vector<Bytes>& chain, const std::string& path = "/ct/v1/add-chain") {
    json j = Ok(Post(path, ChainBody(chain).dump()));
    EXPECT_EQ(j["sct_version"], 0);
    EXPECT_EQ(j["extensions"], "");
    Sct sct;
    sct.timestamp_ms = j["timestamp"].get<uint64_t>();
    sct.log_id = ToDigest(B64(j["id"]));
    sct.signature = B64(j["signature"]);
    return sct;
  }
  SignedTreeHead GetSth() {
    json j = Ok(Get("/ct/v1/get-sth"));
    SignedTreeHead sth;
    sth.tree_size = j["tree_size"].get<uint64_t>();
    sth.timestamp_ms = j["timestamp"].get<uint64_t>();
    sth.root = ToDigest(B64(j["sha256_root_hash"]));
    sth.ecdsa_signature = B64(j["tree_head_signature"]);
    sth.falcon_signature = B64(j["hm_falcon1024_signature"]);
    EXPECT_TRUE(cat::TestLog().public_keys().VerifySth(sth).ok());
    return sth;
  }
  // Expects a 4xx JSON error and no change to the log.
  void ExpectRejected(const api::Response& r, const std::string& what) {
    const uint64_t size = Size();
    EXPECT_GE(r.status, 400) << what << ": " << r.body;
    EXPECT_LT(r.status, 500) << what << ": " << r.body;
    json j = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("code") && j.contains("message")) << what << r.body;
    EXPECT_EQ(Size(), size) << what;
  }

  const Bytes& Inter() { return cat::GetTestPki().intermediate.cert_der(); }
  const Bytes& Root() { return cat::GetTestPki().root.cert_der(); }

  storage::testing::TempDir dir_;
  crypto::Ed25519PrivateKey key_;
  chain::Ed25519BlockSigner block_signer_;
  CtModule module_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<chain::Chain> chain_;
  base::ManualClock clock_{kStartMs};
  std::unique_ptr<chain::Sequencer> sequencer_;
  std::unique_ptr<CtLogReader> reader_;
  std::unique_ptr<api::Router> router_;
};

TEST_F(CtRoutesTest, AddChainGivesAnSctAndAProvableEntry) {
  const auto leaf = IssueTestLeaf(20, "a.hypermesh");
  const Sct sct = AddChain({leaf.der, Inter()});
  LogEntry expected;
  expected.timestamp_ms = static_cast<uint64_t>(kStartMs);
  expected.type = EntryType::kX509;
  expected.entry = leaf.der;
  const auto& keys = cat::TestLog().public_keys();
  EXPECT_EQ(sct.log_id, keys.log_id());
  EXPECT_EQ(sct.timestamp_ms, expected.timestamp_ms);
  EXPECT_TRUE(keys.VerifySct(sct, expected).ok());
  LogEntry other = expected;
  other.entry.back() ^= 1;
  EXPECT_FALSE(keys.VerifySct(sct, other).ok());
  Sct later = sct;
  later.timestamp_ms += 1;
  EXPECT_FALSE(keys.VerifySct(later, expected).ok());
  ASSERT_EQ(Size(), 1u);

  // get-entries: the leaf input hashes to the leaf; extra_data ends at the (appended) root.
  json entries = Ok(Get("/ct/v1/get-entries?start=0&end=0"))["entries"];
  ASSERT_EQ(entries.size(), 1u);
  const Bytes leaf_input = B64(entries[0]["leaf_input"]);
  EXPECT_EQ(leaf_input, expected.MerkleTreeLeafTls());
  Bytes prefixed{0};
  prefixed.insert(prefixed.end(), leaf_input.begin(), leaf_input.end());
  EXPECT_EQ(crypto::Sha256(prefixed), expected.LeafHash());
  EXPECT_EQ(B64(entries[0]["extra_data"]), CertList({Inter(), Root()}));

  // The STH covers it and the audit path proves it.
  const SignedTreeHead sth = GetSth();
  EXPECT_EQ(sth.tree_size, 1u);
  EXPECT_GE(sth.timestamp_ms, sct.timestamp_ms);
  const std::string hash = QueryEscape(base::Base64Encode(expected.LeafHash()));
  json proof = Ok(Get("/ct/v1/get-proof-by-hash?hash=" + hash + "&tree_size=1"));
  EXPECT_EQ(proof["leaf_index"], 0);
  std::vector<Digest32> path;
  for (const auto& p : proof["audit_path"]) path.push_back(ToDigest(B64(p)));
  EXPECT_TRUE(VerifyInclusion(expected.LeafHash(), 0, 1, path, sth.root).ok());

  json roots = Ok(Get("/ct/v1/get-roots"))["certificates"];
  ASSERT_EQ(roots.size(), 1u);
  EXPECT_EQ(B64(roots[0]), Root());
}

TEST_F(CtRoutesTest, ProofsAndConsistencyBetweenTreeHeads) {
  std::vector<LogEntry> logged;
  SignedTreeHead sth3;
  for (uint8_t i = 0; i < 5; ++i) {
    if (i == 3) clock_.Advance(std::chrono::milliseconds(10));
    const auto leaf = IssueTestLeaf(30 + i, "n" + std::to_string(i) + ".hypermesh");
    // Root included this time, and via the alias for one of them.
    const Sct sct =
        AddChain({leaf.der, Inter(), Root()}, i == 4 ? "/api/v1/ct/submit" : "/ct/v1/add-chain");
    LogEntry e;
    e.timestamp_ms = sct.timestamp_ms;
    e.entry = leaf.der;
    EXPECT_TRUE(cat::TestLog().public_keys().VerifySct(sct, e).ok());
    logged.push_back(e);
    if (i == 2) sth3 = GetSth();
  }
  const SignedTreeHead sth5 = GetSth();
  ASSERT_EQ(sth5.tree_size, 5u);
  ASSERT_EQ(sth3.tree_size, 3u);
  const Digest32 root3 = sth3.root;
  json c = Ok(Get("/ct/v1/get-sth-consistency?first=3&second=5"));
  std::vector<Digest32> proof;
  for (const auto& p : c["consistency"]) proof.push_back(ToDigest(B64(p)));
  EXPECT_FALSE(proof.empty());
  EXPECT_TRUE(VerifyConsistency(3, 5, root3, sth5.root, proof).ok());
  EXPECT_FALSE(VerifyConsistency(3, 5, sth5.root, sth5.root, proof).ok());

  for (uint64_t i = 0; i < 5; ++i) {
    json ep =
        Ok(Get("/ct/v1/get-entry-and-proof?leaf_index=" + std::to_string(i) + "&tree_size=5"));
    EXPECT_EQ(B64(ep["leaf_input"]), logged[i].MerkleTreeLeafTls());
    EXPECT_EQ(B64(ep["extra_data"]), CertList({Inter(), Root()}));
    std::vector<Digest32> path;
    for (const auto& p : ep["audit_path"]) path.push_back(ToDigest(B64(p)));
    EXPECT_TRUE(VerifyInclusion(logged[i].LeafHash(), i, 5, path, sth5.root).ok()) << i;
  }
  EXPECT_EQ(Ok(Get("/ct/v1/get-entries?start=1&end=99"))["entries"].size(), 4u);

  // A capped router returns fewer entries, as RFC 6962 allows.
  api::Router capped;
  CtRouteOptions o = Options();
  o.max_entries_per_request = 2;
  ASSERT_TRUE(Register(capped, o).ok());
  EXPECT_EQ(Ok(Get("/ct/v1/get-entries?start=0&end=4", &capped))["entries"].size(), 2u);
}

TEST_F(CtRoutesTest, SthIsCachedUntilTheTreeGrowsOrTheMergeDelayPasses) {
  const SignedTreeHead a = GetSth();
  EXPECT_EQ(a.tree_size, 0u);
  EXPECT_EQ(a.root, EmptyTreeRoot());
  clock_.Advance(std::chrono::milliseconds(500));
  const SignedTreeHead b = GetSth();
  EXPECT_EQ(b.timestamp_ms, a.timestamp_ms);
  EXPECT_EQ(b.ecdsa_signature, a.ecdsa_signature);  // the cached one
  clock_.Advance(std::chrono::milliseconds(600));
  const SignedTreeHead c = GetSth();
  EXPECT_EQ(c.timestamp_ms, a.timestamp_ms + 1100);
  AddChain({IssueTestLeaf(40, "g.hypermesh").der, Inter()});
  const SignedTreeHead d = GetSth();  // grew: re-signed at once
  EXPECT_EQ(d.tree_size, 1u);
  EXPECT_EQ(d.root, *reader_->Root(1));
}

TEST_F(CtRoutesTest, DuplicateGetsTheOriginalSct) {
  const auto leaf = IssueTestLeaf(50, "dup.hypermesh");
  const Sct first = AddChain({leaf.der, Inter()});
  clock_.Advance(std::chrono::seconds(5));
  const Sct again = AddChain({leaf.der, Inter(), Root()});
  EXPECT_EQ(again.timestamp_ms, first.timestamp_ms);
  EXPECT_EQ(Size(), 1u);
  LogEntry e;
  e.timestamp_ms = first.timestamp_ms;
  e.entry = leaf.der;
  EXPECT_TRUE(cat::TestLog().public_keys().VerifySct(again, e).ok());

  // A fresh route set (as after a restart) finds it by scanning the log.
  router_ = std::make_unique<api::Router>();
  ASSERT_TRUE(Register(*router_, Options()).ok());
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_EQ(AddChain({leaf.der, Inter()}, "/api/v1/ct/submit").timestamp_ms, first.timestamp_ms);
  EXPECT_EQ(Size(), 1u);
}

TEST_F(CtRoutesTest, AddPreChainLogsTheTbsWithoutPoison) {
  const auto leaf = IssueTestLeaf(60, "pre.hypermesh");
  ASSERT_FALSE(leaf.precert_der.empty());
  const Sct sct = AddChain({leaf.precert_der, Inter(), Root()}, "/ct/v1/add-pre-chain");
  // The entry the CA engine computed independently.
  const LogEntry expected = cat::PrecertLogEntry(leaf.precert_entry, sct.timestamp_ms);
  EXPECT_TRUE(cat::TestLog().public_keys().VerifySct(sct, expected).ok());
  ASSERT_EQ(Size(), 1u);
  json entries = Ok(Get("/ct/v1/get-entries?start=0&end=0"))["entries"];
  EXPECT_EQ(B64(entries[0]["leaf_input"]), expected.MerkleTreeLeafTls());
  TlsWriter extra;
  extra.Opaque(leaf.precert_der, 3);
  extra.Fixed(CertList({Inter(), Root()}));
  EXPECT_EQ(B64(entries[0]["extra_data"]), extra.bytes());
  // The final certificate is a different entry (x509) and is logged separately.
  AddChain({leaf.der, Inter()});
  EXPECT_EQ(Size(), 2u);

  ExpectRejected(Post("/ct/v1/add-chain", ChainBody({leaf.precert_der, Inter()}).dump()),
                 "precert via add-chain");
  ExpectRejected(Post("/ct/v1/add-pre-chain", ChainBody({leaf.der, Inter()}).dump()), "no poison");
}

TEST_F(CtRoutesTest, BadSubmissionsAreRejectedAndNothingIsWritten) {
  const auto leaf = IssueTestLeaf(70, "bad.hypermesh");
  Bytes trailing = leaf.der;
  trailing.push_back(0);
  const Bytes truncated(leaf.der.begin(), leaf.der.begin() + leaf.der.size() / 2);
  struct Case {
    std::string what, body, reason;  // reason: a substring of the error message
  };
  const std::vector<Case> cases = {
      {"malformed JSON", "{\"chain\": [", "malformed JSON"},
      {"empty body", "", "empty"},
      {"not an object", "[]", "JSON object"},
      {"no chain", "{}", "'chain' must be an array"},
      {"chain not an array", R"({"chain": "abc"})", "'chain' must be an array"},
      {"empty chain", R"({"chain": []})", "'chain' is empty"},
      {"element not a string", R"({"chain": [1]})", "chain[0] is not a string"},
      {"not base64", R"({"chain": ["!!not base64!!"]})", "chain[0]"},
      {"not DER", ChainBody({base::ToBytes("hello, world")}).dump(), "not a DER X.509"},
      {"trailing bytes", ChainBody({trailing, Inter()}).dump(), "trailing bytes"},
      {"truncated DER", ChainBody({truncated, Inter()}).dump(), "not a DER X.509"},
      {"intermediate missing", ChainBody({leaf.der}).dump(), "accepted root"},
      {"wrong order", ChainBody({Inter(), leaf.der}).dump(), "not issued by certificate 1"},
      {"skips a link", ChainBody({leaf.der, Root()}).dump(), "not issued by certificate 1"},
      {"impostor root", ChainBody({ImpostorRoot()}).dump(), "accepted root"},
      {"too long", ChainBody(std::vector<Bytes>(11, leaf.der)).dump(), "at most 10"},
  };
  for (const auto& c : cases) {
    for (const std::string path : {"/ct/v1/add-chain", "/ct/v1/add-pre-chain"}) {
      const api::Response r = Post(path, c.body);
      ExpectRejected(r, path + ": " + c.what);
      EXPECT_EQ(r.status, 400) << c.what;
      EXPECT_NE(r.body.find(c.reason), std::string::npos) << c.what << ": " << r.body;
    }
  }
  const api::Response wrong_type =
      Post("/ct/v1/add-chain", ChainBody({leaf.der, Inter()}).dump(), "text/plain");
  EXPECT_EQ(wrong_type.status, 415);
  EXPECT_EQ(Post("/ct/v1/add-chain", "{").status, 400);
  EXPECT_EQ(Size(), 0u);
}

TEST_F(CtRoutesTest, BadQueriesAreRejected) {
  const auto leaf = IssueTestLeaf(80, "q.hypermesh");
  AddChain({leaf.der, Inter()});
  AddChain({IssueTestLeaf(81, "r.hypermesh").der, Inter()});
  LogEntry e;
  e.timestamp_ms = static_cast<uint64_t>(kStartMs);
  e.entry = leaf.der;
  const std::string hash = QueryEscape(base::Base64Encode(e.LeafHash()));
  ASSERT_EQ(Ok(Get("/ct/v1/get-proof-by-hash?hash=" + hash + "&tree_size=2"))["leaf_index"], 0);
  const std::string short_hash = QueryEscape(base::Base64Encode(Bytes(31, 1)));
  const std::string unknown = QueryEscape(base::Base64Encode(Bytes(32, 1)));
  const std::vector<std::string> targets = {
      "/ct/v1/get-entries",
      "/ct/v1/get-entries?start=0",
      "/ct/v1/get-entries?start=abc&end=1",
      "/ct/v1/get-entries?start=-1&end=1",
      "/ct/v1/get-entries?start=1&end=0",
      "/ct/v1/get-entries?start=2&end=5",
      "/ct/v1/get-entries?start=0&end=99999999999999999999999",
      "/ct/v1/get-sth-consistency?first=1",
      "/ct/v1/get-sth-consistency?first=0&second=2",
      "/ct/v1/get-sth-consistency?first=2&second=1",
      "/ct/v1/get-sth-consistency?first=1&second=3",
      "/ct/v1/get-sth-consistency?first=x&second=2",
      "/ct/v1/get-proof-by-hash?tree_size=2",
      "/ct/v1/get-proof-by-hash?hash=" + hash,
      "/ct/v1/get-proof-by-hash?hash=%21%21&tree_size=2",
      "/ct/v1/get-proof-by-hash?hash=" + short_hash + "&tree_size=2",
      "/ct/v1/get-proof-by-hash?hash=" + hash + "&tree_size=3",
      "/ct/v1/get-proof-by-hash?hash=" + hash + "&tree_size=0",
      "/ct/v1/get-proof-by-hash?hash=" + unknown + "&tree_size=2",
      "/ct/v1/get-entry-and-proof?leaf_index=0",
      "/ct/v1/get-entry-and-proof?tree_size=2",
      "/ct/v1/get-entry-and-proof?leaf_index=2&tree_size=2",
      "/ct/v1/get-entry-and-proof?leaf_index=0&tree_size=3",
      "/ct/v1/get-entry-and-proof?leaf_index=0&tree_size=0",
  };
  for (const auto& t : targets) ExpectRejected(Get(t), t);
  EXPECT_EQ(Get("/ct/v1/get-proof-by-hash?hash=" + unknown + "&tree_size=2").status, 404);
  // An unescaped '+' in the hash arrives as a space and still works.
  std::string plus = base::Base64Encode(e.LeafHash());
  if (plus.find('+') != std::string::npos) {
    EXPECT_EQ(Get("/ct/v1/get-proof-by-hash?hash=" + plus + "&tree_size=2").status, 200);
  }
  EXPECT_EQ(Size(), 2u);
}

TEST_F(CtRoutesTest, OptionsAreValidated) {
  api::Router r;
  CtRouteOptions o = Options();
  o.clock = nullptr;
  EXPECT_EQ(Register(r, o).code(), base::Code::kInvalidArgument);
  o = Options();
  o.accepted_roots_der.clear();
  EXPECT_EQ(Register(r, o).code(), base::Code::kInvalidArgument);
  o = Options();
  o.accepted_roots_der.push_back(base::ToBytes("not a certificate"));
  EXPECT_EQ(Register(r, o).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(r.size(), 0u);
  // Registering twice on one router collides.
  EXPECT_EQ(Register(*router_, Options()).code(), base::Code::kAlreadyExists);
}

}  // namespace
}  // namespace hm::trustchain::ct
