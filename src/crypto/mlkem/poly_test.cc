// Arithmetic, sampling and hashing building blocks: exhaustive checks of the reductions and of
// Compress, the NTT against schoolbook multiplication, and the AVX2 backend against the portable
// one.
#include "crypto/mlkem/poly.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/random.h"
#include "crypto/keccak/keccak.h"
#include "crypto/mlkem/avx2.h"
#include "crypto/mlkem/backend.h"
#include "crypto/mlkem/hash.h"

namespace hm::crypto::mlkem::internal {
namespace {

int Mod(int64_t a) { return static_cast<int>(((a % kQ) + kQ) % kQ); }

Poly RandomPoly(base::Random& rng, int bound) {
  Poly p;
  for (int16_t& x : p.c)
    x = static_cast<int16_t>(static_cast<int>(rng.Uniform(2 * bound - 1)) - (bound - 1));
  return p;
}

std::vector<uint8_t> RandomBytes(base::Random& rng, size_t n) {
  std::vector<uint8_t> v(n);
  rng.Fill(v);
  return v;
}

TEST(MlKemArithmeticTest, BarrettAndFreezeExhaustive) {
  for (int a = -32768; a <= 32767; ++a) {
    const int16_t r = BarrettReduce(static_cast<int16_t>(a));
    ASSERT_EQ(Mod(r), Mod(a)) << a;
    ASSERT_LE(r, (kQ - 1) / 2) << a;
    ASSERT_GE(r, -(kQ - 1) / 2) << a;
    ASSERT_EQ(Freeze(static_cast<int16_t>(a)), Mod(a)) << a;
  }
  for (int x = 0; x < 4096; ++x) ASSERT_EQ(ReduceOnce(static_cast<int16_t>(x)), x % kQ);
}

TEST(MlKemArithmeticTest, MontgomeryReduce) {
  base::SeededRandom rng(1);
  const int64_t bound = int64_t{kQ} << 15;
  for (int i = 0; i < 200000; ++i) {
    const int64_t a = static_cast<int64_t>(rng.Uniform(2 * bound - 1)) - (bound - 1);
    const int16_t r = MontgomeryReduce(static_cast<int32_t>(a));
    ASSERT_LT(std::abs(r), kQ);
    ASSERT_EQ(Mod(int64_t{r} * 65536), Mod(a));
  }
}

TEST(MlKemArithmeticTest, CompressDecompressExhaustive) {
  for (int d : {1, 4, 5, 10, 11}) {
    for (int x = 0; x < kQ; ++x) {
      // round(2^d x / q) with exact integer arithmetic (q is odd, so no ties).
      const int want = ((2 * (x << d) + kQ) / (2 * kQ)) % (1 << d);
      ASSERT_EQ(Compress(static_cast<int16_t>(x), d), want) << "d=" << d << " x=" << x;
    }
    for (int y = 0; y < (1 << d); ++y) {
      const int want = (2 * kQ * y + (1 << d)) / (2 << d);
      ASSERT_EQ(Decompress(static_cast<uint16_t>(y), d), want);
    }
  }
}

// ByteEncode_d bit order (FIPS 203 Algorithm 5), one bit at a time: bit b of value i is bit
// i * d + b of the output, bytes filled from their least significant bit.
TEST(MlKemArithmeticTest, PackBitsMatchesBitwiseDefinition) {
  base::SeededRandom rng(14);
  for (int d : {1, 4, 5, 10, 11, 12}) {
    uint16_t vals[kN];
    for (uint16_t& v : vals) v = static_cast<uint16_t>(rng.Uniform(uint64_t{1} << d));
    std::vector<uint8_t> want(32 * d, 0);
    for (int i = 0; i < kN; ++i) {
      for (int b = 0; b < d; ++b) {
        const int pos = i * d + b;
        want[pos / 8] |= static_cast<uint8_t>(((vals[i] >> b) & 1) << (pos % 8));
      }
    }
    std::vector<uint8_t> got(32 * d);
    PackBits(got.data(), vals, d);
    ASSERT_EQ(got, want) << "d=" << d;
    if (d == 12) continue;
    Poly p;
    DecodeDecompress(p, want.data(), d);
    for (int i = 0; i < kN; ++i) ASSERT_EQ(p.c[i], Decompress(vals[i], d)) << "d=" << d;
  }
}

// a * b in Z_q[X]/(X^256 + 1), schoolbook.
std::vector<int> SchoolbookMul(const Poly& a, const Poly& b) {
  std::vector<int64_t> acc(kN, 0);
  for (int i = 0; i < kN; ++i) {
    for (int j = 0; j < kN; ++j) {
      const int64_t prod = int64_t{a.c[i]} * b.c[j];
      if (i + j < kN) {
        acc[i + j] += prod;
      } else {
        acc[i + j - kN] -= prod;
      }
    }
  }
  std::vector<int> out(kN);
  for (int i = 0; i < kN; ++i) out[i] = Mod(acc[i]);
  return out;
}

std::vector<const Backend*> Backends() { return AvailableBackends(); }

TEST(MlKemNttTest, MultiplicationMatchesSchoolbook) {
  base::SeededRandom rng(2);
  for (const Backend* be : Backends()) {
    for (int iter = 0; iter < 5; ++iter) {
      Poly a = RandomPoly(rng, kQ);
      Poly b = RandomPoly(rng, kQ);
      const std::vector<int> want = SchoolbookMul(a, b);
      be->ntt(a);
      be->ntt(b);
      for (int i = 0; i < kN; ++i) ASSERT_LE(std::abs(a.c[i]), (kQ - 1) / 2);
      Poly r;
      be->basemul_acc(r, &a, &b, 1);
      be->inv_ntt(r);
      for (int i = 0; i < kN; ++i) {
        ASSERT_LT(std::abs(r.c[i]), kQ);
        ASSERT_EQ(Mod(r.c[i]), want[i]) << be->name << " coefficient " << i;
      }
    }
  }
}

class MlKemAvx2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Avx2Backend() == nullptr) GTEST_SKIP() << "CPU without AVX2";
  }
  const Backend& avx2() { return *Avx2Backend(); }
  const Backend& portable() { return PortableBackend(); }
};

