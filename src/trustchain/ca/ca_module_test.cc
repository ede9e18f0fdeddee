// Tests of the "ca" chain module: record formats, stateless checks, and issue / revoke on a real
// chain (RocksDB in a temporary directory) with leaves from the in-test PKI.
#include "trustchain/ca/ca_module.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <atomic>

#include "base/clock.h"
#include "chain/sequencer.h"
#include "chain/testing/chain_fixture.h"
#include "storage/test_util.h"
#include "trustchain/ca/testing/ca_fixture.h"

namespace hm::trustchain::ca {
namespace {

using base::Bytes;
using base::Code;
using chain::Transaction;
using chain::TxOutcome;
using testing::GetTestPki;

// One hour after the test leaves' notBefore (kT0).
constexpr uint64_t kBlockTime = 1'735'689'600'000 + 3'600'000;
constexpr uint64_t kLeafNotAfterMs = (1'735'689'600 + 24 * 3600) * uint64_t{1000};

CaParams TestParams() {
  const auto& pki = GetTestPki();
  return CaParams{pki.root.cert_der(), pki.intermediate.cert_der()};
}

FalconKey MakeFalcon() {
  auto pair = crypto::falcon::KeyGen(crypto::falcon::Variant::kFalcon1024, testing::TestRandom());
  EXPECT_TRUE(pair.ok());
  auto sk =
      crypto::falcon::SigningKey::Load(crypto::falcon::Variant::kFalcon1024, pair->secret_key);
  EXPECT_TRUE(sk.ok());
  return FalconKey{std::move(sk).value(), pair->public_key};
}

// A self-signed CA unrelated to the test PKI.
const IssuingCa& OtherCa() {
  static const IssuingCa* ca = [] {
    auto key = crypto::EcdsaP256PrivateKey::Generate();
    FalconKey falcon = MakeFalcon();
    CaCertOptions o{
        .common_name = "Other CA", .serial = testing::Serial(0x77), .not_before = testing::kT0};
    auto der = CreateRootCertificate(key, falcon, o, testing::TestRandom());
    EXPECT_TRUE(der.ok()) << der.status().ToString();
    auto made = IssuingCa::Create(*der, std::move(key), std::move(falcon));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return new IssuingCa(std::move(made).value());
  }();
  return *ca;
}

struct TestLeaf {
  internal::PkeyPtr key;
  Bytes der;
  Bytes serial;
};

TestLeaf MakeLeaf(const std::string& kind, uint8_t serial_last,
                  const IssuingCa& ca = GetTestPki().intermediate) {
  TestLeaf leaf;
  leaf.key = testing::GenerateKey(kind);
  auto csr = ParseCsrPem(
      testing::MakeCsrPem(leaf.key.get(), {"node" + std::to_string(serial_last) + ".hypermesh"}));
  EXPECT_TRUE(csr.ok()) << csr.status().ToString();
  const LeafOptions options = testing::DefaultLeafOptions(serial_last);
  auto issued = IssueLeaf(ca, *csr, options, SctProvider{}, testing::TestRandom());
  EXPECT_TRUE(issued.ok()) << issued.status().ToString();
  leaf.der = issued->der;
  leaf.serial = options.serial;
  return leaf;
}

// ECDSA-SHA256 (DER) for EC keys, pure Ed25519 for Ed25519 keys.
Bytes SignWith(EVP_PKEY* key, const Bytes& msg) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ed = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
  size_t len = 0;
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, ed ? nullptr : EVP_sha256(), nullptr, key), 1);
  EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &len, msg.data(), msg.size()), 1);
  Bytes sig(len);
  EXPECT_EQ(EVP_DigestSign(ctx, sig.data(), &len, msg.data(), msg.size()), 1);
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  return sig;
}

Revocation RevokeByKey(const Bytes& serial, EVP_PKEY* key, RevocationReason reason,
                       uint64_t at_ms = kBlockTime - 1000) {
  Revocation r;
  r.serial = serial;
  r.reason = reason;
  r.revoked_at_ms = at_ms;
  r.authority = RevocationAuthority::kCertificateKey;
  r.signature = SignWith(key, RevocationMessage(serial, reason));
  return r;
}

