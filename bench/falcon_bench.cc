// Falcon-512/1024 throughput: key generation, signing (expanded key and raw secret key),
// verification (decoded key and raw public key).
#include <benchmark/benchmark.h>

#include "base/random.h"
#include "crypto/falcon/falcon.h"

namespace {

using hm::crypto::falcon::Variant;

Variant VariantOf(const benchmark::State& state) {
  return state.range(0) == 512 ? Variant::kFalcon512 : Variant::kFalcon1024;
}

void BM_FalconKeyGen(benchmark::State& state) {
  hm::base::SeededRandom rng(1);
  for (auto _ : state) {
    auto kp = hm::crypto::falcon::KeyGen(VariantOf(state), rng);
    benchmark::DoNotOptimize(kp);
  }
}

void BM_FalconSignExpanded(benchmark::State& state) {
  hm::base::SeededRandom rng(2);
  const auto kp = *hm::crypto::falcon::KeyGen(VariantOf(state), rng);
  const auto sk = *hm::crypto::falcon::SigningKey::Load(VariantOf(state), kp.secret_key);
  const auto msg = hm::base::ToBytes("benchmark message");
  for (auto _ : state) {
    auto sig = sk.Sign(msg, rng);
    benchmark::DoNotOptimize(sig);
  }
}

void BM_FalconSignRawKey(benchmark::State& state) {
  hm::base::SeededRandom rng(3);
  const auto kp = *hm::crypto::falcon::KeyGen(VariantOf(state), rng);
  const auto msg = hm::base::ToBytes("benchmark message");
  for (auto _ : state) {
    auto sig = hm::crypto::falcon::Sign(VariantOf(state), kp.secret_key, msg, rng);
    benchmark::DoNotOptimize(sig);
  }
}

void BM_FalconVerify(benchmark::State& state) {
  hm::base::SeededRandom rng(4);
  const auto kp = *hm::crypto::falcon::KeyGen(VariantOf(state), rng);
  const auto msg = hm::base::ToBytes("benchmark message");
  const auto sig = *hm::crypto::falcon::Sign(VariantOf(state), kp.secret_key, msg, rng);
  const auto vk = *hm::crypto::falcon::VerifyingKey::Load(VariantOf(state), kp.public_key);
  for (auto _ : state) {
    auto st = vk.Verify(msg, sig);
    benchmark::DoNotOptimize(st);
  }
}

void BM_FalconVerifyRawKey(benchmark::State& state) {
  hm::base::SeededRandom rng(5);
  const auto kp = *hm::crypto::falcon::KeyGen(VariantOf(state), rng);
  const auto msg = hm::base::ToBytes("benchmark message");
  const auto sig = *hm::crypto::falcon::Sign(VariantOf(state), kp.secret_key, msg, rng);
  for (auto _ : state) {
    auto st = hm::crypto::falcon::Verify(VariantOf(state), kp.public_key, msg, sig);
    benchmark::DoNotOptimize(st);
  }
}

}  // namespace

BENCHMARK(BM_FalconKeyGen)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FalconSignExpanded)->Arg(512)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FalconSignRawKey)->Arg(512)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FalconVerify)->Arg(512)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FalconVerifyRawKey)->Arg(512)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