void ExpectSamePoly(const Poly& a, const Poly& b) {
  ASSERT_EQ(std::memcmp(a.c, b.c, sizeof(a.c)), 0);
}

TEST_F(MlKemAvx2Test, NttAndInverseBitExact) {
  base::SeededRandom rng(3);
  for (int iter = 0; iter < 200; ++iter) {
    const Poly in = RandomPoly(rng, kQ);
    Poly a = in, b = in;
    portable().ntt(a);
    avx2().ntt(b);
    ExpectSamePoly(a, b);
    a = in;
    b = in;
    portable().inv_ntt(a);
    avx2().inv_ntt(b);
    ExpectSamePoly(a, b);
  }
}

TEST_F(MlKemAvx2Test, BasemulBitExact) {
  base::SeededRandom rng(4);
  for (int k = 1; k <= kMaxK; ++k) {
    Poly a[kMaxK], b[kMaxK];
    for (int j = 0; j < k; ++j) {
      a[j] = RandomPoly(rng, kQ);
      b[j] = RandomPoly(rng, kQ);
    }
    Poly r1, r2;
    portable().basemul_acc(r1, a, b, k);
    avx2().basemul_acc(r2, a, b, k);
    ExpectSamePoly(r1, r2);
  }
}

TEST_F(MlKemAvx2Test, Encode12Decode12BitExact) {
  base::SeededRandom rng(5);
  for (int k = 1; k <= kMaxK; ++k) {
    const std::vector<uint8_t> bytes = RandomBytes(rng, 384 * k);
    Poly p1[kMaxK], p2[kMaxK];
    portable().decode12(p1, bytes.data(), k);
    avx2().decode12(p2, bytes.data(), k);
    for (int j = 0; j < k; ++j) ExpectSamePoly(p1[j], p2[j]);
    // Round trip of raw 12-bit values, then encode reduced values on both.
    std::vector<uint8_t> out1(384 * k), out2(384 * k);
    avx2().encode12(out2.data(), p2, k);
    EXPECT_EQ(out2, bytes);
    ReduceOncePolys(p1, k);
    portable().encode12(out1.data(), p1, k);
    avx2().encode12(out2.data(), p1, k);
    EXPECT_EQ(out1, out2);
  }
}

TEST_F(MlKemAvx2Test, CompressEncodeBitExact) {
  base::SeededRandom rng(6);
  for (int d : {1, 4, 5, 10, 11}) {
    for (int iter = 0; iter < 50; ++iter) {
      const Poly p = RandomPoly(rng, 32768);
      std::vector<uint8_t> o1(32 * d), o2(32 * d);
      portable().compress_encode(o1.data(), p, d);
      avx2().compress_encode(o2.data(), p, d);
      ASSERT_EQ(o1, o2) << "d=" << d;
      // Decoding then re-encoding the compressed values is the identity.
      Poly back;
      DecodeDecompress(back, o1.data(), d);
      std::vector<uint8_t> o3(32 * d);
      portable().compress_encode(o3.data(), back, d);
      ASSERT_EQ(o1, o3) << "d=" << d;
    }
  }
}

