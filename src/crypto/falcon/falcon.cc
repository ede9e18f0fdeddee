#include "crypto/falcon/falcon.h"

#include <array>
#include <string>
#include <vector>

#include "crypto/falcon/codec.h"
#include "crypto/falcon/keygen.h"
#include "crypto/falcon/modq.h"
#include "crypto/falcon/sign.h"
#include "crypto/keccak/keccak.h"

namespace hm::crypto::falcon {

using base::ByteSpan;
using base::Bytes;
using base::InvalidArgument;
using base::Result;
using base::Status;

unsigned LogN(Variant v) { return v == Variant::kFalcon512 ? 9 : 10; }
size_t PublicKeySize(Variant v) {
  return v == Variant::kFalcon512 ? kFalcon512PublicKeySize : kFalcon1024PublicKeySize;
}
size_t SecretKeySize(Variant v) {
  return v == Variant::kFalcon512 ? kFalcon512SecretKeySize : kFalcon1024SecretKeySize;
}
size_t PaddedSignatureSize(Variant v) {
  return v == Variant::kFalcon512 ? kFalcon512PaddedSignatureSize
                                  : kFalcon1024PaddedSignatureSize;
}

namespace {

constexpr uint8_t kPublicKeyHeader = 0x00;
constexpr uint8_t kSecretKeyHeader = 0x50;
constexpr uint8_t kSignatureHeader = 0x30;

std::string Name(Variant v) { return v == Variant::kFalcon512 ? "Falcon-512" : "Falcon-1024"; }

struct SecretPolys {
  std::array<int8_t, 1024> f{}, g{}, big_f{}, big_g{};
};

Result<SecretPolys> DecodeSecretKey(Variant v, ByteSpan sk) {
  const unsigned logn = LogN(v);
  const size_t n = size_t{1} << logn;
  if (sk.size() != SecretKeySize(v)) {
    return InvalidArgument(Name(v) + " secret key must be " + std::to_string(SecretKeySize(v)) +
                           " bytes, got " + std::to_string(sk.size()));
  }
  if (sk[0] != kSecretKeyHeader + logn) return InvalidArgument("wrong Falcon secret key header");
  const size_t fg_len = n * internal::FgBits(logn) / 8;
  SecretPolys p;
  if (!internal::TrimI8Decode(sk.subspan(1, fg_len), logn, internal::FgBits(logn), p.f.data()) ||
      !internal::TrimI8Decode(sk.subspan(1 + fg_len, fg_len), logn, internal::FgBits(logn),
                              p.g.data()) ||
      !internal::TrimI8Decode(sk.subspan(1 + 2 * fg_len), logn, internal::kBigFgBits,
                              p.big_f.data())) {
    return InvalidArgument("malformed Falcon secret key encoding");
  }
  if (!internal::CompletePrivate(p.f.data(), p.g.data(), p.big_f.data(), logn, p.big_g.data())) {
    return InvalidArgument("inconsistent Falcon secret key (cannot recompute G)");
  }
  return p;
}

Result<std::vector<uint16_t>> DecodePublicKey(Variant v, ByteSpan pk) {
  const unsigned logn = LogN(v);
  if (pk.size() != PublicKeySize(v)) {
    return InvalidArgument(Name(v) + " public key must be " + std::to_string(PublicKeySize(v)) +
                           " bytes, got " + std::to_string(pk.size()));
  }
  if (pk[0] != kPublicKeyHeader + logn) return InvalidArgument("wrong Falcon public key header");
  std::vector<uint16_t> h(size_t{1} << logn);
  if (!internal::ModqDecode(pk.subspan(1), logn, h.data())) {
    return InvalidArgument("Falcon public key coefficient out of range");
  }
  return h;
}

void HashMessage(ByteSpan nonce, ByteSpan msg, unsigned logn, uint16_t* hm) {
  Shake256 sponge;
  sponge.Absorb(nonce);
  sponge.Absorb(msg);
  internal::HashToPoint(sponge, logn, hm);
}

// Signs with the given nonce and sampler seed; retries (with more sampler randomness)
// until s2 has a compressed encoding of at most max_comp bytes.
Bytes SignCore(const internal::ExpandedKey& key, ByteSpan msg,
               std::span<const uint8_t, kNonceSize> nonce, std::span<const uint8_t, kSeedSize> seed,
               size_t max_comp) {
  const unsigned logn = key.logn;
  std::array<uint16_t, 1024> hm{};
  HashMessage(nonce, msg, logn, hm.data());
  Shake256 rng;
  rng.Absorb(seed);
  std::array<int16_t, 1024> s2{};
  for (;;) {
    internal::SignHashed(key, hm.data(), rng, s2.data());
    auto comp = internal::CompEncode(s2.data(), logn);
    if (!comp || comp->size() > max_comp) continue;
    Bytes sig;
    sig.reserve(1 + kNonceSize + comp->size());
    sig.push_back(static_cast<uint8_t>(kSignatureHeader + logn));
    sig.insert(sig.end(), nonce.begin(), nonce.end());
    sig.insert(sig.end(), comp->begin(), comp->end());
    return sig;
  }
}

// Decodes s2 from a compressed or padded signature.
Status DecodeSignature(Variant v, ByteSpan sig, int16_t* s2) {
  const unsigned logn = LogN(v);
  if (sig.size() < 1 + kNonceSize + 1) return InvalidArgument("Falcon signature too short");
  if (sig[0] != kSignatureHeader + logn) {
    if (sig[0] >= kSignatureHeader + 1 && sig[0] <= kSignatureHeader + 10) {
      return InvalidArgument("signature header is for another Falcon degree than " + Name(v));
    }
    return InvalidArgument("wrong Falcon signature header");
  }
  const ByteSpan body = sig.subspan(1 + kNonceSize);
  const size_t used = internal::CompDecode(body, logn, s2);
  if (used == 0) return InvalidArgument("non-canonical or truncated Falcon signature encoding");
  if (used != body.size()) {
    if (sig.size() != PaddedSignatureSize(v)) {
      return InvalidArgument("trailing bytes after Falcon signature");
    }
    for (size_t i = used; i < body.size(); ++i) {
      if (body[i] != 0) return InvalidArgument("non-zero padding in Falcon signature");
    }
  }
  return Status::Ok();
}

Status VerifyDecoded(Variant v, const uint16_t* h_ntt, ByteSpan msg, ByteSpan sig) {
  const unsigned logn = LogN(v);
  std::array<int16_t, 1024> s2{};
  HM_TRY(DecodeSignature(v, sig, s2.data()));
  std::array<uint16_t, 1024> c{};
  HashMessage(sig.subspan(1, kNonceSize), msg, logn, c.data());
  if (!internal::VerifyRaw(c.data(), s2.data(), h_ntt, logn)) {
    return base::Unauthenticated(Name(v) + " signature does not verify");
  }
  return Status::Ok();
}

}  // namespace

struct SigningKey::Impl {
  internal::ExpandedKey key;
};

Result<KeyPair> KeyGenFromSeed(Variant v, std::span<const uint8_t, kSeedSize> seed) {
  const unsigned logn = LogN(v);
  const size_t n = size_t{1} << logn;
  Shake256 rng;
  rng.Absorb(seed);
  SecretPolys p;
  std::array<uint16_t, 1024> h{};
  internal::GenerateKeyPair(rng, logn, p.f.data(), p.g.data(), p.big_f.data(), p.big_g.data(),
                            h.data());
  KeyPair kp;
  kp.public_key.assign(PublicKeySize(v), 0);
  kp.public_key[0] = static_cast<uint8_t>(kPublicKeyHeader + logn);
  internal::ModqEncode(h.data(), logn, kp.public_key.data() + 1);
  kp.secret_key.assign(SecretKeySize(v), 0);
  kp.secret_key[0] = static_cast<uint8_t>(kSecretKeyHeader + logn);
  const unsigned fg_bits = internal::FgBits(logn);
  uint8_t* out = kp.secret_key.data() + 1;
  if (!internal::TrimI8Encode(p.f.data(), logn, fg_bits, out) ||
      !internal::TrimI8Encode(p.g.data(), logn, fg_bits, out + n * fg_bits / 8) ||
      !internal::TrimI8Encode(p.big_f.data(), logn, internal::kBigFgBits,
                              out + 2 * n * fg_bits / 8)) {
    return base::Internal("Falcon key generation produced an unencodable key");
  }
  return kp;
}

Result<KeyPair> KeyGen(Variant v, base::Random& random) {
  std::array<uint8_t, kSeedSize> seed{};
  random.Fill(seed);
  return KeyGenFromSeed(v, seed);
}

Result<Bytes> Sign(Variant v, ByteSpan secret_key, ByteSpan message, base::Random& random) {
  HM_ASSIGN_OR_RETURN(SigningKey key, SigningKey::Load(v, secret_key));
  return key.Sign(message, random);
}

Result<Bytes> SignWithNonceAndSeed(Variant v, ByteSpan secret_key, ByteSpan message,
                                   std::span<const uint8_t, kNonceSize> nonce,
                                   std::span<const uint8_t, kSeedSize> seed) {
  HM_ASSIGN_OR_RETURN(SigningKey key, SigningKey::Load(v, secret_key));
  return key.SignWithNonceAndSeed(message, nonce, seed);
}

Status Verify(Variant v, ByteSpan public_key, ByteSpan message, ByteSpan signature) {
  HM_ASSIGN_OR_RETURN(VerifyingKey key, VerifyingKey::Load(v, public_key));
  return key.Verify(message, signature);
}

Result<Bytes> ToPadded(Variant v, ByteSpan signature) {
  std::array<int16_t, 1024> s2{};
  HM_TRY(DecodeSignature(v, signature, s2.data()));
  if (signature.size() > PaddedSignatureSize(v)) {
    return InvalidArgument("Falcon signature too long for the padded format");
  }
  Bytes out(signature.begin(), signature.end());
  out.resize(PaddedSignatureSize(v), 0);
  return out;
}

Result<Bytes> PublicKeyFromSecretKey(Variant v, ByteSpan secret_key) {
  HM_ASSIGN_OR_RETURN(SecretPolys p, DecodeSecretKey(v, secret_key));
  const unsigned logn = LogN(v);
  std::array<uint16_t, 1024> h{};
  if (!internal::ComputePublic(p.f.data(), p.g.data(), logn, h.data())) {
    return InvalidArgument("Falcon secret key has a non-invertible f");
  }
  Bytes pk(PublicKeySize(v), 0);
  pk[0] = static_cast<uint8_t>(kPublicKeyHeader + logn);
  internal::ModqEncode(h.data(), logn, pk.data() + 1);
  return pk;
}

Result<SigningKey> SigningKey::Load(Variant v, ByteSpan secret_key) {
  HM_ASSIGN_OR_RETURN(SecretPolys p, DecodeSecretKey(v, secret_key));
  auto impl = std::make_shared<Impl>();
  impl->key = internal::ExpandPrivateKey(p.f.data(), p.g.data(), p.big_f.data(), p.big_g.data(),
                                         LogN(v));
  return SigningKey(v, std::move(impl));
}

Result<Bytes> SigningKey::Sign(ByteSpan message, base::Random& random) const {
  std::array<uint8_t, kNonceSize> nonce{};
  std::array<uint8_t, kSeedSize> seed{};
  random.Fill(nonce);
  random.Fill(seed);
  return SignCore(impl_->key, message, nonce, seed, SIZE_MAX);
}

Result<Bytes> SigningKey::SignPadded(ByteSpan message, base::Random& random) const {
  std::array<uint8_t, kNonceSize> nonce{};
  std::array<uint8_t, kSeedSize> seed{};
  random.Fill(nonce);
  random.Fill(seed);
  Bytes sig = SignCore(impl_->key, message, nonce, seed,
                       PaddedSignatureSize(variant_) - 1 - kNonceSize);
  sig.resize(PaddedSignatureSize(variant_), 0);
  return sig;
}

Result<Bytes> SigningKey::SignWithNonceAndSeed(ByteSpan message,
                                               std::span<const uint8_t, kNonceSize> nonce,
                                               std::span<const uint8_t, kSeedSize> seed) const {
  return SignCore(impl_->key, message, nonce, seed, SIZE_MAX);
}

Result<VerifyingKey> VerifyingKey::Load(Variant v, ByteSpan public_key) {
  HM_ASSIGN_OR_RETURN(std::vector<uint16_t> h, DecodePublicKey(v, public_key));
  internal::NttModQ(h.data(), LogN(v));
  return VerifyingKey(v, std::make_shared<const std::vector<uint16_t>>(std::move(h)));
}

Status VerifyingKey::Verify(ByteSpan message, ByteSpan signature) const {
  return VerifyDecoded(variant_, h_ntt_->data(), message, signature);
}

}  // namespace hm::crypto::falcon
