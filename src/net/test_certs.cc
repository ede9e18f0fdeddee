#include "net/test_certs.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

namespace hm::net::testing {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
void FreeBio(BIO* b) { BIO_free(b); }
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, FreeBio>>;

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

base::Status AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return base::Internal("cannot add extension " + value);
  }
  return base::Status::Ok();
}

// A certificate for `key` named CN = common_name, signed by `issuer_key` under `issuer`'s
// subject (both null: self-signed).
base::Result<CertPtr> MakeCert(EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                               const std::vector<std::string>& dns_names,
                               const std::vector<std::string>& ips, const std::string& common_name,
                               int days, bool ca) {
  static std::atomic<long> serial{1};
  CertPtr cert(X509_new());
  if (!cert) return base::Internal("cannot allocate a certificate");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial.fetch_add(1));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "" : ",") + ("DNS:" + d);
  for (const auto& ip : ips) san += (san.empty() ? "" : ",") + ("IP:" + ip);
  if (!san.empty()) HM_TRY(AddExtension(cert.get(), NID_subject_alt_name, san));
  if (ca) {
    HM_TRY(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
    HM_TRY(AddExtension(cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  } else {
    HM_TRY(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
    HM_TRY(AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature"));
    HM_TRY(AddExtension(cert.get(), NID_ext_key_usage, "serverAuth"));
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    return base::Internal("cannot sign test certificate");
  }
  return cert;
}

base::Result<std::string> CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return base::Internal("cannot encode test certificate");
  }
  return BioToString(bio.get());
}

base::Result<std::string> KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return base::Internal("cannot encode test key");
  }
  return BioToString(bio.get());
}

}  // namespace

base::Result<TestCert> MakeSelfSignedCert(const std::vector<std::string>& dns_names,
                                          const std::vector<std::string>& ips,
                                          const std::string& common_name, int days) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return base::Internal("cannot generate a key");
  HM_ASSIGN_OR_RETURN(auto cert, MakeCert(key.get(), nullptr, nullptr, dns_names, ips, common_name,
                                          days, /*ca=*/false));
  TestCert out;
  HM_ASSIGN_OR_RETURN(out.cert_pem, CertPem(cert.get()));
  HM_ASSIGN_OR_RETURN(out.key_pem, KeyPem(key.get()));
  return out;
}

base::Result<TestChain> MakeCaSignedCert(const std::vector<std::string>& dns_names,
                                         const std::vector<std::string>& ips, int days) {
  KeyPtr ca_key(EVP_EC_gen("P-256"));
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!ca_key || !key) return base::Internal("cannot generate a key");
  HM_ASSIGN_OR_RETURN(
      auto ca, MakeCert(ca_key.get(), nullptr, nullptr, {}, {}, "Test CA", days + 1, /*ca=*/true));
  HM_ASSIGN_OR_RETURN(auto leaf, MakeCert(key.get(), ca.get(), ca_key.get(), dns_names, ips,
                                          "localhost", days, /*ca=*/false));
  TestChain out;
  HM_ASSIGN_OR_RETURN(out.ca_pem, CertPem(ca.get()));
  HM_ASSIGN_OR_RETURN(out.leaf.cert_pem, CertPem(leaf.get()));
  out.leaf.cert_pem += out.ca_pem;
  HM_ASSIGN_OR_RETURN(out.leaf.key_pem, KeyPem(key.get()));
  return out;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/hm-test-XXXXXX";
  if (mkdtemp(templ.data()) != nullptr) path_ = templ;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

base::Result<std::string> TempDir::WriteFile(const std::string& name,
                                             const std::string& contents) const {
  if (path_.empty()) return base::IoError("temporary directory was not created");
  const std::string full = path_ + "/" + name;
  const int fd = ::open(full.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return base::IoError("cannot create " + full + ": " + std::strerror(errno));
  const ssize_t n = ::write(fd, contents.data(), contents.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(contents.size())) return base::IoError("short write to " + full);
  return full;
}

base::Result<CertFiles> WriteCertFiles(const TempDir& dir, const TestCert& cert,
                                       const std::string& prefix) {
  CertFiles files;
  HM_ASSIGN_OR_RETURN(files.cert_path, dir.WriteFile(prefix + "-cert.pem", cert.cert_pem));
  HM_ASSIGN_OR_RETURN(files.key_path, dir.WriteFile(prefix + "-key.pem", cert.key_pem));
  return files;
}

}  // namespace hm::net::testing
