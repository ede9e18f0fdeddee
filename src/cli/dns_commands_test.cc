// Tests for `hm dns`: the change body (it must be what the node rebuilds and the dns module
// verifies), the resolve target, and the argument checks, which must fail with exit 2 before
// anything is sent. The commands run against an address where nothing listens, so an argument
// set that passes the checks shows up as exit 1; the real node is the system test's business.
#include "cli/dns_commands.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fstream>

#include "crypto/ossl_ptr.h"
#include "net/test_certs.h"
#include "trustchain/ca/ca_module.h"
#include "trustchain/dns/registry/dns_module.h"
#include "trustchain/dns/registry/rdata_text.h"

namespace hm::cli {
namespace {

namespace dns = trustchain::dns;
using nlohmann::json;

constexpr uint64_t kTimestampMs = 1763719200000;

// A self-signed certificate for `key` with the given dNSNames: enough for the client, which only
// reads the serial, the names and the public key.
std::string SelfSignedPem(const LeafKey& key, const std::vector<std::string>& names) {
  crypto::OsslPtr<X509, X509_free> x(X509_new());
  EXPECT_TRUE(x);
  EXPECT_EQ(X509_set_version(x.get(), 2), 1);
  EXPECT_EQ(ASN1_INTEGER_set_uint64(X509_get_serialNumber(x.get()), 0x5a0c0123456789ULL), 1);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
  EXPECT_EQ(X509_set_pubkey(x.get(), key.pkey.get()), 1);
  X509_NAME* subject = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(names.front().c_str()), -1, -1,
                             0);
  X509_set_issuer_name(x.get(), subject);
  std::string san;
  for (const auto& n : names) san += (san.empty() ? "DNS:" : ",DNS:") + n;
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
  EXPECT_NE(ext, nullptr);
  X509_add_ext(x.get(), ext, -1);
  X509_EXTENSION_free(ext);
  const EVP_MD* md = key.type == LeafKeyType::kEd25519 ? nullptr : EVP_sha256();
  EXPECT_GT(X509_sign(x.get(), key.pkey.get(), md), 0);
  crypto::OsslPtr<BIO, BIO_free_all> bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_X509(bio.get(), x.get()), 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

LeafCert MakeCert(const LeafKey& key, const std::vector<std::string>& names) {
  auto cert = ParseLeafCertPem(SelfSignedPem(key, names));
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  return cert.ok() ? *cert : LeafCert{};
}

dns::ChangeRequest Request(dns::ChangeOp op, std::string name, const char* type, uint32_t ttl,
                           std::vector<std::string> records) {
  dns::ChangeRequest r;
  r.op = op;
  r.name = std::move(name);
  r.type = *dns::ParseRrType(type);
  r.ttl = ttl;
  r.records = std::move(records);
  return r;
}

// What the node does with a signed body (dns_service.cc ParseChange, without the HTTP layer):
// rebuild the change from the JSON fields and fill authority 1, the time and the serial.
base::Result<dns::RrsetChange> NodeView(const json& body) {
  dns::ChangeRequest r;
  const std::string op = body.at("op").get<std::string>();
  r.op = op == "add"      ? dns::ChangeOp::kAdd
         : op == "delete" ? dns::ChangeOp::kDelete
                          : dns::ChangeOp::kReplace;
  EXPECT_TRUE(op == "replace" || op == "add" || op == "delete") << op;
  r.name = body.at("name").get<std::string>();
  HM_ASSIGN_OR_RETURN(r.type, dns::ParseRrType(body.at("type").get<std::string>()));
  r.ttl = body.at("ttl").get<uint32_t>();
  r.records = body.at("records").get<std::vector<std::string>>();
  HM_ASSIGN_OR_RETURN(dns::RrsetChange change, dns::BuildChange(r));
  change.authority = dns::ChangeAuthority::kCertificateKey;
  change.timestamp_ms = body.at("timestamp_ms").get<uint64_t>();
  HM_ASSIGN_OR_RETURN(change.serial,
                      trustchain::ca::ParseSerialHex(body.at("serial").get<std::string>()));
  HM_ASSIGN_OR_RETURN(change.signature,
                      base::Base64Decode(body.at("signature").get<std::string>()));
  return change;
}

// The dns module's check (dns_module.cc): the signature under the certificate's key.
base::Status ModuleVerifies(const LeafCert& cert, const dns::RrsetChange& change) {
  return trustchain::ca::VerifyByCertificateKey(cert.der, change.SigningMessage(),
                                                change.signature);
}

// ---- the change body ----

TEST(DnsChangeBodyTest, SignedBodyVerifiesAsTheNodeRebuildsIt) {
  for (LeafKeyType type : {LeafKeyType::kP256, LeafKeyType::kEd25519}) {
    SCOPED_TRACE(type == LeafKeyType::kP256 ? "P-256" : "Ed25519");
    const LeafKey key = GenerateLeafKey(type);
    const LeafCert cert = MakeCert(key, {"app.hypermesh"});
    const ChangeSigner signer{key, cert, kTimestampMs};
    const std::vector<std::string> records = {"2001:db8::1", "2001:DB8:0::2"};
    auto body = BuildChangeBody(
        Request(dns::ChangeOp::kReplace, "App.Hypermesh.", "aaaa", 60, records), &signer);
    ASSERT_TRUE(body.ok()) << body.status().ToString();
    EXPECT_EQ(body->at("op"), "replace");
    EXPECT_EQ(body->at("name"), "app.hypermesh");  // canonical, as signed
    EXPECT_EQ(body->at("type"), "AAAA");
    EXPECT_EQ(body->at("ttl"), 60);
    EXPECT_EQ(body->at("records").get<std::vector<std::string>>(), records);  // as typed
    EXPECT_EQ(body->at("timestamp_ms"), kTimestampMs);
    EXPECT_EQ(body->at("serial"), "5a0c0123456789");
    EXPECT_EQ(body->at("serial"), SerialHex(cert.serial));

    // Round-trips through the text the client sends, as the node receives it.
    auto change = NodeView(json::parse(body->dump()));
    ASSERT_TRUE(change.ok()) << change.status().ToString();
    EXPECT_EQ(change->rdatas.size(), 2u);
    EXPECT_EQ(change->serial, cert.serial);
    EXPECT_TRUE(ModuleVerifies(cert, *change).ok());

    // Any field the node reads differently breaks the signature.
    for (const char* field : {"ttl", "timestamp_ms", "records", "op"}) {
      json tampered = *body;
      if (std::string_view(field) == "ttl") tampered["ttl"] = 61;
      if (std::string_view(field) == "timestamp_ms") tampered["timestamp_ms"] = kTimestampMs + 1;
      if (std::string_view(field) == "records") tampered["records"] = {"2001:db8::1"};
      if (std::string_view(field) == "op") tampered["op"] = "add";
      auto other = NodeView(tampered);
      ASSERT_TRUE(other.ok()) << field;
      EXPECT_FALSE(ModuleVerifies(cert, *other).ok()) << field;
    }
    // Another certificate's key does not verify either.
    const LeafKey stranger = GenerateLeafKey(type);
    EXPECT_FALSE(ModuleVerifies(MakeCert(stranger, {"app.hypermesh"}), *change).ok());
  }
}

TEST(DnsChangeBodyTest, AddAndDeleteAndSvcbStyleRecordsSign) {
  const LeafKey key = GenerateLeafKey(LeafKeyType::kP256);
  const LeafCert cert = MakeCert(key, {"*.svc.hypermesh"});
  const ChangeSigner signer{key, cert, kTimestampMs};
  const std::vector<dns::ChangeRequest> requests = {
      Request(dns::ChangeOp::kAdd, "api.svc.hypermesh", "HTTPS", 300,
              {"1 . alpn=h3,stoq port=8443"}),
      Request(dns::ChangeOp::kAdd, "api.svc.hypermesh", "TXT", 300, {"\"hello world\""}),
      Request(dns::ChangeOp::kDelete, "api.svc.hypermesh", "HTTPS", 300, {}),
  };
  for (const auto& request : requests) {
    auto body = BuildChangeBody(request, &signer);
    ASSERT_TRUE(body.ok()) << body.status().ToString();
    if (request.op == dns::ChangeOp::kDelete) {
      EXPECT_EQ(body->at("op"), "delete");
      EXPECT_EQ(body->at("ttl"), 0);  // what a delete signs, whatever --ttl said
      EXPECT_TRUE(body->at("records").empty());
    } else {
      EXPECT_EQ(body->at("op"), "add");
    }
    auto change = NodeView(json::parse(body->dump()));
    ASSERT_TRUE(change.ok()) << change.status().ToString();
    EXPECT_EQ(change->op, request.op);
    EXPECT_TRUE(ModuleVerifies(cert, *change).ok()) << body->dump();
  }
}

TEST(DnsChangeBodyTest, AdminBodyCarriesNoCredentials) {
  auto body = BuildChangeBody(
      Request(dns::ChangeOp::kReplace, "app.hypermesh", "A", 300, {"192.0.2.1"}), nullptr);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(*body, (json{{"op", "replace"},
                         {"name", "app.hypermesh"},
                         {"type", "A"},
                         {"ttl", 300},
                         {"records", {"192.0.2.1"}}}));
}

TEST(DnsChangeBodyTest, InvalidChangesAreUsageErrors) {
  const std::vector<dns::ChangeRequest> bad = {
      Request(dns::ChangeOp::kReplace, "app.hypermesh", "NS", 300, {"ns1.hypermesh."}),
      Request(dns::ChangeOp::kReplace, "app.hypermesh", "AAAA", 300, {"192.0.2.1"}),
      Request(dns::ChangeOp::kReplace, "app.hypermesh", "AAAA", 300, {}),
      Request(dns::ChangeOp::kDelete, "app.hypermesh", "AAAA", 300, {"2001:db8::1"}),
      Request(dns::ChangeOp::kReplace, "app.hypermesh", "CNAME", 300, {"a.hypermesh.", "b."}),
      Request(dns::ChangeOp::kReplace, "bad..name", "AAAA", 300, {"2001:db8::1"}),
      Request(dns::ChangeOp::kReplace, "a.*.hypermesh", "AAAA", 300, {"2001:db8::1"}),
  };
  for (const auto& request : bad) {
    auto body = BuildChangeBody(request, nullptr);
    ASSERT_FALSE(body.ok()) << request.name << " " << request.records.size();
    EXPECT_EQ(body.status().code(), base::Code::kInvalidArgument) << body.status().ToString();
  }
}

TEST(DnsResolveTargetTest, NameIsOnePercentEncodedSegment) {
  EXPECT_EQ(ResolveTarget("app.hypermesh", "AAAA"), "/api/v1/dns/resolve/app.hypermesh?type=AAAA");
  EXPECT_EQ(ResolveTarget("_8443._https.app.hypermesh.", "HTTPS"),
            "/api/v1/dns/resolve/_8443._https.app.hypermesh.?type=HTTPS");
  EXPECT_EQ(ResolveTarget("*.x.hypermesh", "TYPE65"),
            "/api/v1/dns/resolve/%2A.x.hypermesh?type=TYPE65");
  EXPECT_EQ(ResolveTarget("a/b%c d", "A"), "/api/v1/dns/resolve/a%2Fb%25c%20d?type=A");
}

// ---- printing the node's answers ----

TEST(DnsFormatTest, ChangeAnswer) {
  EXPECT_EQ(FormatChangeAnswer(json{{"name", "app.hypermesh"},
                                    {"type", "AAAA"},
                                    {"op", "replace"},
                                    {"ttl", 300},
                                    {"records", {"2001:db8::1", "2001:db8::2"}},
                                    {"serial", 17},
                                    {"height", 42}}),
            "name        app.hypermesh\n"
            "type        AAAA\n"
            "ttl         300\n"
            "records     2001:db8::1\n"
            "            2001:db8::2\n"
            "zone serial 17\n"
            "height      42\n");
  // A deletion: no ttl, no records.
  EXPECT_EQ(FormatChangeAnswer(json{{"name", "app.hypermesh"},
                                    {"type", "TXT"},
                                    {"op", "delete"},
                                    {"records", json::array()},
                                    {"serial", 18},
                                    {"height", 43}}),
            "name        app.hypermesh\n"
            "type        TXT\n"
            "ttl         -\n"
            "records     (none)\n"
            "zone serial 18\n"
            "height      43\n");
  // Whatever the shape, no abort.
  EXPECT_NE(FormatChangeAnswer(json::array({1, 2})).find("records     (none)"), std::string::npos);
  EXPECT_NE(FormatChangeAnswer(json{{"records", "x"}}).find("(none)"), std::string::npos);
}

TEST(DnsFormatTest, ResolveAnswerIsDigLike) {
  const json soa = {{"name", "hypermesh."},
                    {"type", "SOA"},
                    {"ttl", 3600},
                    {"data", "ns1.hypermesh. hostmaster.hypermesh. 17 3600 600 86400 300"}};
  EXPECT_EQ(
      FormatResolveAnswer(json{
          {"name", "app.hypermesh."},
          {"type", "AAAA"},
          {"rcode", "NOERROR"},
          {"authoritative", true},
          {"serial", 17},
          {"answers",
           {{{"name", "app.hypermesh."}, {"type", "AAAA"}, {"ttl", 300}, {"data", "2001:db8::1"}}}},
          {"authority", json::array()}}),
      ";; app.hypermesh. AAAA: NOERROR, authoritative, zone serial 17\n"
      "app.hypermesh. 300 AAAA 2001:db8::1\n");
  EXPECT_EQ(FormatResolveAnswer(json{{"name", "nope.hypermesh."},
                                     {"type", "AAAA"},
                                     {"rcode", "NXDOMAIN"},
                                     {"authoritative", true},
                                     {"serial", 17},
                                     {"answers", json::array()},
                                     {"authority", {soa}}}),
            ";; nope.hypermesh. AAAA: NXDOMAIN, authoritative, zone serial 17\n"
            ";; authority\n"
            "hypermesh. 3600 SOA ns1.hypermesh. hostmaster.hypermesh. 17 3600 600 86400 300\n");
  EXPECT_EQ(FormatResolveAnswer(json{{"rcode", "REFUSED"}, {"authoritative", false}}),
            ";; - -: REFUSED, zone serial -\n");
  EXPECT_EQ(FormatResolveAnswer(json("junk")), ";; - -: -, zone serial -\n");
}

// ---- the commands: argument checks ----

bool WriteText(const std::string& path, const std::string& text, int mode = 0600) {
  std::ofstream(path) << text;
  return ::chmod(path.c_str(), static_cast<mode_t>(mode)) == 0;
}

class DnsCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const LeafKey key = GenerateLeafKey(LeafKeyType::kP256);
    ASSERT_TRUE(WriteText(P("app.pem"), SelfSignedPem(key, {"app.hypermesh"}), 0644));
    ASSERT_TRUE(WriteLeafKey(P("app.key"), key).ok());
    ASSERT_TRUE(WriteLeafKey(P("other.key"), GenerateLeafKey(LeafKeyType::kP256)).ok());
    ASSERT_TRUE(WriteText(P("admin.token"), "s3cret\n"));
  }

