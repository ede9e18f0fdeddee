#include "crypto/hybrid/ecdsa_scalar.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base/check.h"
#include "crypto/hybrid/der.h"

namespace hm::crypto::hybrid {
namespace {

// Order n of the P-256 base point (SEC 2, section 2.4.2).
constexpr EcdsaP256Scalar kOrder = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

// 1 if 0 < d < n, computed without branches on the secret bytes.
bool InRange(base::ByteSpan d) {
  uint32_t borrow = 0;  // d - n borrows iff d < n
  uint32_t nonzero = 0;
  for (size_t i = d.size(); i-- > 0;) {
    const uint32_t diff = uint32_t{d[i]} - kOrder[i] - borrow;
    borrow = (diff >> 8) & 1;
    nonzero |= d[i];
  }
  return (borrow & static_cast<uint32_t>(nonzero != 0)) == 1;
}

// PKCS#8 PrivateKeyInfo around an RFC 5915 ECPrivateKey without the optional public key;
// OpenSSL recomputes the point when it parses this.
base::Bytes ScalarPkcs8(base::ByteSpan d) {
  base::Bytes ec_key;
  DerAppend(ec_key, DerTlv(kDerInteger, std::array<uint8_t, 1>{1}));
  DerAppend(ec_key, DerTlv(kDerOctetString, d));
  base::Bytes alg;
  DerAppend(alg, DerTlv(kDerOid, *OidContent("1.2.840.10045.2.1")));
  DerAppend(alg, DerTlv(kDerOid, *OidContent("1.2.840.10045.3.1.7")));
  base::Bytes info;
  DerAppend(info, DerTlv(kDerInteger, std::array<uint8_t, 1>{0}));
  DerAppend(info, DerTlv(kDerSequence, alg));
  base::Bytes inner = DerTlv(kDerSequence, ec_key);
  DerAppend(info, DerTlv(kDerOctetString, inner));
  OPENSSL_cleanse(ec_key.data(), ec_key.size());
  OPENSSL_cleanse(inner.data(), inner.size());
  return DerTlv(kDerSequence, info);
}

}  // namespace

EcdsaP256Scalar EcdsaP256ScalarOf(const EcdsaP256PrivateKey& key) {
  BIGNUM* bn = nullptr;
  HM_CHECK(EVP_PKEY_get_bn_param(key.evp_pkey(), OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1);
  EcdsaP256Scalar d;
  const int n = BN_bn2binpad(bn, d.data(), static_cast<int>(d.size()));
  BN_clear_free(bn);
  HM_CHECK(n == static_cast<int>(d.size()));
  return d;
}

base::Result<EcdsaP256PrivateKey> EcdsaP256FromScalar(base::ByteSpan scalar) {
  if (scalar.size() != kEcdsaP256ScalarSize) {
    return base::InvalidArgument("P-256 private scalar must be 32 bytes, got " +
                                 std::to_string(scalar.size()));
  }
  if (!InRange(scalar)) return base::InvalidArgument("P-256 private scalar is not in [1, n-1]");
  base::Bytes der = ScalarPkcs8(scalar);
  auto key = EcdsaP256PrivateKey::FromPkcs8Der(der);
  OPENSSL_cleanse(der.data(), der.size());
  return key;
}

EcdsaP256PrivateKey EcdsaP256Generate(base::Random& random) {
  EcdsaP256Scalar d;
  do {
    random.Fill(d);
  } while (!InRange(d));  // fails with probability about 2^-32 per draw
  auto key = EcdsaP256FromScalar(d);
  OPENSSL_cleanse(d.data(), d.size());
  HM_CHECK_OK(key.status());
  return std::move(key).value();
}

}  // namespace hm::crypto::hybrid
