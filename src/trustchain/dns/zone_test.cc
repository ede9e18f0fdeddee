// Tests for ZoneSet: Build's validation, the lookup (exact, empty non-terminals, CNAME chains,
// the RFC 4592 §2.2.1 wildcard examples, ANY, glue, negative SOA) and the rdata helpers that
// message.h offers for zone storage (CanonicalName, ValidateRdata, EncodeRdata, ParseRdata).
#include "trustchain/dns/zone.h"

#include <gtest/gtest.h>

#include <string>

namespace hm::trustchain::dns {
namespace {

Name N(std::string_view text) {
  auto n = Name::FromText(text);
  EXPECT_TRUE(n.ok()) << text;
  return n.ok() ? *n : Name();
}

base::Bytes Hex(std::string_view hex) {
  auto b = base::HexDecode(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : base::Bytes{};
}

RRset Set(std::string_view owner, uint16_t type, std::vector<Rdata> rdatas, uint32_t ttl = 300) {
  return RRset{N(owner), type, ttl, std::move(rdatas)};
}

Rdata Txt(std::string s) { return TxtRecord{{std::move(s)}}; }
Rdata Aaaa(uint8_t last) {
  AaaaRecord a;
  a.address = {0x20, 0x01, 0x0d, 0xb8};
  a.address[15] = last;
  return a;
}
Rdata A(uint8_t last) { return ARecord{{192, 0, 2, last}}; }
// MX has no typed alternative: 16-bit preference + uncompressed exchange name.
Rdata Mx(uint16_t pref, std::string_view host) {
  base::Bytes b{static_cast<uint8_t>(pref >> 8), static_cast<uint8_t>(pref)};
  std::string wire = CanonicalName(N(host));
  b.insert(b.end(), wire.begin(), wire.end());
  return OpaqueRecord{b};
}

ZoneConfig Zone(std::string_view apex) {
  ZoneConfig z;
  z.apex = N(apex);
  z.primary_ns = N(std::string("ns.") + std::string(apex));
  z.hostmaster = N(std::string("hostmaster.") + std::string(apex));
  z.minimum = 60;
  z.soa_ttl = 3600;
  return z;
}

std::shared_ptr<const ZoneSet> MustBuild(std::vector<ZoneConfig> zones, std::vector<RRset> sets,
                                         uint32_t serial = 7) {
  auto built = ZoneSet::Build(std::move(zones), std::move(sets), serial);
  EXPECT_TRUE(built.ok()) << built.status().ToString();
  return built.ok() ? *built : nullptr;
}

void ExpectBuildFails(std::vector<RRset> sets, std::string_view reason,
                      std::vector<ZoneConfig> zones = {Zone("hypermesh")}) {
  auto built = ZoneSet::Build(std::move(zones), std::move(sets), 1);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(built.status().message().find(reason), std::string_view::npos)
      << "want '" << reason << "', got " << built.status().ToString();
}

// The zone of RFC 4592 §2.2.1 (without the subdel delegation, which we do not serve).
std::shared_ptr<const ZoneSet> Rfc4592Zone() {
  ZoneConfig z = Zone("example");
  z.nameservers = {N("ns.example.com"), N("ns.example.net")};
  SrvRecord srv{0, 0, 22, N("host1.example")};
  return MustBuild({z}, {
                            Set("*.example", rrtype::kTxt, {Txt("this is a wildcard")}),
                            Set("*.example", 15, {Mx(10, "host1.example")}),
                            Set("sub.*.example", rrtype::kTxt, {Txt("this is not a wildcard")}),
                            Set("host1.example", rrtype::kA, {A(1)}),
                            Set("_ssh._tcp.host1.example", rrtype::kSrv, {srv}),
                            Set("_ssh._tcp.host2.example", rrtype::kSrv, {srv}),
                        });
}

TEST(DnsZone, Rfc4592WildcardExamples) {
  auto zs = Rfc4592Zone();
  ASSERT_NE(zs, nullptr);
  // host3.example MX: synthesised from *.example with owner host3.example.
  LookupResult r = zs->Lookup(N("host3.example"), 15);
  ASSERT_TRUE(r.in_zone);
  EXPECT_EQ(r.rcode, rcode::kNoError);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].name, N("host3.example"));
  EXPECT_EQ(r.answers[0].type, 15);
  EXPECT_EQ(r.answers[0].rdata, Mx(10, "host1.example"));
  EXPECT_TRUE(r.authority.empty());
  // host3.example A: the wildcard matches but has no A -> NODATA.
  r = zs->Lookup(N("host3.example"), rrtype::kA);
  EXPECT_EQ(r.rcode, rcode::kNoError);
  EXPECT_TRUE(r.answers.empty());
  ASSERT_EQ(r.authority.size(), 1u);
  EXPECT_EQ(r.authority[0].type, rrtype::kSoa);
  // foo.bar.example TXT: two labels below the closest encloser, still synthesised.
  r = zs->Lookup(N("foo.bar.example"), rrtype::kTxt);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].name, N("foo.bar.example"));
  EXPECT_EQ(r.answers[0].rdata, Txt("this is a wildcard"));
  // host1.example MX: host1 exists, so no synthesis -> NODATA.
  r = zs->Lookup(N("host1.example"), 15);
  EXPECT_EQ(r.rcode, rcode::kNoError);
  EXPECT_TRUE(r.answers.empty());
  EXPECT_EQ(r.authority.size(), 1u);
  // sub.*.example MX: exists (TXT only) -> NODATA.
  r = zs->Lookup(N("sub.*.example"), 15);
  EXPECT_EQ(r.rcode, rcode::kNoError);
  EXPECT_TRUE(r.answers.empty());
  // _telnet._tcp.host1.example SRV: closest encloser _tcp.host1.example (an empty
  // non-terminal) has no wildcard -> NXDOMAIN.
  r = zs->Lookup(N("_telnet._tcp.host1.example"), rrtype::kSrv);
  EXPECT_EQ(r.rcode, rcode::kNxDomain);
  EXPECT_TRUE(r.answers.empty());
  ASSERT_EQ(r.authority.size(), 1u);
  // ghost.*.example MX: closest encloser *.example, no *.*.example -> NXDOMAIN.
  r = zs->Lookup(N("ghost.*.example"), 15);
  EXPECT_EQ(r.rcode, rcode::kNxDomain);
  // *.example MX asked literally: an exact match of the wildcard owner.
  r = zs->Lookup(N("*.example"), 15);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].name, N("*.example"));
  // _tcp.host2.example: an empty non-terminal blocks the wildcard -> NODATA, not synthesis.
  r = zs->Lookup(N("_tcp.host2.example"), rrtype::kTxt);
  EXPECT_EQ(r.rcode, rcode::kNoError);
  EXPECT_TRUE(r.answers.empty());
  EXPECT_EQ(r.authority.size(), 1u);
  // host2.example is an empty non-terminal too.
  r = zs->Lookup(N("host2.example"), rrtype::kTxt);
  EXPECT_EQ(r.rcode, rcode::kNoError);
  EXPECT_TRUE(r.answers.empty());
  // SRV answers bring the in-zone target's address as glue.
  r = zs->Lookup(N("_ssh._tcp.host1.example"), rrtype::kSrv);
  ASSERT_EQ(r.answers.size(), 1u);
  ASSERT_EQ(r.additional.size(), 1u);
  EXPECT_EQ(r.additional[0].name, N("host1.example"));
  EXPECT_EQ(r.additional[0].type, rrtype::kA);
  // Apex NS from the configuration.
  r = zs->Lookup(N("EXAMPLE."), rrtype::kNs);
  ASSERT_EQ(r.answers.size(), 2u);
  EXPECT_EQ(r.answers[0].ttl, 3600u);
  EXPECT_EQ(std::get<NsRecord>(r.answers[0].rdata).host, N("ns.example.com"));
}

