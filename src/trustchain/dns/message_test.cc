// Tests for the DNS wire codec: hand-built packets from the RFC layouts, round trips of every
// record type, every rejection ParseMessage promises, compression and truncation.
#include "trustchain/dns/message.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace hm::trustchain::dns {
namespace {

base::Bytes Hex(std::string_view hex) {
  std::string clean;
  for (char c : hex) {
    if (c != ' ' && c != '\n') clean.push_back(c);
  }
  auto b = base::HexDecode(clean);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : base::Bytes{};
}

Name N(std::string_view text) {
  auto n = Name::FromText(text);
  EXPECT_TRUE(n.ok()) << text;
  return n.ok() ? *n : Name();
}

// Hex of a name in uncompressed wire form.
std::string NameHex(std::string_view text) {
  std::string out;
  Name name = N(text);
  for (const auto& l : name.labels()) {
    out += base::HexEncode(base::Bytes{static_cast<uint8_t>(l.size())});
    out += base::HexEncode(base::AsBytes(l));
  }
  return out + "00";
}

void ExpectRejected(const base::Bytes& packet, std::string_view reason) {
  auto m = ParseMessage(packet);
  ASSERT_FALSE(m.ok()) << "accepted: " << base::HexEncode(packet);
  EXPECT_EQ(m.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(m.status().message().find(reason), std::string_view::npos)
      << "want '" << reason << "', got " << m.status().ToString();
}

ResourceRecord Rr(std::string_view owner, uint16_t type, Rdata rdata, uint32_t ttl = 300) {
  ResourceRecord rr;
  rr.name = N(owner);
  rr.type = type;
  rr.ttl = ttl;
  rr.rdata = std::move(rdata);
  return rr;
}

// The parser reports OPT's CLASS and TTL fields as they were on the wire.
ResourceRecord OptRr(OptRecord opt) {
  ResourceRecord rr = Rr(".", rrtype::kOpt, opt, 0);
  rr.rclass = opt.udp_payload_size;
  rr.ttl = (uint32_t{opt.extended_rcode} << 24) | (uint32_t{opt.version} << 16) |
           (opt.dnssec_ok ? 0x8000u : 0u) | opt.other_flags;
  return rr;
}

std::array<uint8_t, 16> Ip6Loopback() {
  std::array<uint8_t, 16> a{};
  a[15] = 1;
  return a;
}

// --- Names ----------------------------------------------------------------------------------

TEST(DnsName, CaseInsensitiveEqualityCasePreserved) {
  Name a = N("Trust.HyperMesh.");
  EXPECT_EQ(a, N("trust.hypermesh"));
  EXPECT_EQ(a.ToText(), "Trust.HyperMesh.");
  EXPECT_FALSE(a == N("trust.hypermesh.x"));
  EXPECT_FALSE(a == N("trusT.hypermes"));
  EXPECT_TRUE(N(".").IsRoot());
  EXPECT_EQ(N("trust.hypermesh").WireLength(), 17u);
}

TEST(DnsName, LimitsEnforced) {
  EXPECT_FALSE(Name::FromText("a..b").ok());
  EXPECT_FALSE(Name::FromText("").ok());
  EXPECT_TRUE(Name::FromText(std::string(63, 'a')).ok());
  EXPECT_FALSE(Name::FromText(std::string(64, 'a')).ok());
  std::string l63(63, 'x');
  // 3*64 + 62 + 1 = 255 octets: the longest legal name.
  EXPECT_TRUE(Name::FromText(l63 + "." + l63 + "." + l63 + "." + std::string(61, 'y')).ok());
  EXPECT_FALSE(Name::FromText(l63 + "." + l63 + "." + l63 + "." + std::string(62, 'y')).ok());
}

// --- Hand-built packets ---------------------------------------------------------------------

// Query for trust.hypermesh AAAA, RD set.
const char kAaaaQuery[] =
    "1234 0100 0001 0000 0000 0000"
    "05 7472757374 09 68797065726d657368 00 001c 0001";

TEST(DnsParse, AaaaQuery) {
  auto m = ParseMessage(Hex(kAaaaQuery));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->header.id, 0x1234);
  EXPECT_FALSE(m->header.qr);
  EXPECT_TRUE(m->header.rd);
  EXPECT_EQ(m->header.opcode, 0);
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0].name.ToText(), "trust.hypermesh.");
  EXPECT_EQ(m->questions[0].type, rrtype::kAaaa);
  EXPECT_EQ(m->questions[0].qclass, kClassIn);
  EXPECT_TRUE(m->answers.empty() && m->authority.empty() && m->additional.empty());
  bool tc = true;
  EXPECT_EQ(SerializeMessage(*m, 512, &tc), Hex(kAaaaQuery));
  EXPECT_FALSE(tc);
}

