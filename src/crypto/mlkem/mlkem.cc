// ML-KEM key generation, encapsulation and decapsulation (FIPS 203 Algorithms 13-18).
#include "crypto/mlkem/mlkem.h"

#include <cstring>
#include <string>

#include "crypto/mlkem/backend.h"
#include "crypto/mlkem/ct_util.h"
#include "crypto/mlkem/hash.h"

namespace hm::crypto::mlkem {
namespace internal {
namespace {

struct ParamSet {
  int k;
  int eta1;
  int eta2;
  int du;
  int dv;
};

ParamSet GetParamSet(Params p) {
  switch (p) {
    case Params::kMlKem512:
      return {2, 3, 2, 10, 4};
    case Params::kMlKem768:
      return {3, 2, 2, 10, 4};
    case Params::kMlKem1024:
      break;
  }
  return {4, 2, 2, 11, 5};
}

// k as the optimiser should see it: GetParamSet only yields 2..4, and saying so stops GCC from
// warning about array writes for impossible k.
int RankOf(const ParamSet& ps) {
  if (ps.k < 2 || ps.k > kMaxK) __builtin_unreachable();
  return ps.k;
}

// The secret polynomials of K-PKE.Encrypt (Algorithm 14).
struct EncryptNoise {
  Poly y[kMaxK], e1[kMaxK], e2;
};

// Adds the jobs y[i] = CBD_eta1(PRF(r, i)), e1[i] = CBD_eta2(PRF(r, k + i)), e2 = CBD_eta2(PRF(r,
// 2k)).
void AddEncryptNoise(JobList& jobs, const ParamSet& ps, const uint8_t r[32], EncryptNoise& n) {
  const int k = RankOf(ps);
  for (int i = 0; i < k; ++i) jobs.AddNoise(&n.y[i], r, static_cast<uint8_t>(i), ps.eta1);
  for (int i = 0; i < k; ++i) jobs.AddNoise(&n.e1[i], r, static_cast<uint8_t>(k + i), ps.eta2);
  jobs.AddNoise(&n.e2, r, static_cast<uint8_t>(2 * k), ps.eta2);
}

// The arithmetic of K-PKE.Encrypt, given A^T, t_hat (reduced mod q) and the sampled noise.
void PkeEncrypt(const Backend& be, const ParamSet& ps, const Poly* a_t, const Poly* t_hat,
                EncryptNoise& n, const uint8_t m[32], uint8_t* ct) {
  const int k = RankOf(ps);
  struct Secrets {
    Poly u, v, mu;
  } s;
  for (int i = 0; i < k; ++i) be.ntt(n.y[i]);
  for (int i = 0; i < k; ++i) {
    be.basemul_acc(s.u, &a_t[i * k], n.y, k);
    be.inv_ntt(s.u);
    AddTo(s.u, n.e1[i]);
    be.compress_encode(ct + 32 * ps.du * i, s.u, ps.du);
  }
  be.basemul_acc(s.v, t_hat, n.y, k);
  be.inv_ntt(s.v);
  AddTo(s.v, n.e2);
  DecodeDecompress(s.mu, m, 1);
  AddTo(s.v, s.mu);
  be.compress_encode(ct + 32 * ps.du * k, s.v, ps.dv);
  WipeObject(s);
}

// K-PKE.Decrypt (Algorithm 15): m = ByteEncode_1(Compress_1(v - NTT^-1(s_hat^T NTT(u)))).
void PkeDecrypt(const Backend& be, const ParamSet& ps, const uint8_t* dk_pke, const uint8_t* ct,
                uint8_t m[32]) {
  const int k = RankOf(ps);
  struct Secrets {
    Poly s_hat[kMaxK], u[kMaxK], w, v;
  } s;
  be.decode12(s.s_hat, dk_pke, k);
  ReduceOncePolys(s.s_hat, k);
  for (int i = 0; i < k; ++i) {
    DecodeDecompress(s.u[i], ct + 32 * ps.du * i, ps.du);
    be.ntt(s.u[i]);
  }
  DecodeDecompress(s.v, ct + 32 * ps.du * k, ps.dv);
  be.basemul_acc(s.w, s.s_hat, s.u, k);
  be.inv_ntt(s.w);
  SubFrom(s.w, s.v);
  be.compress_encode(m, s.w, 1);
  WipeObject(s);
}

// K-PKE.KeyGen (Algorithm 13) after G: samples s, e and A, writes ek = ByteEncode_12(t_hat) || rho
// and h = H(ek); s_hat and e_hat are left in the NTT domain.
void KeyGenPke(const Backend& be, const ParamSet& ps, const uint8_t rho[32],
               const uint8_t sigma[32], Poly* s_hat, Poly* e_hat, std::span<uint8_t> ek_out,
               uint8_t h[32]) {
  const int k = RankOf(ps);
  // H(ek) costs 12 serial permutations; instead of running it alone at the end, the matrix is
  // sampled in row groups [0, 1), [1, k - 1), [k - 1, k), and each later group runs beside the
  // absorption of the rows of ek already encoded.
  uint8_t* ek = ek_out.data();
  const size_t ek_size = ek_out.size();
  StreamingHash h_ek;
  Poly a[kMaxK * kMaxK];
  const int group_end[3] = {1, k - 1, k};
  int row = 0;
  for (int end : group_end) {
    if (end <= row) continue;
    JobList jobs;
    if (row == 0) {
      for (int i = 0; i < k; ++i) jobs.AddNoise(&s_hat[i], sigma, static_cast<uint8_t>(i), ps.eta1);
      for (int i = 0; i < k; ++i) {
        jobs.AddNoise(&e_hat[i], sigma, static_cast<uint8_t>(k + i), ps.eta1);
      }
    } else {
      jobs.AddStreamingHash(&h_ek, kSha3_256Rate, 0x06, {ek, 384 * static_cast<size_t>(row)},
                            ek_size, h, 32);
    }
    for (int i = row; i < end; ++i) jobs.AddMatrixRow(&a[i * k], rho, k, i, /*transposed=*/false);
    be.run_jobs(jobs.data(), jobs.size());
    if (row == 0) {
      for (int i = 0; i < k; ++i) be.ntt(s_hat[i]);
      for (int i = 0; i < k; ++i) be.ntt(e_hat[i]);
    }
    for (; row < end; ++row) {
      Poly t;  // t_hat[row] = A[row] s_hat + e_hat[row]
      be.basemul_acc(t, &a[row * k], s_hat, k);
      ToMont(t);
      AddTo(t, e_hat[row]);
      FreezePoly(t);
      be.encode12(ek + 384 * row, &t, 1);
    }
  }
  std::memcpy(ek + 384 * k, rho, 32);
  {
    JobList jobs;
    jobs.AddStreamingHash(&h_ek, kSha3_256Rate, 0x06, {ek, ek_size}, ek_size, h, 32);
    be.run_jobs(jobs.data(), jobs.size());
  }
}

std::string SizeError(Params p, const char* what, size_t got, size_t want) {
  return std::string(ParamsName(p)) + " " + what + " has " + std::to_string(got) +
         " bytes, expected " + std::to_string(want);
}

}  // namespace

base::Result<KeyPair> KeyGenWith(const Backend& be, Params p, const uint8_t d[32],
                                 const uint8_t z[32]) {
  const ParamSet ps = GetParamSet(p);
  const int k = RankOf(ps);
  KeyPair kp;
  kp.ek.resize(EncapsulationKeySize(p));
  kp.dk.resize(DecapsulationKeySize(p));

  struct Secrets {
    uint8_t g_in[33];
    uint8_t rho_sigma[64];
    Poly s[kMaxK], e[kMaxK];
  } s;
  std::memcpy(s.g_in, d, 32);
  s.g_in[32] = static_cast<uint8_t>(k);  // (rho, sigma) = G(d || k), FIPS 203 Algorithm 13
  HashG(s.g_in, {}, s.rho_sigma);
  const uint8_t* rho = s.rho_sigma;
  const uint8_t* sigma = s.rho_sigma + 32;
  HM_MLKEM_DECLASSIFY(rho, 32);  // rho is published in ek

  uint8_t* dk = kp.dk.data();
  KeyGenPke(be, ps, rho, sigma, s.s, s.e, kp.ek, dk + 768 * k + 32);

  // dk = dk_pke || ek || H(ek) || z
  for (int i = 0; i < k; ++i) FreezePoly(s.s[i]);
  be.encode12(dk, s.s, k);
  std::memcpy(dk + 384 * k, kp.ek.data(), kp.ek.size());
  std::memcpy(dk + 768 * k + 64, z, 32);
  WipeObject(s);
  return kp;
}

base::Result<EncapsResult> EncapsWith(const Backend& be, Params p, base::ByteSpan ek,
                                      const uint8_t m[32]) {
  const ParamSet ps = GetParamSet(p);
  const int k = RankOf(ps);
  if (ek.size() != EncapsulationKeySize(p)) {
    return base::InvalidArgument(
        SizeError(p, "encapsulation key", ek.size(), EncapsulationKeySize(p)));
  }
  Poly t_hat[kMaxK];
  be.decode12(t_hat, ek.data(), k);
  // ByteEncode12(ByteDecode12(ek)) == ek exactly when no 12-bit value is >= q.
  if (!AllBelowQ(t_hat, k)) {
    return base::InvalidArgument(std::string(ParamsName(p)) +
                                 " encapsulation key fails the modulus check (FIPS 203 7.2)");
  }
  struct Secrets {
    uint8_t h[32];
    uint8_t k_r[64];
    EncryptNoise noise;
  } s;
  Poly a_t[kMaxK * kMaxK];
  {
    // H(ek) and the matrix are independent: one batch, the long hash first.
    JobList jobs;
    jobs.AddHash(kSha3_256Rate, 0x06, ek, {}, s.h, 32);
    jobs.AddMatrix(a_t, ek.data() + 384 * k, k, /*transposed=*/true);
    be.run_jobs(jobs.data(), jobs.size());
  }
  HashG({m, 32}, s.h, s.k_r);  // (K, r) = G(m || H(ek))
  {
    JobList jobs;
    AddEncryptNoise(jobs, ps, s.k_r + 32, s.noise);
    be.run_jobs(jobs.data(), jobs.size());
  }
  EncapsResult res;
  res.ciphertext.resize(CiphertextSize(p));
  PkeEncrypt(be, ps, a_t, t_hat, s.noise, m, res.ciphertext.data());
  std::memcpy(res.shared_secret.data(), s.k_r, 32);
  WipeObject(s);
  return res;
}

base::Result<SharedSecret> DecapsWith(const Backend& be, Params p, base::ByteSpan dk,
                                      base::ByteSpan ct) {
  const ParamSet ps = GetParamSet(p);
  const int k = RankOf(ps);
  if (ct.size() != CiphertextSize(p)) {
    return base::InvalidArgument(SizeError(p, "ciphertext", ct.size(), CiphertextSize(p)));
  }
  if (dk.size() != DecapsulationKeySize(p)) {
    return base::InvalidArgument(
        SizeError(p, "decapsulation key", dk.size(), DecapsulationKeySize(p)));
  }
  const uint8_t* dk_pke = dk.data();
  const base::ByteSpan ek = dk.subspan(384 * k, 384 * k + 32);
  const uint8_t* h = dk.data() + 768 * k + 32;
  const uint8_t* z = dk.data() + 768 * k + 64;

  struct Secrets {
    uint8_t m_h[64];  // m' || h
    uint8_t k_r[64];  // (K', r') = G(m' || h)
    uint8_t k_bar[32];
    uint8_t ct2[kMlKem1024CiphertextSize];
    EncryptNoise noise;
  } s;
  uint8_t h_check[32];
  Poly a_t[kMaxK * kMaxK];
  {
    // The hash check, J(z || c) and the re-encryption matrix need no decryption: one batch.
    JobList jobs;
    jobs.AddHash(kSha3_256Rate, 0x06, ek, {}, h_check, 32);
    jobs.AddHash(kShake256Rate, 0x1F, {z, 32}, ct, s.k_bar, 32);
    jobs.AddMatrix(a_t, ek.data() + 384 * k, k, /*transposed=*/true);
    be.run_jobs(jobs.data(), jobs.size());
  }
  // FIPS 203 §7.3 hash check. H(ek) and the stored hash are public: an ordinary comparison.
  if (std::memcmp(h_check, h, 32) != 0) {
    WipeObject(s);
    return base::InvalidArgument(std::string(ParamsName(p)) +
                                 " decapsulation key fails the hash check (FIPS 203 7.3)");
  }
  PkeDecrypt(be, ps, dk_pke, ct.data(), s.m_h);
  std::memcpy(s.m_h + 32, h, 32);
  HashG(s.m_h, {}, s.k_r);
  {
    JobList jobs;
    AddEncryptNoise(jobs, ps, s.k_r + 32, s.noise);
    be.run_jobs(jobs.data(), jobs.size());
  }
  // The embedded ek passed the hash check but not necessarily the modulus check: ByteDecode_12
  // reduces mod q (FIPS 203 §4.2.1), as K-PKE.Encrypt does.
  Poly t_hat[kMaxK];
  be.decode12(t_hat, ek.data(), k);
  ReduceOncePolys(t_hat, k);
  PkeEncrypt(be, ps, a_t, t_hat, s.noise, s.m_h, s.ct2);

  const uint8_t equal = CtEqualMask(ct.data(), s.ct2, ct.size());
  SharedSecret out;
  CtSelect(out.data(), s.k_r, s.k_bar, 32, equal);
  WipeObject(s);
  return out;
}

}  // namespace internal

std::string_view ParamsName(Params p) {
  switch (p) {
    case Params::kMlKem512:
      return "ML-KEM-512";
    case Params::kMlKem768:
      return "ML-KEM-768";
    case Params::kMlKem1024:
      break;
  }
  return "ML-KEM-1024";
}

base::Result<KeyPair> KeyGenInternal(Params p, std::span<const uint8_t, 32> d,
                                     std::span<const uint8_t, 32> z) {
  return internal::KeyGenWith(internal::DefaultBackend(), p, d.data(), z.data());
}

base::Result<KeyPair> KeyGenFromSeed(Params p, base::ByteSpan seed) {
  if (seed.size() != kSeedSize) {
    return base::InvalidArgument(internal::SizeError(p, "seed", seed.size(), kSeedSize));
  }
  return internal::KeyGenWith(internal::DefaultBackend(), p, seed.data(), seed.data() + 32);
}

base::Result<KeyPair> KeyGen(Params p, base::Random& random) {
  uint8_t seed[kSeedSize];
  random.Fill(seed);
  auto kp = internal::KeyGenWith(internal::DefaultBackend(), p, seed, seed + 32);
  internal::Wipe(seed, sizeof(seed));
  return kp;
}

base::Status CheckEncapsulationKey(Params p, base::ByteSpan ek) {
  if (ek.size() != EncapsulationKeySize(p)) {
    return base::InvalidArgument(
        internal::SizeError(p, "encapsulation key", ek.size(), EncapsulationKeySize(p)));
  }
  internal::Poly t_hat[internal::kMaxK];
  internal::DefaultBackend().decode12(t_hat, ek.data(), Rank(p));
  if (!internal::AllBelowQ(t_hat, Rank(p))) {
    return base::InvalidArgument(std::string(ParamsName(p)) +
                                 " encapsulation key fails the modulus check (FIPS 203 7.2)");
  }
  return base::Status::Ok();
}

base::Status CheckDecapsulationKey(Params p, base::ByteSpan dk) {
  const size_t k = static_cast<size_t>(Rank(p));
  if (dk.size() != DecapsulationKeySize(p)) {
    return base::InvalidArgument(
        internal::SizeError(p, "decapsulation key", dk.size(), DecapsulationKeySize(p)));
  }
  uint8_t h[32];
  internal::HashH(dk.subspan(384 * k, 384 * k + 32), h);
  // H(ek) and the stored hash are public, so an ordinary comparison is fine.
  if (std::memcmp(h, dk.data() + 768 * k + 32, 32) != 0) {
    return base::InvalidArgument(std::string(ParamsName(p)) +
                                 " decapsulation key fails the hash check (FIPS 203 7.3)");
  }
  return base::Status::Ok();
}

base::Result<EncapsResult> EncapsInternal(Params p, base::ByteSpan ek,
                                          std::span<const uint8_t, 32> m) {
  return internal::EncapsWith(internal::DefaultBackend(), p, ek, m.data());
}

base::Result<EncapsResult> Encaps(Params p, base::ByteSpan ek, base::Random& random) {
  uint8_t m[32];
  random.Fill(m);
  auto res = internal::EncapsWith(internal::DefaultBackend(), p, ek, m);
  internal::Wipe(m, sizeof(m));
  return res;
}

base::Result<SharedSecret> Decaps(Params p, base::ByteSpan dk, base::ByteSpan ciphertext) {
  return internal::DecapsWith(internal::DefaultBackend(), p, dk, ciphertext);
}

void SecureWipe(std::span<uint8_t> data) { internal::Wipe(data.data(), data.size()); }

}  // namespace hm::crypto::mlkem
