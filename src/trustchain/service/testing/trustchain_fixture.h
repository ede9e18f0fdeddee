// Test-only: a TrustChain node in miniature for service tests — a real RocksDB chain with the
// `ct` and `ca` modules (plus any a derived fixture adds), a running sequencer, the CA hierarchy
// and log keys in a temporary directory, TrustChainService with its routes on a Router, and a
// ManualClock. Requests go through Router::Dispatch. Thread-safety: gtest fixture (one thread).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/router.h"
#include "base/clock.h"
#include "chain/chain.h"
#include "chain/sequencer.h"
#include "chain/signer.h"
#include "crypto/ed25519.h"
#include "storage/kv_store.h"
#include "storage/test_util.h"
#include "trustchain/ca/ca_module.h"
#include "trustchain/ct/ct_module.h"
#include "trustchain/ct/signing.h"
#include "trustchain/service/service.h"

namespace hm::trustchain::service::testing {

inline constexpr char kAdminToken[] = "0123456789abcdef0123456789abcdef";

class TrustChainFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Modules besides ct and ca, created before the chain opens (the CA params are known then).
  virtual std::vector<chain::Module*> ExtraModules(const ca::CaParams& /*params*/) { return {}; }
  // Service options beyond the fixture's (public URL, admin token, clock).
  virtual void AdjustOptions(TrustChainOptions& /*options*/) {}

  api::Response Call(const std::string& method, const std::string& path, std::string body = {},
                     std::string content_type = "application/json",
                     std::map<std::string, std::string> headers = {},
                     std::map<std::string, std::string> query = {});

  uint64_t Height() const { return chain_->head().height; }

  base::ManualClock clock_{1'763'700'000'000};
  storage::testing::TempDir dir_;
  crypto::Ed25519PrivateKey node_key_ = crypto::Ed25519PrivateKey::Generate();
  ca::CaParams params_;
  chain::Genesis genesis_;
  ct::CtModule ct_module_;
  std::unique_ptr<ca::CaModule> ca_module_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<chain::Chain> chain_;
  std::unique_ptr<chain::BlockSigner> signer_;
  std::unique_ptr<chain::Sequencer> sequencer_;
  std::unique_ptr<ct::LogPublicKeys> log_keys_;
  std::unique_ptr<TrustChainService> service_;
  api::Router router_;
};

}  // namespace hm::trustchain::service::testing