TEST(DnsParse, HeaderFlags) {
  // QR=1 opcode=2 AA TC RD | RA AD CD rcode=3
  auto m = ParseMessage(Hex("beef 97b3 0000 0000 0000 0000"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const Header& h = m->header;
  EXPECT_TRUE(h.qr && h.aa && h.tc && h.rd && h.ra && h.ad && h.cd);
  EXPECT_EQ(h.opcode, 2);
  EXPECT_EQ(h.rcode, 3);
  EXPECT_EQ(SerializeMessage(*m, 512, nullptr), Hex("beef 97b3 0000 0000 0000 0000"));
}

// RFC 1035 §4.1.4: F.ISI.ARPA, then FOO.F.ISI.ARPA as "FOO" + pointer to F.ISI.ARPA, ARPA as a
// pointer into the middle of the first name, and the root. The RFC places F.ISI.ARPA at offset
// 20; here it is the question name at offset 12 (0x0c), so ARPA is at 18 (0x12).
const char kRfc1035Compression[] =
    "0001 8400 0001 0003 0000 0000"
    "01 46 03 495349 04 41525041 00 0001 0001"         // F.ISI.ARPA A IN
    "03 464f4f c00c 0001 0001 00000e10 0004 0a000001"  // FOO.F.ISI.ARPA A 10.0.0.1
    "c012 0002 0001 00000e10 0002 c00c"                // ARPA NS F.ISI.ARPA
    "00 0001 0001 00000e10 0004 0a000002";             // . A 10.0.0.2

TEST(DnsParse, Rfc1035CompressionExample) {
  base::Bytes packet = Hex(kRfc1035Compression);
  auto m = ParseMessage(packet);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->answers.size(), 3u);
  EXPECT_EQ(m->questions[0].name.ToText(), "F.ISI.ARPA.");
  EXPECT_EQ(m->answers[0].name.ToText(), "FOO.F.ISI.ARPA.");
  EXPECT_EQ(std::get<ARecord>(m->answers[0].rdata).address, (std::array<uint8_t, 4>{10, 0, 0, 1}));
  EXPECT_EQ(m->answers[1].name.ToText(), "ARPA.");
  EXPECT_EQ(std::get<NsRecord>(m->answers[1].rdata).host, N("f.isi.arpa"));
  EXPECT_TRUE(m->answers[2].name.IsRoot());
  EXPECT_EQ(m->answers[2].ttl, 3600u);
  // Our compressor makes the same choices, so re-encoding gives the same bytes.
  EXPECT_EQ(SerializeMessage(*m, 512, nullptr), packet);
}

// RFC 9460 wire format: HTTPS 1 . alpn="h3,stoq" port=8443 ipv6hint=::1
const char kHttpsRdata[] =
    "0001 00"                                      // SvcPriority 1, TargetName "."
    "0001 0008 02 6833 04 73746f71"                // alpn: "h3", "stoq"
    "0003 0002 20fb"                               // port 8443
    "0006 0010 00000000000000000000000000000001";  // ipv6hint ::1

TEST(DnsParse, HttpsRecordRfc9460) {
  base::Bytes rdata = Hex(kHttpsRdata);
  ASSERT_EQ(rdata.size(), 41u);
  base::Bytes packet =
      Hex(std::string("1234 8400 0001 0001 0000 0000") + NameHex("trust.hypermesh") + "0041 0001" +
          "c00c 0041 0001 0000012c 0029" + kHttpsRdata);
  auto m = ParseMessage(packet);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->answers.size(), 1u);
  const auto& rr = m->answers[0];
  EXPECT_EQ(rr.type, rrtype::kHttps);
  EXPECT_EQ(rr.ttl, 300u);
  const auto& svcb = std::get<SvcbRecord>(rr.rdata);
  EXPECT_EQ(svcb.priority, 1);
  EXPECT_TRUE(svcb.target.IsRoot());
  ASSERT_EQ(svcb.params.size(), 3u);
  EXPECT_EQ(svcb.params[0].key, svckey::kAlpn);
  EXPECT_EQ(std::get<SvcAlpn>(svcb.params[0].value).ids, (std::vector<std::string>{"h3", "stoq"}));
  EXPECT_EQ(std::get<SvcPort>(svcb.params[1].value).port, 8443);
  EXPECT_EQ(std::get<SvcIpv6Hint>(svcb.params[2].value).addresses,
            (std::vector<std::array<uint8_t, 16>>{Ip6Loopback()}));

  // Built from values, the same message encodes to the same bytes.
  Message built;
  built.header.id = 0x1234;
  built.header.qr = built.header.aa = true;
  built.questions.push_back({N("trust.hypermesh"), rrtype::kHttps, kClassIn});
  SvcbRecord rec;
  rec.priority = 1;
  rec.params.push_back({svckey::kAlpn, SvcAlpn{{"h3", "stoq"}}});
  rec.params.push_back({svckey::kPort, SvcPort{8443}});
  rec.params.push_back({svckey::kIpv6Hint, SvcIpv6Hint{{Ip6Loopback()}}});
  built.answers.push_back(Rr("trust.hypermesh", rrtype::kHttps, rec));
  EXPECT_EQ(SerializeMessage(built, 512, nullptr), packet);
  EXPECT_EQ(*m, built);
}