TEST(DnsZone, NegativeSoaCarriesSerialAndMinimumTtl) {
  ZoneConfig z = Zone("hypermesh");
  z.minimum = 30;
  z.soa_ttl = 900;
  z.refresh = 1;
  z.retry = 2;
  z.expire = 3;
  auto zs = MustBuild({z}, {}, 4242);
  ASSERT_NE(zs, nullptr);
  EXPECT_EQ(zs->serial(), 4242u);
  LookupResult r = zs->Lookup(N("nothere.hypermesh"), rrtype::kAaaa);
  EXPECT_EQ(r.rcode, rcode::kNxDomain);
  ASSERT_EQ(r.authority.size(), 1u);
  const ResourceRecord& soa = r.authority[0];
  EXPECT_EQ(soa.name, N("hypermesh"));
  EXPECT_EQ(soa.ttl, 30u);
  EXPECT_EQ(std::get<SoaRecord>(soa.rdata),
            (SoaRecord{N("ns.hypermesh"), N("hostmaster.hypermesh"), 4242, 1, 2, 3, 30}));
  // The SOA asked directly has the SOA TTL.
  r = zs->Lookup(N("hypermesh"), rrtype::kSoa);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].ttl, 900u);
  EXPECT_EQ(std::get<SoaRecord>(r.answers[0].rdata).serial, 4242u);
  // No nameservers configured: the apex NS is the primary.
  r = zs->Lookup(N("hypermesh"), rrtype::kNs);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(std::get<NsRecord>(r.answers[0].rdata).host, N("ns.hypermesh"));
}