TEST_F(MlKemAvx2Test, RejectSampleBitExact) {
  base::SeededRandom rng(7);
  for (int iter = 0; iter < 100; ++iter) {
    const size_t len = 3 * (1 + rng.Uniform(200));
    std::vector<uint8_t> buf = RandomBytes(rng, len + 8);
    const int start = static_cast<int>(rng.Uniform(kN));
    int16_t o1[kN] = {}, o2[kN] = {};
    const int c1 = RejectSamplePortable(o1, start, kN, buf.data(), len);
    const int c2 = RejectSampleAvx2(o2, start, kN, buf.data(), len);
    ASSERT_EQ(c1, c2);
    ASSERT_EQ(std::memcmp(o1, o2, sizeof(o1)), 0);
  }
}

TEST_F(MlKemAvx2Test, CbdBitExact) {
  base::SeededRandom rng(8);
  for (int iter = 0; iter < 50; ++iter) {
    const std::vector<uint8_t> buf = RandomBytes(rng, 128);
    Poly p1, p2;
    CbdPortable(p1, buf.data(), 2);
    CbdAvx2(p2, buf.data(), 2);
    ExpectSamePoly(p1, p2);
  }
}

TEST_F(MlKemAvx2Test, KeccakX4MatchesScalar) {
  base::SeededRandom rng(9);
  KeccakX4 a;
  for (auto& lane : a.s) {
    for (uint64_t& w : lane) w = rng.NextU64();
  }
  KeccakX4 b = a;
  KeccakX4 c = a;
  KeccakX4PermutePortable(a);
  KeccakX4PermuteAvx2(b);
  EXPECT_EQ(std::memcmp(&a, &b, sizeof(a)), 0);
  if (Avx512Backend() != nullptr) {
    KeccakX4PermuteAvx512(c);
    EXPECT_EQ(std::memcmp(&a, &c, sizeof(a)), 0);
  }
}

// Outputs of one mixed job list: a matrix, noise of both etas and long hashes.
struct JobOutputs {
  Poly a[kMaxK * kMaxK];
  Poly noise[9];
  uint8_t h[32], j[32], g[64];
};

void RunMixedJobs(void (*run)(XofJob*, int), int k, bool transposed, const std::vector<uint8_t>& in,
                  JobOutputs& out) {
  JobList jobs;
  jobs.AddHash(kSha3_256Rate, 0x06, in, {}, out.h, 32);
  jobs.AddHash(kShake256Rate, 0x1F, std::span(in).first(32), std::span(in).subspan(32), out.j, 32);
  jobs.AddMatrix(out.a, in.data(), k, transposed);
  for (int i = 0; i < 9; ++i) {
    jobs.AddNoise(&out.noise[i], in.data() + 32, static_cast<uint8_t>(7 * i), i % 3 == 0 ? 3 : 2);
  }
  jobs.AddHash(kSha3_512Rate, 0x06, std::span(in).first(33), {}, out.g, 64);
  run(jobs.data(), jobs.size());
}

void ExpectSameOutputs(const JobOutputs& x, const JobOutputs& y, int k) {
  for (int i = 0; i < k * k; ++i) ExpectSamePoly(x.a[i], y.a[i]);
  for (int i = 0; i < 9; ++i) ExpectSamePoly(x.noise[i], y.noise[i]);
  EXPECT_EQ(std::memcmp(x.h, y.h, 32), 0);
  EXPECT_EQ(std::memcmp(x.j, y.j, 32), 0);
  EXPECT_EQ(std::memcmp(x.g, y.g, 64), 0);
}

void RunX4Portable(XofJob* jobs, int n) {
  RunJobsX4(jobs, n, KeccakX4PermutePortable, RejectSamplePortable, CbdPortable);
}

// The lane scheduler itself (independent of AVX2): four-at-a-time equals one-by-one.
TEST(MlKemJobsTest, X4SchedulerMatchesSequential) {
  base::SeededRandom rng(10);
  for (int k = 2; k <= kMaxK; ++k) {
    for (bool transposed : {false, true}) {
      for (size_t len : {64u, 136u, 1568u, 1600u}) {
        const std::vector<uint8_t> in = RandomBytes(rng, len);
        JobOutputs seq, x4;
        RunMixedJobs(RunJobsSequential, k, transposed, in, seq);
        RunMixedJobs(RunX4Portable, k, transposed, in, x4);
        ExpectSameOutputs(seq, x4, k);
        // Known answers from the shared Keccak for the hashes.
        uint8_t want[64];
        Sha3_256(in, std::span<uint8_t, 32>(want, 32));
        EXPECT_EQ(std::memcmp(seq.h, want, 32), 0);
        Sha3_512(std::span(in).first(33), std::span<uint8_t, 64>(want, 64));
        EXPECT_EQ(std::memcmp(seq.g, want, 64), 0);
      }
    }
  }
}

