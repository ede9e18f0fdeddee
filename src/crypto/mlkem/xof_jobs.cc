#include "crypto/mlkem/xof_jobs.h"

#include <algorithm>
#include <cstring>

#include "base/check.h"
#include "crypto/keccak/keccak.h"
#include "crypto/mlkem/ct_util.h"

namespace hm::crypto::mlkem::internal {

void XofJob::CopyMessage(size_t pos, uint8_t* dst, size_t n) const {
  const uint8_t* parts[3] = {prefix, ext[0], ext[1]};
  const size_t lens[3] = {prefix_len, ext_len[0], ext_len[1]};
  for (int i = 0; i < 3 && n > 0; ++i) {
    if (pos >= lens[i]) {
      pos -= lens[i];
      continue;
    }
    const size_t take = std::min(n, lens[i] - pos);
    std::memcpy(dst, parts[i] + pos, take);
    dst += take;
    n -= take;
    pos = 0;
  }
}

const uint8_t* XofJob::Contiguous(size_t pos, size_t n) const {
  const uint8_t* parts[3] = {prefix, ext[0], ext[1]};
  const size_t lens[3] = {prefix_len, ext_len[0], ext_len[1]};
  for (int i = 0; i < 3; ++i) {
    if (pos < lens[i] || (n == 0 && pos == lens[i])) {
      return pos + n <= lens[i] ? parts[i] + pos : nullptr;
    }
    pos -= lens[i];
  }
  return nullptr;
}

JobList::~JobList() { Wipe(jobs_, sizeof(XofJob) * static_cast<size_t>(n_)); }

XofJob* JobList::Append() {
  HM_CHECK(n_ < kCapacity);
  XofJob* j = &jobs_[n_++];
  std::memset(j, 0, sizeof(*j));
  return j;
}

void JobList::AddMatrix(Poly* a, const uint8_t rho[32], int k, bool transposed) {
  for (int i = 0; i < k; ++i) AddMatrixRow(a + i * k, rho, k, i, transposed);
}

void JobList::AddMatrixRow(Poly* row, const uint8_t rho[32], int k, int i, bool transposed) {
  for (int j = 0; j < k; ++j) {
    XofJob* job = Append();
    job->kind = XofJob::Kind::kSampleNtt;
    job->rate = kShake128Rate;
    job->domain = 0x1F;
    std::memcpy(job->prefix, rho, 32);
    job->prefix[32] = static_cast<uint8_t>(transposed ? i : j);
    job->prefix[33] = static_cast<uint8_t>(transposed ? j : i);
    job->prefix_len = 34;
    job->poly = &row[j];
  }
}

void JobList::AddNoise(Poly* out, const uint8_t seed[32], uint8_t nonce, int eta) {
  XofJob* job = Append();
  job->kind = XofJob::Kind::kCbd;
  job->rate = kShake256Rate;
  job->domain = 0x1F;
  std::memcpy(job->prefix, seed, 32);
  job->prefix[32] = nonce;  // PRF_eta(s, N) = SHAKE256(s || N, 64 eta)
  job->prefix_len = 33;
  job->poly = out;
  job->eta = eta;
}

void JobList::AddHash(size_t rate, uint8_t domain, std::span<const uint8_t> a,
                      std::span<const uint8_t> b, uint8_t* out, size_t out_len) {
  HM_CHECK(out_len <= rate);
  XofJob* job = Append();
  job->kind = XofJob::Kind::kHash;
  job->rate = rate;
  job->domain = domain;
  job->prefix_len = 0;
  job->ext[0] = a.data();
  job->ext_len[0] = a.size();
  job->ext[1] = b.data();
  job->ext_len[1] = b.size();
  job->out = out;
  job->out_len = out_len;
}

void JobList::AddStreamingHash(StreamingHash* stream, size_t rate, uint8_t domain,
                               std::span<const uint8_t> available, size_t total_len, uint8_t* out,
                               size_t out_len) {
  HM_CHECK(!stream->done && available.size() <= total_len && stream->absorbed <= available.size());
  AddHash(rate, domain, available, {}, out, out_len);
  jobs_[n_ - 1].stream = stream;
  jobs_[n_ - 1].total_len = total_len;
}

namespace {

// A streaming hash, one block at a time with the scalar permutation.
void RunStreamingSequential(const XofJob& job) {
  StreamingHash& h = *job.stream;
  const size_t len = job.MessageLength();
  uint8_t block[kShake128Rate];
  for (;;) {
    const size_t n = std::min(job.rate, len - h.absorbed);
    if (n < job.rate && len < job.total_len) break;  // wait for more input
    std::memset(block, 0, job.rate);
    job.CopyMessage(h.absorbed, block, n);
    h.absorbed += n;
    const bool last = n < job.rate;
    if (last) {
      block[n] ^= job.domain;
      block[job.rate - 1] ^= 0x80;
    }
    for (size_t i = 0; i < job.rate / 8; ++i) h.state[i] ^= Load64(block + 8 * i);
    KeccakF1600(h.state);
    if (last) {
      for (size_t i = 0; i < job.out_len; ++i) {
        job.out[i] = static_cast<uint8_t>(h.state[i / 8] >> (8 * (i % 8)));
      }
      h.done = true;
      break;
    }
  }
}

void RunOneSequential(const XofJob& job) {
  if (job.stream != nullptr) return RunStreamingSequential(job);
  KeccakSponge s(job.rate, job.domain);
  s.Absorb({job.prefix, job.prefix_len});
  s.Absorb({job.ext[0], job.ext_len[0]});
  s.Absorb({job.ext[1], job.ext_len[1]});
  switch (job.kind) {
    case XofJob::Kind::kHash:
      s.Squeeze({job.out, job.out_len});
      break;
    case XofJob::Kind::kCbd: {
      uint8_t buf[2 * kShake256Rate];
      s.Squeeze({buf, (job.eta == 2 ? 1u : 2u) * kShake256Rate});
      CbdPortable(*job.poly, buf, job.eta);
      Wipe(buf, sizeof(buf));
      break;
    }
    case XofJob::Kind::kSampleNtt: {
      uint8_t buf[kShake128Rate];
      int count = 0;
      while (count < kN) {
        s.Squeeze(buf);
        count = RejectSamplePortable(job.poly->c, count, kN, buf, sizeof(buf));
      }
      break;
    }
  }
}

struct Lane {
  const XofJob* job = nullptr;
  size_t absorbed = 0;  // message bytes absorbed so far
  bool squeezing = false;
  int count = 0;  // SampleNTT: coefficients accepted; CBD: output bytes collected
  // PRF output for eta = 3 (two blocks), or one SHAKE128 block plus load slack.
  alignas(32) uint8_t buf[2 * kShake256Rate + 8];
};

void StartLane(KeccakX4& st, int l, Lane& lane, const XofJob* job) {
  lane.job = job;
  lane.squeezing = false;
  lane.count = 0;
  lane.absorbed = job->stream != nullptr ? job->stream->absorbed : 0;
  for (int i = 0; i < 25; ++i) st.s[i][l] = job->stream != nullptr ? job->stream->state[i] : 0;
}

void SaveStream(const KeccakX4& st, int l, Lane& lane) {
  StreamingHash& h = *lane.job->stream;
  for (int i = 0; i < 25; ++i) h.state[i] = st.s[i][l];
  h.absorbed = lane.absorbed;
  lane.job = nullptr;
}

// XORs the next block (padded if it is the last) straight into the lane's words. Reading the
// message in place avoids building the block in a buffer, whose narrow stores the word loads
// could not forward from.
void AbsorbNextBlock(KeccakX4& st, int l, Lane& lane) {
  const XofJob& job = *lane.job;
  const size_t n = std::min(job.rate, job.MessageLength() - lane.absorbed);
  const uint8_t* p = job.Contiguous(lane.absorbed, n);
  uint8_t tmp[kShake128Rate];
  if (p == nullptr) {  // the block straddles two parts (J's z || c): rare
    job.CopyMessage(lane.absorbed, tmp, n);
    p = tmp;
  }
  size_t i = 0;
  for (; 8 * i + 8 <= n; ++i) st.s[i][l] ^= Load64(p + 8 * i);
  if (n % 8 != 0) {
    uint64_t w = 0;
    for (size_t b = 0; b < n % 8; ++b) w |= static_cast<uint64_t>(p[8 * i + b]) << (8 * b);
    st.s[i][l] ^= w;
  }
  lane.absorbed += n;
  if (n < job.rate) {  // the final block: pad10*1 after the domain bits
    st.s[n / 8][l] ^= static_cast<uint64_t>(job.domain) << (8 * (n % 8));
    st.s[job.rate / 8 - 1][l] ^= uint64_t{0x80} << 56;
    lane.squeezing = true;
  }
  if (p == tmp) Wipe(tmp, n);
}

void ExtractLane(const KeccakX4& st, int l, uint8_t* out, size_t len) {
  size_t i = 0;
  for (; 8 * i + 8 <= len; ++i) Store64(out + 8 * i, st.s[i][l]);
  if (8 * i < len) {
    uint8_t tmp[8];
    Store64(tmp, st.s[i][l]);
    std::memcpy(out + 8 * i, tmp, len - 8 * i);
  }
}

// Copies the output block now in lane l to where its job consumes it.
void ExtractOutput(const KeccakX4& st, int l, Lane& lane) {
  const XofJob& job = *lane.job;
  switch (job.kind) {
    case XofJob::Kind::kHash:
      ExtractLane(st, l, job.out, job.out_len);
      break;
    case XofJob::Kind::kCbd: {
      const int take = std::min(static_cast<int>(job.rate), 64 * job.eta - lane.count);
      ExtractLane(st, l, lane.buf + lane.count, static_cast<size_t>(take));
      lane.count += take;
      break;
    }
    case XofJob::Kind::kSampleNtt:
      ExtractLane(st, l, lane.buf, kShake128Rate);
      break;
  }
}

// Consumes the extracted block; returns true when the job is finished.
bool Consume(Lane& lane, RejectSampleFn reject, CbdFn cbd) {
  const XofJob& job = *lane.job;
  switch (job.kind) {
    case XofJob::Kind::kHash:
      if (job.stream != nullptr) job.stream->done = true;
      return true;
    case XofJob::Kind::kCbd:
      if (lane.count < 64 * job.eta) return false;
      cbd(*job.poly, lane.buf, job.eta);
      return true;
    case XofJob::Kind::kSampleNtt:
      lane.count = reject(job.poly->c, lane.count, kN, lane.buf, kShake128Rate);
      return lane.count == kN;
  }
  return true;
}

}  // namespace

void RunJobsSequential(XofJob* jobs, int n) {
  for (int i = 0; i < n; ++i) RunOneSequential(jobs[i]);
}

void RunJobsX4(XofJob* jobs, int n, KeccakX4Fn permute, RejectSampleFn reject, CbdFn cbd) {
  KeccakX4 st{};
  Lane lanes[4];
  int next = 0;
  for (;;) {
    bool active = false;
    for (int l = 0; l < 4; ++l) {
      Lane& lane = lanes[l];
      for (;;) {
        if (lane.job == nullptr && next < n) StartLane(st, l, lane, &jobs[next++]);
        if (lane.job == nullptr || lane.squeezing || !lane.job->Stalled(lane.absorbed)) break;
        SaveStream(st, l, lane);  // the lane is free for the next job
      }
      if (lane.job == nullptr) continue;
      active = true;
      if (!lane.squeezing) AbsorbNextBlock(st, l, lane);
    }
    if (!active) break;
    permute(st);
    // Extract every lane before consuming any: the wide loads of the rejection step then read
    // stores that have already left the store buffer (no store-forwarding stalls).
    for (int l = 0; l < 4; ++l) {
      if (lanes[l].job != nullptr && lanes[l].squeezing) ExtractOutput(st, l, lanes[l]);
    }
    for (Lane& lane : lanes) {
      if (lane.job != nullptr && lane.squeezing && Consume(lane, reject, cbd)) lane.job = nullptr;
    }
  }
  WipeObject(st);
  WipeObject(lanes);
}

}  // namespace hm::crypto::mlkem::internal