Revocation RevokeByCa(const Bytes& serial, RevocationReason reason) {
  Revocation r;
  r.serial = serial;
  r.reason = reason;
  r.revoked_at_ms = kBlockTime - 2000;
  r.authority = RevocationAuthority::kIssuingCa;
  r.signature = GetTestPki().intermediate.key().Sign(RevocationMessage(serial, reason));
  return r;
}

// ---- records

TEST(CaRecordsTest, RoundTripAndStrictDecoding) {
  IssuedCert ic{.der = {1, 2, 3}, .ct_leaf_index = 42};
  auto ic2 = IssuedCert::Decode(ic.Encode());
  ASSERT_TRUE(ic2.ok());
  EXPECT_EQ(ic2->der, ic.der);
  EXPECT_EQ(ic2->ct_leaf_index, 42u);
  EXPECT_EQ(ic.Encode()[0], kTagIssuedCert);

  Revocation rv;
  rv.serial = {0x01, 0xff};
  rv.reason = RevocationReason::kKeyCompromise;
  rv.revoked_at_ms = 123456;
  rv.authority = RevocationAuthority::kIssuingCa;
  rv.signature = {9, 9};
  auto rv2 = Revocation::Decode(rv.Encode());
  ASSERT_TRUE(rv2.ok()) << rv2.status().ToString();
  EXPECT_EQ(rv2->serial, rv.serial);
  EXPECT_EQ(rv2->reason, rv.reason);
  EXPECT_EQ(rv2->revoked_at_ms, 123456u);
  EXPECT_EQ(rv2->authority, RevocationAuthority::kIssuingCa);
  EXPECT_EQ(rv2->signature, rv.signature);

  CertRecord cr;
  cr.der = {5, 6};
  cr.not_after_ms = 77;
  cr.ct_leaf_index = 3;
  cr.revoked = true;
  cr.revoked_at_ms = 88;
  cr.reason = RevocationReason::kAaCompromise;
  auto cr2 = CertRecord::Decode(cr.Encode());
  ASSERT_TRUE(cr2.ok());
  EXPECT_EQ(cr2->Encode(), cr.Encode());
  EXPECT_TRUE(cr2->revoked);
  EXPECT_EQ(cr2->reason, RevocationReason::kAaCompromise);

  // Trailing byte and wrong tag are rejected for every record.
  for (Bytes b : {ic.Encode(), rv.Encode(), cr.Encode()}) {
    Bytes trailing = b;
    trailing.push_back(0);
    Bytes wrong_tag = b;
    wrong_tag[0] = 0x7f;
    EXPECT_EQ(IssuedCert::Decode(trailing).ok() || Revocation::Decode(trailing).ok() ||
                  CertRecord::Decode(trailing).ok(),
              false);
    EXPECT_EQ(IssuedCert::Decode(wrong_tag).ok() || Revocation::Decode(wrong_tag).ok() ||
                  CertRecord::Decode(wrong_tag).ok(),
              false);
  }
  EXPECT_FALSE(Revocation::Decode(ic.Encode()).ok());
  EXPECT_FALSE(CertRecord::Decode(rv.Encode()).ok());
  Bytes params = TestParams().Encode();
  params.push_back(0);
  EXPECT_EQ(CaParams::Decode(params).status().code(), Code::kInvalidArgument);

  // Field validity.
  auto bad = [](auto mutate) {
    Revocation r;
    r.serial = {0x05};
    mutate(r);
    return Revocation::Decode(r.Encode()).status().code();
  };
  EXPECT_EQ(bad([](Revocation&) {}), Code::kOk);
  EXPECT_EQ(bad([](Revocation& r) { r.serial = {}; }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](Revocation& r) { r.serial = {0x00, 0x05}; }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](Revocation& r) { r.serial = Bytes(21, 0x11); }), Code::kInvalidArgument);
  EXPECT_EQ(bad([](Revocation& r) { r.serial = Bytes(20, 0x11); }), Code::kOk);
  EXPECT_EQ(bad([](Revocation& r) { r.reason = static_cast<RevocationReason>(7); }),
            Code::kInvalidArgument);
  EXPECT_EQ(bad([](Revocation& r) { r.reason = static_cast<RevocationReason>(11); }),
            Code::kInvalidArgument);
  EXPECT_EQ(bad([](Revocation& r) { r.reason = RevocationReason::kRemoveFromCrl; }), Code::kOk);
  EXPECT_EQ(bad([](Revocation& r) { r.authority = static_cast<RevocationAuthority>(3); }),
            Code::kInvalidArgument);
  EXPECT_EQ(bad([](Revocation& r) { r.signature = Bytes(8193, 1); }), Code::kInvalidArgument);

  CertRecord bad_status = cr;
  Bytes enc = bad_status.Encode();
  enc[enc.size() - 10] = 2;  // status byte: before u64 revoked_at and u8 reason
  EXPECT_FALSE(CertRecord::Decode(enc).ok());
}

