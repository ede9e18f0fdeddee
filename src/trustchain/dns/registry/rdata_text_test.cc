// Tests for presentation-format rdata: exact canonical output for every type, round trips through
// the text form and through the wire codec, the RFC 9460 Appendix D vectors, and rejections
// whose messages must name the field at fault.
#include "trustchain/dns/registry/rdata_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hm::trustchain::dns {
namespace {

Name N(std::string_view text) {
  auto n = Name::FromText(text);
  EXPECT_TRUE(n.ok()) << text;
  return n.ok() ? *n : Name();
}

base::Bytes Hex(std::string_view hex) {
  std::string clean;
  for (char c : hex) {
    if (c != ' ' && c != '\n') clean.push_back(c);
  }
  auto b = base::HexDecode(clean);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : base::Bytes{};
}

// The rdata octets as the wire codec writes them (owner = root, so the rdata starts at 23).
base::Bytes WireRdata(uint16_t type, const Rdata& rdata) {
  Message m;
  m.answers.push_back(ResourceRecord{Name(), type, kClassIn, 0, rdata});
  bool truncated = false;
  base::Bytes wire = SerializeMessage(m, kMaxMessageSize, &truncated);
  EXPECT_FALSE(truncated);
  if (wire.size() < 23) return {};
  return base::Bytes(wire.begin() + 23, wire.end());
}

// Puts the rdata in a message, encodes and decodes it, and expects the same rdata back.
void ExpectWireRoundTrip(uint16_t type, const Rdata& rdata) {
  Message m;
  m.header.qr = true;
  m.answers.push_back(ResourceRecord{N("rr.example."), type, kClassIn, 300, rdata});
  bool truncated = false;
  base::Bytes wire = SerializeMessage(m, kMaxMessageSize, &truncated);
  ASSERT_FALSE(truncated);
  auto back = ParseMessage(wire);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->answers.size(), 1u);
  EXPECT_TRUE(back->answers[0].rdata == rdata) << FormatRdataText(type, back->answers[0].rdata);
}

// Parses `input`, expects `canonical` as its formatting, and checks every round trip.
Rdata ExpectCanonical(uint16_t type, std::string_view input, std::string_view canonical) {
  auto parsed = ParseRdataText(type, input);
  EXPECT_TRUE(parsed.ok()) << RrTypeName(type) << " " << input << ": "
                           << parsed.status().ToString();
  if (!parsed.ok()) return Rdata{};
  std::string text = FormatRdataText(type, *parsed);
  EXPECT_EQ(text, canonical) << "from " << input;
  auto again = ParseRdataText(type, text);
  EXPECT_TRUE(again.ok()) << text << ": " << again.status().ToString();
  if (again.ok()) {
    EXPECT_TRUE(*again == *parsed) << text;
    EXPECT_EQ(FormatRdataText(type, *again), text);
  }
  ExpectWireRoundTrip(type, *parsed);
  return *parsed;
}

void ExpectRejected(uint16_t type, std::string_view input, std::string_view reason) {
  auto r = ParseRdataText(type, input);
  ASSERT_FALSE(r.ok()) << RrTypeName(type) << " accepted: " << input << " -> "
                       << FormatRdataText(type, *r);
  EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(reason), std::string_view::npos)
      << RrTypeName(type) << " " << input << ": want '" << reason << "', got "
      << r.status().ToString();
}

TEST(RrTypeTest, MnemonicsBothWays) {
  struct Case {
    std::string_view name;
    uint16_t type;
  };
  for (const Case& c :
       {Case{"A", 1}, Case{"NS", 2}, Case{"CNAME", 5}, Case{"SOA", 6}, Case{"TXT", 16},
        Case{"AAAA", 28}, Case{"SRV", 33}, Case{"SVCB", 64}, Case{"HTTPS", 65}, Case{"CAA", 257}}) {
    auto t = ParseRrType(c.name);
    ASSERT_TRUE(t.ok()) << c.name;
    EXPECT_EQ(*t, c.type);
    EXPECT_EQ(RrTypeName(c.type), c.name);
  }
  EXPECT_EQ(*ParseRrType("aaaa"), 28);
  EXPECT_EQ(*ParseRrType("Https"), 65);
  EXPECT_EQ(*ParseRrType("TYPE1"), 1);  // RFC 3597: TYPE1 is A
  EXPECT_EQ(*ParseRrType("type65280"), 65280);
  EXPECT_EQ(*ParseRrType("TYPE0"), 0);
  EXPECT_EQ(*ParseRrType("TYPE65535"), 65535);
  EXPECT_EQ(RrTypeName(15), "TYPE15");
  EXPECT_EQ(RrTypeName(41), "TYPE41");
  EXPECT_EQ(RrTypeName(65535), "TYPE65535");
  for (std::string_view bad : {"", "MX", "TYPE", "TYPE65536", "TYPE01", "TYPE-1", "TYPE1x", " A",
                               "A ", "TYPE 1", "TYPE99999999999999999999"}) {
    auto t = ParseRrType(bad);
    EXPECT_FALSE(t.ok()) << bad;
    EXPECT_NE(t.status().message().find("unknown record type"), std::string_view::npos);
  }
}

