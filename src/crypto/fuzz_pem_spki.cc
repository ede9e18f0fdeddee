// libFuzzer entry for the public-key parsers of hm_crypto: PEM and DER SubjectPublicKeyInfo
// (ECDSA P-256 and Ed25519), SEC 1 points, raw Ed25519 keys and ECDSA signature encodings.
// Parsing must never crash; whatever parses must re-encode canonically and parse again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/check.h"
#include "crypto/ecdsa.h"
#include "crypto/ed25519.h"

namespace {

using hm::base::ByteSpan;
using hm::crypto::EcdsaP256PublicKey;
using hm::crypto::Ed25519PublicKey;

void CheckEcdsa(const EcdsaP256PublicKey& key) {
  auto again = EcdsaP256PublicKey::FromSpkiDer(key.ToSpkiDer());
  HM_CHECK(again.ok() && *again == key);
  auto from_pem = EcdsaP256PublicKey::FromSpkiPem(key.ToSpkiPem());
  HM_CHECK(from_pem.ok() && *from_pem == key);
  auto from_sec1 = EcdsaP256PublicKey::FromSec1(key.Sec1());
  HM_CHECK(from_sec1.ok() && *from_sec1 == key);
}

void CheckEd25519(const Ed25519PublicKey& key) {
  auto again = Ed25519PublicKey::FromSpkiDer(key.ToSpkiDer());
  HM_CHECK(again.ok() && *again == key);
  auto from_pem = Ed25519PublicKey::FromSpkiPem(key.ToSpkiPem());
  HM_CHECK(from_pem.ok() && *from_pem == key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan bytes(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto k = EcdsaP256PublicKey::FromSpkiPem(text); k.ok()) CheckEcdsa(*k);
  if (auto k = EcdsaP256PublicKey::FromSpkiDer(bytes); k.ok()) CheckEcdsa(*k);
  if (auto k = EcdsaP256PublicKey::FromSec1(bytes); k.ok()) {
    CheckEcdsa(*k);
    // Signature parsing against a real key: must reject or verify, never crash.
    (void)k->Verify(hm::base::AsBytes("fuzz"), bytes);
  }
  if (auto k = Ed25519PublicKey::FromSpkiPem(text); k.ok()) CheckEd25519(*k);
  if (auto k = Ed25519PublicKey::FromSpkiDer(bytes); k.ok()) CheckEd25519(*k);
  if (auto k = Ed25519PublicKey::FromRaw(bytes); k.ok()) {
    (void)k->Verify(hm::base::AsBytes("fuzz"), bytes);
  }

  if (auto raw = hm::crypto::EcdsaDerToRaw(bytes); raw.ok()) {
    // Strict DER means the round trip reproduces the input exactly.
    auto der = hm::crypto::EcdsaRawToDer(*raw);
    HM_CHECK(der.ok());
    HM_CHECK(hm::base::Bytes(bytes.begin(), bytes.end()) == *der);
  }
  return 0;
}
