// Fuzzes ML-KEM decapsulation (and encapsulation-key parsing) with arbitrary bytes. Nothing may
// crash, the outcome must match the documented contract (right lengths never fail, everything else
// is InvalidArgument), and the portable and the dispatched (AVX2) backends must agree bit for bit.
//
// Input: byte 0 picks the parameter set (value % 3) and the mode (value / 3 % 4); the rest is data.
//   mode 0: a fixed valid key pair, the data is the ciphertext (any length)
//   mode 1: the data is dk || ciphertext, both arbitrary (almost always fails the hash check)
//   mode 2: as mode 1, but H(ek) inside dk is fixed up so decapsulation runs on arbitrary s, ek, z
//   mode 3: the data is an encapsulation key, encapsulated to with a fixed m
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "base/bytes.h"
#include "crypto/keccak/keccak.h"
#include "crypto/mlkem/backend.h"
#include "crypto/mlkem/mlkem.h"

namespace {

using hm::base::Bytes;
using hm::base::ByteSpan;
using hm::crypto::mlkem::Params;
namespace mlkem = hm::crypto::mlkem;
namespace internal = hm::crypto::mlkem::internal;

void Require(bool cond) {
  if (!cond) __builtin_trap();
}

const mlkem::KeyPair& FixedKey(int idx, Params p) {
  static mlkem::KeyPair keys[3];
  static bool made[3] = {false, false, false};
  if (!made[idx]) {
    Bytes seed(mlkem::kSeedSize);
    for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i * 31 + 7);
    auto kp = mlkem::KeyGenFromSeed(p, seed);
    Require(kp.ok());
    keys[idx] = *kp;
    made[idx] = true;
  }
  return keys[idx];
}

// Decapsulates on both backends and checks they agree with each other and with the contract.
void DecapsBoth(Params p, ByteSpan dk, ByteSpan ct) {
  auto a = internal::DecapsWith(internal::PortableBackend(), p, dk, ct);
  auto b = internal::DecapsWith(internal::DefaultBackend(), p, dk, ct);
  Require(a.ok() == b.ok());
  if (a.ok()) {
    Require(*a == *b);
    Require(ct.size() == mlkem::CiphertextSize(p) && dk.size() == mlkem::DecapsulationKeySize(p));
  } else {
    Require(a.status().code() == hm::base::Code::kInvalidArgument);
    Require(a.status() == b.status());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr Params kParams[3] = {Params::kMlKem512, Params::kMlKem768, Params::kMlKem1024};
  const int pidx = data[0] % 3;
  const Params p = kParams[pidx];
  const int mode = data[0] / 3 % 4;
  const ByteSpan in(data + 1, size - 1);
  const size_t k = static_cast<size_t>(mlkem::Rank(p));
  const size_t dk_size = mlkem::DecapsulationKeySize(p);

  switch (mode) {
    case 0: {
      const mlkem::KeyPair& kp = FixedKey(pidx, p);
      DecapsBoth(p, kp.dk, in);
      auto r = mlkem::Decaps(p, kp.dk, in);
      Require(r.ok() == (in.size() == mlkem::CiphertextSize(p)));
      break;
    }
    case 1: {
      const size_t n = in.size() < dk_size ? in.size() : dk_size;
      DecapsBoth(p, in.first(n), in.subspan(n));
      break;
    }
    case 2: {
      if (in.size() < dk_size) return 0;
      Bytes dk(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(dk_size));
      hm::crypto::Sha3_256(ByteSpan(dk).subspan(384 * k, 384 * k + 32),
                           std::span<uint8_t, 32>(dk.data() + 768 * k + 32, 32));
      Require(mlkem::CheckDecapsulationKey(p, dk).ok());
      DecapsBoth(p, dk, in.subspan(dk_size));
      break;
    }
    default: {
      const uint8_t m[32] = {1, 2, 3};
      auto a = internal::EncapsWith(internal::PortableBackend(), p, in, m);
      auto b = internal::EncapsWith(internal::DefaultBackend(), p, in, m);
      Require(a.ok() == b.ok());
      Require(a.ok() == mlkem::CheckEncapsulationKey(p, in).ok());
      if (a.ok()) {
        Require(a->ciphertext == b->ciphertext && a->shared_secret == b->shared_secret);
      } else {
        Require(a.status().code() == hm::base::Code::kInvalidArgument);
      }
      break;
    }
  }
  return 0;
}
