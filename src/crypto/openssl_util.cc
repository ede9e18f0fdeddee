#include "crypto/openssl_util.h"

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <climits>
#include <cstring>

#include "base/check.h"

namespace hm::crypto {

void EvpPkeyFree::operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }

EvpPkeyPtr ShareEvpPkey(EVP_PKEY* pkey) {
  if (pkey == nullptr) return nullptr;
  HM_CHECK(EVP_PKEY_up_ref(pkey) == 1);
  return EvpPkeyPtr(pkey);
}

}  // namespace hm::crypto

namespace hm::crypto::internal {

std::string DrainErrors() {
  std::string out;
  unsigned long err = 0;
  while ((err = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string("no OpenSSL error detail") : out;
}

base::Status OsslError(base::Code code, std::string_view what) {
  return base::Status(code, std::string(what) + ": " + DrainErrors());
}

namespace {
struct OpenSslFree {
  void operator()(void* p) const { OPENSSL_free(p); }
};
using OsslCharPtr = std::unique_ptr<char, OpenSslFree>;
using OsslBytePtr = std::unique_ptr<unsigned char, OpenSslFree>;
}  // namespace

base::Result<base::Bytes> PemToDer(std::string_view pem, std::string_view label) {
  ClearErrors();
  if (pem.size() > INT_MAX) return base::InvalidArgument("PEM input too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OsslError(base::Code::kInternal, "BIO_new_mem_buf");
  char* name_raw = nullptr;
  char* header_raw = nullptr;
  unsigned char* data_raw = nullptr;
  long len = 0;
  int ok = PEM_read_bio(bio.get(), &name_raw, &header_raw, &data_raw, &len);
  OsslCharPtr name(name_raw);
  OsslCharPtr header(header_raw);
  OsslBytePtr data(data_raw);
  if (ok != 1) return OsslError(base::Code::kInvalidArgument, "malformed PEM");
  if (std::string_view(name.get()) != label) {
    return base::InvalidArgument("PEM label is \"" + std::string(name.get()) + "\", want \"" +
                                 std::string(label) + "\"");
  }
  if (header && header.get()[0] != '\0') {
    return base::InvalidArgument("PEM headers (e.g. encryption) are not supported");
  }
  base::Bytes der(data.get(), data.get() + len);
  OPENSSL_cleanse(data.get(), static_cast<size_t>(len));  // may be a private key
  return der;
}

base::Result<PkeyPtr> ParseSpkiDer(base::ByteSpan der) {
  ClearErrors();
  if (der.empty() || der.size() > INT_MAX) return base::InvalidArgument("empty or huge SPKI");
  const unsigned char* p = der.data();
  PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pkey) return OsslError(base::Code::kInvalidArgument, "malformed SubjectPublicKeyInfo");
  if (p != der.data() + der.size()) {
    return base::InvalidArgument("trailing bytes after SubjectPublicKeyInfo");
  }
  return pkey;
}

base::Bytes SpkiDer(EVP_PKEY* pkey) {
  int len = i2d_PUBKEY(pkey, nullptr);
  HM_CHECK_MSG(len > 0, DrainErrors());
  base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  HM_CHECK_MSG(i2d_PUBKEY(pkey, &p) == len, DrainErrors());
  return der;
}

base::Result<PkeyPtr> ParsePkcs8Der(base::ByteSpan der) {
  ClearErrors();
  if (der.empty() || der.size() > INT_MAX) return base::InvalidArgument("empty or huge PKCS#8");
  const unsigned char* p = der.data();
  PkcsInfoPtr info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!info) return OsslError(base::Code::kInvalidArgument, "malformed PKCS#8 PrivateKeyInfo");
  if (p != der.data() + der.size()) {
    return base::InvalidArgument("trailing bytes after PKCS#8 PrivateKeyInfo");
  }
  PkeyPtr pkey(EVP_PKCS82PKEY(info.get()));
  if (!pkey) return OsslError(base::Code::kInvalidArgument, "unusable PKCS#8 private key");
  return pkey;
}

base::Bytes Pkcs8Der(EVP_PKEY* pkey) {
  PkcsInfoPtr info(EVP_PKEY2PKCS8(pkey));
  HM_CHECK_MSG(info != nullptr, DrainErrors());
  int len = i2d_PKCS8_PRIV_KEY_INFO(info.get(), nullptr);
  HM_CHECK_MSG(len > 0, DrainErrors());
  base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  HM_CHECK_MSG(i2d_PKCS8_PRIV_KEY_INFO(info.get(), &p) == len, DrainErrors());
  return der;
}

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(len));
}

void Cleanse(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}
void Cleanse(base::Bytes& b) {
  if (!b.empty()) OPENSSL_cleanse(b.data(), b.size());
}

}  // namespace hm::crypto::internal

namespace hm::crypto {

std::string DerToPem(base::ByteSpan der, std::string_view label) {
  // Secure-memory BIO: the PEM may hold a private key and is wiped when freed.
  internal::BioPtr bio(BIO_new(BIO_s_secmem()));
  HM_CHECK(bio != nullptr);
  const std::string name(label);
  HM_CHECK(der.size() <= LONG_MAX);
  int ok = PEM_write_bio(bio.get(), name.c_str(), "", der.data(), static_cast<long>(der.size()));
  HM_CHECK(ok > 0);
  return internal::BioToString(bio.get());
}

}  // namespace hm::crypto
