#include "stoq/pq/key_schedule.h"

#include <openssl/crypto.h>

#include "base/check.h"
#include "crypto/hkdf.h"

namespace hm::stoq::pq {
namespace {

using base::Bytes;
using base::ByteSpan;

Bytes LabelThenHash(std::string_view label, ByteSpan data) {
  const crypto::Digest32 h = crypto::Sha256(data);
  Bytes out = base::ToBytes(label);
  out.insert(out.end(), h.begin(), h.end());
  return out;
}

}  // namespace

Bytes ServerSignedMessage(ByteSpan t1) { return LabelThenHash(kServerSignatureLabel, t1); }

Bytes ClientSignedMessage(ByteSpan t2) { return LabelThenHash(kClientSignatureLabel, t2); }

Bytes DerivePqSecret(ByteSpan exporter, ByteSpan ss_s, ByteSpan ss_c, const crypto::Digest32& th) {
  HM_CHECK(exporter.size() == 32 && ss_s.size() == 32 && ss_c.size() == 32);
  Bytes ikm(ss_s.begin(), ss_s.end());
  ikm.insert(ikm.end(), ss_c.begin(), ss_c.end());
  Bytes info = base::ToBytes(kPqSecretLabel);
  info.insert(info.end(), th.begin(), th.end());
  auto secret = crypto::Hkdf(ikm, exporter, info, kPqSecretSize);
  OPENSSL_cleanse(ikm.data(), ikm.size());
  HM_CHECK_OK(secret.status());  // only fails for lengths above 255*32
  return std::move(secret).value();
}

crypto::Digest32 ConfirmMac(ByteSpan pq_secret, const crypto::Digest32& th) {
  Bytes data = base::ToBytes(kConfirmLabel);
  data.insert(data.end(), th.begin(), th.end());
  return HmacSha256(pq_secret, data);
}

crypto::Digest32 HmacSha256(ByteSpan key, ByteSpan data) {
  // HKDF-Extract is defined as HMAC-Hash(salt, IKM) (RFC 5869 §2.2), and an empty salt is the
  // all-zero key, which HMAC's zero padding makes equal to the empty key. So this is exactly
  // HMAC-SHA-256(key, data), through the one OpenSSL MAC wrapper crypto/ already has.
  return crypto::HkdfExtract(key, data);
}

Bytes MixTrafficSecret(ByteSpan current_secret, ByteSpan pq_secret) {
  HM_CHECK(pq_secret.size() == kPqSecretSize);
  HM_CHECK(!current_secret.empty() && current_secret.size() <= crypto::kHkdfSha256MaxOutput);
  crypto::Digest32 prk = crypto::HkdfExtract(pq_secret, current_secret);
  auto mixed = crypto::HkdfExpand(prk, base::AsBytes(kMixedSecretLabel), current_secret.size());
  OPENSSL_cleanse(prk.data(), prk.size());
  HM_CHECK_OK(mixed.status());  // lengths were checked above
  return std::move(mixed).value();
}

}  // namespace hm::stoq::pq