TEST(CaRecordsTest, RevocationMessageAndKeys) {
  const Bytes serial{0x3c, 0x01};
  const Bytes msg = RevocationMessage(serial, RevocationReason::kSuperseded);
  Bytes want = base::ToBytes("hm.revoke.v1");
  want.insert(want.end(), {0x00, 0x02, 0x3c, 0x01, 0x04});
  EXPECT_EQ(msg, want);
  EXPECT_EQ(CertKey(serial), (Bytes{'C', 0x3c, 0x01}));
  EXPECT_EQ(RevokedKey(serial), (Bytes{'V', 0x3c, 0x01}));
  EXPECT_EQ(CrlNumberKey(), Bytes{'N'});
}

TEST(CaRecordsTest, SerialHex) {
  EXPECT_EQ(SerialHex(Bytes{0x0a, 0xbc}), "0abc");
  EXPECT_EQ(*ParseSerialHex("0ABC"), (Bytes{0x0a, 0xbc}));
  EXPECT_EQ(*ParseSerialHex("ff"), Bytes{0xff});
  EXPECT_EQ(ParseSerialHex(std::string(40, '1'))->size(), 20u);
  for (std::string_view bad : {"", "abc", "00ab", "00", "0000", "zz", "0g"}) {
    EXPECT_EQ(ParseSerialHex(bad).status().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(ParseSerialHex(std::string(42, '1')).ok());
}

TEST(CaRecordsTest, ParamsDecodeChecksTheHierarchy) {
  const auto& pki = GetTestPki();
  auto ok = CaParams::Decode(TestParams().Encode());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->issuing_der, pki.intermediate.cert_der());
  // The intermediate under a root that did not sign it; root and intermediate swapped.
  EXPECT_EQ(CaParams::Decode(CaParams{OtherCa().cert_der(), pki.intermediate.cert_der()}.Encode())
                .status()
                .code(),
            Code::kInvalidArgument);
  EXPECT_FALSE(
      CaParams::Decode(CaParams{pki.intermediate.cert_der(), pki.root.cert_der()}.Encode()).ok());
  EXPECT_FALSE(CaParams::Decode(CaParams{pki.root.cert_der(), Bytes{0x30, 0x00}}.Encode()).ok());
  // A leaf is not an issuing CA, even under its real issuer.
  TestLeaf leaf = MakeLeaf("P-256", 0x50);
  EXPECT_FALSE(CaParams::Decode(CaParams{pki.intermediate.cert_der(), leaf.der}.Encode()).ok());
}

// ---- Check (stateless)

TEST(CaCheckTest, AcceptsOnlyLeavesOfTheIssuingCa) {
  CaModule module(TestParams());
  TestLeaf leaf = MakeLeaf("P-256", 0x60);
  EXPECT_TRUE(module.Check(MakeIssueTx({leaf.der, 5}, 1)).ok());
  TestLeaf ed = MakeLeaf("ED25519", 0x61);
  EXPECT_TRUE(module.Check(MakeIssueTx({ed.der, 6}, 1)).ok());

  // Issued by another CA.
  TestLeaf foreign = MakeLeaf("P-256", 0x62, OtherCa());
  auto st = module.Check(MakeIssueTx({foreign.der, 0}, 1));
  EXPECT_EQ(st.code(), Code::kPermissionDenied) << st.ToString();

  // Right issuer name, broken signature (the last byte is inside the ECDSA signature).
  Bytes tampered = leaf.der;
  tampered.back() ^= 0x01;
  st = module.Check(MakeIssueTx({tampered, 0}, 1));
  EXPECT_EQ(st.code(), Code::kPermissionDenied) << st.ToString();
  EXPECT_NE(st.message().find("signature"), std::string::npos) << st.ToString();

  // A CA certificate issued by the issuing CA.
  const auto& pki = GetTestPki();
  auto sub_key = crypto::EcdsaP256PrivateKey::Generate();
  CaCertOptions o{
      .common_name = "Sub CA", .serial = testing::Serial(0x63), .not_before = testing::kT0};
  auto sub = CreateIntermediateCertificate(pki.intermediate, sub_key.PublicKey(),
                                           pki.leaf_falcon_pk, o, testing::TestRandom());
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  st = module.Check(MakeIssueTx({*sub, 0}, 1));
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("CA"), std::string::npos) << st.ToString();

  // Trailing bytes after the certificate, garbage, unknown kind.
  Bytes trailing = leaf.der;
  trailing.push_back(0);
  EXPECT_EQ(module.Check(MakeIssueTx({trailing, 0}, 1)).code(), Code::kInvalidArgument);
  EXPECT_EQ(module.Check(MakeIssueTx({Bytes{1, 2, 3}, 0}, 1)).code(), Code::kInvalidArgument);
  Transaction unknown = MakeIssueTx({leaf.der, 0}, 1);
  unknown.kind = 9;
  EXPECT_EQ(module.Check(unknown).code(), Code::kInvalidArgument);

  // Revoke: only the format and field validity are checked statelessly.
  Revocation rv = RevokeByKey(leaf.serial, leaf.key.get(), RevocationReason::kKeyCompromise);
  EXPECT_TRUE(module.Check(MakeRevokeTx(rv, 1)).ok());
  rv.reason = static_cast<RevocationReason>(7);
  EXPECT_EQ(module.Check(MakeRevokeTx(rv, 1)).code(), Code::kInvalidArgument);
}

