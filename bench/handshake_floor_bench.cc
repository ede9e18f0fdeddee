// The public-key work of one stoq/1 handshake, per side, primitive by primitive, with the
// libraries the node uses for each: GnuTLS (nettle underneath) for the TLS 1.3 part, our own
// Falcon-1024 and ML-KEM-1024 for the post-quantum channel (docs/spec/stoq-pq.md). The sum is the
// CPU a side cannot avoid whatever the protocol code around it does; with the load generator on
// the same machine, two cores top out at cores / (2 x sum) handshakes per second.
//
// Usage: hm_bench_handshake_floor [iterations] (default 2000)
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <nettle/curve25519.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "crypto/falcon/falcon.h"
#include "crypto/mlkem/mlkem.h"
#include "crypto/secure_random.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace falcon = hm::crypto::falcon;
namespace mlkem = hm::crypto::mlkem;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "hm_bench_handshake_floor: %s\n", what.c_str());
  std::exit(1);
}

// Microseconds per call of `fn`, best of three runs of `n` calls (the machine is shared).
double Time(int n, const std::function<void()>& fn) {
  double best = 1e300;
  for (int run = 0; run < 3; ++run) {
    const auto start = Clock::now();
    for (int i = 0; i < n; ++i) fn();
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / n;
    if (us < best) best = us;
  }
  return best;
}

struct Row {
  const char* what;
  int per_side;  // calls in one handshake, per side
  double us;
};

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (n <= 0) Die("iterations: must be a positive number");
  if (gnutls_global_init() != 0) Die("gnutls_global_init");
  hm::crypto::SecureRandom random;
  std::vector<Row> rows;

  // TLS 1.3 certificate authentication, both ways on stoq/1: each side signs its
  // CertificateVerify and verifies the peer's (ECDSA P-256, SHA-256).
  gnutls_privkey_t key = nullptr;
  gnutls_pubkey_t pub = nullptr;
  if (gnutls_privkey_init(&key) != 0 ||
      gnutls_privkey_generate(key, GNUTLS_PK_ECDSA,
                              GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) != 0 ||
      gnutls_pubkey_init(&pub) != 0 || gnutls_pubkey_import_privkey(pub, key, 0, 0) != 0) {
    Die("GnuTLS P-256 key");
  }
  std::array<unsigned char, 130> transcript{};  // CertificateVerify's content: 64 + context + hash
  const gnutls_datum_t msg{transcript.data(), static_cast<unsigned>(transcript.size())};
  gnutls_datum_t sig{};
  rows.push_back({"ECDSA P-256 sign (GnuTLS/nettle)", 1, Time(n, [&] {
                    gnutls_free(sig.data);
                    if (gnutls_privkey_sign_data2(key, GNUTLS_SIGN_ECDSA_SECP256R1_SHA256, 0, &msg,
                                                  &sig) != 0) {
                      Die("ECDSA sign");
                    }
                  })});
  rows.push_back({"ECDSA P-256 verify (GnuTLS/nettle)", 1, Time(n, [&] {
                    if (gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_ECDSA_SECP256R1_SHA256, 0, &msg,
                                                   &sig) < 0) {
                      Die("ECDSA verify");
                    }
                  })});
  gnutls_free(sig.data);
  gnutls_pubkey_deinit(pub);
  gnutls_privkey_deinit(key);

  // The X25519 key share: a fresh key pair and the shared secret, with the nettle calls GnuTLS
  // makes for them.
  std::array<uint8_t, CURVE25519_SIZE> scalar{}, point{}, peer{}, shared{};
  random.Fill(scalar);
  nettle_curve25519_mul_g(peer.data(), scalar.data());
  rows.push_back({"X25519 key pair (nettle)", 1,
                  Time(n, [&] { nettle_curve25519_mul_g(point.data(), scalar.data()); })});
  rows.push_back({"X25519 shared secret (nettle)", 1, Time(n, [&] {
                    nettle_curve25519_mul(shared.data(), scalar.data(), peer.data());
                  })});

  // The post-quantum channel: each side signs the transcript and verifies the peer's signature
  // (Falcon-1024), makes an ephemeral ML-KEM-1024 key, encapsulates to the peer's and
  // decapsulates the peer's ciphertext.
  auto pair = falcon::KeyGen(falcon::Variant::kFalcon1024, random);
  if (!pair.ok()) Die("Falcon keygen: " + pair.status().ToString());
  auto signing = falcon::SigningKey::Load(falcon::Variant::kFalcon1024, pair->secret_key);
  auto verifying = falcon::VerifyingKey::Load(falcon::Variant::kFalcon1024, pair->public_key);
  if (!signing.ok() || !verifying.ok()) Die("Falcon key load");
  const hm::base::Bytes pq_transcript(200, 0x42);
  hm::base::Bytes falcon_sig;
  rows.push_back({"Falcon-1024 sign (padded)", 1, Time(n, [&] {
                    auto s = signing->SignPadded(pq_transcript, random);
                    if (!s.ok()) Die("Falcon sign");
                    falcon_sig = std::move(s).value();
                  })});
  rows.push_back({"Falcon-1024 verify", 1, Time(n, [&] {
                    if (!verifying->Verify(pq_transcript, falcon_sig).ok()) Die("Falcon verify");
                  })});
  const auto p = mlkem::Params::kMlKem1024;
  auto kem = mlkem::KeyGen(p, random);
  if (!kem.ok()) Die("ML-KEM keygen");
  auto enc = mlkem::Encaps(p, kem->ek, random);
  if (!enc.ok()) Die("ML-KEM encaps");
  rows.push_back({"ML-KEM-1024 key pair", 1, Time(n, [&] {
                    if (!mlkem::KeyGen(p, random).ok()) Die("ML-KEM keygen");
                  })});
  rows.push_back({"ML-KEM-1024 encapsulate", 1, Time(n, [&] {
                    if (!mlkem::Encaps(p, kem->ek, random).ok()) Die("ML-KEM encaps");
                  })});
  rows.push_back({"ML-KEM-1024 decapsulate", 1, Time(n, [&] {
                    if (!mlkem::Decaps(p, kem->dk, enc->ciphertext).ok()) Die("ML-KEM decaps");
                  })});

  double side = 0;
  std::printf("%-38s %10s\n", "per side of one stoq/1 handshake", "us");
  for (const Row& r : rows) {
    std::printf("%-38s %10.1f\n", r.what, r.us * r.per_side);
    side += r.us * r.per_side;
  }
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  std::printf("%-38s %10.1f\n", "sum (one side)", side);
  std::printf(
      "both sides on this machine's %ld cores, nothing but this work, never idle: %.0f "
      "handshakes/s at most\n",
      cores, static_cast<double>(cores) * 1e6 / (2 * side));
  return 0;
}
