// Fuzz target for crypto/hybrid's parsers of outside bytes: PEM, DER SubjectPublicKeyInfo and
// PKCS#8 for every algorithm, raw key checks, OID text, and the hybrid signature decoder (also
// verified against a fixed key). Must never crash; whatever parses must re-encode to the same
// bytes (one encoding per value) and parse again to the same key.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/check.h"
#include "base/random.h"
#include "crypto/hybrid/der.h"
#include "crypto/hybrid/hybrid_kem.h"
#include "crypto/hybrid/hybrid_sig.h"
#include "crypto/hybrid/pem.h"
#include "crypto/hybrid/pq_keys.h"

namespace {

namespace hy = hm::crypto::hybrid;
using hm::base::Bytes;
using hm::base::ByteSpan;

const hy::HybridSigPublicKey& FixedHybridKey() {
  static const hy::HybridSigPublicKey* key = [] {
    hm::base::SeededRandom random(42);
    auto sk = hy::HybridSigSecretKey::Generate(random);
    HM_CHECK_OK(sk.status());
    return new hy::HybridSigPublicKey(sk->PublicKey());
  }();
  return *key;
}

void CheckSpki(ByteSpan der) {
  auto spki = hy::ParseSpkiDer(der);
  if (!spki.ok()) return;
  auto again = hy::PublicKeyToSpkiDer(spki->algorithm, spki->public_key);
  HM_CHECK(again.ok() && Bytes(der.begin(), der.end()) == *again);
  if (hy::CheckPublicKey(spki->algorithm, spki->public_key).ok()) {
    auto via_pem = hy::PublicKeyFromPem(spki->algorithm,
                                        hy::PublicKeyToPem(spki->algorithm, spki->public_key));
    HM_CHECK(via_pem.ok() && *via_pem == spki->public_key);
  }
}

void CheckPkcs8(ByteSpan der) {
  auto alg = hy::Pkcs8Algorithm(der);
  if (!alg.ok()) return;
  auto raw = hy::SecretKeyFromPkcs8Der(*alg, der);
  if (!raw.ok()) return;
  // Re-encoding may pick another CHOICE (ML-KEM seed -> expandedKey) but must parse back.
  auto der2 = hy::SecretKeyToPkcs8Der(*alg, *raw);
  HM_CHECK(der2.ok());
  auto raw2 = hy::SecretKeyFromPkcs8Der(*alg, *der2);
  HM_CHECK(raw2.ok() && *raw2 == *raw);
  HM_CHECK(hy::PublicKeyFromSecretKey(*alg, *raw).ok());
}

void CheckRawKeys(ByteSpan bytes) {
  for (hy::Algorithm a : hy::kAllAlgorithms) {
    if (bytes.size() == hy::RawPublicKeySize(a)) (void)hy::CheckPublicKey(a, bytes);
    if (bytes.size() == hy::RawSecretKeySize(a)) (void)hy::CheckSecretKey(a, bytes);
  }
  if (bytes.size() == hy::kHybridKemCiphertextSize) {
    static const hy::HybridKemKeyPair* pair = [] {
      hm::base::SeededRandom random(7);
      return new hy::HybridKemKeyPair(std::move(hy::HybridKemKeyGen(random)).value());
    }();
    (void)hy::HybridKemDecaps(pair->secret_key, bytes);
  }
}

void CheckHybridSignature(ByteSpan der) {
  auto sig = hy::DecodeHybridSignature(der);
  if (!sig.ok()) return;
  HM_CHECK(hy::EncodeHybridSignature(*sig) == Bytes(der.begin(), der.end()));
  (void)FixedHybridKey().Verify(hm::base::AsBytes("fuzz"), *sig);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan bytes(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  CheckSpki(bytes);
  CheckPkcs8(bytes);
  CheckHybridSignature(bytes);
  CheckRawKeys(bytes);
  if (auto der = hy::PemDecode(hy::kPemPublicKeyLabel, text); der.ok()) {
    auto again = hy::PemDecode(hy::kPemPublicKeyLabel, hy::PemEncode(hy::kPemPublicKeyLabel, *der));
    HM_CHECK(again.ok() && *again == *der);
    CheckSpki(*der);
  }
  if (auto der = hy::PemDecode(hy::kPemPrivateKeyLabel, text); der.ok()) CheckPkcs8(*der);
  if (auto oid = hy::OidText(bytes); oid.ok()) {
    auto back = hy::OidContent(*oid);
    HM_CHECK(back.ok() && *back == Bytes(bytes.begin(), bytes.end()));
  }
  return 0;
}
