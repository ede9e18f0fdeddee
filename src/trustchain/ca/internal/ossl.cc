#include "trustchain/ca/internal/ossl.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <ctime>

namespace hm::trustchain::ca::internal {

base::Status OsslError(base::Code code, std::string_view what) {
  std::string detail;
  unsigned long err = 0;
  while ((err = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    if (!detail.empty()) detail += "; ";
    detail += buf;
  }
  if (detail.empty()) detail = "no OpenSSL error detail";
  return base::Status(code, std::string(what) + ": " + detail);
}

Asn1ObjectPtr Oid(const char* dotted) { return Asn1ObjectPtr(OBJ_txt2obj(dotted, 1)); }

base::Bytes CertDer(X509* x) {
  const int len = i2d_X509(x, nullptr);
  if (len <= 0) return {};
  base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_X509(x, &p) != len) return {};
  return der;
}

base::Result<X509Ptr> ParseCertDer(base::ByteSpan der) {
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) return OsslError(base::Code::kInvalidArgument, "malformed certificate");
  if (p != der.data() + der.size()) {
    return base::InvalidArgument("trailing bytes after the certificate");
  }
  return x;
}

base::Status AddExtension(X509* x, const char* oid, bool critical, base::ByteSpan value_der) {
  Asn1ObjectPtr obj = Oid(oid);
  Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
  if (!obj || !value ||
      ASN1_OCTET_STRING_set(value.get(), value_der.data(), static_cast<int>(value_der.size())) !=
          1) {
    return OsslInternal("building extension");
  }
  X509ExtPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), critical ? 1 : 0, value.get()));
  if (!ext || X509_add_ext(x, ext.get(), -1) != 1) return OsslInternal("adding extension");
  return base::Status::Ok();
}

void DeleteExtensions(X509* x, const char* oid) {
  Asn1ObjectPtr obj = Oid(oid);
  int idx = 0;
  while ((idx = X509_get_ext_by_OBJ(x, obj.get(), -1)) >= 0) {
    X509_EXTENSION_free(X509_delete_ext(x, idx));
  }
  // X509_delete_ext keeps the cached TBS encoding; this marks it stale.
  (void)i2d_re_X509_tbs(x, nullptr);
}

base::Result<base::ByteSpan> FindExtension(const X509* x, const char* oid) {
  Asn1ObjectPtr obj = Oid(oid);
  const int idx = X509_get_ext_by_OBJ(x, obj.get(), -1);
  if (idx < 0) return base::NotFound(std::string("extension ") + oid + " absent");
  if (X509_get_ext_by_OBJ(x, obj.get(), idx) >= 0) {
    return base::InvalidArgument(std::string("extension ") + oid + " repeated");
  }
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(x, idx));
  return base::ByteSpan(ASN1_STRING_get0_data(data), static_cast<size_t>(ASN1_STRING_length(data)));
}

base::Result<Asn1IntegerPtr> SerialFromBytes(base::ByteSpan serial) {
  if (serial.empty() || serial.size() > 20) {
    return base::InvalidArgument("serial must be 1..20 bytes");
  }
  if ((serial[0] & 0x80) != 0) return base::InvalidArgument("serial must be positive");
  bool zero = true;
  for (uint8_t b : serial) zero = zero && b == 0;
  if (zero) return base::InvalidArgument("serial must be non-zero");
  BnPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  Asn1IntegerPtr out(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!out) return OsslInternal("serial");
  return out;
}

base::Bytes SerialToBytes(const ASN1_INTEGER* serial) {
  BnPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return {};
  base::Bytes out(static_cast<size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

base::Result<Asn1TimePtr> MakeTime(std::chrono::system_clock::time_point t) {
  const time_t secs = std::chrono::system_clock::to_time_t(t);
  Asn1TimePtr out(ASN1_TIME_set(nullptr, secs));
  if (!out) return base::InvalidArgument("time out of the X.509 range");
  return out;
}

}  // namespace hm::trustchain::ca::internal
