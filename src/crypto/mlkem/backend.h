// Internal to ML-KEM: the operations that have a portable and an AVX2 implementation, bundled as a
// table of function pointers chosen once at run time (CPUID), and the entry points that take an
// explicit backend so tests can run both. Thread-safety: the tables are immutable.
#pragma once

#include <cstdint>
#include <vector>

#include "crypto/mlkem/mlkem.h"
#include "crypto/mlkem/poly.h"
#include "crypto/mlkem/xof_jobs.h"

namespace hm::crypto::mlkem::internal {

struct Backend {
  const char* name;
  void (*ntt)(Poly& p);
  void (*inv_ntt)(Poly& p);
  void (*basemul_acc)(Poly& r, const Poly* a, const Poly* b, int k);
  // Runs a list of Keccak jobs (SampleNTT, PRF + CBD, hashes); see xof_jobs.h.
  void (*run_jobs)(XofJob* jobs, int n);
  void (*decode12)(Poly* p, const uint8_t* in, int k);
  void (*encode12)(uint8_t* out, const Poly* p, int k);
  void (*compress_encode)(uint8_t* out, const Poly& p, int d);
};

const Backend& PortableBackend();
// Null when the CPU (or the compiler) lacks AVX2.
const Backend* Avx2Backend();
// AVX2 plus an AVX-512VL Keccak; null when the CPU lacks AVX-512F/VL.
const Backend* Avx512Backend();
// Every backend this CPU can run, portable first (for tests and benchmarks).
std::vector<const Backend*> AvailableBackends();
// The fastest available backend, decided once.
const Backend& DefaultBackend();

// 4-way Keccak-f[1600] permutations of lane-interleaved states (hash.h KeccakX4). The AVX2 one
// is only callable when Avx2Backend() is non-null, the AVX-512 one when Avx512Backend() is.
void KeccakX4PermutePortable(KeccakX4& st);
void KeccakX4PermuteAvx2(KeccakX4& st);
void KeccakX4PermuteAvx512(KeccakX4& st);

// The public operations with an explicit backend (mlkem.cc).
base::Result<KeyPair> KeyGenWith(const Backend& be, Params p, const uint8_t d[32],
                                 const uint8_t z[32]);
base::Result<EncapsResult> EncapsWith(const Backend& be, Params p, base::ByteSpan ek,
                                      const uint8_t m[32]);
base::Result<SharedSecret> DecapsWith(const Backend& be, Params p, base::ByteSpan dk,
                                      base::ByteSpan ct);

}  // namespace hm::crypto::mlkem::internal