TEST(RdataTextTest, AddressRecords) {
  ExpectCanonical(rrtype::kA, "192.0.2.1", "192.0.2.1");
  ExpectCanonical(rrtype::kA, "  0.0.0.0\t", "0.0.0.0");
  auto a = ExpectCanonical(rrtype::kA, "255.255.255.255", "255.255.255.255");
  EXPECT_TRUE(a == Rdata(ARecord{{255, 255, 255, 255}}));
  ExpectCanonical(rrtype::kAaaa, "2001:db8::1", "2001:db8::1");
  ExpectCanonical(rrtype::kAaaa, "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
  ExpectCanonical(rrtype::kAaaa, "::", "::");
  ExpectCanonical(rrtype::kAaaa, "::1", "::1");
  // RFC 5952: the longest zero run is compressed, a single zero group is not.
  ExpectCanonical(rrtype::kAaaa, "2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1");
  ExpectCanonical(rrtype::kAaaa, "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
  ExpectCanonical(rrtype::kAaaa, "::ffff:192.0.2.1", "::ffff:192.0.2.1");
  auto aaaa = ExpectCanonical(rrtype::kAaaa, "fe80::a:b", "fe80::a:b");
  AaaaRecord want;
  want.address = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0x0b};
  EXPECT_TRUE(aaaa == Rdata(want));
}

TEST(RdataTextTest, AddressRejections) {
  for (std::string_view bad :
       {"1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.00", "256.1.1.1", "1.2.3.", ".1.2.3", "1..2.3",
        "a.b.c.d", "1.2.3.4/24", "+1.2.3.4", "0x1.2.3.4", "1.2.3.1000"}) {
    ExpectRejected(rrtype::kA, bad, "address");
  }
  ExpectRejected(rrtype::kA, "\"1.2.3.4\"", "quotes and escapes are not allowed");
  ExpectRejected(rrtype::kA, "1.2.3.4 5.6.7.8", "unexpected \"5.6.7.8\" after the rdata");
  ExpectRejected(rrtype::kA, "", "A: empty rdata");
  ExpectRejected(rrtype::kA, " \t\n ", "A: empty rdata");
  ExpectRejected(rrtype::kA, "; just a comment", "A: empty rdata");
  for (std::string_view bad : {"1.2.3.4", "2001:db8::1::2", "fe80::1%eth0", "2001:db8:::1",
                               "12345::1", "g::1", "2001:db8::1/64", ":::"}) {
    ExpectRejected(rrtype::kAaaa, bad, "AAAA: address");
  }
  ExpectRejected(rrtype::kAaaa, std::string_view("::1\0junk", 8), "address");
}

TEST(RdataTextTest, Names) {
  auto ns = ExpectCanonical(rrtype::kNs, "ns1.trust.hypermesh", "ns1.trust.hypermesh.");
  EXPECT_TRUE(ns == Rdata(NsRecord{N("ns1.trust.hypermesh.")}));
  ExpectCanonical(rrtype::kNs, "NS1.Example.", "NS1.Example.");  // case is kept
  ExpectCanonical(rrtype::kCname, "_sip._tcp.example.", "_sip._tcp.example.");
  ExpectCanonical(rrtype::kCname, "*.example", "*.example.");
  ExpectCanonical(rrtype::kCname, ".", ".");
  std::string label63(63, 'a');
  ExpectCanonical(rrtype::kCname, label63 + ".x", label63 + ".x.");
  // 127 labels of one octet = 255 octets on the wire: the limit exactly.
  std::string longest;
  for (int i = 0; i < 127; ++i) longest += "a.";
  ExpectCanonical(rrtype::kNs, longest, longest);

  ExpectRejected(rrtype::kNs, std::string(64, 'a') + ".x", "host: ");
  ExpectRejected(rrtype::kNs, std::string(64, 'a') + ".x", "label longer than 63 octets");
  ExpectRejected(rrtype::kNs, "b." + longest, "name longer than 255 octets");
  ExpectRejected(rrtype::kNs, "a..b", "empty label");
  ExpectRejected(rrtype::kNs, "..", "empty label");
  ExpectRejected(rrtype::kCname, "a\\.b.example.", "target: ");
  ExpectRejected(rrtype::kCname, "a\\.b.example.", "escapes in names are not supported");
  ExpectRejected(rrtype::kCname, "a\\065.example.", "escapes in names are not supported");
  ExpectRejected(rrtype::kCname, "\"quoted.example.\"", "names are not quoted");
  ExpectRejected(rrtype::kCname, "@", "'@' (the zone origin) is not supported");
  ExpectRejected(rrtype::kCname, "caf\xc3\xa9.example.", "names are printable ASCII");
  ExpectRejected(rrtype::kCname, "a.example. b.example.", "unexpected \"b.example.\"");
  ExpectRejected(rrtype::kNs, "", "NS: empty rdata");
}

TEST(RdataTextTest, Soa) {
  auto soa = ExpectCanonical(
      rrtype::kSoa,
      "ns1.trust.hypermesh hostmaster.trust.hypermesh. 2024010101 7200 900 1209600 300",
      "ns1.trust.hypermesh. hostmaster.trust.hypermesh. 2024010101 7200 900 1209600 300");
  SoaRecord want{N("ns1.trust.hypermesh"),
                 N("hostmaster.trust.hypermesh"),
                 2024010101,
                 7200,
                 900,
                 1209600,
                 300};
  EXPECT_TRUE(soa == Rdata(want));
  // Zone-file layout: parentheses over several lines, comments, BIND-style durations.
  ExpectCanonical(rrtype::kSoa,
                  "ns1.example. hostmaster.example. (\n"
                  "    4294967295 ; serial\n"
                  "    2h         ; refresh\n"
                  "    15M        ; retry\n"
                  "    1w2d       ; expire\n"
                  "    1H30m5S )  ; minimum\n",
                  "ns1.example. hostmaster.example. 4294967295 7200 900 777600 5405");
  ExpectCanonical(rrtype::kSoa, ". . 0 0 0 0 0", ". . 0 0 0 0 0");

  ExpectRejected(rrtype::kSoa, "ns1.example. hostmaster.example. 1 2 3 4", "missing minimum");
  ExpectRejected(rrtype::kSoa, "ns1.example.", "missing rname");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. 4294967296 1 2 3 4", "serial: ");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. 4294967296 1 2 3 4", "out of range");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. 1h 1 2 3 4", "serial: ");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. 1 -1 2 3 4", "refresh: ");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. 1 1 1y 3 4", "retry: ");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. 1 1 1 h 4", "expire: ");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. 1 1 1 1 1h30", "minimum: ");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. 1 1 1 1 7102w", "minimum: ");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. 1 2 3 4 5 6", "unexpected \"6\"");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. ( 1 2 3 4 5", "'(' without ')'");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. 1 2 3 4 5 )", "')' without '('");
  ExpectRejected(rrtype::kSoa, "ns1.example. h.example. ( 1 2 ( 3 ) 4 5 )", "nested '('");
  ExpectRejected(rrtype::kSoa, "ns1.example. john\\.doe.example. 1 2 3 4 5", "rname: ");
}

