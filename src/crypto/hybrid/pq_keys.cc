#include "crypto/hybrid/pq_keys.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <array>

#include "base/check.h"
#include "crypto/ecdsa.h"
#include "crypto/hybrid/der.h"
#include "crypto/hybrid/ecdsa_scalar.h"
#include "crypto/key_file.h"
#include "crypto/hybrid/hybrid_kem.h"
#include "crypto/hybrid/hybrid_sig.h"
#include "crypto/hybrid/pem.h"

namespace hm::crypto::hybrid {
namespace {

using base::InvalidArgument;

// HyperMesh's private arc: a UUID OID (ITU-T X.667), 2.25.<UUID 0418da30-d350-4804-99eb-
// bb3669ec2122 as an integer>; .1 = algorithms. See docs/spec/crypto.md.
#define HM_OID_ARC "2.25.5445952541388287336678472237821206818"

constexpr std::string_view kP256CurveOid = "1.2.840.10045.3.1.7";

struct AlgInfo {
  Algorithm alg;
  std::string_view name;
  std::string_view oid;
};

constexpr AlgInfo kInfo[] = {
    {Algorithm::kEcdsaP256, "ECDSA-P256", "1.2.840.10045.2.1"},
    {Algorithm::kFalcon512, "Falcon-512", "1.3.9999.3.11"},
    {Algorithm::kFalcon1024, "Falcon-1024", "1.3.9999.3.14"},
    {Algorithm::kMlKem512, "ML-KEM-512", "2.16.840.1.101.3.4.4.1"},
    {Algorithm::kMlKem768, "ML-KEM-768", "2.16.840.1.101.3.4.4.2"},
    {Algorithm::kMlKem1024, "ML-KEM-1024", "2.16.840.1.101.3.4.4.3"},
    {Algorithm::kHybridSig, "ECDSA-P256+Falcon-1024", HM_OID_ARC ".1.1"},
    {Algorithm::kHybridKem, "X25519+ML-KEM-1024", HM_OID_ARC ".1.2"},
};
#undef HM_OID_ARC
constexpr size_t kNumAlgorithms = std::size(kInfo);

const AlgInfo& Info(Algorithm a) {
  const size_t i = static_cast<size_t>(a);
  HM_CHECK(i < kNumAlgorithms && kInfo[i].alg == a);
  return kInfo[i];
}

// OID content octets, encoded once from the dotted table above.
const base::Bytes& OidBytes(Algorithm a) {
  static const auto* table = [] {
    auto* t = new std::array<base::Bytes, kNumAlgorithms>();
    for (size_t i = 0; i < kNumAlgorithms; ++i) (*t)[i] = *OidContent(kInfo[i].oid);
    return t;
  }();
  return (*table)[static_cast<size_t>(a)];
}

const base::Bytes& CurveOidBytes() {
  static const base::Bytes* curve = new base::Bytes(*OidContent(kP256CurveOid));
  return *curve;
}

bool IsFalcon(Algorithm a) { return a == Algorithm::kFalcon512 || a == Algorithm::kFalcon1024; }
bool IsMlKem(Algorithm a) {
  return a == Algorithm::kMlKem512 || a == Algorithm::kMlKem768 || a == Algorithm::kMlKem1024;
}

void Wipe(base::Bytes& b) {
  if (!b.empty()) OPENSSL_cleanse(b.data(), b.size());
}

base::Status CheckRawSize(Algorithm a, base::ByteSpan raw, size_t want, std::string_view what) {
  if (raw.size() != want) {
    return InvalidArgument(
        fmt::format("{} {} must be {} bytes, got {}", AlgorithmName(a), what, want, raw.size()));
  }
  return base::Status::Ok();
}

base::Bytes AlgorithmIdentifier(Algorithm a) {
  base::Bytes body = DerTlv(kDerOid, OidBytes(a));
  if (a == Algorithm::kEcdsaP256) DerAppend(body, DerTlv(kDerOid, CurveOidBytes()));
  return DerTlv(kDerSequence, body);
}

// Parses an AlgorithmIdentifier's content: a known OID and exactly the parameters we write.
base::Result<Algorithm> ParseAlgorithmIdentifier(base::ByteSpan body) {
  DerReader r(body);
  HM_ASSIGN_OR_RETURN(base::ByteSpan oid, r.Read(kDerOid, "algorithm OID"));
  for (const AlgInfo& info : kInfo) {
    const base::Bytes& want = OidBytes(info.alg);
    if (!std::equal(oid.begin(), oid.end(), want.begin(), want.end())) continue;
    if (info.alg == Algorithm::kEcdsaP256) {
      HM_ASSIGN_OR_RETURN(base::ByteSpan curve, r.Read(kDerOid, "EC curve OID"));
      const base::Bytes& p256 = CurveOidBytes();
      if (!std::equal(curve.begin(), curve.end(), p256.begin(), p256.end())) {
        auto text = OidText(curve);
        return InvalidArgument("EC curve is " + (text.ok() ? *text : "malformed") +
                               ", want P-256 (" + std::string(kP256CurveOid) + ")");
      }
    }
    HM_TRY(r.Finish("AlgorithmIdentifier (parameters must be absent)"));
    return info.alg;
  }
  auto text = OidText(oid);
  return InvalidArgument("unknown algorithm OID " + (text.ok() ? *text : "(malformed)"));
}

base::Status ExpectAlgorithm(Algorithm got, Algorithm expected) {
  if (got != expected) {
    return InvalidArgument(
        fmt::format("key is {}, want {}", AlgorithmName(got), AlgorithmName(expected)));
  }
  return base::Status::Ok();
}

// Splits a PrivateKeyInfo into its algorithm and privateKey octets (views into `der`).
struct Pkcs8Parts {
  Algorithm algorithm;
  base::ByteSpan private_key;
};
base::Result<Pkcs8Parts> SplitPkcs8(base::ByteSpan der) {
  DerReader outer(der);
  HM_ASSIGN_OR_RETURN(base::ByteSpan body, outer.Read(kDerSequence, "PrivateKeyInfo"));
  HM_TRY(outer.Finish("PrivateKeyInfo"));
  DerReader r(body);
  HM_TRY(r.ExpectSmallInteger(0, "PrivateKeyInfo version"));
  HM_ASSIGN_OR_RETURN(base::ByteSpan alg, r.Read(kDerSequence, "privateKeyAlgorithm"));
  HM_ASSIGN_OR_RETURN(Algorithm a, ParseAlgorithmIdentifier(alg));
  HM_ASSIGN_OR_RETURN(base::ByteSpan key, r.Read(kDerOctetString, "privateKey"));
  HM_TRY(r.Finish("privateKey (attributes and public key are not accepted)"));
  return Pkcs8Parts{a, key};
}

base::Bytes Pkcs8(Algorithm a, base::ByteSpan private_key_octets) {
  base::Bytes body = DerTlv(kDerInteger, std::array<uint8_t, 1>{0});
  DerAppend(body, AlgorithmIdentifier(a));
  base::Bytes octets = DerTlv(kDerOctetString, private_key_octets);
  DerAppend(body, octets);
  Wipe(octets);
  base::Bytes out = DerTlv(kDerSequence, body);
  Wipe(body);
  return out;
}

// privateKey = OCTET STRING (sk || pk).
base::Result<base::Bytes> FalconFromPrivateKeyOctets(Algorithm a, base::ByteSpan octets) {
  DerReader r(octets);
  HM_ASSIGN_OR_RETURN(base::ByteSpan inner, r.Read(kDerOctetString, "Falcon private key"));
  HM_TRY(r.Finish("Falcon private key"));
  const size_t sk_size = RawSecretKeySize(a);
  HM_TRY(CheckRawSize(a, inner, sk_size + RawPublicKeySize(a), "secret || public key"));
  const base::ByteSpan sk = inner.first(sk_size);
  HM_ASSIGN_OR_RETURN(base::Bytes pk, falcon::PublicKeyFromSecretKey(FalconVariant(a), sk));
  const base::ByteSpan stored_pk = inner.subspan(sk_size);
  if (!std::equal(pk.begin(), pk.end(), stored_pk.begin(), stored_pk.end())) {
    return InvalidArgument(
        fmt::format("{} private key: public key does not match the secret key", AlgorithmName(a)));
  }
  return base::Bytes(sk.begin(), sk.end());
}

// privateKey = ML-KEM-k-PrivateKey CHOICE { seed [0], expandedKey, both SEQUENCE }.
base::Result<base::Bytes> MlKemFromPrivateKeyOctets(Algorithm a, base::ByteSpan octets) {
  const mlkem::Params p = MlKemParams(a);
  DerReader r(octets);
  HM_ASSIGN_OR_RETURN(uint8_t tag, r.PeekTag());
  base::Bytes dk;
  if (tag == kDerContext0Primitive || tag == kDerSequence) {
    base::ByteSpan seed;
    base::ByteSpan expanded;
    if (tag == kDerContext0Primitive) {
      HM_ASSIGN_OR_RETURN(seed, r.Read(kDerContext0Primitive, "ML-KEM seed"));
    } else {
      HM_ASSIGN_OR_RETURN(base::ByteSpan both, r.Read(kDerSequence, "ML-KEM both"));
      DerReader b(both);
      HM_ASSIGN_OR_RETURN(seed, b.Read(kDerOctetString, "ML-KEM seed"));
      HM_ASSIGN_OR_RETURN(expanded, b.Read(kDerOctetString, "ML-KEM expandedKey"));
      HM_TRY(b.Finish("ML-KEM both"));
      HM_TRY(CheckRawSize(a, expanded, mlkem::DecapsulationKeySize(p), "expandedKey"));
    }
    HM_TRY(CheckRawSize(a, seed, mlkem::kSeedSize, "seed"));
    HM_ASSIGN_OR_RETURN(mlkem::KeyPair pair, mlkem::KeyGenFromSeed(p, seed));
    dk = std::move(pair.dk);
    if (!expanded.empty() && !base::ConstantTimeEqual(dk, expanded)) {
      Wipe(dk);
      return InvalidArgument(
          fmt::format("{} private key: expandedKey does not match the seed", AlgorithmName(a)));
    }
  } else if (tag == kDerOctetString) {
    HM_ASSIGN_OR_RETURN(base::ByteSpan expanded, r.Read(kDerOctetString, "ML-KEM expandedKey"));
    HM_TRY(CheckRawSize(a, expanded, mlkem::DecapsulationKeySize(p), "expandedKey"));
    HM_TRY(mlkem::CheckDecapsulationKey(p, expanded));
    dk.assign(expanded.begin(), expanded.end());
  } else {
    return InvalidArgument(
        fmt::format("{} private key has tag 0x{:02x}, want seed [0] (0x80), "
                    "expandedKey (0x04) or both (0x30)",
                    AlgorithmName(a), tag));
  }
  auto done = r.Finish("ML-KEM private key");
  if (!done.ok()) {
    Wipe(dk);
    return done;
  }
  return dk;
}

}  // namespace

std::string_view AlgorithmName(Algorithm a) { return Info(a).name; }
std::string_view AlgorithmOid(Algorithm a) { return Info(a).oid; }

bool IsSignatureAlgorithm(Algorithm a) {
  return a == Algorithm::kEcdsaP256 || IsFalcon(a) || a == Algorithm::kHybridSig;
}
bool IsKemAlgorithm(Algorithm a) { return IsMlKem(a) || a == Algorithm::kHybridKem; }

falcon::Variant FalconVariant(Algorithm a) {
  HM_CHECK(IsFalcon(a));
  return a == Algorithm::kFalcon512 ? falcon::Variant::kFalcon512 : falcon::Variant::kFalcon1024;
}

mlkem::Params MlKemParams(Algorithm a) {
  HM_CHECK(IsMlKem(a));
  return a == Algorithm::kMlKem512   ? mlkem::Params::kMlKem512
         : a == Algorithm::kMlKem768 ? mlkem::Params::kMlKem768
                                     : mlkem::Params::kMlKem1024;
}

size_t RawPublicKeySize(Algorithm a) {
  if (a == Algorithm::kEcdsaP256) return kP256PointSize;
  if (IsFalcon(a)) return falcon::PublicKeySize(FalconVariant(a));
  if (IsMlKem(a)) return mlkem::EncapsulationKeySize(MlKemParams(a));
  return a == Algorithm::kHybridSig ? kHybridSigPublicKeySize : kHybridKemPublicKeySize;
}

size_t RawSecretKeySize(Algorithm a) {
  if (a == Algorithm::kEcdsaP256) return kEcdsaP256ScalarSize;
  if (IsFalcon(a)) return falcon::SecretKeySize(FalconVariant(a));
  if (IsMlKem(a)) return mlkem::DecapsulationKeySize(MlKemParams(a));
  return a == Algorithm::kHybridSig ? kHybridSigSecretKeySize : kHybridKemSecretKeySize;
}

base::Status CheckPublicKey(Algorithm a, base::ByteSpan raw) {
  HM_TRY(CheckRawSize(a, raw, RawPublicKeySize(a), "public key"));
  switch (a) {
    case Algorithm::kEcdsaP256:
      return EcdsaP256PublicKey::FromSec1(raw).status();
    case Algorithm::kFalcon512:
    case Algorithm::kFalcon1024:
      return falcon::VerifyingKey::Load(FalconVariant(a), raw).status();
    case Algorithm::kMlKem512:
    case Algorithm::kMlKem768:
    case Algorithm::kMlKem1024:
      return mlkem::CheckEncapsulationKey(MlKemParams(a), raw);
    case Algorithm::kHybridSig:
      return HybridSigPublicKey::FromRaw(raw).status();
    case Algorithm::kHybridKem:
      return CheckHybridKemPublicKey(raw);
  }
  return base::Internal("unknown algorithm");
}

base::Status CheckSecretKey(Algorithm a, base::ByteSpan raw) {
  if (a == Algorithm::kHybridKem) {
    HM_TRY(CheckRawSize(a, raw, RawSecretKeySize(a), "secret key"));
    return CheckHybridKemSecretKey(raw);
  }
  if (IsMlKem(a)) {
    HM_TRY(CheckRawSize(a, raw, RawSecretKeySize(a), "secret key"));
    return mlkem::CheckDecapsulationKey(MlKemParams(a), raw);
  }
  return PublicKeyFromSecretKey(a, raw).status();
}

base::Result<base::Bytes> PublicKeyFromSecretKey(Algorithm a, base::ByteSpan raw) {
  HM_TRY(CheckRawSize(a, raw, RawSecretKeySize(a), "secret key"));
  switch (a) {
    case Algorithm::kEcdsaP256: {
      HM_ASSIGN_OR_RETURN(EcdsaP256PrivateKey key, EcdsaP256FromScalar(raw));
      return base::Bytes(key.PublicKey().Sec1().begin(), key.PublicKey().Sec1().end());
    }
    case Algorithm::kFalcon512:
    case Algorithm::kFalcon1024:
      return falcon::PublicKeyFromSecretKey(FalconVariant(a), raw);
    case Algorithm::kMlKem512:
    case Algorithm::kMlKem768:
    case Algorithm::kMlKem1024: {
      const mlkem::Params p = MlKemParams(a);
      HM_TRY(mlkem::CheckDecapsulationKey(p, raw));
      const base::ByteSpan ek = raw.subspan(384 * mlkem::Rank(p), mlkem::EncapsulationKeySize(p));
      return base::Bytes(ek.begin(), ek.end());
    }
    case Algorithm::kHybridSig: {
      HM_ASSIGN_OR_RETURN(HybridSigSecretKey key, HybridSigSecretKey::FromRaw(raw));
      return key.PublicKey().Raw();
    }
    case Algorithm::kHybridKem:
      return HybridKemPublicKeyFromSecretKey(raw);
  }
  return base::Internal("unknown algorithm");
}

// ---- SubjectPublicKeyInfo ----

base::Result<base::Bytes> PublicKeyToSpkiDer(Algorithm a, base::ByteSpan raw) {
  HM_TRY(CheckRawSize(a, raw, RawPublicKeySize(a), "public key"));
  base::Bytes body = AlgorithmIdentifier(a);
  DerAppend(body, DerBitString(raw));
  return DerTlv(kDerSequence, body);
}

base::Result<SpkiContents> ParseSpkiDer(base::ByteSpan der) {
  DerReader outer(der);
  HM_ASSIGN_OR_RETURN(base::ByteSpan body, outer.Read(kDerSequence, "SubjectPublicKeyInfo"));
  HM_TRY(outer.Finish("SubjectPublicKeyInfo"));
  DerReader r(body);
  HM_ASSIGN_OR_RETURN(base::ByteSpan alg, r.Read(kDerSequence, "AlgorithmIdentifier"));
  HM_ASSIGN_OR_RETURN(Algorithm a, ParseAlgorithmIdentifier(alg));
  HM_ASSIGN_OR_RETURN(base::ByteSpan key, r.ReadBitString("subjectPublicKey"));
  HM_TRY(r.Finish("subjectPublicKey"));
  HM_TRY(CheckRawSize(a, key, RawPublicKeySize(a), "public key"));
  return SpkiContents{a, base::Bytes(key.begin(), key.end())};
}

base::Result<base::Bytes> PublicKeyFromSpkiDer(Algorithm expected, base::ByteSpan der) {
  HM_ASSIGN_OR_RETURN(SpkiContents spki, ParseSpkiDer(der));
  HM_TRY(ExpectAlgorithm(spki.algorithm, expected));
  HM_TRY(CheckPublicKey(expected, spki.public_key));
  return std::move(spki.public_key);
}

std::string PublicKeyToPem(Algorithm a, base::ByteSpan raw) {
  auto der = PublicKeyToSpkiDer(a, raw);
  HM_CHECK_OK(der.status());
  return PemEncode(kPemPublicKeyLabel, *der);
}

base::Result<SpkiContents> ParseSpkiPem(std::string_view pem) {
  HM_ASSIGN_OR_RETURN(base::Bytes der, PemDecode(kPemPublicKeyLabel, pem));
  return ParseSpkiDer(der);
}

base::Result<base::Bytes> PublicKeyFromPem(Algorithm expected, std::string_view pem) {
  HM_ASSIGN_OR_RETURN(base::Bytes der, PemDecode(kPemPublicKeyLabel, pem));
  return PublicKeyFromSpkiDer(expected, der);
}

// ---- PKCS#8 ----

base::Result<base::Bytes> SecretKeyToPkcs8Der(Algorithm a, base::ByteSpan raw) {
  HM_TRY(CheckSecretKey(a, raw));
  if (a == Algorithm::kEcdsaP256) {
    HM_ASSIGN_OR_RETURN(EcdsaP256PrivateKey key, EcdsaP256FromScalar(raw));
    return key.ToPkcs8Der();
  }
  base::Bytes octets;
  if (IsFalcon(a)) {
    HM_ASSIGN_OR_RETURN(base::Bytes pk, falcon::PublicKeyFromSecretKey(FalconVariant(a), raw));
    base::Bytes both(raw.begin(), raw.end());
    DerAppend(both, pk);
    octets = DerTlv(kDerOctetString, both);
    Wipe(both);
  } else if (IsMlKem(a)) {
    octets = DerTlv(kDerOctetString, raw);  // expandedKey
  } else {
    octets.assign(raw.begin(), raw.end());  // hybrids: the raw layout
  }
  base::Bytes der = Pkcs8(a, octets);
  Wipe(octets);
  return der;
}

base::Result<base::Bytes> MlKemSeedToPkcs8Der(Algorithm a, base::ByteSpan seed) {
  if (!IsMlKem(a)) return InvalidArgument("seed form exists only for ML-KEM keys");
  HM_TRY(CheckRawSize(a, seed, mlkem::kSeedSize, "seed"));
  base::Bytes octets = DerTlv(kDerContext0Primitive, seed);
  base::Bytes der = Pkcs8(a, octets);
  Wipe(octets);
  return der;
}

base::Result<Algorithm> Pkcs8Algorithm(base::ByteSpan der) {
  HM_ASSIGN_OR_RETURN(Pkcs8Parts parts, SplitPkcs8(der));
  return parts.algorithm;
}

base::Result<base::Bytes> SecretKeyFromPkcs8Der(Algorithm expected, base::ByteSpan der) {
  HM_ASSIGN_OR_RETURN(Pkcs8Parts parts, SplitPkcs8(der));
  HM_TRY(ExpectAlgorithm(parts.algorithm, expected));
  const Algorithm a = parts.algorithm;
  if (a == Algorithm::kEcdsaP256) {
    HM_ASSIGN_OR_RETURN(EcdsaP256PrivateKey key, EcdsaP256PrivateKey::FromPkcs8Der(der));
    EcdsaP256Scalar d = EcdsaP256ScalarOf(key);
    base::Bytes raw(d.begin(), d.end());
    OPENSSL_cleanse(d.data(), d.size());
    return raw;
  }
  if (IsFalcon(a)) return FalconFromPrivateKeyOctets(a, parts.private_key);
  if (IsMlKem(a)) return MlKemFromPrivateKeyOctets(a, parts.private_key);
  HM_TRY(CheckSecretKey(a, parts.private_key));
  return base::Bytes(parts.private_key.begin(), parts.private_key.end());
}

base::Result<std::string> SecretKeyToPem(Algorithm a, base::ByteSpan raw_secret) {
  HM_ASSIGN_OR_RETURN(base::Bytes der, SecretKeyToPkcs8Der(a, raw_secret));
  std::string pem = PemEncode(kPemPrivateKeyLabel, der);
  Wipe(der);
  return pem;
}

base::Result<std::string> MlKemSeedToPem(Algorithm a, base::ByteSpan seed) {
  HM_ASSIGN_OR_RETURN(base::Bytes der, MlKemSeedToPkcs8Der(a, seed));
  std::string pem = PemEncode(kPemPrivateKeyLabel, der);
  Wipe(der);
  return pem;
}

base::Result<base::Bytes> SecretKeyFromPem(Algorithm expected, std::string_view pem) {
  HM_ASSIGN_OR_RETURN(base::Bytes der, PemDecode(kPemPrivateKeyLabel, pem));
  auto raw = SecretKeyFromPkcs8Der(expected, der);
  Wipe(der);
  return raw;
}

base::Result<Falcon1024KeyFile> LoadFalcon1024KeyFile(const std::string& path) {
  HM_ASSIGN_OR_RETURN(base::Bytes pem, ReadSecretFile(path));
  auto secret = SecretKeyFromPem(Algorithm::kFalcon1024, base::AsString(pem));
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!secret.ok()) return secret.status().WithContext(path);
  constexpr auto kVariant = falcon::Variant::kFalcon1024;
  auto signing = falcon::SigningKey::Load(kVariant, *secret);
  auto public_key = falcon::PublicKeyFromSecretKey(kVariant, *secret);
  OPENSSL_cleanse(secret->data(), secret->size());
  if (!signing.ok()) return signing.status().WithContext(path);
  if (!public_key.ok()) return public_key.status().WithContext(path);
  return Falcon1024KeyFile{std::move(signing).value(), std::move(public_key).value()};
}

}  // namespace hm::crypto::hybrid
