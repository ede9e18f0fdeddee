#include "crypto/hybrid/hybrid_kem.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <string>

#include "crypto/hkdf.h"

namespace hm::crypto::hybrid {
namespace {

constexpr mlkem::Params kParams = mlkem::Params::kMlKem1024;
// The encapsulation key embedded in an expanded dk: dk[384k : 768k + 32] (FIPS 203).
constexpr size_t kEkOffsetInDk = 384 * 4;

template <size_t N>
void Wipe(std::array<uint8_t, N>& a) {
  OPENSSL_cleanse(a.data(), a.size());
}
void Wipe(base::Bytes& b) {
  if (!b.empty()) OPENSSL_cleanse(b.data(), b.size());
}

base::ByteSpan EkOfDk(base::ByteSpan dk) {
  return dk.subspan(kEkOffsetInDk, mlkem::kMlKem1024EncapsulationKeySize);
}

base::Status CheckSize(base::ByteSpan b, size_t want, std::string_view what) {
  if (b.size() != want) {
    return base::InvalidArgument("hybrid KEM " + std::string(what) + " must be " +
                                 std::to_string(want) + " bytes, got " + std::to_string(b.size()));
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<HybridKemSharedSecret> HybridKemCombine(
    base::ByteSpan ss_mlkem, base::ByteSpan ss_x25519, base::ByteSpan ct_x25519,
    base::ByteSpan ct_mlkem, base::ByteSpan pk_x25519, base::ByteSpan ek_mlkem) {
  base::Bytes ikm(ss_mlkem.begin(), ss_mlkem.end());
  ikm.insert(ikm.end(), ss_x25519.begin(), ss_x25519.end());
  base::Bytes info(kHybridKemLabel.begin(), kHybridKemLabel.end());
  info.push_back(0x00);
  for (base::ByteSpan part : {ct_x25519, ct_mlkem, pk_x25519, ek_mlkem}) {
    info.insert(info.end(), part.begin(), part.end());
  }
  auto okm = Hkdf(ikm, {}, info, kHybridKemSharedSecretSize);
  Wipe(ikm);
  if (!okm.ok()) return okm.status();
  HybridKemSharedSecret out;
  std::copy(okm->begin(), okm->end(), out.begin());
  Wipe(*okm);
  return out;
}

base::Result<HybridKemKeyPair> HybridKemKeyGen(base::Random& random) {
  X25519Key x_priv;
  random.Fill(x_priv);
  auto x = X25519PrivateKey::FromRaw(x_priv);
  std::array<uint8_t, mlkem::kSeedSize> seed;
  random.Fill(seed);
  auto mk = mlkem::KeyGenFromSeed(kParams, seed);
  Wipe(seed);
  if (!x.ok() || !mk.ok()) {
    Wipe(x_priv);
    return !x.ok() ? x.status() : mk.status();
  }
  HybridKemKeyPair pair;
  pair.public_key.assign(x->PublicRaw().begin(), x->PublicRaw().end());
  pair.public_key.insert(pair.public_key.end(), mk->ek.begin(), mk->ek.end());
  pair.secret_key.assign(x_priv.begin(), x_priv.end());
  pair.secret_key.insert(pair.secret_key.end(), mk->dk.begin(), mk->dk.end());
  Wipe(x_priv);
  Wipe(mk->dk);
  return pair;
}

base::Status CheckHybridKemPublicKey(base::ByteSpan public_key) {
  HM_TRY(CheckSize(public_key, kHybridKemPublicKeySize, "public key"));
  return mlkem::CheckEncapsulationKey(kParams, public_key.subspan(kX25519KeySize));
}

base::Status CheckHybridKemSecretKey(base::ByteSpan secret_key) {
  HM_TRY(CheckSize(secret_key, kHybridKemSecretKeySize, "secret key"));
  return mlkem::CheckDecapsulationKey(kParams, secret_key.subspan(kX25519KeySize));
}

base::Result<base::Bytes> HybridKemPublicKeyFromSecretKey(base::ByteSpan secret_key) {
  HM_TRY(CheckHybridKemSecretKey(secret_key));
  HM_ASSIGN_OR_RETURN(X25519PrivateKey x,
                      X25519PrivateKey::FromRaw(secret_key.first(kX25519KeySize)));
  base::Bytes pk(x.PublicRaw().begin(), x.PublicRaw().end());
  const base::ByteSpan ek = EkOfDk(secret_key.subspan(kX25519KeySize));
  pk.insert(pk.end(), ek.begin(), ek.end());
  return pk;
}

base::Result<HybridKemEncapsResult> HybridKemEncaps(base::ByteSpan public_key,
                                                    base::Random& random) {
  HM_TRY(CheckSize(public_key, kHybridKemPublicKeySize, "public key"));
  const base::ByteSpan pk_x = public_key.first(kX25519KeySize);
  const base::ByteSpan ek = public_key.subspan(kX25519KeySize);
  X25519Key eph_priv;
  random.Fill(eph_priv);
  auto eph = X25519PrivateKey::FromRaw(eph_priv);
  Wipe(eph_priv);
  if (!eph.ok()) return eph.status();
  HM_ASSIGN_OR_RETURN(X25519Key ss_x, eph->DeriveShared(pk_x));
  auto mk = mlkem::Encaps(kParams, ek, random);
  if (!mk.ok()) {
    Wipe(ss_x);
    return mk.status();
  }
  HybridKemEncapsResult out;
  out.ciphertext.assign(eph->PublicRaw().begin(), eph->PublicRaw().end());
  out.ciphertext.insert(out.ciphertext.end(), mk->ciphertext.begin(), mk->ciphertext.end());
  auto key = HybridKemCombine(mk->shared_secret, ss_x, eph->PublicRaw(), mk->ciphertext, pk_x, ek);
  Wipe(ss_x);
  Wipe(mk->shared_secret);
  if (!key.ok()) return key.status();
  out.shared_secret = *key;
  return out;
}

base::Result<HybridKemSharedSecret> HybridKemDecaps(base::ByteSpan secret_key,
                                                    base::ByteSpan ciphertext) {
  HM_TRY(CheckSize(secret_key, kHybridKemSecretKeySize, "secret key"));
  HM_TRY(CheckSize(ciphertext, kHybridKemCiphertextSize, "ciphertext"));
  const base::ByteSpan dk = secret_key.subspan(kX25519KeySize);
  const base::ByteSpan ct_x = ciphertext.first(kX25519KeySize);
  const base::ByteSpan ct_m = ciphertext.subspan(kX25519KeySize);
  HM_ASSIGN_OR_RETURN(X25519PrivateKey x,
                      X25519PrivateKey::FromRaw(secret_key.first(kX25519KeySize)));
  HM_ASSIGN_OR_RETURN(mlkem::SharedSecret ss_m, mlkem::Decaps(kParams, dk, ct_m));
  auto ss_x = x.DeriveShared(ct_x);
  if (!ss_x.ok()) {
    Wipe(ss_m);
    return ss_x.status().WithContext("hybrid KEM ciphertext");
  }
  auto key = HybridKemCombine(ss_m, *ss_x, ct_x, ct_m, x.PublicRaw(), EkOfDk(dk));
  Wipe(ss_m);
  Wipe(*ss_x);
  return key;
}

}  // namespace hm::crypto::hybrid