TEST(DnsZone, CnameChainsInsideAndOutsideTheZones) {
  auto zs =
      MustBuild({Zone("hypermesh"), Zone("other")},
                {
                    Set("node1.hypermesh", rrtype::kAaaa, {Aaaa(1)}),
                    Set("trust.hypermesh", rrtype::kCname, {CnameRecord{N("Node1.HyperMesh")}}),
                    Set("alias.hypermesh", rrtype::kCname, {CnameRecord{N("x.other")}}),
                    Set("x.other", rrtype::kCname, {CnameRecord{N("trust.hypermesh")}}),
                    Set("out.hypermesh", rrtype::kCname, {CnameRecord{N("www.example.org")}}),
                    Set("loop1.hypermesh", rrtype::kCname, {CnameRecord{N("loop2.hypermesh")}}),
                    Set("loop2.hypermesh", rrtype::kCname, {CnameRecord{N("loop1.hypermesh")}}),
                    Set("dangling.hypermesh", rrtype::kCname, {CnameRecord{N("gone.hypermesh")}}),
                });
  ASSERT_NE(zs, nullptr);
  // Across zones: alias -> x.other -> trust -> node1.
  LookupResult r = zs->Lookup(N("ALIAS.hypermesh"), rrtype::kAaaa);
  ASSERT_EQ(r.answers.size(), 4u);
  EXPECT_EQ(r.answers[0].name, N("alias.hypermesh"));
  EXPECT_EQ(r.answers[0].name.labels()[0], "alias");  // owners in lower case
  EXPECT_EQ(r.answers[1].name, N("x.other"));
  EXPECT_EQ(r.answers[2].name, N("trust.hypermesh"));
  EXPECT_EQ(r.answers[3].type, rrtype::kAaaa);
  EXPECT_EQ(r.answers[3].rdata, Aaaa(1));
  EXPECT_TRUE(r.authority.empty());
  // qtype CNAME returns the CNAME itself.
  r = zs->Lookup(N("trust.hypermesh"), rrtype::kCname);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].type, rrtype::kCname);
  // Leaving our zones ends the chain with NOERROR.
  r = zs->Lookup(N("out.hypermesh"), rrtype::kAaaa);
  EXPECT_EQ(r.rcode, rcode::kNoError);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_TRUE(r.authority.empty());
  // A loop stops after each name was visited once.
  r = zs->Lookup(N("loop1.hypermesh"), rrtype::kAaaa);
  EXPECT_EQ(r.rcode, rcode::kNoError);
  EXPECT_EQ(r.answers.size(), 2u);
  // The chain ending in a missing name: NXDOMAIN (RFC 6604) with the CNAME and the SOA.
  r = zs->Lookup(N("dangling.hypermesh"), rrtype::kAaaa);
  EXPECT_EQ(r.rcode, rcode::kNxDomain);
  EXPECT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.authority.size(), 1u);
  // The chain ending in NODATA: NOERROR, CNAME and SOA.
  r = zs->Lookup(N("trust.hypermesh"), rrtype::kTxt);
  EXPECT_EQ(r.rcode, rcode::kNoError);
  EXPECT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.authority.size(), 1u);
}

