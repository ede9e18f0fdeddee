// Internal to ML-KEM: every Keccak computation of one ML-KEM step (SampleNTT streams, PRF + CBD
// noise, long hashes such as H(ek) and J(z || c)) described as a job, so that a backend can run
// them sequentially or four at a time on a 4-way Keccak, refilling a lane as soon as its job ends.
// Thread-safety: a JobList belongs to one thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/mlkem/hash.h"
#include "crypto/mlkem/poly.h"

namespace hm::crypto::mlkem::internal {

// The state of a hash whose input becomes available piece by piece over several job runs (KeyGen
// absorbs ek one encoded row at a time, alongside the sampling of the next matrix row).
struct StreamingHash {
  std::array<uint64_t, 25> state{};
  size_t absorbed = 0;  // whole blocks absorbed so far, in bytes
  bool done = false;    // the output has been written
};

struct XofJob {
  enum class Kind : uint8_t { kSampleNtt, kCbd, kHash };
  Kind kind;
  uint8_t domain;  // SHAKE 0x1F or SHA-3 0x06
  uint8_t prefix_len;
  uint8_t prefix[34];     // short inputs are copied in (rho || j || i, seed || nonce)
  const uint8_t* ext[2];  // then up to two external parts
  size_t ext_len[2];
  size_t rate;
  Poly* poly;    // kSampleNtt, kCbd
  int eta;       // kCbd
  uint8_t* out;  // kHash: out_len <= rate bytes
  size_t out_len;
  StreamingHash* stream;  // kHash only: resume from and save to here
  size_t total_len;       // with stream: the full message length

  // A streaming job whose next block is not available yet.
  bool Stalled(size_t absorbed) const {
    return stream != nullptr && MessageLength() < total_len && MessageLength() - absorbed < rate;
  }
  size_t MessageLength() const { return prefix_len + ext_len[0] + ext_len[1]; }
  // Copies message bytes [pos, pos + n) into dst.
  void CopyMessage(size_t pos, uint8_t* dst, size_t n) const;
  // Message bytes [pos, pos + n) in place when they lie in one part, else null.
  const uint8_t* Contiguous(size_t pos, size_t n) const;
};

class JobList {
 public:
  static constexpr int kCapacity = 32;
  ~JobList();

  // A[i*k + j] = SampleNTT(rho || j || i), or rho || i || j when transposed.
  void AddMatrix(Poly* a, const uint8_t rho[32], int k, bool transposed);
  // Row i only: row[j] = A[i*k + j].
  void AddMatrixRow(Poly* row, const uint8_t rho[32], int k, int i, bool transposed);
  // SamplePolyCBD_eta(PRF_eta(seed, nonce)).
  void AddNoise(Poly* out, const uint8_t seed[32], uint8_t nonce, int eta);
  // out = first out_len bytes of the sponge (rate, domain) over a || b. The parts must stay alive
  // until the jobs have run.
  void AddHash(size_t rate, uint8_t domain, std::span<const uint8_t> a, std::span<const uint8_t> b,
               uint8_t* out, size_t out_len);
  // Absorbs the whole blocks of `available` (a growing prefix of a total_len-byte message) that
  // `stream` has not absorbed yet; once available is the whole message, finishes into out.
  void AddStreamingHash(StreamingHash* stream, size_t rate, uint8_t domain,
                        std::span<const uint8_t> available, size_t total_len, uint8_t* out,
                        size_t out_len);

  XofJob* data() { return jobs_; }
  int size() const { return n_; }

 private:
  XofJob* Append();
  XofJob jobs_[kCapacity];  // only the first n_ are initialised
  int n_ = 0;
};

using KeccakX4Fn = void (*)(KeccakX4& st);
using RejectSampleFn = int (*)(int16_t* out, int count, int need, const uint8_t* buf, size_t len);
using CbdFn = void (*)(Poly& p, const uint8_t* buf, int eta);

// Runs the jobs one by one with the scalar sponge.
void RunJobsSequential(XofJob* jobs, int n);
// Runs the jobs four at a time with `permute`, filling lanes in list order (put long jobs first).
// `reject` and `cbd` must behave like RejectSamplePortable and CbdPortable.
void RunJobsX4(XofJob* jobs, int n, KeccakX4Fn permute, RejectSampleFn reject, CbdFn cbd);

}  // namespace hm::crypto::mlkem::internal
