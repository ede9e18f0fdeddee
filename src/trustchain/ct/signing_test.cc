#include "trustchain/ct/signing.h"

#include <gtest/gtest.h>
#include <openssl/ct.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>

#include "base/check.h"
#include "crypto/secure_random.h"
#include "storage/test_util.h"

namespace hm::trustchain::ct {
namespace {

using base::Bytes;

// One log key pair per test binary: Falcon-1024 keygen is slow under ASan.
const LogSigner& Signer() {
  static const LogSigner* signer = [] {
    crypto::SecureRandom random;
    auto pair = crypto::falcon::KeyGen(crypto::falcon::Variant::kFalcon1024, random);
    HM_CHECK(pair.ok());
    auto s = LogSigner::Create(crypto::EcdsaP256PrivateKey::Generate(), pair->secret_key);
    HM_CHECK(s.ok());
    return new LogSigner(std::move(*s));
  }();
  return *signer;
}

LogEntry CertEntry() {
  LogEntry e;
  e.timestamp_ms = 1'763'750'000'123;
  e.type = EntryType::kX509;
  e.entry = {0x30, 0x82, 0x01, 0x02, 0xaa, 0xbb, 0xcc};  // opaque bytes; no X.509 parsing here
  e.extra_data = {1, 2, 3};
  return e;
}

LogEntry PrecertEntry() {
  LogEntry e = CertEntry();
  e.type = EntryType::kPrecert;
  e.issuer_key_hash = crypto::Sha256(base::AsBytes("issuer spki"));
  e.entry = {0x30, 0x03, 0x02, 0x01, 0x05};
  return e;
}

// Verifies a DER ECDSA-SHA256 signature with OpenSSL directly (key from the SPKI DER).
bool OpenSslVerify(const Bytes& spki_der, const Bytes& msg, base::ByteSpan der_sig) {
  const uint8_t* p = spki_der.data();
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())), EVP_PKEY_free);
  if (!pkey) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), der_sig.data(), der_sig.size(), msg.data(), msg.size()) == 1;
}