TEST(DnsZone, LongChainsAreBounded) {
  std::vector<RRset> sets;
  for (int i = 0; i < 20; ++i) {
    sets.push_back(Set("c" + std::to_string(i) + ".hypermesh", rrtype::kCname,
                       {CnameRecord{N("c" + std::to_string(i + 1) + ".hypermesh")}}));
  }
  auto zs = MustBuild({Zone("hypermesh")}, std::move(sets));
  ASSERT_NE(zs, nullptr);
  LookupResult r = zs->Lookup(N("c0.hypermesh"), rrtype::kA);
  EXPECT_EQ(r.rcode, rcode::kNoError);
  EXPECT_EQ(r.answers.size(), static_cast<size_t>(ZoneSet::kMaxCnameChain));
}

TEST(DnsZone, AnyAnswersTheSmallestRRset) {
  auto zs = MustBuild({Zone("hypermesh")},
                      {Set("n.hypermesh", rrtype::kTxt, {Txt(std::string(200, 't'))}),
                       Set("n.hypermesh", rrtype::kAaaa, {Aaaa(1), Aaaa(2)}),
                       Set("n.hypermesh", rrtype::kA, {A(1), A(2), A(3), A(4), A(5)})});
  ASSERT_NE(zs, nullptr);
  LookupResult r = zs->Lookup(N("n.hypermesh"), rrtype::kAny);
  ASSERT_EQ(r.answers.size(), 5u);  // 5 * 4 octets < 2 * 16 < 201
  EXPECT_EQ(r.answers[0].type, rrtype::kA);
  r = zs->Lookup(N("e.n.hypermesh"), rrtype::kAny);
  EXPECT_EQ(r.rcode, rcode::kNxDomain);
}

TEST(DnsZone, GlueForHttpsAndNs) {
  ZoneConfig z = Zone("hypermesh");
  z.nameservers = {N("ns1.hypermesh"), N("ns.elsewhere.org")};
  SvcbRecord https;
  https.priority = 1;  // ServiceMode, target "." = the owner
  https.params.push_back({svckey::kAlpn, SvcAlpn{{"h3", "stoq"}}});
  SvcbRecord alias;  // AliasMode to node1
  alias.target = N("node1.hypermesh");
  auto zs = MustBuild({z}, {Set("ns1.hypermesh", rrtype::kAaaa, {Aaaa(53)}),
                            Set("ns1.hypermesh", rrtype::kA, {A(53)}),
                            Set("node1.hypermesh", rrtype::kAaaa, {Aaaa(1)}),
                            Set("node1.hypermesh", rrtype::kHttps, {https}),
                            Set("svc.hypermesh", rrtype::kHttps, {alias})});
  ASSERT_NE(zs, nullptr);
  LookupResult r = zs->Lookup(N("hypermesh"), rrtype::kNs);
  ASSERT_EQ(r.answers.size(), 2u);
  ASSERT_EQ(r.additional.size(), 2u);
  EXPECT_EQ(r.additional[0].type, rrtype::kAaaa);  // AAAA before A
  EXPECT_EQ(r.additional[1].type, rrtype::kA);
  r = zs->Lookup(N("node1.hypermesh"), rrtype::kHttps);
  ASSERT_EQ(r.additional.size(), 1u);
  EXPECT_EQ(r.additional[0].rdata, Aaaa(1));
  r = zs->Lookup(N("svc.hypermesh"), rrtype::kHttps);
  ASSERT_EQ(r.additional.size(), 1u);
  EXPECT_EQ(r.additional[0].name, N("node1.hypermesh"));
}

TEST(DnsZone, OutsideAndCaseInsensitive) {
  auto zs =
      MustBuild({Zone("hypermesh"), Zone("mesh.example")},
                {Set("Node1.HYPERMESH", rrtype::kAaaa, {Aaaa(1)}),
                 Set("a.example", rrtype::kAaaa, {Aaaa(2)}), Set("org", rrtype::kAaaa, {Aaaa(3)})});
  ASSERT_NE(zs, nullptr);
  EXPECT_EQ(zs->skipped(), 2u);
  EXPECT_EQ(zs->zone_count(), 2u);
  EXPECT_FALSE(zs->Lookup(N("a.example"), rrtype::kAaaa).in_zone);
  EXPECT_FALSE(zs->Lookup(N("hypermesh.org"), rrtype::kAaaa).in_zone);
  EXPECT_FALSE(zs->Lookup(N("."), rrtype::kNs).in_zone);
  ASSERT_NE(zs->FindZone(N("x.y.MESH.example")), nullptr);
  EXPECT_EQ(zs->FindZone(N("x.y.MESH.example"))->apex, N("mesh.example"));
  EXPECT_EQ(zs->FindZone(N("example")), nullptr);
  LookupResult r = zs->Lookup(N("nODE1.hyperMESH"), rrtype::kAaaa);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].name.ToText(), "node1.hypermesh.");
  auto owners = zs->Owners();
  ASSERT_EQ(owners.size(), 3u);  // two apexes and node1
}

