// Known-answer tests for ML-KEM-1024: NIST ACVP (FIPS 203 final), Project Wycheproof and C2SP CCTV
// (tests/vectors/ml-kem/README.md), each run on the portable and (where the CPU has it) AVX2
// backend. Every file's test count is asserted so a parse mistake cannot silently skip vectors.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "base/bytes.h"
#include "crypto/mlkem/backend.h"
#include "crypto/mlkem/mlkem.h"

namespace hm::crypto::mlkem {
namespace {

using internal::Backend;
using nlohmann::json;

constexpr Params kP = Params::kMlKem1024;
const std::string kDir = HM_SOURCE_DIR "/tests/vectors/ml-kem/";

json LoadJson(const std::string& rel) {
  std::ifstream f(kDir + rel);
  EXPECT_TRUE(f.good()) << "cannot open " << kDir + rel;
  std::stringstream ss;
  ss << f.rdbuf();
  json j = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "bad JSON in " << rel;
  return j;
}

base::Bytes Hex(const json& v) {
  auto r = base::HexDecode(v.get<std::string>());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : base::Bytes{};
}

std::string HexOf(base::ByteSpan b) { return base::HexEncode(b); }

class MlKemVectorsTest : public ::testing::TestWithParam<const Backend*> {
 protected:
  const Backend& be() { return *GetParam(); }
};

TEST_P(MlKemVectorsTest, AcvpKeyGen) {
  const json doc = LoadJson("acvp/ML-KEM-1024-keyGen-FIPS203.internalProjection.json");
  int n = 0;
  for (const json& g : doc["testGroups"]) {
    ASSERT_EQ(g["parameterSet"], "ML-KEM-1024");
    for (const json& t : g["tests"]) {
      const base::Bytes d = Hex(t["d"]), z = Hex(t["z"]);
      ASSERT_EQ(d.size(), 32u);
      ASSERT_EQ(z.size(), 32u);
      auto kp = internal::KeyGenWith(be(), kP, d.data(), z.data());
      ASSERT_TRUE(kp.ok());
      EXPECT_EQ(HexOf(kp->ek), HexOf(Hex(t["ek"]))) << "tcId " << t["tcId"];
      EXPECT_EQ(HexOf(kp->dk), HexOf(Hex(t["dk"]))) << "tcId " << t["tcId"];
      ++n;
    }
  }
  EXPECT_EQ(n, 25);
}

TEST_P(MlKemVectorsTest, AcvpEncapDecap) {
  const json doc = LoadJson("acvp/ML-KEM-1024-encapDecap-FIPS203.internalProjection.json");
  int n_encaps = 0, n_decaps = 0;
  for (const json& g : doc["testGroups"]) {
    ASSERT_EQ(g["parameterSet"], "ML-KEM-1024");
    if (g["function"] == "encapsulation") {
      for (const json& t : g["tests"]) {
        const base::Bytes m = Hex(t["m"]);
        ASSERT_EQ(m.size(), 32u);
        auto enc = internal::EncapsWith(be(), kP, Hex(t["ek"]), m.data());
        ASSERT_TRUE(enc.ok()) << enc.status().ToString();
        EXPECT_EQ(HexOf(enc->ciphertext), HexOf(Hex(t["c"]))) << "tcId " << t["tcId"];
        EXPECT_EQ(HexOf(enc->shared_secret), HexOf(Hex(t["k"]))) << "tcId " << t["tcId"];
        auto dec = internal::DecapsWith(be(), kP, Hex(t["dk"]), Hex(t["c"]));
        ASSERT_TRUE(dec.ok());
        EXPECT_EQ(HexOf(*dec), HexOf(Hex(t["k"]))) << "tcId " << t["tcId"];
        ++n_encaps;
      }
    } else if (g["function"] == "decapsulation") {
      const base::Bytes dk = Hex(g["dk"]);
      for (const json& t : g["tests"]) {
        auto dec = internal::DecapsWith(be(), kP, dk, Hex(t["c"]));
        ASSERT_TRUE(dec.ok());
        EXPECT_EQ(HexOf(*dec), HexOf(Hex(t["k"]))) << "tcId " << t["tcId"] << " " << t["reason"];
        ++n_decaps;
      }
    }
  }
  EXPECT_EQ(n_encaps, 25);
  EXPECT_EQ(n_decaps, 10);
}

TEST_P(MlKemVectorsTest, WycheproofKeyGenSeed) {
  const json doc = LoadJson("wycheproof/mlkem_1024_keygen_seed_test.json");
  int n = 0;
  for (const json& g : doc["testGroups"]) {
    ASSERT_EQ(g["parameterSet"], "ML-KEM-1024");
    for (const json& t : g["tests"]) {
      ASSERT_EQ(t["result"], "valid");
      const base::Bytes seed = Hex(t["seed"]);
      ASSERT_EQ(seed.size(), 64u);
      auto kp = internal::KeyGenWith(be(), kP, seed.data(), seed.data() + 32);
      ASSERT_TRUE(kp.ok());
      EXPECT_EQ(HexOf(kp->ek), HexOf(Hex(t["ek"]))) << "tcId " << t["tcId"];
      EXPECT_EQ(HexOf(kp->dk), HexOf(Hex(t["dk"]))) << "tcId " << t["tcId"];
      ++n;
    }
  }
  EXPECT_EQ(n, 100);
  EXPECT_EQ(doc["numberOfTests"], 100);
}

TEST_P(MlKemVectorsTest, WycheproofEncaps) {
  const json doc = LoadJson("wycheproof/mlkem_1024_encaps_test.json");
  int n_valid = 0, n_invalid = 0;
  for (const json& g : doc["testGroups"]) {
    ASSERT_EQ(g["parameterSet"], "ML-KEM-1024");
    for (const json& t : g["tests"]) {
      const base::Bytes m = Hex(t["m"]);
      ASSERT_EQ(m.size(), 32u);
      auto enc = internal::EncapsWith(be(), kP, Hex(t["ek"]), m.data());
      if (t["result"] == "valid") {
        ASSERT_TRUE(enc.ok()) << "tcId " << t["tcId"] << ": " << enc.status().ToString();
        EXPECT_EQ(HexOf(enc->ciphertext), HexOf(Hex(t["c"]))) << "tcId " << t["tcId"];
        EXPECT_EQ(HexOf(enc->shared_secret), HexOf(Hex(t["K"]))) << "tcId " << t["tcId"];
        ++n_valid;
      } else {
        ASSERT_EQ(t["result"], "invalid");
        EXPECT_FALSE(enc.ok()) << "tcId " << t["tcId"] << " accepted";
        if (!enc.ok()) {
          EXPECT_EQ(enc.status().code(), base::Code::kInvalidArgument);
        }
        ++n_invalid;
      }
    }
  }
  EXPECT_EQ(n_valid, 133);
  EXPECT_EQ(n_invalid, 136);
  EXPECT_EQ(doc["numberOfTests"], n_valid + n_invalid);
}

TEST_P(MlKemVectorsTest, WycheproofKeyGenAndDecaps) {
  const json doc = LoadJson("wycheproof/mlkem_1024_test.json");
  int n_valid = 0, n_invalid = 0;
  for (const json& g : doc["testGroups"]) {
    ASSERT_EQ(g["parameterSet"], "ML-KEM-1024");
    for (const json& t : g["tests"]) {
      const base::Bytes seed = Hex(t["seed"]);
      const base::Bytes ct = Hex(t["c"]);
      // The seed is the private key here: a wrong-length one must be rejected before Decaps.
      auto kp = seed.size() == kSeedSize
                    ? internal::KeyGenWith(be(), kP, seed.data(), seed.data() + 32)
                    : KeyGenFromSeed(kP, seed);
      base::Result<SharedSecret> dec = kp.status();
      if (kp.ok()) {
        if (t.contains("ek")) {
          EXPECT_EQ(HexOf(kp->ek), HexOf(Hex(t["ek"]))) << t["tcId"];
        }
        dec = internal::DecapsWith(be(), kP, kp->dk, ct);
      }
      if (t["result"] == "valid") {
        ASSERT_TRUE(dec.ok()) << "tcId " << t["tcId"] << ": " << dec.status().ToString();
        EXPECT_EQ(HexOf(*dec), HexOf(Hex(t["K"]))) << "tcId " << t["tcId"];
        ++n_valid;
      } else {
        ASSERT_EQ(t["result"], "invalid");
        EXPECT_FALSE(dec.ok()) << "tcId " << t["tcId"] << " accepted";
        if (!dec.ok()) {
          EXPECT_EQ(dec.status().code(), base::Code::kInvalidArgument);
        }
        ++n_invalid;
      }
    }
  }
  EXPECT_EQ(n_valid, 153);
  EXPECT_EQ(n_invalid, 40);
  EXPECT_EQ(doc["numberOfTests"], n_valid + n_invalid);
}

TEST_P(MlKemVectorsTest, WycheproofSemiExpandedDecaps) {
  const json doc = LoadJson("wycheproof/mlkem_1024_semi_expanded_decaps_test.json");
  int n_valid = 0, n_invalid = 0;
  for (const json& g : doc["testGroups"]) {
    ASSERT_EQ(g["parameterSet"], "ML-KEM-1024");
    for (const json& t : g["tests"]) {
      const base::Bytes dk = Hex(t["dk"]);
      auto dec = internal::DecapsWith(be(), kP, dk, Hex(t["c"]));
      if (t["result"] == "valid") {
        ASSERT_TRUE(dec.ok()) << "tcId " << t["tcId"] << ": " << dec.status().ToString();
        EXPECT_EQ(HexOf(*dec), HexOf(Hex(t["K"]))) << "tcId " << t["tcId"];
        ++n_valid;
      } else {
        EXPECT_FALSE(dec.ok()) << "tcId " << t["tcId"] << " accepted: " << t["comment"];
        ++n_invalid;
      }
    }
  }
  EXPECT_EQ(n_valid, 3);
  EXPECT_EQ(n_invalid, 6);
}

TEST_P(MlKemVectorsTest, CctvUnreducedKeysRejected) {
  gzFile f = gzopen((kDir + "cctv/modulus-ML-KEM-1024.txt.gz").c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::string text;
  char chunk[65536];
  int got;
  while ((got = gzread(f, chunk, sizeof(chunk))) > 0) text.append(chunk, static_cast<size_t>(got));
  gzclose(f);
  std::istringstream lines(text);
  std::string line;
  int n = 0;
  const uint8_t m[32] = {};
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto ek = base::HexDecode(line);
    ASSERT_TRUE(ek.ok());
    ASSERT_EQ(ek->size(), kMlKem1024EncapsulationKeySize);
    auto enc = internal::EncapsWith(be(), kP, *ek, m);
    ASSERT_FALSE(enc.ok()) << "line " << n + 1 << " accepted";
    EXPECT_EQ(enc.status().code(), base::Code::kInvalidArgument);
    EXPECT_FALSE(CheckEncapsulationKey(kP, *ek).ok());
    ++n;
  }
  EXPECT_EQ(n, 1040);
}

std::vector<const Backend*> Backends() { return internal::AvailableBackends(); }

std::string BackendName(const ::testing::TestParamInfo<const Backend*>& p) { return p.param->name; }

INSTANTIATE_TEST_SUITE_P(Backends, MlKemVectorsTest, ::testing::ValuesIn(Backends()), BackendName);

}  // namespace
}  // namespace hm::crypto::mlkem