TEST(CaCheckTest, WithoutParamsEverythingIsRefused) {
  CaModule module(std::nullopt);
  TestLeaf leaf = MakeLeaf("P-256", 0x64);
  auto st = module.Check(MakeIssueTx({leaf.der, 0}, 1));
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_EQ(st.message(), "ca module has no genesis parameters");
  EXPECT_EQ(
      module.Check(MakeRevokeTx(RevokeByCa(leaf.serial, RevocationReason::kUnspecified), 1)).code(),
      Code::kFailedPrecondition);
  // Invalid params are no params.
  CaModule bad(CaParams{OtherCa().cert_der(), GetTestPki().intermediate.cert_der()});
  EXPECT_EQ(bad.Check(MakeIssueTx({leaf.der, 0}, 1)).code(), Code::kFailedPrecondition);
}

// ---- on a chain

class CaChainTest : public ::testing::Test {
 protected:
  CaChainTest()
      : key_(crypto::Ed25519PrivateKey::Generate()), signer_(key_), module_(TestParams()) {
    module_.SetRevocationListener([this] { ++notified_; });
    store_ = std::move(chain::testing::OpenChainStore(dir_.Sub("db"))).value();
    auto opened = chain::Chain::Open(store_.get(), Genesis(), {&module_});
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    chain_ = std::move(opened).value();
  }

  chain::Genesis Genesis() const {
    chain::Genesis g = chain::testing::MakeGenesis(key_);
    g.module_params.push_back({std::string(kModuleName), TestParams().Encode()});
    return g;
  }

  std::vector<TxOutcome> CommitBlock(const std::vector<Transaction>& txs) {
    auto pb = chain_->Execute(txs, kBlockTime, crypto::Sha256(signer_.public_key()));
    EXPECT_TRUE(pb.ok());
    auto& sh = pb->block.signed_header;
    sh.signature = *signer_.Sign(sh.header.SigningDigest());
    if (!pb->block.txs.empty()) {
      EXPECT_TRUE(chain_->Commit(*pb).ok());
    }
    return pb->outcomes;
  }

  TxOutcome CommitOne(const Transaction& tx) { return CommitBlock({tx})[0]; }

