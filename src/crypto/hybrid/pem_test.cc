#include "crypto/hybrid/pem.h"

#include <gtest/gtest.h>

#include <string>

#include "base/random.h"

namespace hm::crypto::hybrid {
namespace {

base::Bytes RandomBytes(size_t n, uint64_t seed) {
  base::SeededRandom random(seed);
  base::Bytes b(n);
  random.Fill(b);
  return b;
}

TEST(PemTest, RoundTripsEverySize) {
  for (size_t n = 1; n <= 200; ++n) {
    const base::Bytes der = RandomBytes(n, n);
    const std::string pem = PemEncode("PUBLIC KEY", der);
    auto back = PemDecode("PUBLIC KEY", pem);
    ASSERT_TRUE(back.ok()) << n << ": " << back.status().ToString();
    EXPECT_EQ(*back, der);
  }
}

TEST(PemTest, WritesSixtyFourCharacterLines) {
  const std::string pem = PemEncode("PRIVATE KEY", RandomBytes(100, 1));
  EXPECT_EQ(pem.substr(0, 28), "-----BEGIN PRIVATE KEY-----\n");
  EXPECT_EQ(pem.substr(28 + 64, 1), "\n");
  EXPECT_EQ(pem.substr(pem.size() - 26), "-----END PRIVATE KEY-----\n");
  EXPECT_EQ(pem.size(), 28u + 65u + 65u + 9u + 26u);  // 136 base64 chars: 64 + 64 + 8
}

TEST(PemTest, AcceptsCrlfAndTrailingBlankLines) {
  const base::Bytes der = RandomBytes(90, 2);
  std::string pem = PemEncode("PUBLIC KEY", der);
  std::string crlf;
  for (char c : pem) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_EQ(*PemDecode("PUBLIC KEY", crlf), der);
  EXPECT_EQ(*PemDecode("PUBLIC KEY", pem + "\n\n"), der);
  pem.pop_back();  // no final newline
  EXPECT_EQ(*PemDecode("PUBLIC KEY", pem), der);
}

TEST(PemTest, RejectsDeviations) {
  const base::Bytes der = RandomBytes(100, 3);
  const std::string good = PemEncode("PUBLIC KEY", der);
  const std::string body = good.substr(good.find('\n') + 1);  // after BEGIN line
  const struct {
    std::string text;
    const char* why;
  } kCases[] = {
      {"", "empty"},
      {"hello", "not PEM"},
      {PemEncode("PRIVATE KEY", der), "other label"},
      {"junk\n" + good, "text before"},
      {good + "junk\n", "text after"},
      {good + good, "two blocks"},
      {"-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\n" + body, "header"},
      {"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", "empty body"},
      {"-----BEGIN PUBLIC KEY-----\n" + body.substr(0, 64) + "\n", "no END line"},
      {"-----BEGIN PUBLIC KEY-----\n" + body.substr(0, 60) + "\n" + body.substr(60),
       "short line before the last"},
      {"-----BEGIN PUBLIC KEY-----\n" + body.substr(0, 64) + body.substr(65), "long line"},
      {"-----BEGIN PUBLIC KEY-----\n" + std::string("\n") + body, "blank line in body"},
      {"-----BEGIN PUBLIC KEY-----\n" + std::string(64, '!') + "\n-----END PUBLIC KEY-----\n",
       "non-base64"},
      {"-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----\n", "bad padding"},
      {"-----BEGIN PUBLIC KEY-----\nAB==\n-----END PUBLIC KEY-----\n", "non-zero pad bits"},
      {" -----BEGIN PUBLIC KEY-----\n" + body, "leading space"},
  };
  for (const auto& c : kCases) {
    EXPECT_FALSE(PemDecode("PUBLIC KEY", c.text).ok()) << c.why;
  }
  auto wrong = PemDecode("PUBLIC KEY", PemEncode("PRIVATE KEY", der));
  EXPECT_NE(wrong.status().message().find("\"PRIVATE KEY\""), std::string_view::npos);
}

TEST(PemTest, LabelOfFirstLine) {
  EXPECT_EQ(PemLabel("-----BEGIN EC PRIVATE KEY-----\nxx"), "EC PRIVATE KEY");
  EXPECT_EQ(PemLabel("garbage"), "");
}

}  // namespace
}  // namespace hm::crypto::hybrid