TEST(DnsSerialize, SvcbTargetIsNotCompressed) {
  Message m;
  m.header.qr = true;
  m.questions.push_back({N("trust.hypermesh"), rrtype::kSvcb, kClassIn});
  SvcbRecord rec;
  rec.priority = 0;  // AliasMode
  rec.target = N("trust.hypermesh");
  m.answers.push_back(Rr("trust.hypermesh", rrtype::kSvcb, rec));
  std::string name = NameHex("trust.hypermesh");
  // The owner is compressed (c00c); the target is written in full though it is the same name.
  base::Bytes want = Hex("0000 8000 0001 0001 0000 0000" + name + "0040 0001" +
                         "c00c 0040 0001 0000012c 0013 0000" + name);
  EXPECT_EQ(SerializeMessage(m, 512, nullptr), want);
}

TEST(DnsParse, SvcbTargetCompressionRejected) {
  ExpectRejected(Hex("0000 8000 0001 0001 0000 0000" + NameHex("trust.hypermesh") + "0040 0001" +
                     "c00c 0040 0001 0000012c 0004 0000 c00c"),
                 "compression pointer where none is allowed");
}

TEST(DnsParse, OpaqueSvcParamKept) {
  auto m =
      ParseMessage(Hex("0000 8000 0000 0001 0000 0000 00 0040 0001 00000000 000d"
                       "0001 00 0002 0000 0007 0002 abcd"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto& p = std::get<SvcbRecord>(m->answers[0].rdata).params;
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].key, svckey::kNoDefaultAlpn);
  EXPECT_TRUE(std::get<base::Bytes>(p[0].value).empty());
  EXPECT_EQ(std::get<base::Bytes>(p[1].value), Hex("abcd"));
}