  void Issue(const TestLeaf& leaf, uint64_t ct_index) {
    TxOutcome out = CommitOne(MakeIssueTx({leaf.der, ct_index}, ct_index));
    ASSERT_TRUE(out.status.ok()) << out.status.ToString();
    EXPECT_EQ(out.output, leaf.serial);
  }

  storage::testing::TempDir dir_;
  crypto::Ed25519PrivateKey key_;
  chain::Ed25519BlockSigner signer_;
  CaModule module_;
  std::atomic<int> notified_{0};
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<chain::Chain> chain_;
};

TEST_F(CaChainTest, IssueRecordsTheCertificateOnce) {
  CaReader reader(*chain_);
  EXPECT_EQ(*reader.CrlNumber(), 0u);
  TestLeaf leaf = MakeLeaf("P-256", 0x70);
  Issue(leaf, 11);
  auto rec = reader.Find(leaf.serial);
  ASSERT_TRUE(rec.ok());
  ASSERT_TRUE(rec->has_value());
  EXPECT_EQ((*rec)->der, leaf.der);
  EXPECT_EQ((*rec)->ct_leaf_index, 11u);
  EXPECT_EQ((*rec)->not_after_ms, kLeafNotAfterMs);
  EXPECT_FALSE((*rec)->revoked);
  // Same certificate again (new nonce): AlreadyExists, nothing changes.
  TxOutcome dup = CommitOne(MakeIssueTx({leaf.der, 12}, 99));
  EXPECT_EQ(dup.status.code(), Code::kAlreadyExists) << dup.status.ToString();
  EXPECT_EQ((*reader.Find(leaf.serial))->ct_leaf_index, 11u);
  EXPECT_FALSE(reader.Find(testing::Serial(0x71))->has_value());
  EXPECT_FALSE(reader.Find(Bytes{0x00, 0x01})->has_value());
  // Apply re-validates: a foreign leaf is refused even if it was never Checked.
  TestLeaf foreign = MakeLeaf("P-256", 0x72, OtherCa());
  EXPECT_EQ(CommitOne(MakeIssueTx({foreign.der, 0}, 1)).status.code(), Code::kPermissionDenied);
  EXPECT_FALSE(reader.Find(foreign.serial)->has_value());
  EXPECT_EQ(notified_, 0);
}

TEST_F(CaChainTest, RevokeWithTheCertificatesOwnKeys) {
  CaReader reader(*chain_);
  TestLeaf ec = MakeLeaf("P-256", 0x80);
  TestLeaf ed = MakeLeaf("ED25519", 0x81);
  Issue(ec, 1);
  Issue(ed, 2);

  const uint64_t at = kBlockTime - 5000;
  TxOutcome out = CommitOne(
      MakeRevokeTx(RevokeByKey(ec.serial, ec.key.get(), RevocationReason::kKeyCompromise, at), 1));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_TRUE(out.output.empty());
  EXPECT_EQ(notified_, 1);
  EXPECT_EQ(*reader.CrlNumber(), 1u);
  auto rec = *reader.Find(ec.serial);
  ASSERT_TRUE(rec.has_value());
  EXPECT_TRUE(rec->revoked);
  EXPECT_EQ(rec->revoked_at_ms, at);
  EXPECT_EQ(rec->reason, RevocationReason::kKeyCompromise);
  EXPECT_EQ(rec->der, ec.der);

  out = CommitOne(
      MakeRevokeTx(RevokeByKey(ed.serial, ed.key.get(), RevocationReason::kSuperseded), 2));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(notified_, 2);
  EXPECT_EQ(*reader.CrlNumber(), 2u);

  auto revoked = reader.Revoked();
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  ASSERT_EQ(revoked->size(), 2u);
  // Scanned in key order: serials 3c11..80 then 3c11..81.
  EXPECT_EQ((*revoked)[0].serial, ec.serial);
  EXPECT_EQ((*revoked)[0].reason, RevocationReason::kKeyCompromise);
  EXPECT_EQ((*revoked)[0].revoked_at,
            std::chrono::system_clock::time_point(std::chrono::milliseconds(at)));
  EXPECT_EQ((*revoked)[1].serial, ed.serial);
  EXPECT_EQ((*revoked)[1].reason, RevocationReason::kSuperseded);

  // The reader's list builds a CRL.
  auto crl = BuildCrl(GetTestPki().intermediate, *revoked, testing::kT0,
                      testing::kT0 + std::chrono::hours(1), *reader.CrlNumber());
  EXPECT_TRUE(crl.ok()) << crl.status().ToString();

  // Revoking twice: FailedPrecondition, in a later block or a second one in the same block.
  out = CommitOne(MakeRevokeTx(RevokeByCa(ec.serial, RevocationReason::kUnspecified), 3));
  EXPECT_EQ(out.status.code(), Code::kFailedPrecondition) << out.status.ToString();
  EXPECT_EQ(*reader.CrlNumber(), 2u);
  EXPECT_EQ(notified_, 2);
}