  // `hm --node <nothing listens> dns <args...>` in-process; returns the exit code.
  int Hm(std::vector<std::string> args) {
    GlobalFlags flags;
    int exit_code = 0;
    CLI::App app{"hm"};
    app.require_subcommand(1);
    app.add_option("--node", flags.node);
    app.add_option("--cacert", flags.cacert);
    app.add_flag("--json", flags.json);
    AddDnsCommands(app, flags, exit_code);
    args.insert(args.begin(), {"hm", "--node", "[::1]:1", "dns"});
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
  std::vector<std::string> Signed() const {
    return {"--cert", P("app.pem"), "--key", P("app.key")};
  }
  std::vector<std::string> Admin() const { return {"--admin-token-file", P("admin.token")}; }

  static std::vector<std::string> Cat(std::vector<std::string> a,
                                      const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  net::testing::TempDir dir_;
};

TEST_F(DnsCommandsTest, WellFormedCommandsGetAsFarAsTheNode) {
  // Exit 1: every check passed and the (absent) node could not be reached.
  EXPECT_EQ(Hm(Cat({"set", "app.hypermesh", "AAAA", "2001:db8::1", "2001:db8::2"}, Signed())), 1);
  EXPECT_EQ(Hm(Cat({"set", "app.hypermesh", "HTTPS", "1 . alpn=h3,stoq port=8443", "--ttl", "60"},
                   Admin())),
            1);
  EXPECT_EQ(Hm(Cat({"add", "app.hypermesh", "TXT", "\"v=1\""}, Signed())), 1);
  EXPECT_EQ(Hm(Cat({"rm", "app.hypermesh", "TXT"}, Signed())), 1);
  EXPECT_EQ(Hm(Cat({"--json", "rm", "app.hypermesh", "AAAA"}, Admin())), 1);
  EXPECT_EQ(Hm({"get", "app.hypermesh"}), 1);
  EXPECT_EQ(Hm({"get", "*.app.hypermesh", "type65", "--json"}), 1);
}

TEST_F(DnsCommandsTest, AuthorisationFlags) {
  EXPECT_EQ(Hm({"set", "app.hypermesh", "AAAA", "2001:db8::1"}), 2);  // neither
  EXPECT_EQ(Hm(Cat(Cat({"set", "app.hypermesh", "AAAA", "2001:db8::1"}, Signed()), Admin())),
            2);  // both
  EXPECT_EQ(Hm({"set", "app.hypermesh", "AAAA", "2001:db8::1", "--key", P("app.key")}), 2);
  EXPECT_EQ(Hm({"rm", "app.hypermesh", "AAAA", "--cert", P("app.pem")}), 2);
  EXPECT_EQ(Hm(Cat({"rm", "app.hypermesh", "AAAA", "--key", P("app.key")}, Admin())), 2);
}

TEST_F(DnsCommandsTest, BadFilesAreUsageErrors) {
  const std::vector<std::string> set = {"set", "app.hypermesh", "AAAA", "2001:db8::1"};
  EXPECT_EQ(Hm(Cat(set, {"--cert", P("missing.pem"), "--key", P("app.key")})), 2);
  EXPECT_EQ(Hm(Cat(set, {"--cert", P("app.pem"), "--key", P("missing.key")})), 2);
  EXPECT_EQ(Hm(Cat(set, {"--cert", P("app.key"), "--key", P("app.key")})), 2);    // not a cert
  EXPECT_EQ(Hm(Cat(set, {"--cert", P("app.pem"), "--key", P("other.key")})), 2);  // mismatch
  EXPECT_EQ(Hm(Cat(set, {"--admin-token-file", P("missing.token")})), 2);
  ASSERT_TRUE(WriteText(P("open.token"), "s3cret\n", 0644));
  EXPECT_EQ(Hm(Cat(set, {"--admin-token-file", P("open.token")})), 2);  // readable by others
  ASSERT_TRUE(WriteText(P("empty.token"), "\n"));
  EXPECT_EQ(Hm(Cat(set, {"--admin-token-file", P("empty.token")})), 2);
}

TEST_F(DnsCommandsTest, BadNamesTypesRecordsAndTtls) {
  EXPECT_EQ(Hm(Cat({"set", "app.hypermesh", "BOGUS", "2001:db8::1"}, Admin())), 2);
  EXPECT_EQ(Hm(Cat({"set", "app.hypermesh", "NS", "ns1.hypermesh."}, Admin())), 2);
  EXPECT_EQ(Hm(Cat({"set", "app.hypermesh", "AAAA"}, Admin())), 2);  // no records
  EXPECT_EQ(Hm(Cat({"add", "app.hypermesh", "AAAA"}, Signed())), 2);
  EXPECT_EQ(Hm(Cat({"set", "app.hypermesh", "AAAA", "192.0.2.1"}, Admin())), 2);
  EXPECT_EQ(Hm(Cat({"set", "app.hypermesh", "HTTPS", "1 . alpn="}, Admin())), 2);
  EXPECT_EQ(Hm(Cat({"set", "bad..hypermesh", "AAAA", "2001:db8::1"}, Admin())), 2);
  EXPECT_EQ(Hm(Cat({"set", "app.hypermesh", "AAAA", "2001:db8::1", "--ttl", "604801"}, Admin())),
            2);
  EXPECT_EQ(Hm(Cat({"set", "app.hypermesh", "AAAA", "2001:db8::1", "--ttl", "-1"}, Admin())), 2);
  EXPECT_EQ(Hm(Cat({"set", "app.hypermesh", "AAAA", "2001:db8::1", "--ttl", "soon"}, Admin())), 2);
  EXPECT_EQ(Hm(Cat({"rm", "app.hypermesh", "AAAA", "2001:db8::1"}, Admin())), 2);  // records
  EXPECT_EQ(Hm(Cat({"rm", "app.hypermesh", "AAAA", "--ttl", "60"}, Admin())), 2);
  EXPECT_EQ(Hm(Cat({"rm", "app.hypermesh"}, Admin())), 2);  // no type
  EXPECT_EQ(Hm({"get"}), 2);
  EXPECT_EQ(Hm({"get", "app.hypermesh", "BOGUS"}), 2);
  EXPECT_EQ(Hm({"get", "bad..hypermesh"}), 2);
  EXPECT_EQ(Hm({"get", "app.hypermesh", "AAAA", "extra"}), 2);
  EXPECT_EQ(Hm({}), 2);  // `hm dns` alone
  EXPECT_EQ(Hm({"frobnicate"}), 2);
}

TEST_F(DnsCommandsTest, QueryChecksArgumentsBeforeSending) {
  // Exit 1: the checks passed and nothing answered DoQ at [::1]:1 within the timeout.
  EXPECT_EQ(Hm({"query", "app.hypermesh", "--doq", "-k", "--timeout", "0.3"}), 1);
  EXPECT_EQ(Hm({"query", "app.hypermesh", "TXT", "--server", "[::1]:1", "-k", "--timeout", "0.3"}),
            1);
  EXPECT_EQ(Hm({"query", "bad..hypermesh", "-k"}), 2);
  EXPECT_EQ(Hm({"query", "app.hypermesh", "BOGUS", "-k"}), 2);
  EXPECT_EQ(Hm({"query", "app.hypermesh", "--server", "127.0.0.1:8443", "-k"}), 2);
  EXPECT_EQ(Hm({"query", "app.hypermesh", "--server", "[::1]", "-k"}), 2);  // no port
  EXPECT_EQ(Hm({"query", "app.hypermesh", "--timeout", "0", "-k"}), 2);
  EXPECT_EQ(Hm({"query", "app.hypermesh"}), 2);  // no CA and no -k
  EXPECT_EQ(Hm({"query", "app.hypermesh", "--cacert", P("missing.pem")}), 2);
}

TEST(DnsQueryTest, QueryHasIdZeroNoRecursionOneQuestionAndEdns) {
  auto wire = BuildDnsQuery("App.Hypermesh", dns::rrtype::kHttps);
  ASSERT_TRUE(wire.ok()) << wire.status().ToString();
  EXPECT_EQ((*wire)[0], 0);
  EXPECT_EQ((*wire)[1], 0);
  auto m = dns::ParseMessage(*wire);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_FALSE(m->header.qr);
  EXPECT_FALSE(m->header.rd);
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0].name.ToText(), "App.Hypermesh.");
  EXPECT_EQ(m->questions[0].type, dns::rrtype::kHttps);
  EXPECT_EQ(m->questions[0].qclass, dns::kClassIn);
  EXPECT_NE(m->Edns(), nullptr);
  EXPECT_FALSE(BuildDnsQuery("a..b", dns::rrtype::kA).ok());
  EXPECT_FALSE(BuildDnsQuery(std::string(300, 'a'), dns::rrtype::kA).ok());
}

