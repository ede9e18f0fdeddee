// The backend tables (portable, AVX2, AVX2 + AVX-512VL Keccak) and the run-time choice.
#include "crypto/mlkem/backend.h"

#include "crypto/mlkem/avx2.h"

namespace hm::crypto::mlkem::internal {

namespace {

constexpr Backend kPortable = {
    "portable",        NttPortable,      InvNttPortable,   BasemulAccPortable,
    RunJobsSequential, Decode12Portable, Encode12Portable, CompressEncodePortable,
};

#if HM_MLKEM_HAVE_AVX2
void RunJobsAvx2(XofJob* jobs, int n) {
  RunJobsX4(jobs, n, KeccakX4PermuteAvx2, RejectSampleAvx2, CbdAvx2);
}
void RunJobsAvx512(XofJob* jobs, int n) {
  RunJobsX4(jobs, n, KeccakX4PermuteAvx512, RejectSampleAvx2, CbdAvx2);
}

constexpr Backend kAvx2 = {
    "avx2",      NttAvx2,      InvNttAvx2,   BasemulAccAvx2,
    RunJobsAvx2, Decode12Avx2, Encode12Avx2, CompressEncodeAvx2,
};
// The AVX2 backend with the AVX-512VL Keccak.
constexpr Backend kAvx512 = {
    "avx512",      NttAvx2,      InvNttAvx2,   BasemulAccAvx2,
    RunJobsAvx512, Decode12Avx2, Encode12Avx2, CompressEncodeAvx2,
};
#endif

}  // namespace

const Backend& PortableBackend() { return kPortable; }

const Backend* Avx2Backend() {
  static const Backend* const avx2 = []() -> const Backend* {
#if HM_MLKEM_HAVE_AVX2
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) return &kAvx2;
#endif
    return nullptr;
  }();
  return avx2;
}

const Backend* Avx512Backend() {
  static const Backend* const avx512 = []() -> const Backend* {
#if HM_MLKEM_HAVE_AVX2
    if (Avx2Backend() != nullptr && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512vl")) {
      return &kAvx512;
    }
#endif
    return nullptr;
  }();
  return avx512;
}

std::vector<const Backend*> AvailableBackends() {
  std::vector<const Backend*> v = {&kPortable};
  if (Avx2Backend() != nullptr) v.push_back(Avx2Backend());
  if (Avx512Backend() != nullptr) v.push_back(Avx512Backend());
  return v;
}

const Backend& DefaultBackend() {
  static const Backend* const chosen = Avx512Backend() ? Avx512Backend()
                                       : Avx2Backend() ? Avx2Backend()
                                                       : &kPortable;
  return *chosen;
}

}  // namespace hm::crypto::mlkem::internal