TEST_F(CaChainTest, RevokeInOneBlockTwiceAndNotifyOnce) {
  TestLeaf a = MakeLeaf("P-256", 0x82);
  TestLeaf b = MakeLeaf("P-256", 0x83);
  Issue(a, 1);
  Issue(b, 2);
  auto outs = CommitBlock(
      {MakeRevokeTx(RevokeByKey(a.serial, a.key.get(), RevocationReason::kUnspecified), 1),
       MakeRevokeTx(RevokeByCa(a.serial, RevocationReason::kCessationOfOperation), 2),
       MakeRevokeTx(RevokeByCa(b.serial, RevocationReason::kCessationOfOperation), 3)});
  EXPECT_TRUE(outs[0].status.ok());
  EXPECT_EQ(outs[1].status.code(), Code::kFailedPrecondition);
  EXPECT_TRUE(outs[2].status.ok());
  EXPECT_EQ(notified_, 1);  // once per block
  CaReader reader(*chain_);
  EXPECT_EQ(*reader.CrlNumber(), 2u);
  EXPECT_EQ(reader.Revoked()->size(), 2u);
  EXPECT_EQ((*reader.Find(a.serial))->reason, RevocationReason::kUnspecified);
}

TEST_F(CaChainTest, RevokeByTheIssuingCa) {
  TestLeaf leaf = MakeLeaf("ED25519", 0x84);
  Issue(leaf, 1);
  TxOutcome out =
      CommitOne(MakeRevokeTx(RevokeByCa(leaf.serial, RevocationReason::kPrivilegeWithdrawn), 1));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  CaReader reader(*chain_);
  auto rec = *reader.Find(leaf.serial);
  EXPECT_TRUE(rec->revoked);
  EXPECT_EQ(rec->reason, RevocationReason::kPrivilegeWithdrawn);
  EXPECT_EQ(rec->revoked_at_ms, kBlockTime - 2000);
  EXPECT_EQ(*reader.CrlNumber(), 1u);
  EXPECT_EQ(notified_, 1);
}

TEST_F(CaChainTest, RevocationsWithTheWrongKeyWriteNothing) {
  TestLeaf leaf = MakeLeaf("P-256", 0x90);
  TestLeaf other = MakeLeaf("P-256", 0x91);
  TestLeaf ed = MakeLeaf("ED25519", 0x92);
  Issue(leaf, 1);
  Issue(other, 2);
  Issue(ed, 3);
  const auto reason = RevocationReason::kKeyCompromise;
  std::vector<Revocation> bad;
  bad.push_back(RevokeByKey(leaf.serial, other.key.get(), reason));  // another cert's key
  bad.push_back(RevokeByKey(ed.serial, testing::GenerateKey("ED25519").get(), reason));
  Revocation ca_as_own = RevokeByCa(leaf.serial, reason);  // CA signature, authority 1
  ca_as_own.authority = RevocationAuthority::kCertificateKey;
  bad.push_back(ca_as_own);
  Revocation own_as_ca = RevokeByKey(leaf.serial, leaf.key.get(), reason);  // leaf sig, authority 2
  own_as_ca.authority = RevocationAuthority::kIssuingCa;
  bad.push_back(own_as_ca);
  Revocation other_reason =
      RevokeByKey(leaf.serial, leaf.key.get(), reason);  // signed reason differs
  other_reason.reason = RevocationReason::kUnspecified;
  bad.push_back(other_reason);
  Revocation other_serial = RevokeByKey(other.serial, leaf.key.get(), reason);
  other_serial.signature = RevokeByKey(leaf.serial, leaf.key.get(), reason).signature;
  bad.push_back(other_serial);
  Revocation garbage = RevokeByKey(leaf.serial, leaf.key.get(), reason);
  garbage.signature = {0x30, 0x00};
  bad.push_back(garbage);
  uint64_t nonce = 100;
  for (const Revocation& r : bad) {
    TxOutcome out = CommitOne(MakeRevokeTx(r, ++nonce));
    EXPECT_EQ(out.status.code(), Code::kPermissionDenied) << nonce << ": " << out.status.ToString();
  }
  CaReader reader(*chain_);
  EXPECT_EQ(*reader.CrlNumber(), 0u);
  EXPECT_TRUE(reader.Revoked()->empty());
  EXPECT_FALSE((*reader.Find(leaf.serial))->revoked);
  EXPECT_FALSE((*reader.Find(ed.serial))->revoked);
  EXPECT_EQ(notified_, 0);
  EXPECT_EQ(chain_->head().height, 3u);  // no block had a transaction to commit
}

