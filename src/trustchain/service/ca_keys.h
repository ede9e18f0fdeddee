// The node's TrustChain CA identity on disk: the root and issuing CA key pairs (ECDSA P-256 +
// Falcon-1024) in the key directory, and the certificates that go into genesis as the `ca`
// module parameters (docs/adr/0003-trustchain-integration.md, docs/spec/certificates.md).
// Thread-safety: file I/O; call from one thread at start-up.
#pragma once

#include <chrono>
#include <string>

#include "base/random.h"
#include "base/status.h"
#include "trustchain/ca/ca_module.h"
#include "trustchain/ca/x509_builder.h"

namespace hm::trustchain::service {

inline constexpr char kRootEcdsaKeyFile[] = "ca_root_ecdsa.pem";
inline constexpr char kRootFalconKeyFile[] = "ca_root_falcon1024.pem";
inline constexpr char kIssuingEcdsaKeyFile[] = "ca_issuing_ecdsa.pem";
inline constexpr char kIssuingFalconKeyFile[] = "ca_issuing_falcon1024.pem";

struct HierarchyOptions {
  std::string root_name = "HyperMesh Root CA";
  std::string issuing_name = "HyperMesh Issuing CA";
  std::chrono::seconds root_validity{std::chrono::hours(24 * 365 * 20)};
  std::chrono::seconds issuing_validity{std::chrono::hours(24 * 365 * 5)};
};

// Genesis time: loads the four CA keys from `keys_dir` (or creates them, files 0600, when none
// exists) and makes the root and issuing certificates, valid from `now`. FailedPrecondition if
// only some key files exist; IoError naming the path; InvalidArgument for a malformed key file.
base::Result<ca::CaParams> CreateHierarchy(const std::string& keys_dir,
                                           const HierarchyOptions& options,
                                           std::chrono::system_clock::time_point now,
                                           base::Random& random);

// Every start: the issuing CA (certificate from genesis, keys from `keys_dir`). FailedPrecondition
// when the keys do not match the certificate (a data directory from another network).
base::Result<ca::IssuingCa> LoadIssuingCa(const std::string& keys_dir, const ca::CaParams& params);

}  // namespace hm::trustchain::service