// A streaming hash fed in uneven pieces, each piece run beside a matrix row, equals SHA3-256.
void StreamingHashCase(void (*run)(XofJob*, int), const std::vector<uint8_t>& msg,
                       const std::vector<size_t>& cuts, uint8_t out[32]) {
  StreamingHash h;
  Poly row[kMaxK];
  for (size_t cut : cuts) {
    JobList jobs;
    jobs.AddStreamingHash(&h, kSha3_256Rate, 0x06, std::span(msg).first(cut), msg.size(), out, 32);
    jobs.AddMatrixRow(row, msg.data(), kMaxK, 1, false);
    run(jobs.data(), jobs.size());
  }
}

TEST(MlKemJobsTest, StreamingHash) {
  base::SeededRandom rng(13);
  std::vector<void (*)(XofJob*, int)> runners = {RunJobsSequential, RunX4Portable};
  for (const Backend* be : AvailableBackends()) runners.push_back(be->run_jobs);
  for (size_t len : {136u, 1000u, 1568u, 1632u}) {
    const std::vector<uint8_t> msg = RandomBytes(rng, len);
    uint8_t want[32];
    Sha3_256(msg, std::span<uint8_t, 32>(want, 32));
    std::vector<size_t> cuts = {0, 1, 135, 136, 137, len / 2, len / 2, len - 1};
    for (size_t& c : cuts) c = std::min(c, len - 1);
    std::sort(cuts.begin(), cuts.end());
    cuts.push_back(len);  // the last piece completes the message
    for (auto run : runners) {
      uint8_t got[32] = {};
      StreamingHashCase(run, msg, cuts, got);
      EXPECT_EQ(std::memcmp(got, want, 32), 0) << len;
      uint8_t once[32] = {};
      StreamingHashCase(run, msg, {len}, once);
      EXPECT_EQ(std::memcmp(once, want, 32), 0) << len;
    }
  }
}

TEST_F(MlKemAvx2Test, JobsBitExact) {
  base::SeededRandom rng(11);
  for (int k = 2; k <= kMaxK; ++k) {
    const std::vector<uint8_t> in = RandomBytes(rng, 1568);
    JobOutputs want;
    RunMixedJobs(RunJobsSequential, k, true, in, want);
    for (const Backend* be : AvailableBackends()) {
      JobOutputs got;
      RunMixedJobs(be->run_jobs, k, true, in, got);
      ExpectSameOutputs(want, got, k);
    }
  }
}

TEST(MlKemSamplingTest, NoiseIsCenteredBinomial) {
  base::SeededRandom rng(12);
  const std::vector<uint8_t> seed = RandomBytes(rng, 32);
  for (int eta : {2, 3}) {
    Poly p;
    JobList jobs;
    jobs.AddNoise(&p, seed.data(), 0, eta);
    RunJobsSequential(jobs.data(), jobs.size());
    for (int16_t x : p.c) {
      ASSERT_LE(x, eta);
      ASSERT_GE(x, -eta);
    }
  }
}

TEST(MlKemSamplingTest, MatrixEntriesBelowQ) {
  const uint8_t rho[32] = {1, 2, 3};
  Poly a[kMaxK * kMaxK];
  JobList jobs;
  jobs.AddMatrix(a, rho, kMaxK, false);
  RunJobsSequential(jobs.data(), jobs.size());
  for (const Poly& p : a) EXPECT_TRUE(AllBelowQ(&p, 1));
}

TEST(MlKemHashTest, MatchesSharedKeccak) {
  base::SeededRandom rng(12);
  for (size_t len : {0u, 1u, 32u, 71u, 72u, 73u, 135u, 136u, 137u, 1568u, 1600u}) {
    const std::vector<uint8_t> in = RandomBytes(rng, len);
    uint8_t h1[32], h2[32];
    HashH(in, h1);
    Sha3_256(in, h2);
    EXPECT_EQ(std::memcmp(h1, h2, 32), 0) << len;
    uint8_t g1[64], g2[64];
    const size_t split = len / 3;
    HashG(std::span(in).first(split), std::span(in).subspan(split), g1);
    Sha3_512(in, g2);
    EXPECT_EQ(std::memcmp(g1, g2, 64), 0) << len;
    uint8_t j1[32], j2[32];
    HashJ(std::span(in).first(split), std::span(in).subspan(split), j1);
    Shake256 ref;
    ref.Absorb(in);
    ref.Squeeze(j2);
    EXPECT_EQ(std::memcmp(j1, j2, 32), 0) << len;
  }
}

}  // namespace
}  // namespace hm::crypto::mlkem::internal
