// Tests for `hm cert`: the pure helpers (revocation message, serials, reasons, durations, the
// renewal decision), key and certificate files, and the four commands end to end against a fake
// node that issues with the real TrustChain engine (ParseCsrPem + IssueLeaf) over HTTPS.
#include "cli/cert_commands.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "api/errors.h"
#include "api/http_server.h"
#include "api/router.h"
#include "base/metrics.h"
#include "base/random.h"
#include "crypto/ecdsa.h"
#include "crypto/ed25519.h"
#include "crypto/falcon/falcon.h"
#include "crypto/hybrid/pq_keys.h"
#include "crypto/key_file.h"
#include "net/event_loop.h"
#include "net/test_certs.h"
#include "net/tls_context.h"
#include "trustchain/ca/ca_module.h"
#include "trustchain/ca/csr.h"
#include "trustchain/ca/issuer.h"
#include "trustchain/ca/x509_builder.h"

namespace hm::cli {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;
using nlohmann::json;

// ---- pure helpers ----

TEST(CertHelpersTest, RevocationMessageMatchesHandComputedBytes) {
  const base::Bytes serial = {0x5a, 0x0c, 0xff};
  const base::Bytes expected = {'h',  'm',  '.',  'r', 'e', 'v',
                                'o',  'k',  'e',  '.', 'v', '1',  // domain, 12 bytes
                                0x00,                             // separator
                                0x03,                             // len(serial)
                                0x5a, 0x0c, 0xff,                 // serial
                                0x01};                            // keyCompromise
  EXPECT_EQ(RevocationMessage(serial, 1), expected);
  EXPECT_EQ(base::HexEncode(RevocationMessage(base::Bytes{0x01}, 0)),
            "686d2e7265766f6b652e7631"
            "00"
            "01"
            "01"
            "00");
}

// What the client signs must be what the "ca" chain module verifies.
TEST(CertHelpersTest, RevocationMessageMatchesTheCaModule) {
  const base::Bytes serial = {0x3c, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  for (uint8_t reason : {0, 1, 4, 10}) {
    EXPECT_EQ(RevocationMessage(serial, reason),
              trustchain::ca::RevocationMessage(
                  serial, static_cast<trustchain::ca::RevocationReason>(reason)));
  }
}

TEST(CertHelpersTest, SerialsAreMinimalLowerCaseHex) {
  auto s = ParseSerialHex("5A0C");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (base::Bytes{0x5a, 0x0c}));
  EXPECT_EQ(SerialHex(*s), "5a0c");
  EXPECT_EQ(*ParseSerialHex("0x00005a0c"), (base::Bytes{0x5a, 0x0c}));
  EXPECT_EQ(*ParseSerialHex("5a:0c"), (base::Bytes{0x5a, 0x0c}));
  EXPECT_EQ(*ParseSerialHex("a0c"), (base::Bytes{0x0a, 0x0c}));
  EXPECT_EQ(*ParseSerialHex("80"), (base::Bytes{0x80}));
  EXPECT_FALSE(ParseSerialHex("").ok());
  EXPECT_FALSE(ParseSerialHex("00").ok());
  EXPECT_FALSE(ParseSerialHex("5g").ok());
  EXPECT_FALSE(ParseSerialHex(std::string(42, 'a')).ok());  // 21 bytes
  EXPECT_TRUE(ParseSerialHex(std::string(40, 'a')).ok());   // 20 bytes
}

TEST(CertHelpersTest, RevocationReasons) {
  EXPECT_EQ(*ParseRevocationReason("unspecified"), 0);
  EXPECT_EQ(*ParseRevocationReason("keyCompromise"), 1);
  EXPECT_EQ(*ParseRevocationReason("KEYCOMPROMISE"), 1);
  EXPECT_EQ(*ParseRevocationReason("superseded"), 4);
  EXPECT_EQ(*ParseRevocationReason("removeFromCRL"), 8);
  EXPECT_EQ(*ParseRevocationReason("aACompromise"), 10);
  EXPECT_EQ(*ParseRevocationReason("4"), 4);
  EXPECT_FALSE(ParseRevocationReason("7").ok());
  EXPECT_FALSE(ParseRevocationReason("11").ok());
  EXPECT_FALSE(ParseRevocationReason("").ok());
  EXPECT_FALSE(ParseRevocationReason("lost").ok());
  EXPECT_EQ(RevocationReasonName(1), "keyCompromise");
  EXPECT_EQ(RevocationReasonName(9), "privilegeWithdrawn");
}

TEST(CertHelpersTest, Durations) {
  EXPECT_EQ(*ParseDuration("90"), seconds(90));
  EXPECT_EQ(*ParseDuration("60s"), seconds(60));
  EXPECT_EQ(*ParseDuration("30m"), minutes(30));
  EXPECT_EQ(*ParseDuration("6h"), hours(6));
  EXPECT_EQ(*ParseDuration("2d"), hours(48));
  EXPECT_EQ(*ParseDuration("1h30m"), minutes(90));
  EXPECT_EQ(*ParseDuration("0s"), seconds(0));
  for (const char* bad : {"", "h", "-1h", "1x", "1h30", "1.5h", "99999999999999d"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
  EXPECT_EQ(FormatDuration(hours(5) + minutes(59) + seconds(3)), "5h 59m");
  EXPECT_EQ(FormatDuration(hours(30)), "1d 6h");
  EXPECT_EQ(FormatDuration(seconds(-123)), "-2m 3s");
  EXPECT_EQ(FormatDuration(seconds(45)), "45s");
  EXPECT_EQ(FormatTime(Clock::from_time_t(1735689600)), "2025-01-01T00:00:00Z");
}

TEST(CertHelpersTest, RenewalDecision) {
  const auto t0 = Clock::from_time_t(1735689600);
  const auto t1 = t0 + hours(24);
  auto c = CheckRenewal(t0, t1, t0 + hours(17), hours(6));
  EXPECT_EQ(c.time_left, hours(7));
  EXPECT_EQ(c.threshold, hours(6));
  EXPECT_FALSE(c.due);
  c = CheckRenewal(t0, t1, t0 + hours(18), hours(6));  // exactly 6 h left: not yet
  EXPECT_FALSE(c.due);
  c = CheckRenewal(t0, t1, t0 + hours(18) + seconds(1), hours(6));
  EXPECT_TRUE(c.due);
  EXPECT_EQ(c.time_left, hours(6) - seconds(1));
  c = CheckRenewal(t0, t1, t1 + minutes(5), hours(6));  // expired
  EXPECT_TRUE(c.due);
  EXPECT_EQ(c.time_left, -minutes(5));
  // A 1 h certificate with --before 6h renews at its midpoint, not on every check.
  const auto short_end = t0 + hours(1);
  c = CheckRenewal(t0, short_end, t0 + minutes(10), hours(6));
  EXPECT_EQ(c.threshold, minutes(30));
  EXPECT_FALSE(c.due);
  EXPECT_TRUE(CheckRenewal(t0, short_end, t0 + minutes(31), hours(6)).due);
  EXPECT_FALSE(CheckRenewal(t0, t1, t0, seconds(0)).due);
}

// ---- keys and certificate files ----

int Mode(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

bool WriteText(const std::string& path, const std::string& text, int mode = 0600) {
  std::ofstream(path) << text;
  return ::chmod(path.c_str(), static_cast<mode_t>(mode)) == 0;
}

std::string ReadText(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(CertKeysTest, WriteLoadAndSignRevocation) {
  net::testing::TempDir dir;
  const base::Bytes msg = RevocationMessage(base::Bytes{0x42, 0x01}, 1);
  for (LeafKeyType type : {LeafKeyType::kP256, LeafKeyType::kEd25519}) {
    const LeafKey key = GenerateLeafKey(type);
    const std::string path = dir.path() + (type == LeafKeyType::kP256 ? "/p256.key" : "/ed.key");
    ASSERT_TRUE(WriteLeafKey(path, key).ok());
    EXPECT_EQ(Mode(path), 0600);
    EXPECT_NE(ReadText(path).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
    auto loaded = LoadLeafKey(path);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ(loaded->type, type);
    const base::Bytes spki = SpkiDer(key.pkey.get());
    EXPECT_EQ(SpkiDer(loaded->pkey.get()), spki);

    auto sig = SignWithLeafKey(*loaded, msg);
    ASSERT_TRUE(sig.ok());
    base::Bytes tampered = msg;
    tampered.back() = 4;
    if (type == LeafKeyType::kP256) {
      auto pub = crypto::EcdsaP256PublicKey::FromSpkiDer(spki);
      ASSERT_TRUE(pub.ok());
      EXPECT_TRUE(pub->Verify(msg, *sig).ok());  // DER ECDSA-SHA256
      EXPECT_FALSE(pub->Verify(tampered, *sig).ok());
    } else {
      auto pub = crypto::Ed25519PublicKey::FromSpkiDer(spki);
      ASSERT_TRUE(pub.ok());
      EXPECT_EQ(sig->size(), 64u);
      EXPECT_TRUE(pub->Verify(msg, *sig).ok());  // pure Ed25519
      EXPECT_FALSE(pub->Verify(tampered, *sig).ok());
    }
  }
}

TEST(CertKeysTest, LoadRejectsOpenModesOtherKeysAndGarbage) {
  net::testing::TempDir dir;
  const std::string open_path = dir.path() + "/open.key";
  ASSERT_TRUE(WriteLeafKey(open_path, GenerateLeafKey(LeafKeyType::kP256)).ok());
  ASSERT_EQ(::chmod(open_path.c_str(), 0644), 0);
  auto r = LoadLeafKey(open_path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(open_path), std::string_view::npos) << r.status().message();

  EVP_PKEY* p384 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  ASSERT_NE(p384, nullptr);
  const std::string p384_path = dir.path() + "/p384.key";
  ASSERT_TRUE(WriteLeafKey(p384_path, LeafKey{crypto::EvpPkeyPtr(p384), LeafKeyType::kP256}).ok());
  r = LoadLeafKey(p384_path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("secp384r1"), std::string_view::npos) << r.status().message();

  const std::string junk = dir.path() + "/junk.key";
  ASSERT_TRUE(WriteText(junk, "not a key\n"));
  EXPECT_FALSE(LoadLeafKey(junk).ok());
  EXPECT_FALSE(LoadLeafKey(dir.path() + "/missing.key").ok());
}

TEST(CertFilesTest, ParsesLeafNamesSerialAndTimes) {
  auto tc = net::testing::MakeSelfSignedCert({"a.hypermesh", "b.hypermesh"}, {"::1", "fd00::2"});
  ASSERT_TRUE(tc.ok());
  // A chain after the leaf is ignored.
  auto other = net::testing::MakeSelfSignedCert({"ca"}, {});
  auto cert = ParseLeafCertPem(tc->cert_pem + other->cert_pem);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(cert->dns_names, (std::vector<std::string>{"a.hypermesh", "b.hypermesh"}));
  EXPECT_EQ(cert->ip_addresses, (std::vector<std::string>{"::1", "fd00::2"}));
  EXPECT_FALSE(cert->serial.empty());
  EXPECT_NE(cert->serial[0], 0);  // minimal
  EXPECT_EQ(std::chrono::duration_cast<hours>(cert->not_after - cert->not_before), hours(24));
  EXPECT_FALSE(cert->falcon_public_key.has_value());
  net::testing::TempDir dir;
  const std::string key_path = dir.path() + "/k.pem";
  ASSERT_TRUE(WriteText(key_path, tc->key_pem));
  auto key = LoadLeafKey(key_path);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(SpkiDer(key->pkey.get()), cert->spki_der);

  EXPECT_FALSE(ParseLeafCertPem("garbage").ok());
  EXPECT_FALSE(
      ParseLeafCertPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").ok());
}

// ---- the commands against a fake node ----

// A root CA (with a Falcon key, so leaves may be hybrid) made once per test binary.
const trustchain::ca::IssuingCa& TestCa() {
  static const trustchain::ca::IssuingCa* ca = [] {
    base::SeededRandom random(99);
    auto falcon = crypto::falcon::KeyGen(crypto::falcon::Variant::kFalcon1024, random);
    EXPECT_TRUE(falcon.ok());
    auto sk =
        crypto::falcon::SigningKey::Load(crypto::falcon::Variant::kFalcon1024, falcon->secret_key);
    EXPECT_TRUE(sk.ok());
    trustchain::ca::FalconKey fk{std::move(sk).value(), falcon->public_key};
    auto key = crypto::EcdsaP256PrivateKey::Generate();
    trustchain::ca::CaCertOptions o{.common_name = "Test Root",
                                    .serial = base::Bytes{0x01},
                                    .not_before = Clock::now() - hours(1)};
    auto der = trustchain::ca::CreateRootCertificate(key, fk, o, random);
    EXPECT_TRUE(der.ok()) << der.status().ToString();
    auto made = trustchain::ca::IssuingCa::Create(*der, std::move(key), std::move(fk));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return new trustchain::ca::IssuingCa(std::move(made).value());
  }();
  return *ca;
}

struct Record {
  std::string pem;
  bool revoked = false;
  std::string reason;
  uint64_t leaf_index = 0;
};

// Implements the issue / show / revoke routes of docs/spec/trustchain-api.md in memory.
class FakeNode {
 public:
  static constexpr char kAdminToken[] = "s3cret-admin-token";

  void Register(api::Router& router) {
    ASSERT_TRUE(router
                    .Add("POST", "/api/v1/certificates/issue",
                         [this](const api::Request& r) { return Issue(r); })
                    .ok());
    ASSERT_TRUE(router
                    .Add("GET", "/api/v1/certificates/{serial}",
                         [this](const api::Request& r) { return Show(r); })
                    .ok());
    ASSERT_TRUE(router
                    .Add("POST", "/api/v1/certificates/{serial}/revoke",
                         [this](const api::Request& r) { return Revoke(r); })
                    .ok());
  }

  json last_issue_body() {
    std::lock_guard lock(mu_);
    return last_issue_body_;
  }
  Record Get(const std::string& serial_hex) {
    std::lock_guard lock(mu_);
    return records_.count(serial_hex) != 0 ? records_[serial_hex] : Record{};
  }

 private:
  api::Response Issue(const api::Request& r) {
    json body = json::parse(r.body, nullptr, false);
    if (!body.is_object() || !body.contains("csr")) {
      return api::ErrorResponse(base::InvalidArgument("no csr"));
    }
    auto csr = trustchain::ca::ParseCsrPem(body["csr"].get<std::string>());
    if (!csr.ok()) return api::ErrorResponse(csr.status());
    trustchain::ca::LeafOptions o;
    o.serial.resize(16);
    random_.Fill(o.serial);
    o.serial[0] = static_cast<uint8_t>((o.serial[0] & 0x7f) | 0x10);
    o.not_before = Clock::now() - minutes(1);
    o.validity = hours(body.value("validity_hours", 24));
    o.ocsp_url = "https://[::1]:8443/ocsp";
    o.ca_issuers_url = "https://[::1]:8443/ca/issuing.der";
    o.crl_url = "https://[::1]:8443/ca/crl.der";
    o.policy.allow_any = true;
    auto leaf = trustchain::ca::IssueLeaf(TestCa(), *csr, o, {}, random_);
    if (!leaf.ok()) return api::ErrorResponse(leaf.status());
    std::lock_guard lock(mu_);
    last_issue_body_ = body;
    const std::string hex = base::HexEncode(o.serial);
    const uint64_t index = records_.size();
    records_[hex] = Record{leaf->pem, false, "", index};
    return api::Response::Json(200,
                               json{{"serial", hex},
                                    {"not_after", "2030-01-01T00:00:00Z"},
                                    {"certificate", leaf->pem},
                                    {"chain", TestCa().CertPem()},
                                    {"hybrid", csr->falcon_public_key.has_value()},
                                    {"ct", {{"leaf_index", index}, {"tree_size", index + 1}}}});
  }

  api::Response Show(const api::Request& r) {
    std::lock_guard lock(mu_);
    auto it = records_.find(std::string(r.PathParam("serial")));
    if (it == records_.end()) return api::ErrorResponse(base::NotFound("unknown serial"));
    json j{{"serial", it->first},
           {"status", it->second.revoked ? "revoked" : "good"},
           {"not_after", "2030-01-01T00:00:00Z"},
           {"certificate", it->second.pem},
           {"ct_leaf_index", it->second.leaf_index}};
    if (it->second.revoked) {
      j["revoked_at"] = "2029-01-01T00:00:00Z";
      j["reason"] = it->second.reason;
    }
    return api::Response::Json(200, j);
  }

  api::Response Revoke(const api::Request& r) {
    const std::string hex(r.PathParam("serial"));
    json body = json::parse(r.body, nullptr, false);
    const std::string reason_name = body.value("reason", "unspecified");
    auto reason = ParseRevocationReason(reason_name);
    if (!reason.ok()) return api::ErrorResponse(reason.status());
    std::lock_guard lock(mu_);
    auto it = records_.find(hex);
    if (it == records_.end()) return api::ErrorResponse(base::NotFound("unknown serial"));
    if (r.HasHeader("Authorization")) {
      if (r.Header("Authorization") != std::string("Bearer ") + kAdminToken) {
        return api::ErrorResponse(base::PermissionDenied("wrong admin token"));
      }
    } else {
      if (!body.contains("signature")) return api::ErrorResponse(base::Unauthenticated("none"));
      auto sig = base::Base64Decode(body["signature"].get<std::string>());
      auto cert = ParseLeafCertPem(it->second.pem);
      if (!sig.ok() || !cert.ok() ||
          !VerifyBySpki(cert->spki_der, RevocationMessage(*base::HexDecode(hex), *reason), *sig)) {
        return api::ErrorResponse(base::PermissionDenied("signature is not by the cert's key"));
      }
    }
    if (it->second.revoked) return api::ErrorResponse(base::FailedPrecondition("already"));
    it->second.revoked = true;
    it->second.reason = reason_name;
    return api::Response::Json(200, json{{"serial", hex},
                                         {"status", "revoked"},
                                         {"revoked_at", "2029-01-01T00:00:00Z"},
                                         {"reason", reason_name}});
  }

  static bool VerifyBySpki(const base::Bytes& spki, const base::Bytes& msg,
                           const base::Bytes& sig) {
    if (auto ec = crypto::EcdsaP256PublicKey::FromSpkiDer(spki); ec.ok()) {
      return ec->Verify(msg, sig).ok();
    }
    auto ed = crypto::Ed25519PublicKey::FromSpkiDer(spki);
    return ed.ok() && ed->Verify(msg, sig).ok();
  }

  std::mutex mu_;
  base::SeededRandom random_{1234};
  std::map<std::string, Record> records_;
  json last_issue_body_;
};

class CertCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tls_cert = net::testing::MakeSelfSignedCert({"localhost"}, {"::1"});
    ASSERT_TRUE(tls_cert.ok());
    auto files = net::testing::WriteCertFiles(tls_dir_, *tls_cert);
    ASSERT_TRUE(files.ok());
    auto tls = net::MakeServerTlsContext(files->cert_path, files->key_path);
    ASSERT_TRUE(tls.ok()) << tls.status().ToString();
    ASSERT_TRUE(loop_.Start().ok());
    node_.Register(router_);
    api::HttpServerOptions options;
    options.listen_port = 0;
    options.handler_threads = 1;
    server_ = std::make_unique<api::HttpServer>(options, loop_, *tls, router_, metrics_);
    ASSERT_TRUE(server_->Start().ok());
    node_addr_ = "[::1]:" + std::to_string(server_->port());
    cacert_ = files->cert_path;
  }
  void TearDown() override {
    server_.reset();
    loop_.Stop();
  }

  // Runs `hm --node <fake> --cacert <its cert> <args...>` in-process; returns the exit code.
  int Hm(std::vector<std::string> args) {
    GlobalFlags flags;
    int exit_code = 0;
    CLI::App app{"hm"};
    app.require_subcommand(1);
    app.add_option("--node", flags.node);
    app.add_option("--cacert", flags.cacert);
    app.add_flag("--json", flags.json);
    AddCertCommands(app, flags, exit_code);
    args.insert(args.begin(), {"hm", "--node", node_addr_, "--cacert", cacert_});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      return app.exit(e) == 0 ? 0 : 2;
    }
    return exit_code;
  }

  std::string P(const std::string& name) const { return dir_.path() + "/" + name; }

  LeafCert Cert(const std::string& name) {
    auto c = ParseLeafCertPem(ReadText(P(name)));
    EXPECT_TRUE(c.ok()) << name << ": " << c.status().ToString();
    return c.ok() ? *c : LeafCert{};
  }

  net::testing::TempDir tls_dir_;
  net::testing::TempDir dir_;
  net::EventLoop loop_{"hm-io", 1};
  api::Router router_;
  base::MetricsRegistry metrics_;
  FakeNode node_;
  std::unique_ptr<api::HttpServer> server_;
  std::string node_addr_, cacert_;
};

TEST_F(CertCommandsTest, IssueCreatesKeyThenReusesIt) {
  ASSERT_EQ(Hm({"cert", "issue", "--name", "svc.hypermesh", "--name", "api.svc.hypermesh", "--ip",
                "::1", "--out", P("cert.pem"), "--chain-out", P("chain.pem")}),
            0);
  EXPECT_EQ(Mode(P("cert.key")), 0600);
  EXPECT_EQ(Mode(P("cert.pem")), 0644);
  const LeafCert first = Cert("cert.pem");
  EXPECT_EQ(first.dns_names, (std::vector<std::string>{"svc.hypermesh", "api.svc.hypermesh"}));
  EXPECT_EQ(first.ip_addresses, std::vector<std::string>{"::1"});
  EXPECT_FALSE(first.falcon_public_key.has_value());
  EXPECT_EQ(ReadText(P("chain.pem")), TestCa().CertPem());
  auto key = LoadLeafKey(P("cert.key"));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->type, LeafKeyType::kP256);
  EXPECT_EQ(SpkiDer(key->pkey.get()), first.spki_der);
  EXPECT_FALSE(node_.last_issue_body().contains("validity_hours"));
  EXPECT_EQ(node_.Get(SerialHex(first.serial)).pem, ReadText(P("cert.pem")));

  // The existing key is used again; a conflicting --key-type is a usage error.
  ASSERT_EQ(Hm({"cert", "issue", "--name", "svc.hypermesh", "--out", P("cert2.pem"), "--key",
                P("cert.key")}),
            0);
  EXPECT_EQ(Cert("cert2.pem").spki_der, first.spki_der);
  EXPECT_NE(Cert("cert2.pem").serial, first.serial);
  EXPECT_EQ(Hm({"cert", "issue", "--name", "svc.hypermesh", "--out", P("cert3.pem"), "--key",
                P("cert.key"), "--key-type", "ed25519"}),
            2);
}

TEST_F(CertCommandsTest, IssuesHybridEd25519WithValidity) {
  ASSERT_EQ(Hm({"--json", "cert", "issue", "--name", "pq.hypermesh", "--key-type", "ed25519",
                "--falcon", "--validity-hours", "2", "--out", P("pq.pem"), "--key", P("pq.key")}),
            0);
  EXPECT_EQ(node_.last_issue_body().value("validity_hours", 0), 2);
  const LeafCert cert = Cert("pq.pem");
  EXPECT_EQ(std::chrono::duration_cast<hours>(cert.not_after - cert.not_before), hours(2));
  EXPECT_EQ(Mode(P("pq.key.falcon.pem")), 0600);
  auto falcon_file = crypto::ReadSecretFile(P("pq.key.falcon.pem"));
  ASSERT_TRUE(falcon_file.ok());
  auto sk = crypto::hybrid::SecretKeyFromPem(crypto::hybrid::Algorithm::kFalcon1024,
                                             base::AsString(*falcon_file));
  ASSERT_TRUE(sk.ok()) << sk.status().ToString();
  auto pk = crypto::hybrid::PublicKeyFromSecretKey(crypto::hybrid::Algorithm::kFalcon1024, *sk);
  ASSERT_TRUE(pk.ok());
  ASSERT_TRUE(cert.falcon_public_key.has_value());
  EXPECT_EQ(*cert.falcon_public_key, *pk);
  EXPECT_EQ(LoadLeafKey(P("pq.key"))->type, LeafKeyType::kEd25519);

  // Renewal keeps the key, the names and the Falcon key.
  ASSERT_EQ(Hm({"cert", "renew", "--cert", P("pq.pem"), "--key", P("pq.key")}), 0);
  const LeafCert renewed = Cert("pq.pem");
  EXPECT_NE(renewed.serial, cert.serial);
  EXPECT_EQ(renewed.spki_der, cert.spki_der);
  EXPECT_EQ(renewed.dns_names, cert.dns_names);
  EXPECT_EQ(renewed.falcon_public_key, cert.falcon_public_key);
}

TEST_F(CertCommandsTest, RenewIfNeededAndKeyMismatch) {
  ASSERT_EQ(Hm({"cert", "issue", "--name", "r.hypermesh", "--ip", "fd00::1", "--out", P("r.pem")}),
            0);
  const LeafCert before = Cert("r.pem");
  // 24 h left, renewal due below 6 h: nothing happens.
  ASSERT_EQ(Hm({"cert", "renew", "--cert", P("r.pem"), "--key", P("r.key"), "--if-needed"}), 0);
  EXPECT_EQ(Cert("r.pem").serial, before.serial);
  // Due below 23 h 59 m 59 s... capped at half the lifetime (12 h), so still not due.
  ASSERT_EQ(Hm({"cert", "renew", "--cert", P("r.pem"), "--key", P("r.key"), "--if-needed",
                "--before", "2d"}),
            0);
  EXPECT_EQ(Cert("r.pem").serial, before.serial);
  ASSERT_EQ(Hm({"cert", "renew", "--cert", P("r.pem"), "--key", P("r.key"), "--chain-out",
                P("r.chain.pem")}),
            0);
  const LeafCert after = Cert("r.pem");
  EXPECT_NE(after.serial, before.serial);
  EXPECT_EQ(after.ip_addresses, std::vector<std::string>{"fd00::1"});
  EXPECT_EQ(ReadText(P("r.chain.pem")), TestCa().CertPem());

  ASSERT_EQ(Hm({"cert", "issue", "--name", "other.hypermesh", "--out", P("o.pem")}), 0);
  EXPECT_EQ(Hm({"cert", "renew", "--cert", P("r.pem"), "--key", P("o.key")}), 2);
  EXPECT_EQ(Hm({"cert", "renew", "--cert", P("r.pem"), "--key", P("r.key"), "--before", "6x"}), 2);
  EXPECT_EQ(Hm({"cert", "renew", "--cert", P("missing.pem"), "--key", P("r.key")}), 2);
}

TEST_F(CertCommandsTest, RevokeWithOwnKeyAndShow) {
  ASSERT_EQ(Hm({"cert", "issue", "--name", "v.hypermesh", "--out", P("v.pem")}), 0);
  ASSERT_EQ(
      Hm({"cert", "issue", "--name", "w.hypermesh", "--out", P("w.pem"), "--key-type", "ed25519"}),
      0);
  const std::string v = SerialHex(Cert("v.pem").serial);
  EXPECT_EQ(Hm({"cert", "show", v}), 0);
  EXPECT_EQ(Hm({"cert", "show", "--cert", P("v.pem")}), 0);
  // Another certificate's key is caught before anything is sent.
  EXPECT_EQ(Hm({"cert", "revoke", "--cert", P("v.pem"), "--key", P("w.key")}), 2);
  EXPECT_FALSE(node_.Get(v).revoked);

  ASSERT_EQ(Hm({"cert", "revoke", "--cert", P("v.pem"), "--key", P("v.key"), "--reason",
                "keyCompromise"}),
            0);
  EXPECT_TRUE(node_.Get(v).revoked);  // the fake node verified the ECDSA signature
  EXPECT_EQ(node_.Get(v).reason, "keyCompromise");
  EXPECT_EQ(Hm({"cert", "revoke", "--cert", P("v.pem"), "--key", P("v.key")}), 1);  // 409

  ASSERT_EQ(Hm({"cert", "revoke", "--cert", P("w.pem"), "--key", P("w.key"), "--reason", "4"}), 0);
  const std::string w = SerialHex(Cert("w.pem").serial);
  EXPECT_TRUE(node_.Get(w).revoked);  // Ed25519 signature verified
  EXPECT_EQ(node_.Get(w).reason, "superseded");
  EXPECT_EQ(Hm({"cert", "show", "7f00"}), 1);  // unknown serial: 404
}

TEST_F(CertCommandsTest, RevokeWithAdminToken) {
  ASSERT_EQ(Hm({"cert", "issue", "--name", "a.hypermesh", "--out", P("a.pem")}), 0);
  const std::string serial = SerialHex(Cert("a.pem").serial);
  std::string upper = serial;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_TRUE(WriteText(P("bad.token"), "wrong\n"));
  EXPECT_EQ(Hm({"cert", "revoke", "--serial", upper, "--admin-token-file", P("bad.token")}), 1);
  EXPECT_FALSE(node_.Get(serial).revoked);
  ASSERT_TRUE(WriteText(P("admin.token"), std::string(FakeNode::kAdminToken) + "\n", 0644));
  EXPECT_EQ(Hm({"cert", "revoke", "--serial", upper, "--admin-token-file", P("admin.token")}),
            2);  // token file readable by others
  ASSERT_EQ(::chmod(P("admin.token").c_str(), 0600), 0);
  ASSERT_EQ(Hm({"cert", "revoke", "--serial", upper, "--admin-token-file", P("admin.token"),
                "--reason", "cessationOfOperation"}),
            0);
  EXPECT_TRUE(node_.Get(serial).revoked);
  EXPECT_EQ(node_.Get(serial).reason, "cessationOfOperation");
}

TEST_F(CertCommandsTest, UsageErrorsExitTwoAndWriteNothing) {
  EXPECT_EQ(Hm({"cert", "issue", "--name", "x.hypermesh"}), 2);  // no --out
  EXPECT_EQ(Hm({"cert", "issue", "--out", P("x.pem")}), 2);      // no name
  EXPECT_EQ(Hm({"cert", "issue", "--name", "x.hypermesh", "--ip", "10.0.0.1", "--out", P("x.pem")}),
            2);
  EXPECT_EQ(Hm({"cert", "issue", "--name", "bad name", "--out", P("x.pem")}), 2);
  EXPECT_EQ(
      Hm({"cert", "issue", "--name", "x.hypermesh", "--key-type", "rsa", "--out", P("x.pem")}), 2);
  EXPECT_EQ(
      Hm({"cert", "issue", "--name", "x.hypermesh", "--validity-hours", "0", "--out", P("x.pem")}),
      2);
  EXPECT_EQ(Hm({"cert", "issue", "--name", "x.hypermesh", "--out", P("nodir/x.pem")}), 2);
  EXPECT_EQ(Mode(P("x.key")), -1);
  EXPECT_EQ(Mode(P("x.pem")), -1);
  EXPECT_EQ(Hm({"cert", "revoke", "--serial", "01"}), 2);  // no authorisation
  EXPECT_EQ(Hm({"cert", "revoke", "--serial", "01", "--key", P("k")}), 2);
  EXPECT_EQ(Hm({"cert", "revoke", "--serial", "zz", "--admin-token-file", P("t")}), 2);
  EXPECT_EQ(Hm({"cert", "show"}), 2);
  EXPECT_EQ(Hm({"cert", "show", "01", "--cert", P("x.pem")}), 2);
  EXPECT_EQ(Hm({"cert", "frobnicate"}), 2);
}

TEST_F(CertCommandsTest, NodeFailuresExitOne) {
  node_addr_ = "[::1]:1";  // nothing listens there
  EXPECT_EQ(Hm({"cert", "issue", "--name", "x.hypermesh", "--out", P("x.pem")}), 1);
  EXPECT_EQ(Mode(P("x.key")), 0600);  // the key is kept for the next attempt
  EXPECT_EQ(Mode(P("x.pem")), -1);
  EXPECT_EQ(Hm({"cert", "show", "01"}), 1);
}

}  // namespace
}  // namespace hm::cli
