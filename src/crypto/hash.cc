#include "crypto/hash.h"

#include <openssl/evp.h>

#include "base/check.h"
#include "crypto/openssl_util.h"

namespace hm::crypto {
namespace {

// Explicitly fetched once and kept for the process lifetime: implicit fetches (EVP_sha256())
// repeat a provider lookup on every init, which dominates the cost of small hashes.
const EVP_MD* FetchOnce(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  HM_CHECK_MSG(md != nullptr, internal::DrainErrors());
  return md;
}

const EVP_MD* Sha256Md() {
  static const EVP_MD* md = FetchOnce("SHA2-256");
  return md;
}
const EVP_MD* Sha512Md() {
  static const EVP_MD* md = FetchOnce("SHA2-512");
  return md;
}
const EVP_MD* Sha3_256Md() {
  static const EVP_MD* md = FetchOnce("SHA3-256");
  return md;
}
const EVP_MD* Sha3_512Md() {
  static const EVP_MD* md = FetchOnce("SHA3-512");
  return md;
}
const EVP_MD* Shake128Md() {
  static const EVP_MD* md = FetchOnce("SHAKE-128");
  return md;
}
const EVP_MD* Shake256Md() {
  static const EVP_MD* md = FetchOnce("SHAKE-256");
  return md;
}

template <size_t N>
std::array<uint8_t, N> FixedDigest(const EVP_MD* md, base::ByteSpan data) {
  std::array<uint8_t, N> out;
  unsigned int len = 0;
  int ok = EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
  HM_CHECK_MSG(ok == 1 && len == N, internal::DrainErrors());
  return out;
}

base::Bytes Xof(const EVP_MD* md, base::ByteSpan in, size_t out_len) {
  base::Bytes out(out_len);
  if (out_len == 0) return out;
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  HM_CHECK(ctx != nullptr);
  int ok = EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
           EVP_DigestUpdate(ctx.get(), in.data(), in.size()) == 1 &&
           EVP_DigestFinalXOF(ctx.get(), out.data(), out.size()) == 1;
  HM_CHECK_MSG(ok, internal::DrainErrors());
  return out;
}

}  // namespace

Digest32 Sha256(base::ByteSpan data) { return FixedDigest<32>(Sha256Md(), data); }
Digest64 Sha512(base::ByteSpan data) { return FixedDigest<64>(Sha512Md(), data); }
Digest32 Sha3_256(base::ByteSpan data) { return FixedDigest<32>(Sha3_256Md(), data); }
Digest64 Sha3_512(base::ByteSpan data) { return FixedDigest<64>(Sha3_512Md(), data); }

base::Bytes Shake128Bytes(base::ByteSpan in, size_t out_len) {
  return Xof(Shake128Md(), in, out_len);
}
base::Bytes Shake256Bytes(base::ByteSpan in, size_t out_len) {
  return Xof(Shake256Md(), in, out_len);
}

void Sha256Hasher::CtxFree::operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  HM_CHECK(ctx_ != nullptr);
  HM_CHECK_MSG(EVP_DigestInit_ex2(ctx_.get(), Sha256Md(), nullptr) == 1, internal::DrainErrors());
}

void Sha256Hasher::Update(base::ByteSpan data) {
  HM_CHECK(ctx_ != nullptr);  // use after move is a bug
  HM_CHECK_MSG(EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1,
               internal::DrainErrors());
}

void Sha256Hasher::UpdateField(base::ByteSpan data) {
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(uint64_t{data.size()} >> (56 - 8 * i));
  Update(len);
  Update(data);
}

Digest32 Sha256Hasher::Finish() {
  HM_CHECK(ctx_ != nullptr);
  Digest32 out;
  unsigned int len = 0;
  HM_CHECK_MSG(EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) == 1 && len == out.size(),
               internal::DrainErrors());
  HM_CHECK_MSG(EVP_DigestInit_ex2(ctx_.get(), Sha256Md(), nullptr) == 1, internal::DrainErrors());
  return out;
}

}  // namespace hm::crypto