TEST_F(CaChainTest, RevokeRejectsUnknownSerialsAndFutureTimes) {
  CaReader reader(*chain_);
  TestLeaf leaf = MakeLeaf("P-256", 0xa0);
  // Unknown serial.
  TxOutcome out =
      CommitOne(MakeRevokeTx(RevokeByCa(leaf.serial, RevocationReason::kUnspecified), 1));
  EXPECT_EQ(out.status.code(), Code::kNotFound) << out.status.ToString();
  Issue(leaf, 1);
  // More than 10 minutes after the block time.
  out = CommitOne(
      MakeRevokeTx(RevokeByKey(leaf.serial, leaf.key.get(), RevocationReason::kUnspecified,
                               kBlockTime + kMaxRevocationSkewMs + 1),
                   2));
  EXPECT_EQ(out.status.code(), Code::kFailedPrecondition) << out.status.ToString();
  EXPECT_FALSE((*reader.Find(leaf.serial))->revoked);
  // Exactly at the limit is fine.
  out = CommitOne(
      MakeRevokeTx(RevokeByKey(leaf.serial, leaf.key.get(), RevocationReason::kUnspecified,
                               kBlockTime + kMaxRevocationSkewMs),
                   3));
  EXPECT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ((*reader.Find(leaf.serial))->revoked_at_ms, kBlockTime + kMaxRevocationSkewMs);
}

TEST_F(CaChainTest, RevokedSerialWithTopBitIsPaddedForTheCrl) {
  const auto& pki = GetTestPki();
  auto key = testing::GenerateKey("P-256");
  auto csr = ParseCsrPem(testing::MakeCsrPem(key.get(), {"top.hypermesh"}));
  ASSERT_TRUE(csr.ok());
  LeafOptions o = testing::DefaultLeafOptions(0xb0);
  o.serial = {0x00, 0x9a, 0x01};  // the INTEGER 0x9a01: minimal bytes 9a 01
  auto issued = IssueLeaf(pki.intermediate, *csr, o, SctProvider{}, testing::TestRandom());
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  TxOutcome out = CommitOne(MakeIssueTx({issued->der, 0}, 1));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.output, (Bytes{0x9a, 0x01}));
  out = CommitOne(
      MakeRevokeTx(RevokeByKey(Bytes{0x9a, 0x01}, key.get(), RevocationReason::kUnspecified), 2));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  auto revoked = CaReader(*chain_).Revoked();
  ASSERT_EQ(revoked->size(), 1u);
  EXPECT_EQ((*revoked)[0].serial, o.serial);
  EXPECT_TRUE(
      BuildCrl(pki.intermediate, *revoked, testing::kT0, testing::kT0 + std::chrono::hours(1), 1)
          .ok());
}