TEST(RdataTextTest, Txt) {
  auto txt = ExpectCanonical(rrtype::kTxt, "\"v=spf1 -all\"", "\"v=spf1 -all\"");
  EXPECT_TRUE(txt == Rdata(TxtRecord{{"v=spf1 -all"}}));
  txt = ExpectCanonical(rrtype::kTxt, "a b \"c d\" \"\"", "\"a\" \"b\" \"c d\" \"\"");
  EXPECT_TRUE(txt == Rdata(TxtRecord{{"a", "b", "c d", ""}}));
  // Escapes: \" \\ \DDD and \X; output escapes only " \ and non-printable bytes.
  txt = ExpectCanonical(rrtype::kTxt, R"("say \"hi\" \\ \065\066 \x" unq\;uoted\ word)",
                        R"("say \"hi\" \\ AB x" "unq;uoted word")");
  EXPECT_TRUE(txt == Rdata(TxtRecord{{"say \"hi\" \\ AB x", "unq;uoted word"}}));
  txt = ExpectCanonical(rrtype::kTxt,
                        R"("\000\009\127\255" "caf)"
                        "\xc3\xa9\"",
                        R"("\000\009\127\255" "caf\195\169")");
  EXPECT_TRUE(txt == Rdata(TxtRecord{{std::string("\0\t\x7f\xff", 4), "caf\xc3\xa9"}}));
  ExpectCanonical(rrtype::kTxt, "\"tab\there\"", R"("tab\009here")");
  ExpectCanonical(rrtype::kTxt, "( \"one\"\n \"two\" ) ; comment", R"("one" "two")");
  ExpectCanonical(rrtype::kTxt, "\"semi;colon (paren)\"", "\"semi;colon (paren)\"");
  std::string max(255, 'x');
  ExpectCanonical(rrtype::kTxt, "\"" + max + "\" " + max, "\"" + max + "\" \"" + max + "\"");
  // Many strings up to the 65535-octet rdata limit: 255 strings of 255 octets + 1 of 254.
  std::string many;
  for (int i = 0; i < 255; ++i) many += max + " ";
  auto big = ParseRdataText(rrtype::kTxt, many + std::string(254, 'y'));
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(std::get<TxtRecord>(*big).strings.size(), 256u);

  ExpectRejected(rrtype::kTxt, "\"" + max + "x\"", "string 1 is 256 octets");
  ExpectRejected(rrtype::kTxt, "ok " + max + "x", "string 2 is 256 octets");
  ExpectRejected(rrtype::kTxt, many + std::string(255, 'y'), "rdata over 65535 octets");
  ExpectRejected(rrtype::kTxt, "\"unterminated", "unterminated quoted string");
  ExpectRejected(rrtype::kTxt, "\"a\"b", "string 1: text after the closing quote");
  ExpectRejected(rrtype::kTxt, "ok a\"b\"", "string 2: quote inside an unquoted string");
  ExpectRejected(rrtype::kTxt, "\"\\25\"", "string 1: escape");
  ExpectRejected(rrtype::kTxt, "\"\\25\"", "is not \\DDD");
  ExpectRejected(rrtype::kTxt, "\\2", "is not \\DDD");
  ExpectRejected(rrtype::kTxt, "\"\\256\"", "is over \\255");
  ExpectRejected(rrtype::kTxt, "abc\\", "backslash at the end of the input");
  ExpectRejected(rrtype::kTxt, "", "TXT: empty rdata");
  ExpectRejected(rrtype::kTxt, "\\# 2 0161", "generic \\# form is only for types without");
}