TEST(DnsZone, BuildRejectsBadData) {
  ExpectBuildFails({}, "overlaps", {Zone("hypermesh"), Zone("a.hypermesh")});
  ExpectBuildFails({}, "overlaps", {Zone("a.hypermesh"), Zone("HYPERMESH")});
  ExpectBuildFails({}, "overlaps", {Zone("hypermesh"), Zone("hypermesh.")});
  ExpectBuildFails({Set("a.hypermesh", rrtype::kNs, {NsRecord{N("ns.x")}})}, "NS below");
  ExpectBuildFails({Set("hypermesh", rrtype::kSoa, {SoaRecord{}})}, "SOA");
  ExpectBuildFails({Set("a.hypermesh", rrtype::kAaaa, {A(1)})}, "does not match");
  ExpectBuildFails({Set("a.hypermesh", rrtype::kAaaa, {})}, "without records");
  ExpectBuildFails({Set("a.hypermesh", rrtype::kOpt, {OptRecord{}})}, "not zone data");
  ExpectBuildFails({Set("a.hypermesh", rrtype::kAny, {OpaqueRecord{}})}, "not zone data");
  ExpectBuildFails({Set("a.hypermesh", rrtype::kTxt, {TxtRecord{}})}, "TXT has no strings");
  ExpectBuildFails(
      {Set("a.hypermesh", rrtype::kAaaa, {Aaaa(1)}), Set("A.hypermesh", rrtype::kAaaa, {Aaaa(2)})},
      "two RRsets");
  ExpectBuildFails({Set("a.hypermesh", rrtype::kAaaa, {Aaaa(1)}),
                    Set("a.hypermesh", rrtype::kCname, {CnameRecord{N("b.hypermesh")}})},
                   "CNAME beside other data");
  ExpectBuildFails({Set("hypermesh", rrtype::kCname, {CnameRecord{N("b.hypermesh")}})},
                   "CNAME beside other data");
  ExpectBuildFails(
      {Set("a.hypermesh", rrtype::kCname, {CnameRecord{N("b.x")}, CnameRecord{N("c.x")}})},
      "more than one CNAME");
  // Identical records merge; the apex NS from the data replaces the configured one.
  auto zs = MustBuild({Zone("hypermesh")},
                      {Set("a.hypermesh", rrtype::kAaaa, {Aaaa(1), Aaaa(1), Aaaa(2)}),
                       Set("hypermesh", rrtype::kNs, {NsRecord{N("ns9.hypermesh")}})});
  ASSERT_NE(zs, nullptr);
  EXPECT_EQ(zs->Lookup(N("a.hypermesh"), rrtype::kAaaa).answers.size(), 2u);
  LookupResult r = zs->Lookup(N("hypermesh"), rrtype::kNs);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(std::get<NsRecord>(r.answers[0].rdata).host, N("ns9.hypermesh"));
}

// --- message.h helpers for zone storage -----------------------------------------------------

TEST(DnsRdata, CanonicalName) {
  EXPECT_EQ(base::HexEncode(base::AsBytes(CanonicalName(N("Trust.HyperMesh")))),
            "057472757374096879706572"
            "6d65736800");
  EXPECT_EQ(CanonicalName(N(".")), std::string(1, '\0'));
  EXPECT_EQ(CanonicalName(N("A.b")), CanonicalName(N("a.B.")));
}

