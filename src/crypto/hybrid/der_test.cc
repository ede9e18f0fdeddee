#include "crypto/hybrid/der.h"

#include <gtest/gtest.h>
#include <openssl/objects.h>

#include <string>

#include "base/bytes.h"

namespace hm::crypto::hybrid {
namespace {

base::Bytes Hex(std::string_view hex) { return *base::HexDecode(hex); }

// OpenSSL's own OID encoder, as an independent reference.
base::Bytes OpensslOid(const std::string& dotted) {
  ASN1_OBJECT* obj = OBJ_txt2obj(dotted.c_str(), 1);
  EXPECT_NE(obj, nullptr) << dotted;
  if (obj == nullptr) return {};
  base::Bytes out(OBJ_get0_data(obj), OBJ_get0_data(obj) + OBJ_length(obj));
  ASN1_OBJECT_free(obj);
  return out;
}

std::string OpensslOidText(base::ByteSpan content) {
  ASN1_OBJECT* obj = ASN1_OBJECT_create(NID_undef, const_cast<uint8_t*>(content.data()),
                                        static_cast<int>(content.size()), nullptr, nullptr);
  char buf[256];
  const int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
  ASN1_OBJECT_free(obj);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

TEST(DerTest, TlvUsesMinimalLengths) {
  EXPECT_EQ(base::HexEncode(DerTlv(0x04, {})), "0400");
  EXPECT_EQ(base::HexEncode(DerTlv(0x04, base::Bytes(127, 0xaa))).substr(0, 4), "047f");
  EXPECT_EQ(base::HexEncode(DerTlv(0x04, base::Bytes(128, 0xaa))).substr(0, 6), "048180");
  EXPECT_EQ(base::HexEncode(DerTlv(0x04, base::Bytes(255, 0xaa))).substr(0, 6), "0481ff");
  EXPECT_EQ(base::HexEncode(DerTlv(0x04, base::Bytes(256, 0xaa))).substr(0, 8), "04820100");
  EXPECT_EQ(base::HexEncode(DerBitString(Hex("0102"))), "0303000102");
}

TEST(DerTest, ReaderAcceptsWhatTheWriterWrites) {
  for (size_t len : {0u, 1u, 127u, 128u, 255u, 256u, 3168u, 70000u}) {
    const base::Bytes content(len, 0x5a);
    const base::Bytes der = DerTlv(kDerOctetString, content);
    DerReader r(der);
    auto got = r.Read(kDerOctetString, "x");
    ASSERT_TRUE(got.ok()) << len << ": " << got.status().ToString();
    EXPECT_EQ(base::Bytes(got->begin(), got->end()), content);
    EXPECT_TRUE(r.Finish("x").ok());
  }
}

TEST(DerTest, ReaderRejectsNonDer) {
  const struct {
    std::string hex;
    const char* why;
  } kCases[] = {
      {"", "empty"},
      {"04", "no length"},
      {"0401", "content truncated"},
      {"0500", "wrong tag"},
      {"0480", "indefinite length"},
      {"048105"
       "0000000000",
       "long form for a short length"},
      {"04820080" + std::string(256, '0'), "length with a leading zero octet"},
      {"0481", "long length truncated"},
      {"048400000001"
       "00",
       "four length octets"},
      {"0483100000", "length above the limit"},
  };
  for (const auto& c : kCases) {
    const base::Bytes der = Hex(c.hex);
    DerReader r(der);
    EXPECT_FALSE(r.Read(kDerOctetString, "x").ok()) << c.why;
  }
}

TEST(DerTest, FinishRejectsTrailingBytes) {
  const base::Bytes der =
      Hex("040100"
          "00");
  DerReader r(der);
  ASSERT_TRUE(r.Read(kDerOctetString, "x").ok());
  EXPECT_FALSE(r.AtEnd());
  EXPECT_FALSE(r.Finish("x").ok());
}

TEST(DerTest, BitStringNeedsZeroUnusedBits) {
  for (const char* bad : {"0300", "030101", "03020700"}) {
    const base::Bytes der = Hex(bad);
    DerReader r(der);
    EXPECT_FALSE(r.ReadBitString("b").ok()) << bad;
  }
  const base::Bytes der = Hex("030100");
  DerReader r(der);
  auto got = r.ReadBitString("b");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

TEST(DerTest, SmallIntegerIsExact) {
  const base::Bytes ok = Hex("020100");
  EXPECT_TRUE(DerReader(ok).ExpectSmallInteger(0, "v").ok());
  for (const char* bad : {"02020000", "020101", "0200", "040100"}) {
    const base::Bytes der = Hex(bad);
    EXPECT_FALSE(DerReader(der).ExpectSmallInteger(0, "v").ok()) << bad;
  }
}

TEST(DerTest, OidContentMatchesKnownEncodings) {
  EXPECT_EQ(base::HexEncode(*OidContent("1.2.840.10045.2.1")), "2a8648ce3d0201");
  EXPECT_EQ(base::HexEncode(*OidContent("1.2.840.10045.3.1.7")), "2a8648ce3d030107");
  EXPECT_EQ(base::HexEncode(*OidContent("2.16.840.1.101.3.4.4.3")), "608648016503040403");
  EXPECT_EQ(base::HexEncode(*OidContent("1.3.9999.3.14")), "2bce0f030e");
  EXPECT_EQ(base::HexEncode(*OidContent("2.999.3")), "883703");  // X.690 8.19.5 example
  EXPECT_EQ(base::HexEncode(*OidContent("0.0")), "00");
}

TEST(DerTest, OidContentAgreesWithOpenssl) {
  for (const std::string dotted :
       {"1.3.9999.3.11", "2.16.840.1.101.3.4.4.1", "2.25.5445952541388287336678472237821206818.1.1",
        "2.25.5445952541388287336678472237821206818.1.2", "2.25.0", "1.39.18446744073709551616"}) {
    auto mine = OidContent(dotted);
    ASSERT_TRUE(mine.ok()) << dotted;
    EXPECT_EQ(*mine, OpensslOid(dotted)) << dotted;
    auto text = OidText(*mine);
    ASSERT_TRUE(text.ok()) << dotted;
    EXPECT_EQ(*text, dotted);
    EXPECT_EQ(OpensslOidText(*mine), dotted);
  }
}

TEST(DerTest, OidContentRejectsMalformedText) {
  for (const char* bad :
       {"", "1", "3.1", "1.40", "0.40", "1..2", "01.2", "1.02", "1.2a", "1.2.", ".1.2", "-1.2"}) {
    EXPECT_FALSE(OidContent(bad).ok()) << bad;
  }
}

TEST(DerTest, OidTextRejectsMalformedContent) {
  for (const char* bad : {"", "2a86", "2a8048", "80",
                          "2a"
                          "0080"}) {
    EXPECT_FALSE(OidText(Hex(bad)).ok()) << bad;
  }
  // Subidentifiers of up to 28 base-128 groups (196 bits) round-trip; 29 are refused.
  const base::Bytes max = Hex("2a" + std::string(27 * 2, 'f') + "7f");
  auto text = OidText(max);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*OidContent(*text), max);
  EXPECT_EQ(OpensslOidText(max), *text);
  EXPECT_FALSE(OidText(Hex("2a" + std::string(28 * 2, 'f') + "7f")).ok());
}

}  // namespace
}  // namespace hm::crypto::hybrid