TEST(RdataTextTest, Srv) {
  auto srv = ExpectCanonical(rrtype::kSrv, "10 60 5060 sip.example", "10 60 5060 sip.example.");
  EXPECT_TRUE(srv == Rdata(SrvRecord{10, 60, 5060, N("sip.example")}));
  ExpectCanonical(rrtype::kSrv, "0 0 0 .", "0 0 0 .");
  ExpectCanonical(rrtype::kSrv, "65535 65535 65535 a.", "65535 65535 65535 a.");
  ExpectCanonical(rrtype::kSrv, "007 08 09 a.", "7 8 9 a.");
  ExpectRejected(rrtype::kSrv, "1 2 65536 a.", "port: \"65536\" is out of range 0..65535");
  ExpectRejected(rrtype::kSrv, "1 -2 3 a.", "weight: \"-2\" is not a decimal number");
  ExpectRejected(rrtype::kSrv, "x 2 3 a.", "priority: ");
  ExpectRejected(rrtype::kSrv, "1 2 3", "missing target");
  ExpectRejected(rrtype::kSrv, "1 2 \"3\" a.", "port: ");
  ExpectRejected(rrtype::kSrv, "1 2 3 a. b.", "unexpected \"b.\"");
}

TEST(RdataTextTest, Caa) {
  auto caa =
      ExpectCanonical(rrtype::kCaa, "0 issue \"letsencrypt.org\"", "0 issue \"letsencrypt.org\"");
  EXPECT_TRUE(caa == Rdata(CaaRecord{0, "issue", base::ToBytes("letsencrypt.org")}));
  ExpectCanonical(rrtype::kCaa, "128 iodef mailto:security@example.com",
                  "128 iodef \"mailto:security@example.com\"");
  ExpectCanonical(rrtype::kCaa, "0 issue \";\"", "0 issue \";\"");
  ExpectCanonical(rrtype::kCaa, "0 tbs \"\"", "0 tbs \"\"");
  ExpectCanonical(rrtype::kCaa, "0 Issue15abcdefgh \"a \\\"q\\\" \\\\\"",
                  "0 Issue15abcdefgh \"a \\\"q\\\" \\\\\"");
  std::string long_value(300, 'v');  // CAA values are not limited to 255 octets
  ExpectCanonical(rrtype::kCaa, "0 issue " + long_value, "0 issue \"" + long_value + "\"");

  ExpectRejected(rrtype::kCaa, "256 issue \"x\"", "flags: ");
  ExpectRejected(rrtype::kCaa, "0 is-sue \"x\"", "tag: \"is-sue\" is not 1..15 ASCII letters");
  ExpectRejected(rrtype::kCaa, "0 abcdefghijklmnop \"x\"", "tag: ");
  ExpectRejected(rrtype::kCaa, "0 \"issue\" \"x\"", "tag: ");
  ExpectRejected(rrtype::kCaa, "0 issue", "missing value");
  ExpectRejected(rrtype::kCaa, "0 issue a b", "unexpected \"b\"");
  ExpectRejected(rrtype::kCaa, "0 issue \"a", "unterminated quoted string");
}

