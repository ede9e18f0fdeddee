#include "crypto/keccak/keccak.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"

namespace hm::crypto {
namespace {

using base::AsBytes;
using base::HexEncode;

std::vector<uint8_t> OpenSslXof(const EVP_MD* md, std::span<const uint8_t> in, size_t n) {
  std::vector<uint8_t> out(n);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestInit_ex(ctx, md, nullptr), 1);
  EXPECT_EQ(EVP_DigestUpdate(ctx, in.data(), in.size()), 1);
  EXPECT_EQ(EVP_DigestFinalXOF(ctx, out.data(), n), 1);
  EVP_MD_CTX_free(ctx);
  return out;
}

// FIPS 202 known answers.
TEST(KeccakTest, Sha3KnownAnswers) {
  uint8_t d256[32];
  Sha3_256(AsBytes("abc"), d256);
  EXPECT_EQ(HexEncode(d256), "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  uint8_t d512[64];
  Sha3_512(AsBytes(""), d512);
  EXPECT_EQ(HexEncode(d512),
            "a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a6"
            "15b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26");
}

TEST(KeccakTest, ShakeKnownAnswers) {
  uint8_t out[32];
  Shake128 s128;
  s128.Squeeze(out);
  EXPECT_EQ(HexEncode(out), "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
  Shake256 s256;
  s256.Squeeze(out);
  EXPECT_EQ(HexEncode(out), "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f");
}

// Incremental absorb/squeeze in random chunk sizes equals OpenSSL's one-shot output.
TEST(KeccakTest, IncrementalMatchesOpenSsl) {
  base::SeededRandom rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    std::vector<uint8_t> msg(rng.Uniform(600));
    rng.Fill(msg);
    const size_t total = 1 + rng.Uniform(1000);
    const bool is128 = trial % 2 == 0;
    auto want = OpenSslXof(is128 ? EVP_shake128() : EVP_shake256(), msg, total);
    Shake128 a;
    Shake256 b;
    KeccakSponge& s = is128 ? static_cast<KeccakSponge&>(a) : static_cast<KeccakSponge&>(b);
    size_t off = 0;
    while (off < msg.size()) {
      size_t n = std::min<size_t>(msg.size() - off, rng.Uniform(200));
      s.Absorb(std::span(msg).subspan(off, n));
      off += n;
    }
    std::vector<uint8_t> got(total);
    off = 0;
    while (off < total) {
      size_t n = std::min<size_t>(total - off, 1 + rng.Uniform(300));
      s.Squeeze(std::span(got).subspan(off, n));
      off += n;
    }
    ASSERT_EQ(got, want) << "trial " << trial;
  }
}

}  // namespace
}  // namespace hm::crypto