TEST(DnsQueryTest, ResponseIsPrintedDigLike) {
  dns::Message m;
  m.header.qr = true;
  m.header.aa = true;
  m.header.rcode = dns::rcode::kNxDomain;
  auto name = dns::Name::FromText("app.hypermesh");
  auto apex = dns::Name::FromText("hypermesh");
  ASSERT_TRUE(name.ok() && apex.ok());
  m.questions.push_back({*name, dns::rrtype::kAaaa, dns::kClassIn});
  dns::AaaaRecord a;
  a.address[15] = 1;
  m.answers.push_back({*name, dns::rrtype::kAaaa, dns::kClassIn, 120, a});
  dns::SoaRecord soa{*name, *apex, 7, 3600, 600, 604800, 60};
  m.authority.push_back({*apex, dns::rrtype::kSoa, dns::kClassIn, 60, soa});
  dns::ResourceRecord opt;
  opt.type = dns::rrtype::kOpt;
  opt.rdata = dns::OptRecord{};
  m.additional.push_back(opt);
  const std::string text = FormatDnsMessage(m, false);
  EXPECT_NE(text.find(";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(";; flags: qr aa; QUERY: 1, ANSWER: 1, AUTHORITY: 1, ADDITIONAL: 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(";; EDNS: version: 0, flags:; udp: 1232\n"), std::string::npos) << text;
  EXPECT_NE(text.find(";; QUESTION SECTION:\n;app.hypermesh.\t\tIN\tAAAA\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find(";; ANSWER SECTION:\napp.hypermesh.\t120\tIN\tAAAA\t::1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(";; AUTHORITY SECTION:\nhypermesh.\t60\tIN\tSOA\tapp.hypermesh. "
                      "hypermesh. 7 3600 600 604800 60\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("ADDITIONAL SECTION"), std::string::npos) << text;  // only the OPT
  EXPECT_EQ(FormatDnsMessage(m, true), "::1\n");
  m.additional.clear();
  m.header.rcode = 11;  // unassigned: printed by number
  EXPECT_NE(FormatDnsMessage(m, false).find("status: RCODE11"), std::string::npos);
}

}  // namespace
}  // namespace hm::cli