TEST(RdataTextTest, HttpsCanonicalFormMatchesDig) {
  auto https = ExpectCanonical(rrtype::kHttps, "1 . alpn=h3,stoq port=8443 ipv6hint=2001:db8::1",
                               "1 . alpn=\"h3,stoq\" port=8443 ipv6hint=2001:db8::1");
  SvcbRecord want;
  want.priority = 1;
  want.params = {
      SvcParam{svckey::kAlpn, SvcAlpn{{"h3", "stoq"}}}, SvcParam{svckey::kPort, SvcPort{8443}},
      SvcParam{svckey::kIpv6Hint,
               SvcIpv6Hint{{{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}}}};
  EXPECT_TRUE(https == Rdata(want));
  // Any order, quoting and numeric key names give the same record.
  ExpectCanonical(rrtype::kHttps, "1 . ipv6hint=\"2001:0db8:0:0::1\" key3=8443 alpn=\"h3,stoq\"",
                  "1 . alpn=\"h3,stoq\" port=8443 ipv6hint=2001:db8::1");
  ExpectCanonical(rrtype::kHttps, "0 svc.example", "0 svc.example.");
  ExpectCanonical(rrtype::kHttps,
                  "2 svc.example. ( mandatory=port,alpn alpn=h2 port=443 no-default-alpn\n"
                  "  ipv4hint=192.0.2.1,192.0.2.2 ech=AEX+DQA= ipv6hint=::1,2001:db8::2 "
                  "key65280 key65001=\"x y\" )",
                  "2 svc.example. mandatory=alpn,port alpn=\"h2\" no-default-alpn port=443 "
                  "ipv4hint=192.0.2.1,192.0.2.2 ech=AEX+DQA= ipv6hint=::1,2001:db8::2 "
                  "key65001=\"x y\" key65280");
  ExpectCanonical(rrtype::kSvcb, "1 . key9=\"\\000\\\"\\\\\" key8= key7=\"\"",
                  "1 . key7 key8 key9=\"\\000\\\"\\\\\"");
  ExpectCanonical(rrtype::kSvcb, "1 . ipv6hint=::ffff:192.0.2.1", "1 . ipv6hint=::ffff:192.0.2.1");
}

// RFC 9460 Appendix D.2, figure 9: the wire form below is copied from the RFC's layout.
TEST(RdataTextTest, Rfc9460MandatoryVectorWire) {
  auto r = ParseRdataText(rrtype::kSvcb,
                          "16 foo.example.org. ( alpn=h2,h3-19 mandatory=ipv4hint,alpn "
                          "ipv4hint=192.0.2.1 )");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(WireRdata(rrtype::kSvcb, *r), Hex("0010 03666f6f076578616d706c65036f726700"
                                              "0000 0004 0001 0004"
                                              "0001 0009 02 6832 05 68332d3139"
                                              "0004 0004 c0000201"));
  EXPECT_EQ(FormatRdataText(rrtype::kSvcb, *r),
            "16 foo.example.org. mandatory=alpn,ipv4hint alpn=\"h2,h3-19\" ipv4hint=192.0.2.1");
}

// RFC 9460 Appendix D.2, figure 10: both spellings of an alpn list with an escaped comma and
// backslash, "f\oo,bar" and "h2".
TEST(RdataTextTest, Rfc9460AlpnEscapes) {
  for (std::string_view input : {R"(16 foo.example.org. alpn="f\\\\oo\\,bar,h2")",
                                 R"(16 foo.example.org. alpn=f\\\092oo\\,bar,h2)"}) {
    auto r =
        ExpectCanonical(rrtype::kSvcb, input, R"(16 foo.example.org. alpn="f\\\\oo\\,bar,h2")");
    const auto& svcb = std::get<SvcbRecord>(r);
    ASSERT_EQ(svcb.params.size(), 1u);
    EXPECT_EQ(std::get<SvcAlpn>(svcb.params[0].value).ids,
              (std::vector<std::string>{"f\\oo,bar", "h2"}));
    EXPECT_EQ(WireRdata(rrtype::kSvcb, r), Hex("0010 03666f6f076578616d706c65036f726700"
                                               "0001 000c 08 665c6f6f2c626172 02 6832"));
  }
  // Single-level "\," is a plain separator after character-string decoding (RFC 9460 A.1).
  auto r = ExpectCanonical(rrtype::kHttps, R"(1 . alpn=h2\,h3)", "1 . alpn=\"h2,h3\"");
  EXPECT_EQ(std::get<SvcAlpn>(std::get<SvcbRecord>(r).params[0].value).ids.size(), 2u);
}

// RFC 9460 Appendix D.1/D.2, the other vectors.
TEST(RdataTextTest, Rfc9460OtherVectors) {
  ExpectCanonical(rrtype::kSvcb, "0 foo.example.com.", "0 foo.example.com.");
  ExpectCanonical(rrtype::kSvcb, "1 .", "1 .");
  auto port =
      ExpectCanonical(rrtype::kSvcb, "16 foo.example.com. port=53", "16 foo.example.com. port=53");
  EXPECT_EQ(WireRdata(rrtype::kSvcb, port),
            Hex("0010 03666f6f076578616d706c6503636f6d00 0003 0002 0035"));
  auto generic = ExpectCanonical(rrtype::kSvcb, "1 foo.example.com. key667=hello",
                                 "1 foo.example.com. key667=\"hello\"");
  EXPECT_EQ(WireRdata(rrtype::kSvcb, generic),
            Hex("0001 03666f6f076578616d706c6503636f6d00 029b 0005 68656c6c6f"));
  auto escaped = ExpectCanonical(rrtype::kSvcb, "1 foo.example.com. key667=\"hello\\210qoo\"",
                                 "1 foo.example.com. key667=\"hello\\210qoo\"");
  EXPECT_EQ(WireRdata(rrtype::kSvcb, escaped),
            Hex("0001 03666f6f076578616d706c6503636f6d00 029b 0009 68656c6c6fd271 6f6f"));
  ExpectCanonical(rrtype::kSvcb, "1 foo.example.com. ( ipv6hint=\"2001:db8::1,2001:db8::53:1\" )",
                  "1 foo.example.com. ipv6hint=2001:db8::1,2001:db8::53:1");
  auto mapped =
      ExpectCanonical(rrtype::kSvcb, "1 example.com. ( ipv6hint=\"2001:db8:122:344::192.0.2.33\" )",
                      "1 example.com. ipv6hint=2001:db8:122:344::c000:221");
  EXPECT_EQ(WireRdata(rrtype::kSvcb, mapped),
            Hex("0001 076578616d706c6503636f6d00 0006 0010 20010db8012203440000 0000c0000221"));
}

TEST(RdataTextTest, SvcbRejections) {
  // RFC 9460 Appendix D.3 failure cases, then ours.
  ExpectRejected(rrtype::kSvcb, "1 foo.example.com. ( key123=abc key123=def )",
                 "duplicate SvcParamKey key123");
  ExpectRejected(rrtype::kSvcb, "1 foo.example.com. mandatory", "mandatory: needs a value");
  ExpectRejected(rrtype::kSvcb, "1 foo.example.com. alpn", "alpn: needs a value");
  ExpectRejected(rrtype::kSvcb, "1 foo.example.com. port", "port: needs a value");
  ExpectRejected(rrtype::kSvcb, "1 foo.example.com. ipv4hint", "ipv4hint: needs a value");
  ExpectRejected(rrtype::kSvcb, "1 foo.example.com. ipv6hint", "ipv6hint: needs a value");
  ExpectRejected(rrtype::kSvcb, "1 foo.example.com. no-default-alpn=abc alpn=h2",
                 "no-default-alpn: takes no value");
  ExpectRejected(rrtype::kSvcb, "1 foo.example.com. mandatory=key123", "mandatory lists key123");
  ExpectRejected(rrtype::kSvcb, "1 foo.example.com. mandatory=mandatory",
                 "mandatory: must not list itself");
  ExpectRejected(rrtype::kSvcb, "1 foo.example.com. ( mandatory=key123,key123 key123=abc )",
                 "mandatory: lists key123 twice");

  ExpectRejected(rrtype::kHttps, "0 . alpn=h2", "AliasMode (priority 0) takes no SvcParams");
  ExpectRejected(rrtype::kHttps, "1 . alpn=h2 key1=h3", "duplicate SvcParamKey alpn");
  ExpectRejected(rrtype::kHttps, "1 . no-default-alpn", "no-default-alpn needs alpn");
  ExpectRejected(rrtype::kHttps, "1 . ALPN=h2", "unknown SvcParamKey \"ALPN\"");
  ExpectRejected(rrtype::kHttps, "1 . foo=bar", "unknown SvcParamKey \"foo\"");
  ExpectRejected(rrtype::kHttps, "1 . key01=x", "unknown SvcParamKey \"key01\"");
  ExpectRejected(rrtype::kHttps, "1 . key65536=x", "unknown SvcParamKey");
  ExpectRejected(rrtype::kHttps, "1 . key65535=x", "key65535 is reserved");
  ExpectRejected(rrtype::kHttps, "1 . =x", "missing SvcParamKey");
  ExpectRejected(rrtype::kHttps, "1 . alpn = h2", "alpn: needs a value");
  ExpectRejected(rrtype::kHttps, "1 . port=70000", "port: \"70000\" is out of range");
  ExpectRejected(rrtype::kHttps, "1 . port=x", "port: ");
  ExpectRejected(rrtype::kHttps, "1 . alpn=h2,,h3", "alpn: empty list item");
  ExpectRejected(rrtype::kHttps, "1 . alpn=h2,", "alpn: empty list item");
  ExpectRejected(rrtype::kHttps, "1 . alpn=\"h2\\\\x\"", "alpn: only \\, and \\\\ may be escaped");
  ExpectRejected(rrtype::kHttps, "1 . alpn=" + std::string(256, 'p'), "alpn: protocol id longer");
  ExpectRejected(rrtype::kHttps, "1 . ipv4hint=192.0.2.1,300.0.0.1", "ipv4hint: ");
  ExpectRejected(rrtype::kHttps, "1 . ipv6hint=2001:db8::1,192.0.2.1", "ipv6hint: ");
  ExpectRejected(rrtype::kHttps, "1 . ech=!!!", "ech: is not non-empty base64");
  ExpectRejected(rrtype::kHttps, "1 . ech=AEX+DQA", "ech: ");
  ExpectRejected(rrtype::kHttps, "1 . ech=\"\"", "ech: needs a value");
  ExpectRejected(rrtype::kHttps, "1 . mandatory=bogus alpn=h2", "mandatory: unknown SvcParamKey");
  ExpectRejected(rrtype::kHttps, "1 . alpn=\"h2", "unterminated quoted string");
  ExpectRejected(rrtype::kHttps, "1 . key7=a\"b\"", "key7: quote inside an unquoted string");
  ExpectRejected(rrtype::kHttps, "65536 .", "priority: ");
  ExpectRejected(rrtype::kHttps, "1", "missing target");
  ExpectRejected(rrtype::kHttps, "1 \"svc.example.\"", "target: ");
  // The whole rdata counts: priority (2) + target (1 for the root) + key and length (4) + value.
  ExpectRejected(rrtype::kHttps, "1 . key7=" + std::string(65535 - 6, 'x'), "over 65535 octets");
  ExpectRejected(rrtype::kHttps, "1 a. key7=" + std::string(65535 - 7, 'x'), "over 65535 octets");
  auto largest = ParseRdataText(rrtype::kHttps, "1 . key7=" + std::string(65535 - 7, 'x'));
  ASSERT_TRUE(largest.ok()) << largest.status().ToString();
  auto again = ParseRdataText(rrtype::kHttps, FormatRdataText(rrtype::kHttps, *largest));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(*again == *largest);
}

TEST(RdataTextTest, GenericForm) {
  auto g = ExpectCanonical(65280, "\\# 4 0A000001", "\\# 4 0a000001");
  EXPECT_TRUE(g == Rdata(OpaqueRecord{{10, 0, 0, 1}}));
  ExpectCanonical(65280, "\\# 0", "\\# 0");
  ExpectCanonical(15, "\\# 8 ( 000a 04 6d61696c 00 )", "\\# 8 000a046d61696c00");  // MX
  ExpectCanonical(rrtype::kOpt + 1, "\\# 1 ff", "\\# 1 ff");

  ExpectRejected(15, "10 mail.example.", "TYPE15: only the RFC 3597 generic form");
  ExpectRejected(15, "\\# 4 0a0000", "hex: 3 octets, length says 4");
  ExpectRejected(15, "\\# 2 0a0000", "hex: 3 octets, length says 2");
  ExpectRejected(15, "\\# 2 0a0", "hex: ");
  ExpectRejected(15, "\\# 2 0x0a", "hex: ");
  ExpectRejected(15, "\\# 1", "hex: 0 octets, length says 1");
  ExpectRejected(15, "\\#", "missing length");
  ExpectRejected(15, "\\# 65536 00", "length: ");
  ExpectRejected(15, "\\# 1 \"0a\"", "hex: ");
  ExpectRejected(rrtype::kA, "\\# 4 0a000001", "A: the generic \\# form is only for types");
  ExpectRejected(rrtype::kHttps, "\\# 3 000100", "HTTPS: the generic \\# form");
  // Meta and pseudo types carry no zone data.
  for (uint16_t t :
       {uint16_t{0}, rrtype::kOpt, uint16_t{128}, uint16_t{252}, uint16_t{255}, uint16_t{65535}}) {
    ExpectRejected(t, "\\# 0", "is a meta or pseudo type");
  }
}

// Rdata that did not come from ParseRdataText still formats without failing.
TEST(RdataTextTest, FormatsRdataTheTextCannotCarry) {
  auto odd_name = Name::FromLabels({"a b", "c.d", "x\"\\"});
  ASSERT_TRUE(odd_name.ok());
  EXPECT_EQ(FormatRdataText(rrtype::kNs, NsRecord{*odd_name}), R"(a\032b.c\.d.x\"\\.)");
  SvcbRecord svcb;
  svcb.priority = 1;
  svcb.params = {SvcParam{svckey::kMandatory, base::Bytes{0, 1, 2}},
                 SvcParam{svckey::kNoDefaultAlpn, base::Bytes{'x'}},
                 SvcParam{svckey::kIpv4Hint, base::Bytes{1, 2, 3}},
                 SvcParam{svckey::kEch, base::Bytes{}}};
  EXPECT_EQ(FormatRdataText(rrtype::kSvcb, svcb),
            R"(1 . key0="\000\001\002" key2="x" key4="\001\002\003" key5)");
  OptRecord opt;
  opt.options = {EdnsOption{10, {1, 2}}};
  EXPECT_EQ(FormatRdataText(rrtype::kOpt, opt), "\\# 6 000a00020102");
}

}  // namespace
}  // namespace hm::trustchain::dns
