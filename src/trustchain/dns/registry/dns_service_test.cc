// The dns registry on a real chain (RocksDB, sequencer, ct + ca + dns modules) with the real
// TrustChain CA issuing the requesters' certificates: record changes authorised by a covering
// certificate or the admin token, every rejection (403 / 409 / 400) writing nothing, replay
// protection, the SOA serial, node self-registration, the JSON resolver and DNS over HTTPS.
#include "trustchain/dns/registry/dns_service.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "chain/signer.h"
#include "chain/testing/chain_fixture.h"
#include "crypto/secure_random.h"
#include "storage/test_util.h"
#include "trustchain/ca/testing/ca_fixture.h"
#include "trustchain/dns/registry/rdata_text.h"
#include "trustchain/service/testing/trustchain_fixture.h"

namespace hm::trustchain::dns {
namespace {

using base::Bytes;
using nlohmann::json;
namespace cat = ca::testing;

using service::testing::kAdminToken;

Bytes SignWith(EVP_PKEY* key, const Bytes& msg) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(md, nullptr, &len, msg.data(), msg.size());
  Bytes sig(len);
  EVP_DigestSign(md, sig.data(), &len, msg.data(), msg.size());
  sig.resize(len);
  EVP_MD_CTX_free(md);
  return sig;
}

// A DNS query for (name, type) with EDNS.
Bytes Query(const std::string& name, uint16_t type, uint16_t id = 0x4242) {
  Message q;
  q.header.id = id;
  q.header.rd = true;
  q.questions.push_back({*Name::FromText(name), type, kClassIn});
  ResourceRecord opt;
  opt.type = rrtype::kOpt;
  opt.rdata = OptRecord{};
  q.additional.push_back(opt);
  return SerializeMessage(q, kMaxMessageSize, nullptr);
}

class DnsServiceTest : public service::testing::TrustChainFixture {
 protected:
  std::vector<chain::Module*> ExtraModules(const ca::CaParams& params) override {
    dns_module_ = std::make_unique<DnsModule>(params);
    dns_module_->SetChangeListener([this](uint64_t) {
      if (dns_) {
        EXPECT_TRUE(dns_->Reload().ok());
      }
    });
    return {dns_module_.get()};
  }
  void AdjustOptions(service::TrustChainOptions& o) override { o.policy.allow_any = true; }

  void SetUp() override {
    TrustChainFixture::SetUp();
    if (HasFatalFailure()) return;
    DnsServiceOptions d;
    ZoneConfig zone;
    zone.apex = *Name::FromText("hypermesh");
    zone.primary_ns = *Name::FromText("ns1.hypermesh");
    zone.hostmaster = *Name::FromText("hostmaster.hypermesh");
    zone.nameservers = {zone.primary_ns};
    d.zones = {zone};
    d.admin_token = kAdminToken;
    d.clock = &clock_;
    d.issuing_ca_signer = [this](base::ByteSpan m) { return service_->issuing().key().Sign(m); };
    auto dns = DnsService::Create(*chain_, *sequencer_, std::move(d));
    ASSERT_TRUE(dns.ok()) << dns.status().ToString();
    dns_ = std::move(dns).value();
    ASSERT_TRUE(dns_->RegisterRoutes(router_).ok());
  }