TEST(DnsParse, EdnsOpt) {
  // OPT: root owner, class = 4096, ttl = ext-rcode 1, version 0, DO; one option (cookie, 8 bytes).
  auto m = ParseMessage(Hex(std::string(kAaaaQuery).replace(25, 4, "0001") +
                            "00 0029 1000 01008000 000c 000a 0008 0102030405060708"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const OptRecord* opt = m->Edns();
  ASSERT_NE(opt, nullptr);
  EXPECT_EQ(opt->udp_payload_size, 4096);
  EXPECT_EQ(opt->extended_rcode, 1);
  EXPECT_EQ(opt->version, 0);
  EXPECT_TRUE(opt->dnssec_ok);
  ASSERT_EQ(opt->options.size(), 1u);
  EXPECT_EQ(opt->options[0].code, 10);
  EXPECT_EQ(opt->options[0].data, Hex("0102030405060708"));
}

// --- Round trips ----------------------------------------------------------------------------

Message AllTypesMessage() {
  Message m;
  m.header.id = 77;
  m.header.qr = m.header.aa = m.header.rd = true;
  m.questions.push_back({N("www.hypermesh"), 255, kClassIn});
  m.answers.push_back(Rr("www.hypermesh", rrtype::kA, ARecord{{192, 0, 2, 1}}));
  m.answers.push_back(Rr("WWW.hypermesh", rrtype::kAaaa, AaaaRecord{Ip6Loopback()}));
  m.answers.push_back(Rr("hypermesh", rrtype::kNs, NsRecord{N("ns1.hypermesh")}));
  m.answers.push_back(Rr("alias.hypermesh", rrtype::kCname, CnameRecord{N("www.hypermesh")}));
  m.answers.push_back(
      Rr("www.hypermesh", rrtype::kTxt, TxtRecord{{"v=1", "", std::string(255, 't')}}));
  m.answers.push_back(
      Rr("_stoq._udp.hypermesh", rrtype::kSrv, SrvRecord{10, 20, 8443, N("node1.hypermesh")}));
  m.answers.push_back(
      Rr("hypermesh", rrtype::kCaa, CaaRecord{128, "issue", base::ToBytes("trust.hypermesh")}));
  SvcbRecord svcb;
  svcb.priority = 2;
  svcb.target = N("node1.hypermesh");
  svcb.params.push_back({svckey::kMandatory, base::Bytes{0x00, 0x01}});
  svcb.params.push_back({svckey::kAlpn, SvcAlpn{{"h3", "stoq"}}});
  svcb.params.push_back({svckey::kPort, SvcPort{8443}});
  svcb.params.push_back({svckey::kIpv6Hint, SvcIpv6Hint{{Ip6Loopback(), Ip6Loopback()}}});
  svcb.params.push_back({9000, base::Bytes{1, 2, 3}});
  m.answers.push_back(Rr("www.hypermesh", rrtype::kHttps, svcb));
  m.answers.push_back(Rr("_8443._stoq.www.hypermesh", rrtype::kSvcb, svcb));
  m.answers.push_back(Rr("www.hypermesh", 99, OpaqueRecord{base::Bytes{9, 8, 7}}));
  m.answers.push_back(Rr("www.hypermesh", 100, OpaqueRecord{}));
  m.authority.push_back(Rr("hypermesh", rrtype::kSoa,
                           SoaRecord{N("ns1.hypermesh"), N("hostmaster.hypermesh"), 2026112101,
                                     7200, 3600, 1209600, 300}));
  m.additional.push_back(Rr("ns1.hypermesh", rrtype::kAaaa, AaaaRecord{Ip6Loopback()}));
  OptRecord opt;
  opt.udp_payload_size = 1232;
  opt.extended_rcode = 0;
  opt.version = 0;
  opt.dnssec_ok = true;
  opt.other_flags = 0x0123;
  opt.options.push_back({10, base::Bytes{1, 2, 3, 4, 5, 6, 7, 8}});
  opt.options.push_back({12, {}});
  m.additional.push_back(OptRr(opt));
  return m;
}

TEST(DnsRoundTrip, EveryRecordType) {
  Message m = AllTypesMessage();
  bool tc = true;
  base::Bytes wire = SerializeMessage(m, kMaxMessageSize, &tc);
  EXPECT_FALSE(tc);
  auto back = ParseMessage(wire);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  // Names keep their case through compression (WWW vs www are not merged).
  EXPECT_EQ(back->answers[1].name.labels()[0], "WWW");
  // Encoding is deterministic: a second trip gives identical bytes.
  EXPECT_EQ(SerializeMessage(*back, kMaxMessageSize, nullptr), wire);
}

TEST(DnsRoundTrip, EachRecordTypeAlone) {
  Message all = AllTypesMessage();
  std::vector<ResourceRecord> records = all.answers;
  records.push_back(all.authority[0]);
  for (const auto& rr : records) {
    Message m;
    m.answers.push_back(rr);
    auto back = ParseMessage(SerializeMessage(m, 512, nullptr));
    ASSERT_TRUE(back.ok()) << "type " << rr.type << ": " << back.status().ToString();
    EXPECT_EQ(*back, m) << "type " << rr.type;
  }
}

TEST(DnsSerialize, CompressesOwnerAndRdataNames) {
  Message m = AllTypesMessage();
  base::Bytes wire = SerializeMessage(m, kMaxMessageSize, nullptr);
  // "hypermesh" appears in full exactly once in the compressed names plus once per
  // uncompressed SRV/SVCB target (3 of them); count occurrences of its wire label.
  std::string text(base::AsString(wire));
  size_t count = 0;
  for (size_t at = text.find("\x09hypermesh"); at != std::string::npos;
       at = text.find("\x09hypermesh", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 4u);
}

// --- Truncation -----------------------------------------------------------------------------

Message BigAnswer(bool with_opt) {
  Message m;
  m.header.qr = true;
  m.questions.push_back({N("big.hypermesh"), rrtype::kTxt, kClassIn});
  for (int i = 0; i < 20; ++i) {
    m.answers.push_back(Rr("big.hypermesh", rrtype::kTxt,
                           TxtRecord{{std::string(100, static_cast<char>('a' + i))}}));
  }
  if (with_opt) m.additional.push_back(OptRr(OptRecord{}));
  return m;
}

TEST(DnsSerialize, TruncatesWholeRecordsAndSetsTc) {
  for (bool with_opt : {false, true}) {
    Message m = BigAnswer(with_opt);
    bool tc = false;
    base::Bytes wire = SerializeMessage(m, 512, &tc);
    EXPECT_TRUE(tc);
    EXPECT_LE(wire.size(), 512u);
    EXPECT_EQ(wire[2] & 0x02, 0x02);  // TC bit on the wire
    auto back = ParseMessage(wire);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(back->header.tc);
    ASSERT_EQ(back->questions.size(), 1u);
    // Each TXT record is 2 + 10 + 101 octets: four fit in 512 after header and question.
    ASSERT_EQ(back->answers.size(), 4u);
    for (size_t i = 0; i < back->answers.size(); ++i) EXPECT_EQ(back->answers[i], m.answers[i]);
    EXPECT_EQ(back->Edns() != nullptr, with_opt);  // OPT survives truncation

    bool tc_big = true;
    base::Bytes full = SerializeMessage(m, kMaxMessageSize, &tc_big);
    EXPECT_FALSE(tc_big);
    auto full_back = ParseMessage(full);
    ASSERT_TRUE(full_back.ok());
    EXPECT_FALSE(full_back->header.tc);
    EXPECT_EQ(*full_back, m);
  }
}

TEST(DnsSerialize, HeaderOnlyWhenNothingFits) {
  Message m = BigAnswer(false);
  bool tc = false;
  base::Bytes wire = SerializeMessage(m, kHeaderSize, &tc);
  EXPECT_TRUE(tc);
  EXPECT_EQ(wire.size(), kHeaderSize);
  auto back = ParseMessage(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->questions.empty() && back->answers.empty());
}

// --- Rejections -----------------------------------------------------------------------------

const char kHdr1q[] = "0000 0000 0001 0000 0000 0000";  // one question, nothing else

std::string OneAnswer(std::string_view type, std::string_view rdata_len, std::string_view rdata) {
  return "0000 8000 0000 0001 0000 0000 00" + std::string(type) + "0001 00000000" +
         std::string(rdata_len) + std::string(rdata);
}

TEST(DnsReject, Truncation) {
  base::Bytes q = Hex(kAaaaQuery);
  ExpectRejected({}, "truncated header");
  ExpectRejected(base::Bytes(q.begin(), q.begin() + 11), "truncated header");
  for (size_t cut = 13; cut < q.size(); ++cut) {
    auto m = ParseMessage(base::ByteSpan(q.data(), cut));
    EXPECT_FALSE(m.ok()) << "cut at " << cut;
  }
  ExpectRejected(base::Bytes(q.begin(), q.end() - 1), "truncated question");
  ExpectRejected(base::Bytes(q.begin(), q.begin() + 20), "truncated label");
}

TEST(DnsReject, CountsNotMatchingData) {
  std::string q = kAaaaQuery;
  ExpectRejected(Hex(std::string(q).replace(10, 4, "0002")), "question count exceeds the data");
  ExpectRejected(Hex(std::string(q).replace(15, 4, "0001")), "record count exceeds the data");
  ExpectRejected(Hex(std::string(q).replace(10, 4, "0000")), "trailing bytes");
  ExpectRejected(Hex(q + "00"), "trailing bytes");
  // ANCOUNT 2 but one record present, with enough slack to pass the early size bound.
  ExpectRejected(Hex("0000 8000 0000 0002 0000 0000 00 0001 0001 00000000 0004 01020304"
                     "00000000000000000000"),
                 "truncated resource record");
}

TEST(DnsReject, LabelAndNameLength) {
  ExpectRejected(Hex(std::string(kHdr1q) + "40" + std::string(128, 'a') + "00 0001 0001"),
                 "label longer than 63 octets");
  ExpectRejected(Hex(std::string(kHdr1q) + "80 00 0001 0001"), "label longer than 63 octets");
  std::string l63 = "3f" + std::string(126, '6');
  ExpectRejected(Hex(std::string(kHdr1q) + l63 + l63 + l63 + l63 + "00 0001 0001"),
                 "name longer than 255 octets");
  // 255 octets exactly is fine.
  auto ok = ParseMessage(
      Hex(std::string(kHdr1q) + l63 + l63 + l63 + "3d" + std::string(122, '7') + "00 0001 0001"));
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  // Over 255 through compression: 3*64 octets at 12, then 63 more + pointer to them.
  std::string two =
      "0000 0000 0002 0000 0000 0000" + l63 + l63 + l63 + "00 0001 0001" + l63 + "c00c 0001 0001";
  ExpectRejected(Hex(two), "name longer than 255 octets");
}

TEST(DnsReject, CompressionPointers) {
  // Points at itself: the shortest loop.
  ExpectRejected(Hex(std::string(kHdr1q) + "c00c 0001 0001"), "not backwards");
  // A label then a pointer back to that label: a loop through one label.
  ExpectRejected(Hex(std::string(kHdr1q) + "0161 c00c 0001 0001"), "not backwards");
  // Forward pointer to a name later in the packet.
  ExpectRejected(Hex("0000 0000 0002 0000 0000 0000 c012 0001 0001 0161 00 0001 0001"),
                 "not backwards");
  // Two names pointing at each other (the second points back to the first, which points
  // forward): rejected at the forward pointer.
  ExpectRejected(Hex("0000 0000 0002 0000 0000 0000 c012 0001 0001 c00c 0001 0001"),
                 "not backwards");
  ExpectRejected(Hex(std::string(kHdr1q) + "c000 0001 0001"), "into header");
  ExpectRejected(Hex(OneAnswer("0002", "0001", "c0")), "truncated compression pointer");
  // A chain of backward pointers is fine.
  auto ok =
      ParseMessage(Hex("0000 0000 0003 0000 0000 0000 0161 00 0001 0001"
                       "0162 c00c 0001 0001 0163 c013 0001 0001"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->questions[2].name.ToText(), "c.b.a.");
}

TEST(DnsReject, RdataLengthMismatch) {
  ExpectRejected(Hex(OneAnswer("0001", "0005", "0102030405")), "A rdata has wrong length");
  ExpectRejected(Hex(OneAnswer("0001", "0003", "010203")), "A rdata has wrong length");
  ExpectRejected(Hex(OneAnswer("001c", "0004", "01020304")), "AAAA rdata has wrong length");
  ExpectRejected(Hex(OneAnswer("0006", "0017", "00 00" + std::string(42, '0'))),
                 "SOA rdata has wrong length");
  ExpectRejected(Hex(OneAnswer("0002", "0004", "0161 00 ff")), "rdata length does not match");
  ExpectRejected(Hex(OneAnswer("0002", "0002", "0161 00")), "truncated name");
  ExpectRejected(Hex(OneAnswer("0001", "0004", "010203")), "truncated rdata");
  ExpectRejected(Hex(OneAnswer("0010", "0000", "")), "TXT rdata is empty");
  ExpectRejected(Hex(OneAnswer("0010", "0003", "05 6162")), "TXT string overruns");
  ExpectRejected(Hex(OneAnswer("0021", "0006", "000000000000")), "SRV rdata too short");
  ExpectRejected(Hex(OneAnswer("0101", "0003", "00 00 61")), "CAA tag length");
  ExpectRejected(Hex(OneAnswer("0101", "0003", "00 05 61")), "CAA tag overruns");
}

TEST(DnsReject, SvcParams) {
  auto svcb = [](std::string params) {
    std::string rdata = "0001 00" + params;
    char len[5];
    snprintf(len, sizeof(len), "%04zx", Hex(rdata).size());
    return Hex(OneAnswer("0041", len, rdata));
  };
  EXPECT_TRUE(ParseMessage(svcb("0001 0003 02 6833 0003 0002 01bb")).ok());
  ExpectRejected(svcb("0003 0002 01bb 0001 0003 02 6833"), "not strictly increasing");
  ExpectRejected(svcb("0003 0002 01bb 0003 0002 01bb"), "not strictly increasing");
  ExpectRejected(svcb("0001 0000"), "alpn is empty");
  ExpectRejected(svcb("0001 0001 00"), "alpn id is empty");
  ExpectRejected(svcb("0001 0002 05 68"), "alpn id overruns");
  ExpectRejected(svcb("0003 0001 01"), "port is not 2 octets");
  ExpectRejected(svcb("0006 000f" + std::string(30, '0')), "ipv6hint length");
  ExpectRejected(svcb("0006 0000"), "ipv6hint length");
  ExpectRejected(svcb("0001 0009 02 6833"), "svcb param overruns rdata");
  ExpectRejected(svcb("00 01"), "truncated svcb param");
  ExpectRejected(svcb("ffff 0000"), "reserved");
}

TEST(DnsReject, OptPlacement) {
  const std::string opt = "00 0029 04d0 00000000 0000";
  ExpectRejected(Hex("0000 0000 0000 0000 0000 0002" + opt + opt), "more than one OPT");
  ExpectRejected(Hex("0000 0000 0000 0001 0000 0000" + opt), "OPT outside additional");
  ExpectRejected(Hex("0000 0000 0000 0000 0001 0000" + opt), "OPT outside additional");
  ExpectRejected(Hex("0000 0000 0000 0000 0000 0001 0161 00 0029 04d0 00000000 0000"),
                 "OPT owner is not the root");
  ExpectRejected(Hex("0000 0000 0000 0000 0000 0001 00 0029 04d0 00000000 0003 000a00"),
                 "truncated edns option");
  ExpectRejected(Hex("0000 0000 0000 0000 0000 0001 00 0029 04d0 00000000 0004 000a0001"),
                 "edns option overruns");
  EXPECT_TRUE(ParseMessage(Hex("0000 0000 0000 0000 0000 0001" + opt)).ok());
}

TEST(DnsReject, OversizedInput) {
  base::Bytes big(kMaxMessageSize + 1, 0);
  ExpectRejected(big, "larger than 65535");
}

}  // namespace
}  // namespace hm::trustchain::dns
