// ML-KEM KeyGen / Encaps / Decaps timings for the three parameter sets on every backend the CPU
// can run (portable, AVX2, AVX2 with the AVX-512VL Keccak).
#include <benchmark/benchmark.h>

#include <array>
#include <functional>
#include <string>

#include "base/random.h"
#include "crypto/mlkem/backend.h"
#include "crypto/mlkem/mlkem.h"

namespace {

using hm::crypto::mlkem::Params;
namespace internal = hm::crypto::mlkem::internal;

std::array<uint8_t, 32> Fill(hm::base::Random& rng) {
  std::array<uint8_t, 32> a;
  rng.Fill(a);
  return a;
}

void BM_KeyGen(benchmark::State& state, Params p, const internal::Backend& be) {
  hm::base::SeededRandom rng(1);
  const auto d = Fill(rng), z = Fill(rng);
  for (auto _ : state) {
    auto kp = internal::KeyGenWith(be, p, d.data(), z.data());
    benchmark::DoNotOptimize(kp);
  }
}

void BM_Encaps(benchmark::State& state, Params p, const internal::Backend& be) {
  hm::base::SeededRandom rng(2);
  const auto d = Fill(rng), z = Fill(rng), m = Fill(rng);
  auto kp = internal::KeyGenWith(be, p, d.data(), z.data());
  if (!kp.ok()) return state.SkipWithError("keygen failed");
  for (auto _ : state) {
    auto enc = internal::EncapsWith(be, p, kp->ek, m.data());
    benchmark::DoNotOptimize(enc);
  }
}

void BM_Decaps(benchmark::State& state, Params p, const internal::Backend& be) {
  hm::base::SeededRandom rng(3);
  const auto d = Fill(rng), z = Fill(rng), m = Fill(rng);
  auto kp = internal::KeyGenWith(be, p, d.data(), z.data());
  if (!kp.ok()) return state.SkipWithError("keygen failed");
  auto enc = internal::EncapsWith(be, p, kp->ek, m.data());
  if (!enc.ok()) return state.SkipWithError("encaps failed");
  for (auto _ : state) {
    auto k = internal::DecapsWith(be, p, kp->dk, enc->ciphertext);
    benchmark::DoNotOptimize(k);
  }
}

}  // namespace

// One benchmark per operation, parameter set and backend this CPU can run, e.g.
// "Decaps/ML-KEM-1024/avx2". The dispatched default is the last backend listed.
int main(int argc, char** argv) {
  const Params kParams[] = {Params::kMlKem1024, Params::kMlKem768, Params::kMlKem512};
  for (Params p : kParams) {
    const std::string name(hm::crypto::mlkem::ParamsName(p));
    for (const internal::Backend* be : internal::AvailableBackends()) {
      const std::string suffix = "/" + name + "/" + be->name;
      benchmark::RegisterBenchmark(("KeyGen" + suffix).c_str(), BM_KeyGen, p, std::cref(*be));
      benchmark::RegisterBenchmark(("Encaps" + suffix).c_str(), BM_Encaps, p, std::cref(*be));
      benchmark::RegisterBenchmark(("Decaps" + suffix).c_str(), BM_Decaps, p, std::cref(*be));
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