TEST(DnsRdata, EncodeParseRoundTripsEveryType) {
  SvcbRecord https;
  https.priority = 1;
  https.target = N("Node1.hypermesh");
  https.params.push_back({svckey::kAlpn, SvcAlpn{{"h3", "stoq"}}});
  https.params.push_back({svckey::kPort, SvcPort{8443}});
  https.params.push_back({svckey::kIpv6Hint, SvcIpv6Hint{{std::get<AaaaRecord>(Aaaa(1)).address}}});
  https.params.push_back({9, base::Bytes{1, 2}});
  std::vector<std::pair<uint16_t, Rdata>> cases = {
      {rrtype::kA, A(7)},
      {rrtype::kAaaa, Aaaa(7)},
      {rrtype::kNs, NsRecord{N("Ns.Hypermesh")}},
      {rrtype::kCname, CnameRecord{N("x.y")}},
      {rrtype::kSoa, SoaRecord{N("a.b"), N("c.d"), 1, 2, 3, 4, 5}},
      {rrtype::kTxt, TxtRecord{{"", std::string(255, 'x')}}},
      {rrtype::kSrv, SrvRecord{1, 2, 3, N("t.x")}},
      {rrtype::kCaa, CaaRecord{128, "issue", base::ToBytes("ca.hypermesh")}},
      {rrtype::kHttps, https},
      {rrtype::kSvcb, SvcbRecord{}},
      {15, Mx(5, "mx.hypermesh")},
  };
  for (const auto& [type, rdata] : cases) {
    SCOPED_TRACE(type);
    EXPECT_TRUE(ValidateRdata(type, rdata).ok()) << ValidateRdata(type, rdata).ToString();
    ResourceRecord rr;
    rr.type = type;
    rr.rdata = rdata;
    base::Bytes wire = EncodeRdata(rr);
    auto back = ParseRdata(type, wire);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, rdata);
  }
  // Names are written in full and keep their case.
  ResourceRecord ns;
  ns.type = rrtype::kSoa;
  ns.rdata = SoaRecord{N("Ns.x"), N("h.x"), 1, 2, 3, 4, 5};
  EXPECT_EQ(base::HexEncode(EncodeRdata(ns)),
            "024e730178"
            "00"
            "01680178"
            "00"
            "00000001000000020000000300000004"
            "00000005");
}

TEST(DnsRdata, ValidateAndParseReject) {
  SvcbRecord unsorted;
  unsorted.params = {{svckey::kPort, SvcPort{1}}, {svckey::kAlpn, SvcAlpn{{"h3"}}}};
  SvcbRecord empty_alpn;
  empty_alpn.params = {{svckey::kAlpn, SvcAlpn{}}};
  SvcbRecord untyped_port;
  untyped_port.params = {{svckey::kPort, base::Bytes{0, 1}}};
  SvcbRecord empty_hint;
  empty_hint.params = {{svckey::kIpv6Hint, SvcIpv6Hint{}}};
  SvcbRecord key65535;
  key65535.params = {{65535, base::Bytes{}}};
  EXPECT_FALSE(ValidateRdata(rrtype::kHttps, unsorted).ok());
  EXPECT_FALSE(ValidateRdata(rrtype::kHttps, empty_alpn).ok());
  EXPECT_FALSE(ValidateRdata(rrtype::kHttps, untyped_port).ok());
  EXPECT_FALSE(ValidateRdata(rrtype::kHttps, empty_hint).ok());
  EXPECT_FALSE(ValidateRdata(rrtype::kHttps, key65535).ok());
  EXPECT_FALSE(ValidateRdata(rrtype::kTxt, TxtRecord{{std::string(256, 'x')}}).ok());
  EXPECT_FALSE(ValidateRdata(rrtype::kCaa, CaaRecord{0, "", {}}).ok());
  EXPECT_FALSE(ValidateRdata(rrtype::kA, OpaqueRecord{{1, 2, 3, 4}}).ok());
  EXPECT_FALSE(ValidateRdata(rrtype::kOpt, OptRecord{}).ok());
  EXPECT_FALSE(ValidateRdata(99, OpaqueRecord{base::Bytes(70000)}).ok());
  EXPECT_TRUE(ValidateRdata(99, OpaqueRecord{}).ok());
  // ParseRdata: exact lengths, no compression pointers.
  EXPECT_FALSE(ParseRdata(rrtype::kA, Hex("c0000201ff")).ok());
  EXPECT_FALSE(ParseRdata(rrtype::kNs, Hex("0161c00c")).ok());  // label then pointer
  EXPECT_FALSE(ParseRdata(rrtype::kCname, Hex("0161")).ok());
  EXPECT_FALSE(ParseRdata(rrtype::kTxt, Hex("")).ok());
  EXPECT_TRUE(ParseRdata(rrtype::kNs, Hex("016100")).ok());
}

}  // namespace
}  // namespace hm::trustchain::dns