TEST_F(CaChainTest, SequencerIssueRevokeAndReplay) {
  base::ManualClock clock(kBlockTime);
  chain::Sequencer seq(*chain_, signer_, clock, {});
  seq.Start();
  TestLeaf leaf = MakeLeaf("ED25519", 0xc0);
  auto receipt = seq.SubmitAndWait(MakeIssueTx({leaf.der, 7}, 1));
  ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
  EXPECT_EQ(receipt->output, leaf.serial);
  // Check refuses a foreign leaf at admission.
  auto foreign = seq.SubmitAndWait(MakeIssueTx({MakeLeaf("P-256", 0xc1, OtherCa()).der, 0}, 2));
  EXPECT_EQ(foreign.status().code(), Code::kPermissionDenied);
  receipt = seq.SubmitAndWait(MakeRevokeTx(
      RevokeByKey(leaf.serial, leaf.key.get(), RevocationReason::kAffiliationChanged), 3));
  ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
  auto again =
      seq.SubmitAndWait(MakeRevokeTx(RevokeByCa(leaf.serial, RevocationReason::kUnspecified), 4));
  EXPECT_EQ(again.status().code(), Code::kFailedPrecondition);
  seq.Stop();
  EXPECT_EQ(notified_, 1);
  CaReader reader(*chain_);
  auto revoked = reader.Revoked();
  ASSERT_TRUE(revoked.ok());
  ASSERT_EQ(revoked->size(), 1u);
  EXPECT_EQ((*revoked)[0].serial, leaf.serial);
  EXPECT_EQ((*revoked)[0].reason, RevocationReason::kAffiliationChanged);
  EXPECT_EQ(*reader.CrlNumber(), 1u);

  // Another node re-executing the chain reaches the same state.
  storage::testing::TempDir scratch_dir;
  auto scratch = chain::testing::OpenChainStore(scratch_dir.Sub("db"));
  ASSERT_TRUE(scratch.ok());
  CaModule fresh(TestParams());
  auto head = chain::ReplayChain(*store_, scratch->get(), Genesis(), {&fresh});
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->state_root, chain_->head().state_root);
}

// ---- genesis

TEST(CaGenesisTest, ModuleWithoutParamsRefusesOnAChain) {
  storage::testing::TempDir dir;
  auto key = crypto::Ed25519PrivateKey::Generate();
  chain::Ed25519BlockSigner signer(key);
  CaModule module(std::nullopt);
  auto store = chain::testing::OpenChainStore(dir.Sub("db"));
  ASSERT_TRUE(store.ok());
  auto chain = chain::Chain::Open(store->get(), chain::testing::MakeGenesis(key), {&module});
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  TestLeaf leaf = MakeLeaf("P-256", 0xd0);
  EXPECT_EQ((*chain)->CheckTransaction(MakeIssueTx({leaf.der, 0}, 1)).code(),
            Code::kFailedPrecondition);
  auto pb = (*chain)->Execute({MakeIssueTx({leaf.der, 0}, 1)}, kBlockTime, {});
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(pb->outcomes[0].status.code(), Code::kFailedPrecondition);
  EXPECT_TRUE(pb->block.txs.empty());
  EXPECT_EQ(*CaReader(**chain).CrlNumber(), 0u);
}

TEST(CaGenesisTest, GenesisParamsMustMatchAndValidate) {
  auto key = crypto::Ed25519PrivateKey::Generate();
  auto open = [&](CaModule& module, std::optional<Bytes> params) {
    storage::testing::TempDir dir;
    auto store = chain::testing::OpenChainStore(dir.Sub("db"));
    EXPECT_TRUE(store.ok());
    chain::Genesis g = chain::testing::MakeGenesis(key);
    if (params) g.module_params.push_back({std::string(kModuleName), *params});
    return chain::Chain::Open(store->get(), g, {&module}).status();
  };
  CaModule good(TestParams());
  EXPECT_TRUE(open(good, TestParams().Encode()).ok());
  // Module has params, genesis has none (or others); genesis params that do not validate.
  EXPECT_EQ(open(good, std::nullopt).code(), Code::kInvalidArgument);
  const CaParams foreign{OtherCa().cert_der(), GetTestPki().intermediate.cert_der()};
  EXPECT_EQ(open(good, foreign.Encode()).code(), Code::kInvalidArgument);
  CaModule none(std::nullopt);
  EXPECT_EQ(open(none, foreign.Encode()).code(), Code::kInvalidArgument);
  EXPECT_EQ(open(none, TestParams().Encode()).code(), Code::kInvalidArgument);
  CaModule bad(foreign);
  EXPECT_EQ(open(bad, foreign.Encode()).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace hm::trustchain::ca
