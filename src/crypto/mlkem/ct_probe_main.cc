// Constant-time probe for valgrind's memcheck (run it through ct_check.sh). Secret inputs are
// marked undefined; memcheck then reports every branch ("Conditional jump or move depends on
// uninitialised value") and every memory index ("Use of uninitialised value of size 8") that
// depends on them. Outputs are marked defined again before they are compared or printed. Each
// backend the CPU (as valgrind emulates it) supports is exercised, for ML-KEM-512, -768 and -1024.
#include <valgrind/memcheck.h>

#include <array>
#include <cstdio>
#include <cstring>

#include "base/bytes.h"
#include "crypto/mlkem/backend.h"
#include "crypto/mlkem/mlkem.h"

namespace {

using hm::crypto::mlkem::Params;
using hm::crypto::mlkem::SharedSecret;
namespace internal = hm::crypto::mlkem::internal;

void Secret(const void* p, size_t n) { VALGRIND_MAKE_MEM_UNDEFINED(p, n); }
void Public(const void* p, size_t n) { VALGRIND_MAKE_MEM_DEFINED(p, n); }

// Marks the secret parts of dk (s_hat and z) undefined; ek, H(ek) inside it stay public.
void MarkDkSecret(hm::base::Bytes& dk, int k) {
  Secret(dk.data(), 384 * static_cast<size_t>(k));
  Secret(dk.data() + 768 * static_cast<size_t>(k) + 64, 32);
}

bool RunOne(const internal::Backend& be, Params p) {
  const int k = hm::crypto::mlkem::Rank(p);
  std::array<uint8_t, 32> d, z, m;
  for (int i = 0; i < 32; ++i) {
    d[i] = static_cast<uint8_t>(i * 7 + 1);
    z[i] = static_cast<uint8_t>(i * 13 + 2);
    m[i] = static_cast<uint8_t>(i * 29 + 3);
  }

  // KeyGen_internal with secret d and z.
  Secret(d.data(), 32);
  Secret(z.data(), 32);
  auto kp = internal::KeyGenWith(be, p, d.data(), z.data());
  if (!kp.ok()) return false;
  Public(kp->ek.data(), kp->ek.size());
  Public(kp->dk.data(), kp->dk.size());

  // Encaps_internal with secret m.
  Secret(m.data(), 32);
  auto enc = internal::EncapsWith(be, p, kp->ek, m.data());
  if (!enc.ok()) return false;
  Public(enc->ciphertext.data(), enc->ciphertext.size());
  Public(enc->shared_secret.data(), 32);

  hm::base::Bytes bad_ct = enc->ciphertext;
  bad_ct[bad_ct.size() / 3] ^= 0x04;
  bool ok = true;
  // Run 1: secret dk. Run 2: the ciphertext is treated as secret too (nothing may branch on it).
  for (int run = 1; run <= 2; ++run) {
    for (const hm::base::Bytes* ct : {&enc->ciphertext, &bad_ct}) {
      hm::base::Bytes dk = kp->dk;
      hm::base::Bytes c = *ct;
      MarkDkSecret(dk, k);
      if (run == 2) Secret(c.data(), c.size());
      auto key = internal::DecapsWith(be, p, dk, c);
      if (!key.ok()) return false;
      SharedSecret out = *key;
      Public(out.data(), out.size());
      const bool valid = (ct == &enc->ciphertext);
      const bool match = (out == enc->shared_secret);
      std::printf("%s %-11s run %d %-8s K=%s %s\n", be.name,
                  std::string(hm::crypto::mlkem::ParamsName(p)).c_str(), run,
                  valid ? "valid" : "modified", hm::base::HexEncode(out).substr(0, 16).c_str(),
                  match == valid ? "ok" : "WRONG");
      ok = ok && (match == valid);
    }
  }
  return ok;
}

}  // namespace

int main() {
  bool ok = true;
  for (const internal::Backend* be : internal::AvailableBackends()) {
    for (Params p : {Params::kMlKem512, Params::kMlKem768, Params::kMlKem1024}) {
      ok = RunOne(*be, p) && ok;
    }
  }
  std::printf("%s\n", ok ? "ct probe: all results correct" : "ct probe: WRONG RESULTS");
  return ok ? 0 : 1;
}
