#include "trustchain/ca/testing/ca_fixture.h"

#include "crypto/secure_random.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/check.h"
#include "crypto/falcon/falcon.h"
#include "crypto/hybrid/pq_keys.h"
#include "trustchain/ca/alt_signature.h"

namespace hm::trustchain::ca::testing {
namespace {

FalconKey MakeFalcon() {
  auto pair = crypto::falcon::KeyGen(crypto::falcon::Variant::kFalcon1024, TestRandom());
  HM_CHECK_OK(pair.status());
  auto sk =
      crypto::falcon::SigningKey::Load(crypto::falcon::Variant::kFalcon1024, pair->secret_key);
  HM_CHECK_OK(sk.status());
  return FalconKey{std::move(sk).value(), pair->public_key};
}

TestPki* BuildPki() {
  auto root_key = crypto::EcdsaP256PrivateKey::Generate();
  FalconKey root_falcon = MakeFalcon();
  CaCertOptions ro{.common_name = "HyperMesh Root CA", .serial = Serial(1), .not_before = kT0};
  auto root_der = CreateRootCertificate(root_key, root_falcon, ro, TestRandom());
  HM_CHECK_OK(root_der.status());
  auto root = IssuingCa::Create(*root_der, std::move(root_key), std::move(root_falcon));
  HM_CHECK_OK(root.status());

  auto int_key = crypto::EcdsaP256PrivateKey::Generate();
  FalconKey int_falcon = MakeFalcon();
  CaCertOptions io{.common_name = "HyperMesh Issuing CA",
                   .serial = Serial(2),
                   .not_before = kT0,
                   .validity = std::chrono::hours(24 * 365 * 5)};
  auto int_der = CreateIntermediateCertificate(*root, int_key.PublicKey(), int_falcon.public_key,
                                               io, TestRandom());
  HM_CHECK_OK(int_der.status());
  auto inter = IssuingCa::Create(*int_der, std::move(int_key), std::move(int_falcon));
  HM_CHECK_OK(inter.status());
  FalconKey leaf_falcon = MakeFalcon();
  return new TestPki{std::move(root).value(), std::move(inter).value(), leaf_falcon.public_key};
}

}  // namespace

base::Random& TestRandom() {
  static base::SeededRandom random(20250101);
  return random;
}

const TestPki& GetTestPki() {
  static const TestPki* pki = BuildPki();
  return *pki;
}

internal::PkeyPtr GenerateKey(const std::string& kind) {
  EVP_PKEY* key = nullptr;
  if (kind == "P-256") key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (kind == "P-384") key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  if (kind == "ED25519") key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (kind == "RSA-1024") key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024});
  if (kind == "RSA-2048") key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  HM_CHECK(key != nullptr);
  return internal::PkeyPtr(key);
}

std::string MakeCsrPem(EVP_PKEY* key, const std::vector<std::string>& dns,
                       const std::vector<std::string>& ips,
                       const std::optional<base::Bytes>& falcon_spki) {
  internal::X509ReqPtr req(X509_REQ_new());
  HM_CHECK(req && X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) == 1);
  HM_CHECK(X509_REQ_set_pubkey(req.get(), key) == 1);
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  HM_CHECK(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                      reinterpret_cast<const unsigned char*>("test"), -1, -1,
                                      0) == 1);
  if (!dns.empty() || !ips.empty()) {
    internal::GeneralNamesPtr gens(GENERAL_NAMES_new());
    for (const auto& d : dns) {
      GENERAL_NAME* g = GENERAL_NAME_new();
      ASN1_IA5STRING* s = ASN1_IA5STRING_new();
      ASN1_STRING_set(s, d.data(), static_cast<int>(d.size()));
      GENERAL_NAME_set0_value(g, GEN_DNS, s);
      sk_GENERAL_NAME_push(gens.get(), g);
    }
    for (const auto& ip : ips) {
      uint8_t buf[16];
      const bool v4 = ip.find(':') == std::string::npos;
      HM_CHECK(inet_pton(v4 ? AF_INET : AF_INET6, ip.c_str(), buf) == 1);
      GENERAL_NAME* g = GENERAL_NAME_new();
      ASN1_OCTET_STRING* s = ASN1_OCTET_STRING_new();
      ASN1_OCTET_STRING_set(s, buf, v4 ? 4 : 16);
      GENERAL_NAME_set0_value(g, GEN_IPADD, s);
      sk_GENERAL_NAME_push(gens.get(), g);
    }
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION* ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, gens.get());
    sk_X509_EXTENSION_push(exts, ext);
    HM_CHECK(X509_REQ_add_extensions(req.get(), exts) == 1);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  }
  if (falcon_spki.has_value()) {
    internal::Asn1ObjectPtr oid = internal::Oid(kOidFalconSubjectKeyAttr);
    HM_CHECK(X509_REQ_add1_attr_by_OBJ(req.get(), oid.get(), V_ASN1_SEQUENCE, falcon_spki->data(),
                                       static_cast<int>(falcon_spki->size())) == 1);
  }
  const bool ed = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
  HM_CHECK(X509_REQ_sign(req.get(), key, ed ? nullptr : EVP_sha256()) > 0);
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  HM_CHECK(PEM_write_bio_X509_REQ(bio.get(), req.get()) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

base::Bytes Serial(uint8_t last) {
  base::Bytes s(16, 0x11);
  s[0] = 0x3c;  // top bit clear: positive
  s[15] = last;
  return s;
}

LeafOptions DefaultLeafOptions(uint8_t serial_last) {
  LeafOptions o;
  o.serial = Serial(serial_last);
  o.not_before = kT0;
  o.ocsp_url = "https://[::1]:8443/ocsp";
  o.ca_issuers_url = "https://[::1]:8443/ca/issuing.der";
  o.crl_url = "https://[::1]:8443/crl/issuing.crl";
  return o;
}

const ct::LogSigner& TestLog() {
  static const ct::LogSigner* log = [] {
    crypto::SecureRandom random;
    auto falcon = crypto::falcon::KeyGen(crypto::falcon::Variant::kFalcon1024, random);
    HM_CHECK_OK(falcon.status());
    auto signer = ct::LogSigner::Create(crypto::EcdsaP256PrivateKey::Generate(),
                                        falcon->secret_key);
    HM_CHECK_OK(signer.status());
    return new ct::LogSigner(std::move(signer).value());
  }();
  return *log;
}

ct::LogEntry PrecertLogEntry(const PrecertEntry& entry, uint64_t timestamp_ms) {
  ct::LogEntry e;
  e.timestamp_ms = timestamp_ms;
  e.type = ct::EntryType::kPrecert;
  e.entry = entry.tbs_certificate;
  ct::Digest32 key_hash{};
  HM_CHECK(entry.issuer_key_hash.size() == key_hash.size());
  std::copy(entry.issuer_key_hash.begin(), entry.issuer_key_hash.end(), key_hash.begin());
  e.issuer_key_hash = key_hash;
  return e;
}

base::Bytes TestLogSctList(const PrecertEntry& entry, uint64_t timestamp_ms) {
  const ct::Sct sct = TestLog().SignSct(PrecertLogEntry(entry, timestamp_ms));
  auto list = ct::SerializeSctList(std::span(&sct, 1));
  HM_CHECK_OK(list.status());
  return std::move(list).value();
}

internal::X509Ptr ParseCert(const base::Bytes& der) {
  auto x = internal::ParseCertDer(der);
  HM_CHECK_OK(x.status());
  return std::move(x).value();
}

}  // namespace hm::trustchain::ca::testing
