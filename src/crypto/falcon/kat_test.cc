// Official round-3 KATs (tests/vectors/falcon): keys and signed messages reproduced
// bit-exactly from the NIST DRBG, and every signature verifies and resists tampering.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/bytes.h"
#include "crypto/falcon/falcon.h"
#include "crypto/falcon/testing/nist_drbg.h"

namespace hm::crypto::falcon {
namespace {

struct KatRecord {
  int count = -1;
  base::Bytes seed, msg, pk, sk, sm;
};

std::vector<KatRecord> LoadKat(const std::string& path) {
  std::ifstream in(path);
  std::vector<KatRecord> out;
  std::string line;
  KatRecord cur;
  auto hex = [](const std::string& s) {
    auto r = base::HexDecode(s);
    return r.ok() ? *r : base::Bytes{};
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), val = line.substr(eq + 3);
    if (key == "count") {
      if (cur.count >= 0) out.push_back(cur);
      cur = KatRecord{};
      cur.count = std::stoi(val);
    } else if (key == "seed") {
      cur.seed = hex(val);
    } else if (key == "msg") {
      cur.msg = hex(val);
    } else if (key == "pk") {
      cur.pk = hex(val);
    } else if (key == "sk") {
      cur.sk = hex(val);
    } else if (key == "sm") {
      cur.sm = hex(val);
    }
  }
  if (cur.count >= 0) out.push_back(cur);
  return out;
}

// Detached compressed signature 0x30+logn || nonce || comp(s2) from the nist.c sm layout:
// sig_len(2) || nonce(40) || msg || 0x20+logn || comp(s2).
base::Bytes DetachedFromSm(const KatRecord& r, unsigned logn) {
  const size_t comp_start = 42 + r.msg.size() + 1;
  base::Bytes sig(1 + 40 + (r.sm.size() - comp_start));
  sig[0] = static_cast<uint8_t>(0x30 + logn);
  for (size_t i = 0; i < 40; ++i) sig[1 + i] = r.sm[2 + i];
  for (size_t i = comp_start; i < r.sm.size(); ++i) sig[41 + i - comp_start] = r.sm[i];
  return sig;
}

base::Bytes SmFromDetached(const base::Bytes& sig, const base::Bytes& msg, unsigned logn) {
  const size_t comp_len = sig.size() - 41;
  base::Bytes sm(2 + 40 + msg.size() + 1 + comp_len);
  sm[0] = static_cast<uint8_t>((comp_len + 1) >> 8);
  sm[1] = static_cast<uint8_t>(comp_len + 1);
  size_t pos = 2;
  for (size_t i = 1; i < 41; ++i) sm[pos++] = sig[i];
  for (uint8_t b : msg) sm[pos++] = b;
  sm[pos++] = static_cast<uint8_t>(0x20 + logn);
  for (size_t i = 41; i < sig.size(); ++i) sm[pos++] = sig[i];
  return sm;
}

struct KatParam {
  Variant variant;
  const char* file;
};

class FalconKatTest : public ::testing::TestWithParam<KatParam> {};

TEST_P(FalconKatTest, ReproducesKeysAndSignaturesBitExactly) {
  const Variant v = GetParam().variant;
  const unsigned logn = LogN(v);
  const auto records = LoadKat(std::string(HM_SOURCE_DIR "/tests/vectors/falcon/") +
                               GetParam().file);
  ASSERT_EQ(records.size(), 100u);
  int pk_ok = 0, sk_ok = 0, sm_ok = 0, verify_ok = 0, processed = 0;
  for (const KatRecord& r : records) {
    ASSERT_EQ(r.seed.size(), 48u);
    testing::NistDrbg drbg(std::span<const uint8_t, 48>(r.seed.data(), 48));
    std::array<uint8_t, 48> kseed{};
    drbg.Fill(kseed);
    auto kp = KeyGenFromSeed(v, kseed);
    ASSERT_TRUE(kp.ok()) << kp.status().ToString();
    pk_ok += kp->public_key == r.pk;
    sk_ok += kp->secret_key == r.sk;
    EXPECT_EQ(base::HexEncode(kp->public_key), base::HexEncode(r.pk)) << "count " << r.count;
    EXPECT_EQ(base::HexEncode(kp->secret_key), base::HexEncode(r.sk)) << "count " << r.count;

    std::array<uint8_t, kNonceSize> nonce{};
    std::array<uint8_t, kSeedSize> sseed{};
    drbg.Fill(nonce);
    drbg.Fill(sseed);
    auto sig = SignWithNonceAndSeed(v, r.sk, r.msg, nonce, sseed);
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    const base::Bytes sm = SmFromDetached(*sig, r.msg, logn);
    sm_ok += sm == r.sm;
    EXPECT_EQ(base::HexEncode(sm), base::HexEncode(r.sm)) << "count " << r.count;

    const base::Bytes detached = DetachedFromSm(r, logn);
    const base::Status st = Verify(v, r.pk, r.msg, detached);
    verify_ok += st.ok();
    EXPECT_TRUE(st.ok()) << "count " << r.count << ": " << st.ToString();
    ++processed;
  }
  EXPECT_EQ(processed, 100);
  EXPECT_EQ(pk_ok, 100);
  EXPECT_EQ(sk_ok, 100);
  EXPECT_EQ(sm_ok, 100);
  EXPECT_EQ(verify_ok, 100);
}

// Flipping a byte of the signature, the public key or the message must break verification.
TEST_P(FalconKatTest, TamperingIsRejected) {
  const Variant v = GetParam().variant;
  const unsigned logn = LogN(v);
  const auto records = LoadKat(std::string(HM_SOURCE_DIR "/tests/vectors/falcon/") +
                               GetParam().file);
  ASSERT_EQ(records.size(), 100u);
  int processed = 0;
  for (const KatRecord& r : records) {
    const base::Bytes sig = DetachedFromSm(r, logn);
    auto vk = VerifyingKey::Load(v, r.pk);
    ASSERT_TRUE(vk.ok());
    ASSERT_TRUE(vk->Verify(r.msg, sig).ok());
    // Every position for the first two vectors, a spread sample for the others.
    const size_t step = r.count < 2 ? 1 : 97;
    for (size_t i = r.count % 7; i < sig.size(); i += step) {
      base::Bytes bad = sig;
      bad[i] ^= static_cast<uint8_t>(1u << (i % 8));
      EXPECT_FALSE(vk->Verify(r.msg, bad).ok()) << "count " << r.count << " sig byte " << i;
    }
    for (size_t i = r.count % 5; i < r.pk.size(); i += (r.count < 2 ? 1 : 211)) {
      base::Bytes bad = r.pk;
      bad[i] ^= 0x01;
      EXPECT_FALSE(Verify(v, bad, r.msg, sig).ok()) << "count " << r.count << " pk byte " << i;
    }
    for (size_t i = 0; i < r.msg.size(); i += (r.count < 2 ? 1 : 13)) {
      base::Bytes bad = r.msg;
      bad[i] ^= 0x80;
      EXPECT_FALSE(vk->Verify(bad, sig).ok()) << "count " << r.count << " msg byte " << i;
    }
    ++processed;
  }
  EXPECT_EQ(processed, 100);
}

INSTANTIATE_TEST_SUITE_P(Falcon, FalconKatTest,
                         ::testing::Values(KatParam{Variant::kFalcon512, "falcon512-KAT.rsp"},
                                           KatParam{Variant::kFalcon1024, "falcon1024-KAT.rsp"}),
                         [](const ::testing::TestParamInfo<KatParam>& p) {
                           return p.param.variant == Variant::kFalcon512 ? "Falcon512"
                                                                            : "Falcon1024";
                         });

}  // namespace
}  // namespace hm::crypto::falcon
