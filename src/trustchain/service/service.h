// TrustChainService: the CA and CT log as a node service (docs/spec/trustchain-api.md). It owns
// the issuing CA and log keys, runs the issuance pipeline (CSR -> precertificate -> CT add_entry
// transaction -> SCT -> final certificate -> `ca` issue transaction), revocations, the CRL and
// the OCSP responder, and registers the HTTP routes. Signing happens here, before submission;
// the `ct` and `ca` modules only validate and record (ADR 0003).
// Thread-safety: all methods may be called from any thread once Create returns; callbacks run on
// the sequencer thread or, for immediate rejections, on the caller's thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/router.h"
#include "base/clock.h"
#include "base/status.h"
#include "chain/chain.h"
#include "chain/sequencer.h"
#include "trustchain/ca/ca_module.h"
#include "trustchain/ca/csr.h"
#include "trustchain/ca/issuer.h"
#include "trustchain/ca/x509_builder.h"
#include "trustchain/ct/ct_module.h"
#include "trustchain/ct/signing.h"

namespace hm::trustchain::service {

struct TrustChainOptions {
  ca::NamePolicy policy;                                         // for API requests
  std::chrono::seconds leaf_validity{std::chrono::hours(24)};    // default
  std::chrono::seconds max_leaf_validity{std::chrono::hours(24 * 90)};
  std::string public_url;   // base of the OCSP / caIssuers / CRL URLs, e.g. https://localhost:8443
  std::string admin_token;  // empty: admin revocation disabled
  const base::Clock* clock = nullptr;  // must outlive the service
  std::chrono::milliseconds ct_max_merge_delay{1000};

  // InvalidArgument naming the option.
  base::Status Validate() const;
};

struct IssueRequest {
  ca::ParsedCsr csr;
  std::optional<std::chrono::seconds> validity;  // default: options.leaf_validity
  std::optional<ca::NamePolicy> policy;          // default: options.policy (node's own cert)
};

struct IssueResult {
  base::Bytes serial;
  base::Bytes cert_der;
  std::string cert_pem;
  std::string chain_pem;  // issuing CA, then root
  std::chrono::system_clock::time_point not_before, not_after;
  bool hybrid = false;
  uint64_t sct_timestamp_ms = 0;
  ct::InclusionProof proof;  // of the precertificate entry
  crypto::Digest32 leaf_hash{};
};

using IssueCallback = std::function<void(base::Result<IssueResult>)>;

class TrustChainService {
 public:
  // `chain` and `sequencer` must outlive the service; the chain must have been opened with the
  // `ct` and `ca` modules and a genesis whose `ca` params are `params`.
  static base::Result<std::unique_ptr<TrustChainService>> Create(const chain::Chain& chain,
                                                                 chain::Sequencer& sequencer,
                                                                 ca::CaParams params,
                                                                 ca::IssuingCa issuing,
                                                                 ct::LogSigner log,
                                                                 TrustChainOptions options);
  ~TrustChainService();

  // The issuance pipeline. `done` runs exactly once: with the certificate after both
  // transactions are durable, or with the first error (InvalidArgument / PermissionDenied for
  // the request; nothing is written then).
  void Issue(IssueRequest request, IssueCallback done);
  base::Result<IssueResult> IssueAndWait(IssueRequest request);

  // /api/v1/certificates/*, /api/v1/ca/*, /ca/*, /ocsp, and the RFC 6962 /ct/v1/* routes.
  base::Status RegisterRoutes(api::Router& router);

  // The current CRL (rebuilt when a revocation committed since, or when it is an hour old).
  base::Result<base::Bytes> CurrentCrlDer();

  const ca::CaParams& params() const { return params_; }
  // The issuing CA (its key signs admin-authorised changes of other modules, e.g. dns).
  const ca::IssuingCa& issuing() const { return issuing_; }
  std::string RootPem() const;
  std::string ChainPem() const;  // issuing CA, then root

 private:
  class Api;
  TrustChainService(const chain::Chain& chain, chain::Sequencer& sequencer, ca::CaParams params,
                    ca::IssuingCa issuing, ct::LogSigner log, TrustChainOptions options);

  const chain::Chain& chain_;
  chain::Sequencer& sequencer_;
  const ca::CaParams params_;
  const ca::IssuingCa issuing_;
  const ct::LogSigner log_;
  const TrustChainOptions options_;
  const ct::CtLogReader ct_reader_;
  const ca::CaReader ca_reader_;
  std::atomic<uint64_t> next_nonce_;

  std::mutex crl_mu_;
  base::Bytes crl_der_;                               // guarded by crl_mu_
  uint64_t crl_revocations_ = UINT64_MAX;             // guarded by crl_mu_
  uint64_t crl_number_ = 0;                           // guarded by crl_mu_
  std::chrono::steady_clock::time_point crl_built_;   // guarded by crl_mu_
};

}  // namespace hm::trustchain::service
