#include "crypto/falcon/sign.h"

#include <cmath>
#include <cstring>

#include "crypto/falcon/fft.h"
#include "crypto/falcon/modq.h"
#include "crypto/falcon/sampler.h"

namespace hm::crypto::falcon::internal {
namespace {

constexpr double kInverseOfQ = 1.0 / 12289.0;

size_t TreeSize(unsigned logn) { return size_t{logn + 1} << logn; }

void Copy(double* dst, const double* src, size_t n) { std::memcpy(dst, src, n * sizeof(double)); }

// ffLDL tree of the auto-adjoint matrix [[g00, g01], [adj(g01), g11]]. The node stores l10;
// the two sub-trees are those of split(d00) and split(d11). Inputs are clobbered.
// tmp: 2n doubles.
void FfLdl(double* tree, double* g00, double* g01, double* g11, unsigned logn, double* tmp) {
  const size_t n = size_t{1} << logn;
  if (n == 1) {
    tree[0] = g00[0];
    return;
  }
  const size_t hn = n >> 1;
  double* d11 = tmp;
  PolyLdlMvFft(d11, tree, g00, g01, g11, logn);
  // Sub-matrices [[x0, x1], [adj(x1), x0]] for x = split(d00), split(d11).
  PolySplitFft(g01, g01 + hn, g00, logn);  // split(d00) -> g01
  PolySplitFft(g11, g11 + hn, d11, logn);  // split(d11) -> g11
  Copy(g00, g01, n);
  double* next_tmp = tmp;  // d11 no longer needed
  double* right = g11;
  // Left: (x0, x1, x0) with x = split(d00), kept in g00; scratch copy for the third operand.
  Copy(g01, g00, hn);
  FfLdl(tree + n, g00, g00 + hn, g01, logn - 1, next_tmp);
  Copy(g01, right, hn);
  FfLdl(tree + n + TreeSize(logn - 1), right, right + hn, g01, logn - 1, next_tmp);
}

void NormalizeTree(double* tree, unsigned logn, double inv_sigma) {
  const size_t n = size_t{1} << logn;
  if (n == 1) {
    // The leaf keeps 1/sigma' = sqrt(d)/sigma, which is what the sampler takes.
    tree[0] = std::sqrt(tree[0]) * inv_sigma;
    return;
  }
  NormalizeTree(tree + n, logn - 1, inv_sigma);
  NormalizeTree(tree + n + TreeSize(logn - 1), logn - 1, inv_sigma);
}

// Fast Fourier sampling: (z0, z1) close to (t0, t1) in the lattice given by the tree.
// tmp: 2n doubles (recursively n + n/2 + ...).
void FfSampling(GaussianSampler& samp, double* z0, double* z1, const double* tree,
                const double* t0, const double* t1, unsigned logn, double* tmp) {
  const size_t n = size_t{1} << logn;
  if (n == 1) {
    z0[0] = samp.Sample(t0[0], tree[0]);
    z1[0] = samp.Sample(t1[0], tree[0]);
    return;
  }
  const size_t hn = n >> 1;
  const double* tree0 = tree + n;
  const double* tree1 = tree + n + TreeSize(logn - 1);

  PolySplitFft(z1, z1 + hn, t1, logn);
  FfSampling(samp, tmp, tmp + hn, tree1, z1, z1 + hn, logn - 1, tmp + n);
  PolyMergeFft(z1, tmp, tmp + hn, logn);

  // tb0 = t0 + (t1 - z1) * l10
  Copy(tmp, t1, n);
  PolySub(tmp, z1, logn);
  PolyMulFft(tmp, tree, logn);
  PolyAdd(tmp, t0, logn);

  PolySplitFft(z0, z0 + hn, tmp, logn);
  FfSampling(samp, tmp, tmp + hn, tree0, z0, z0 + hn, logn - 1, tmp + n);
  PolyMergeFft(z0, tmp, tmp + hn, logn);
}

// One signing attempt; false if the sampled vector is not short enough.
bool TrySign(GaussianSampler& samp, const ExpandedKey& key, const uint16_t* hm, int16_t* s2,
             std::vector<double>& buf) {
  const unsigned logn = key.logn;
  const size_t n = size_t{1} << logn;
  const double* b00 = key.data.data();
  const double* b01 = b00 + n;
  const double* b10 = b01 + n;
  const double* b11 = b10 + n;
  const double* tree = b11 + n;
  double* t0 = buf.data();
  double* t1 = t0 + n;
  double* tx = t1 + n;
  double* ty = tx + n;
  double* tmp = ty + n;

  for (size_t u = 0; u < n; ++u) t0[u] = hm[u];
  Fft(t0, logn);
  Copy(t1, t0, n);
  PolyMulFft(t1, b01, logn);
  PolyMulConst(t1, -kInverseOfQ, logn);
  PolyMulFft(t0, b11, logn);
  PolyMulConst(t0, kInverseOfQ, logn);

  FfSampling(samp, tx, ty, tree, t0, t1, logn, tmp);

  // (t0, t1) = (z0, z1) * B
  Copy(t0, tx, n);
  Copy(t1, ty, n);
  PolyMulFft(tx, b00, logn);
  PolyMulFft(ty, b10, logn);
  PolyAdd(tx, ty, logn);
  Copy(ty, t0, n);
  PolyMulFft(ty, b01, logn);
  Copy(t0, tx, n);
  PolyMulFft(t1, b11, logn);
  PolyAdd(t1, ty, logn);
  IFft(t0, logn);
  IFft(t1, logn);

  uint32_t sqn = 0, ng = 0;
  for (size_t u = 0; u < n; ++u) {
    const int32_t z = static_cast<int32_t>(hm[u]) - static_cast<int32_t>(std::nearbyint(t0[u]));
    sqn += static_cast<uint32_t>(z * z);
    ng |= sqn;
  }
  sqn |= -(ng >> 31);
  int16_t s2tmp[1024];
  for (size_t u = 0; u < n; ++u) s2tmp[u] = static_cast<int16_t>(-std::nearbyint(t1[u]));
  if (!IsShortHalf(sqn, s2tmp, logn)) return false;
  std::memcpy(s2, s2tmp, n * sizeof(int16_t));
  return true;
}

}  // namespace

ExpandedKey ExpandPrivateKey(const int8_t* f, const int8_t* g, const int8_t* big_f,
                             const int8_t* big_g, unsigned logn) {
  const size_t n = size_t{1} << logn;
  ExpandedKey key;
  key.logn = logn;
  key.data.assign(4 * n + TreeSize(logn), 0.0);
  double* b00 = key.data.data();
  double* b01 = b00 + n;
  double* b10 = b01 + n;
  double* b11 = b10 + n;
  double* tree = b11 + n;
  for (size_t u = 0; u < n; ++u) {
    b00[u] = g[u];
    b01[u] = f[u];
    b10[u] = big_g[u];
    b11[u] = big_f[u];
  }
  Fft(b01, logn);
  Fft(b00, logn);
  Fft(b11, logn);
  Fft(b10, logn);
  PolyNeg(b01, logn);
  PolyNeg(b11, logn);

  // Gram matrix B*adj(B): g00, g01, g11.
  std::vector<double> work(6 * n);
  double* g00 = work.data();
  double* g01 = g00 + n;
  double* g11 = g01 + n;
  double* gxx = g11 + n;
  double* tmp = gxx + n;
  Copy(g00, b00, n);
  PolyMulSelfAdjFft(g00, logn);
  Copy(gxx, b01, n);
  PolyMulSelfAdjFft(gxx, logn);
  PolyAdd(g00, gxx, logn);
  Copy(g01, b00, n);
  PolyMulAdjFft(g01, b10, logn);
  Copy(gxx, b01, n);
  PolyMulAdjFft(gxx, b11, logn);
  PolyAdd(g01, gxx, logn);
  Copy(g11, b10, n);
  PolyMulSelfAdjFft(g11, logn);
  Copy(gxx, b11, n);
  PolyMulSelfAdjFft(gxx, logn);
  PolyAdd(g11, gxx, logn);

  FfLdl(tree, g00, g01, g11, logn, tmp);
  NormalizeTree(tree, logn, InvSigma(logn));
  return key;
}

void SignHashed(const ExpandedKey& key, const uint16_t* hm, Shake256& rng, int16_t* s2) {
  const size_t n = size_t{1} << key.logn;
  std::vector<double> buf(7 * n);
  GaussianSampler samp(key.logn);
  for (;;) {
    samp.prng().Init(rng);
    if (TrySign(samp, key, hm, s2, buf)) return;
  }
}

}  // namespace hm::crypto::falcon::internal