void AppendBe(Bytes& out, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// The DER signature inside a DigitallySigned, checking the sha256/ecdsa header by hand.
base::ByteSpan DerInside(const Bytes& ds) {
  EXPECT_GE(ds.size(), 4u);
  EXPECT_EQ(ds[0], 4);  // sha256
  EXPECT_EQ(ds[1], 3);  // ecdsa
  EXPECT_EQ(static_cast<size_t>((ds[2] << 8) | ds[3]), ds.size() - 4);
  return base::ByteSpan(ds).subspan(4);
}

TEST(SigningTest, LogIdIsSha256OfTheSpki) {
  const auto& pub = Signer().public_keys();
  const Bytes spki = pub.ecdsa().ToSpkiDer();
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(pub.ecdsa().evp_pkey(), &der);
  ASSERT_GT(len, 0);
  EXPECT_EQ(spki, Bytes(der, der + len));
  OPENSSL_free(der);
  EXPECT_EQ(pub.log_id(), crypto::Sha256(spki));
}

TEST(SigningTest, SthSignsAndVerifiesBothSignatures) {
  const Digest32 root = crypto::Sha256(base::AsBytes("root"));
  auto sth = Signer().SignSth(1'763'750'001'000, 12345, root);
  ASSERT_TRUE(sth.ok()) << sth.status().ToString();
  EXPECT_TRUE(Signer().public_keys().VerifySth(*sth).ok());
  EXPECT_EQ(sth->falcon_signature[0], 0x3A);  // compressed Falcon-1024 header

  // Independent: TreeHeadSignature assembled by hand per RFC 6962 §3.5, verified with OpenSSL.
  Bytes tbs = {0x00, 0x01};
  AppendBe(tbs, 1'763'750'001'000, 8);
  AppendBe(tbs, 12345, 8);
  tbs.insert(tbs.end(), root.begin(), root.end());
  ASSERT_EQ(tbs.size(), 50u);
  EXPECT_EQ(tbs, TreeHeadSignatureInput(sth->timestamp_ms, sth->tree_size, sth->root));
  EXPECT_TRUE(OpenSslVerify(Signer().public_keys().ecdsa().ToSpkiDer(), tbs,
                            DerInside(sth->ecdsa_signature)));
  EXPECT_TRUE(crypto::falcon::Verify(crypto::falcon::Variant::kFalcon1024,
                                     Signer().public_keys().falcon_public_key(), tbs,
                                     sth->falcon_signature)
                  .ok());
}

TEST(SigningTest, TamperedSthIsRejected) {
  const Digest32 root = crypto::Sha256(base::AsBytes("root"));
  auto sth = *Signer().SignSth(1000, 7, root);
  const auto& pub = Signer().public_keys();
  auto bad = sth;
  bad.tree_size = 8;
  EXPECT_FALSE(pub.VerifySth(bad).ok());
  bad = sth;
  bad.timestamp_ms++;
  EXPECT_FALSE(pub.VerifySth(bad).ok());
  bad = sth;
  bad.root[31] ^= 1;
  EXPECT_FALSE(pub.VerifySth(bad).ok());
  bad = sth;
  bad.ecdsa_signature.back() ^= 1;
  EXPECT_FALSE(pub.VerifySth(bad).ok());
  bad = sth;
  bad.ecdsa_signature[0] = 5;  // sha384: not what we sign with
  EXPECT_EQ(pub.VerifySth(bad).code(), base::Code::kInvalidArgument);
  // A valid ECDSA signature with a Falcon signature from another tree head.
  auto other = *Signer().SignSth(1000, 8, root);
  bad = sth;
  bad.falcon_signature = other.falcon_signature;
  EXPECT_FALSE(pub.VerifySth(bad).ok());
  bad = sth;
  bad.falcon_signature.clear();
  EXPECT_FALSE(pub.VerifySth(bad).ok());
}

TEST(SigningTest, SctVerifiesIndependentlyWithOpenSsl) {
  for (const LogEntry& entry : {CertEntry(), PrecertEntry()}) {
    const Sct sct = Signer().SignSct(entry);
    EXPECT_TRUE(Signer().public_keys().VerifySct(sct, entry).ok());
    // RFC 6962 §3.2 signed data assembled by hand.
    Bytes msg = {0x00, 0x00};  // v1, certificate_timestamp
    AppendBe(msg, entry.timestamp_ms, 8);
    AppendBe(msg, static_cast<uint16_t>(entry.type), 2);
    if (entry.type == EntryType::kPrecert) {
      msg.insert(msg.end(), entry.issuer_key_hash->begin(), entry.issuer_key_hash->end());
    }
    AppendBe(msg, entry.entry.size(), 3);
    msg.insert(msg.end(), entry.entry.begin(), entry.entry.end());
    AppendBe(msg, 0, 2);  // no extensions
    EXPECT_TRUE(
        OpenSslVerify(Signer().public_keys().ecdsa().ToSpkiDer(), msg, DerInside(sct.signature)));
    // The leaf hashed into the tree is the same structure with leaf_type timestamped_entry.
    EXPECT_EQ(entry.MerkleTreeLeafTls(), msg);
  }
}

TEST(SigningTest, TamperedSctIsRejected) {
  const LogEntry entry = PrecertEntry();
  const Sct sct = Signer().SignSct(entry);
  const auto& pub = Signer().public_keys();
  auto e = entry;
  e.entry.back() ^= 1;
  EXPECT_EQ(pub.VerifySct(sct, e).code(), base::Code::kUnauthenticated);
  e = entry;
  (*e.issuer_key_hash)[0] ^= 1;
  EXPECT_FALSE(pub.VerifySct(sct, e).ok());
  e = entry;
  e.type = EntryType::kX509;
  e.issuer_key_hash.reset();
  EXPECT_FALSE(pub.VerifySct(sct, e).ok());
  auto s = sct;
  s.timestamp_ms++;
  EXPECT_FALSE(pub.VerifySct(s, entry).ok());
  s = sct;
  s.extensions = {1};
  EXPECT_FALSE(pub.VerifySct(s, entry).ok());
  s = sct;
  s.log_id[0] ^= 1;
  EXPECT_EQ(pub.VerifySct(s, entry).code(), base::Code::kUnauthenticated);
  // extra_data is not covered (it is not part of the leaf).
  e = entry;
  e.extra_data = {9, 9};
  EXPECT_TRUE(pub.VerifySct(sct, e).ok());
}

TEST(SigningTest, SctSerializationRoundTripsAndOpenSslParsesTheList) {
  const Sct sct = Signer().SignSct(CertEntry());
  const Bytes tls = sct.Serialize();
  ASSERT_EQ(tls[0], 0);  // v1
  EXPECT_EQ(Bytes(tls.begin() + 1, tls.begin() + 33), Bytes(sct.log_id.begin(), sct.log_id.end()));
  auto parsed = Sct::Parse(tls);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Serialize(), tls);
  EXPECT_FALSE(Sct::Parse(base::ByteSpan(tls).first(tls.size() - 1)).ok());

  const Sct list_in[] = {sct, Signer().SignSct(PrecertEntry())};
  auto ext = SctListExtensionValue(list_in);
  ASSERT_TRUE(ext.ok());
  // OpenSSL's own parser of the X.509 extension value (DER OCTET STRING of the TLS list).
  const unsigned char* p = ext->data();
  STACK_OF(SCT)* scts = d2i_SCT_LIST(nullptr, &p, static_cast<long>(ext->size()));
  ASSERT_NE(scts, nullptr);
  ASSERT_EQ(sk_SCT_num(scts), 2);
  const SCT* first = sk_SCT_value(scts, 0);
  EXPECT_EQ(SCT_get_version(first), SCT_VERSION_V1);
  EXPECT_EQ(SCT_get_timestamp(first), sct.timestamp_ms);
  unsigned char* id = nullptr;
  ASSERT_EQ(SCT_get0_log_id(first, &id), 32u);
  EXPECT_EQ(Bytes(id, id + 32), Bytes(sct.log_id.begin(), sct.log_id.end()));
  EXPECT_EQ(SCT_get_signature_nid(first), NID_ecdsa_with_SHA256);
  unsigned char* sig = nullptr;
  const size_t sig_len = SCT_get0_signature(first, &sig);
  EXPECT_EQ(Bytes(sig, sig + sig_len), Bytes(sct.signature.begin() + 4, sct.signature.end()));
  SCT_LIST_free(scts);
}

TEST(LogKeysTest, CreateThenLoadKeepsTheIdentity) {
  storage::testing::TempDir dir;
  const std::string keys = dir.Sub("keys");
  auto created = LoadOrCreateLogKeys(keys);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  for (const char* name : {kEcdsaKeyFile, kFalconKeyFile}) {
    struct stat st {};
    ASSERT_EQ(::stat((keys + "/" + name).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  auto loaded = LoadOrCreateLogKeys(keys);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->log_id(), created->log_id());
  EXPECT_EQ(loaded->public_keys().falcon_public_key(), created->public_keys().falcon_public_key());
  // A tree head signed with the reloaded keys verifies with the original public keys.
  auto sth = loaded->SignSth(1, 2, Digest32{});
  ASSERT_TRUE(sth.ok());
  EXPECT_TRUE(created->public_keys().VerifySth(*sth).ok());

  std::filesystem::remove(keys + "/" + kFalconKeyFile);
  EXPECT_EQ(LoadOrCreateLogKeys(keys).status().code(), base::Code::kFailedPrecondition);
}

}  // namespace
}  // namespace hm::trustchain::ct
