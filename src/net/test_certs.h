// Test-only helpers: ECDSA P-256 certificates (self-signed, or issued by a test CA) generated at
// test time with the OpenSSL C API, and a temporary directory that removes itself. Never used by
// production code. Thread-safety: functions are thread-safe; a TempDir is owned by one test.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace hm::net::testing {

struct TestCert {
  std::string cert_pem;
  std::string key_pem;  // PKCS#8 PEM, unencrypted
};

// A self-signed certificate valid from one minute ago for `days` days, with the given SANs
// (e.g. dns {"localhost"}, ips {"::1"}) and CN = common_name.
base::Result<TestCert> MakeSelfSignedCert(const std::vector<std::string>& dns_names,
                                          const std::vector<std::string>& ips,
                                          const std::string& common_name = "localhost",
                                          int days = 1);

// A test CA (self-signed, CA:TRUE) and a server certificate it issued for the given SANs.
// `leaf.cert_pem` holds the leaf followed by the CA (a chain file); `ca_pem` the CA alone.
struct TestChain {
  std::string ca_pem;
  TestCert leaf;
};
base::Result<TestChain> MakeCaSignedCert(const std::vector<std::string>& dns_names,
                                         const std::vector<std::string>& ips, int days = 1);

// A directory under $TMPDIR (or /tmp), removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `contents` to path()/name with mode 0600 and returns the full path.
  base::Result<std::string> WriteFile(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

// Writes cert.pem/key.pem for `cert` into `dir`.
struct CertFiles {
  std::string cert_path;
  std::string key_path;
};
base::Result<CertFiles> WriteCertFiles(const TempDir& dir, const TestCert& cert,
                                       const std::string& prefix = "node");

}  // namespace hm::net::testing