  // Issues a certificate for `names` to `key`; returns its serial (hex).
  std::string Issue(EVP_PKEY* key, const std::vector<std::string>& names) {
    api::Response r = Call("POST", "/api/v1/certificates/issue",
                           json{{"csr", cat::MakeCsrPem(key, names)}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false).value("serial", "");
  }

  // A signed change body for `serial` / `key`.
  json SignedBody(const ChangeRequest& cr, const std::string& serial, EVP_PKEY* key) {
    auto change = BuildChange(cr);
    EXPECT_TRUE(change.ok()) << change.status().ToString();
    change->authority = ChangeAuthority::kCertificateKey;
    change->timestamp_ms = static_cast<uint64_t>(clock_.NowUnixMillis()) + (++ts_bump_);
    json body = {{"name", cr.name},   {"type", RrTypeName(cr.type)},
                 {"ttl", cr.ttl},     {"records", cr.records},
                 {"timestamp_ms", change->timestamp_ms}, {"serial", serial}};
    if (cr.op == ChangeOp::kDelete) body["op"] = "delete";
    if (cr.op == ChangeOp::kAdd) body["op"] = "add";
    body["signature"] = base::Base64Encode(SignWith(key, change->SigningMessage()));
    return body;
  }

  api::Response Post(const json& body, std::map<std::string, std::string> headers = {}) {
    return Call("POST", "/api/v1/dns/records", body.dump(), "application/json", std::move(headers));
  }

  json Resolve(const std::string& name, const std::string& type) {
    api::Response r = Call("GET", "/api/v1/dns/resolve/" + name, {}, "", {}, {{"type", type}});
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  std::unique_ptr<DnsModule> dns_module_;
  std::unique_ptr<DnsService> dns_;
  uint64_t ts_bump_ = 0;
};

TEST_F(DnsServiceTest, CertificateHolderRegistersAndEveryPathAnswers) {
  auto key = cat::GenerateKey("P-256");
  const std::string serial = Issue(key.get(), {"app.hypermesh"});
  const uint32_t serial_before = dns_->serial();
  api::Response r = Post(SignedBody({ChangeOp::kReplace, "app.hypermesh", rrtype::kAaaa, 120,
                                     {"2001:db8::7", "2001:db8::8"}},
                                    serial, key.get()));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["records"], json::array({"2001:db8::7", "2001:db8::8"}));
  EXPECT_EQ(j["serial"], serial_before + 1);
  EXPECT_EQ(dns_->serial(), serial_before + 1);

  json res = Resolve("app.hypermesh", "AAAA");
  EXPECT_EQ(res["rcode"], "NOERROR");
  EXPECT_EQ(res["authoritative"], true);
  ASSERT_EQ(res["answers"].size(), 2u);
  EXPECT_EQ(res["answers"][0]["ttl"], 120);

  // Underscore owners below a covered name (SVCB / SRV) are the holder's too.
  r = Post(SignedBody({ChangeOp::kReplace, "_8443._https.app.hypermesh", rrtype::kTxt, 60,
                       {"\"v=1\""}},
                      serial, key.get()));
  EXPECT_EQ(r.status, 200) << r.body;

  // DoH GET and POST give the wire answer.
  const Bytes q = Query("APP.hypermesh", rrtype::kAaaa);
  r = Call("GET", "/dns-query", {}, "", {}, {{"dns", base::Base64UrlEncode(q)}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/dns-message");
  EXPECT_EQ(r.Header("Cache-Control"), "max-age=120");
  auto msg = ParseMessage(Bytes(r.body.begin(), r.body.end()));
  ASSERT_TRUE(msg.ok()) << msg.status().ToString();
  EXPECT_EQ(msg->header.id, 0x4242);
  EXPECT_TRUE(msg->header.aa);
  EXPECT_EQ(msg->answers.size(), 2u);
  EXPECT_EQ(msg->questions[0].name.ToText(), "APP.hypermesh.");
  r = Call("POST", "/dns-query", std::string(q.begin(), q.end()), "application/dns-message");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(ParseMessage(Bytes(r.body.begin(), r.body.end()))->answers.size(), 2u);

  // The holder deletes the RRset: NXDOMAIN afterwards (only the TXT below remains).
  r = Post(SignedBody({ChangeOp::kDelete, "app.hypermesh", rrtype::kAaaa, 0, {}}, serial,
                      key.get()));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Resolve("app.hypermesh", "AAAA")["rcode"], "NOERROR");  // empty non-terminal
  EXPECT_EQ(Resolve("app.hypermesh", "AAAA")["answers"].size(), 0u);
  EXPECT_EQ(Resolve("nothing.hypermesh", "AAAA")["rcode"], "NXDOMAIN");
}

TEST_F(DnsServiceTest, UnauthorisedChangesAre403AndWriteNothing) {
  auto key = cat::GenerateKey("P-256");
  auto other_key = cat::GenerateKey("P-256");
  const std::string serial = Issue(key.get(), {"app.hypermesh"});
  const std::string other_serial = Issue(other_key.get(), {"other.hypermesh"});
  const uint64_t height = Height();
  const uint32_t zone_serial = dns_->serial();
  const ChangeRequest cr{ChangeOp::kReplace, "app.hypermesh", rrtype::kAaaa, 60, {"2001:db8::1"}};

  // No credentials.
  json unsigned_body = {{"name", "app.hypermesh"}, {"type", "AAAA"}, {"records", {"::1"}}};
  EXPECT_EQ(Post(unsigned_body).status, 403);
  // A certificate for another name, correctly signed by its own key.
  EXPECT_EQ(Post(SignedBody(cr, other_serial, other_key.get())).status, 403);
  // The right serial but someone else's key.
  EXPECT_EQ(Post(SignedBody(cr, serial, other_key.get())).status, 403);
  // An unknown serial.
  EXPECT_EQ(Post(SignedBody(cr, "7f01", key.get())).status, 403);
  // A wrong admin token.
  EXPECT_EQ(Post(unsigned_body, {{"Authorization", "Bearer wrong-token-wrong-token"}}).status,
            403);
  // A signature over different content (the record changed after signing).
  json tampered = SignedBody(cr, serial, key.get());
  tampered["records"] = json::array({"2001:db8::666"});
  EXPECT_EQ(Post(tampered).status, 403);

  EXPECT_EQ(Height(), height);
  EXPECT_EQ(dns_->serial(), zone_serial);
  EXPECT_EQ(Resolve("app.hypermesh", "AAAA")["rcode"], "NXDOMAIN");

  // A revoked certificate loses the right.
  api::Response r = Call("POST", "/api/v1/certificates/" + serial + "/revoke", "{}",
                         "application/json", {{"Authorization", std::string("Bearer ") + kAdminToken}});
  ASSERT_EQ(r.status, 200) << r.body;
  const uint64_t height2 = Height();
  EXPECT_EQ(Post(SignedBody(cr, serial, key.get())).status, 403);
  EXPECT_EQ(Height(), height2);
}

TEST_F(DnsServiceTest, ReplayConflictsAndBadInput) {
  auto key = cat::GenerateKey("P-256");
  const std::string serial = Issue(key.get(), {"app.hypermesh", "*.wild.hypermesh"});
  json body = SignedBody({ChangeOp::kReplace, "app.hypermesh", rrtype::kAaaa, 60, {"::1"}}, serial,
                         key.get());
  ASSERT_EQ(Post(body).status, 200);
  const uint64_t height = Height();
  // The same signed change again: 409, nothing written.
  api::Response r = Post(body);
  EXPECT_EQ(r.status, 409) << r.body;
  // A CNAME next to the AAAA: 409.
  r = Post(SignedBody({ChangeOp::kReplace, "app.hypermesh", rrtype::kCname, 60,
                       {"target.hypermesh."}},
                      serial, key.get()));
  EXPECT_EQ(r.status, 409) << r.body;
  // Wildcard certificate covers one label below.
  EXPECT_EQ(Post(SignedBody({ChangeOp::kReplace, "a.b.wild.hypermesh", rrtype::kAaaa, 60, {"::1"}},
                            serial, key.get()))
                .status,
            403);
  // Bad input: 400 each.
  const std::map<std::string, std::string> admin = {
      {"Authorization", std::string("Bearer ") + kAdminToken}};
  for (const json& bad : {
           json{{"name", "app.hypermesh"}, {"type", "AAAA"}, {"records", {"not-an-address"}}},
           json{{"name", "app..hypermesh"}, {"type", "AAAA"}, {"records", {"::1"}}},
           json{{"name", "app.hypermesh"}, {"type", "NS"}, {"records", {"ns.hypermesh."}}},
           json{{"name", "app.hypermesh"}, {"type", "BOGUS"}, {"records", {"::1"}}},
           json{{"name", "example.com"}, {"type", "AAAA"}, {"records", {"::1"}}},
           json{{"name", "app.hypermesh"}, {"type", "AAAA"}, {"records", json::array()}},
           json{{"name", "app.hypermesh"}, {"type", "AAAA"}, {"ttl", -1}, {"records", {"::1"}}},
           json{{"name", "app.hypermesh"}, {"type", "AAAA"}, {"op", "merge"}, {"records", {"::1"}}},
       }) {
    r = Post(bad, admin);
    EXPECT_EQ(r.status, 400) << bad.dump() << " -> " << r.body;
  }
  EXPECT_EQ(Call("POST", "/api/v1/dns/records", "{", "application/json", admin).status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/dns/records", "x", "text/plain", admin).status, 415);
  EXPECT_EQ(Height(), height);
}

TEST_F(DnsServiceTest, AdminAndNodeRegistrationAreIdempotent) {
  const std::array<uint8_t, 16> addr = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  ASSERT_TRUE(dns_->RegisterNode("00112233aabbccdd", addr, 8443).ok());
  const uint64_t height = Height();
  const uint32_t serial = dns_->serial();
  ASSERT_TRUE(dns_->RegisterNode("00112233aabbccdd", addr, 8443).ok());
  EXPECT_EQ(Height(), height);
  EXPECT_EQ(dns_->serial(), serial);
  json res = Resolve("00112233aabbccdd.hypermesh", "HTTPS");
  ASSERT_EQ(res["answers"].size(), 1u);
  EXPECT_EQ(res["answers"][0]["data"], "1 . alpn=\"h3,stoq/1\" port=8443 ipv6hint=::1");
  EXPECT_EQ(Resolve("trust.hypermesh", "AAAA")["answers"][0]["data"], "::1");

  // The admin may change any name in the zone.
  api::Response r = Post(json{{"name", "docs.hypermesh"}, {"type", "CNAME"},
                              {"records", {"trust.hypermesh."}}},
                         {{"Authorization", std::string("Bearer ") + kAdminToken}});
  ASSERT_EQ(r.status, 200) << r.body;
  json chased = Resolve("docs.hypermesh", "AAAA");
  ASSERT_EQ(chased["answers"].size(), 2u);  // CNAME, then trust's AAAA
  EXPECT_EQ(chased["answers"][0]["type"], "CNAME");
}

TEST_F(DnsServiceTest, OnlyServedNamesAndNoCnameAtAnApex) {
  DnsServiceOptions d;
  ZoneConfig zone;
  zone.apex = *Name::FromText("corp.example");
  zone.primary_ns = *Name::FromText("ns1.corp.example");
  zone.hostmaster = *Name::FromText("hostmaster.corp.example");
  d.zones = {zone};
  d.clock = &clock_;
  d.issuing_ca_signer = [this](base::ByteSpan m) { return service_->issuing().key().Sign(m); };
  auto corp = DnsService::Create(*chain_, *sequencer_, std::move(d));
  ASSERT_TRUE(corp.ok()) << corp.status().ToString();
  auto change = [](const char* name, uint16_t type, const char* record) {
    auto c = BuildChange({ChangeOp::kReplace, name, type, 60, {record}});
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return *c;
  };
  EXPECT_TRUE((*corp)->CheckServable(change("www.corp.example", rrtype::kAaaa, "::1")).ok());
  EXPECT_TRUE((*corp)->CheckServable(change("corp.example", rrtype::kAaaa, "::1")).ok());
  EXPECT_FALSE(
      (*corp)->CheckServable(change("corp.example", rrtype::kCname, "www.corp.example.")).ok());
  EXPECT_FALSE((*corp)->CheckServable(change("xcorp.example", rrtype::kAaaa, "::1")).ok());
  EXPECT_FALSE((*corp)->CheckServable(change("app.hypermesh", rrtype::kAaaa, "::1")).ok());
}

TEST(DnsNames, CertificateCoverage) {
  const std::vector<std::string> sans = {"app.hypermesh", "*.wild.hypermesh"};
  EXPECT_TRUE(CertificateCoversName(sans, "app.hypermesh"));
  EXPECT_TRUE(CertificateCoversName(sans, "_443._tcp.app.hypermesh"));
  EXPECT_TRUE(CertificateCoversName(sans, "x.wild.hypermesh"));
  EXPECT_TRUE(CertificateCoversName(sans, "*.wild.hypermesh"));
  EXPECT_TRUE(CertificateCoversName(sans, "_svc.x.wild.hypermesh"));
  EXPECT_FALSE(CertificateCoversName(sans, "wild.hypermesh"));
  EXPECT_FALSE(CertificateCoversName(sans, "a.b.wild.hypermesh"));
  EXPECT_FALSE(CertificateCoversName(sans, "x.app.hypermesh"));
  EXPECT_FALSE(CertificateCoversName(sans, "_x"));
  EXPECT_FALSE(CertificateCoversName(sans, "hypermesh"));
  EXPECT_FALSE(CertificateCoversName({}, "app.hypermesh"));
}

TEST(DnsRecords, ChangeRoundTripAndStrictDecode) {
  ChangeRequest cr{ChangeOp::kAdd, "App.Hypermesh.", rrtype::kHttps, 60,
                   {"1 . alpn=h3,stoq port=8443"}};
  auto c = BuildChange(cr);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "app.hypermesh");
  c->timestamp_ms = 5;
  c->serial = {0x7f, 1};
  c->signature = {1, 2, 3};
  const Bytes enc = c->Encode();
  auto back = RrsetChange::Decode(enc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Encode(), enc);
  EXPECT_EQ(back->SigningMessage(), c->SigningMessage());
  // Every truncation and a trailing byte are rejected.
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_FALSE(RrsetChange::Decode(base::ByteSpan(enc.data(), n)).ok()) << n;
  }
  Bytes longer = enc;
  longer.push_back(0);
  EXPECT_FALSE(RrsetChange::Decode(longer).ok());
  // Content rules.
  RrsetChange bad = *c;
  bad.name = "App.hypermesh";
  EXPECT_FALSE(bad.ValidateContent().ok());
  bad = *c;
  bad.rdatas.push_back(bad.rdatas.front());
  EXPECT_FALSE(bad.ValidateContent().ok());
  bad = *c;
  bad.rdatas = {{0xff}};
  EXPECT_FALSE(bad.ValidateContent().ok());
  bad = *c;
  bad.op = ChangeOp::kDelete;
  EXPECT_FALSE(bad.ValidateContent().ok());
}

}  // namespace
}  // namespace hm::trustchain::dns
