// See trustchain_fixture.h.
#include "trustchain/service/testing/trustchain_fixture.h"

#include "chain/testing/chain_fixture.h"
#include "crypto/secure_random.h"
#include "trustchain/service/ca_keys.h"

namespace hm::trustchain::service::testing {

void TrustChainFixture::SetUp() {
  crypto::SecureRandom random;
  auto params = CreateHierarchy(dir_.Sub("keys"), {}, clock_.Now(), random);
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  params_ = *params;
  genesis_ = chain::testing::MakeGenesis(node_key_);
  genesis_.module_params = {{"ca", params_.Encode()}};
  ca_module_ = std::make_unique<ca::CaModule>(params_);
  auto store = chain::testing::OpenChainStore(dir_.Sub("db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(store).value();
  std::vector<chain::Module*> modules = {&ct_module_, ca_module_.get()};
  for (chain::Module* m : ExtraModules(params_)) modules.push_back(m);
  auto c = chain::Chain::Open(store_.get(), genesis_, modules);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  chain_ = std::move(c).value();
  signer_ = std::make_unique<chain::Ed25519BlockSigner>(node_key_);
  sequencer_ = std::make_unique<chain::Sequencer>(*chain_, *signer_, clock_,
                                                  chain::SequencerOptions{});
  sequencer_->Start();
  auto issuing = LoadIssuingCa(dir_.Sub("keys"), params_);
  ASSERT_TRUE(issuing.ok()) << issuing.status().ToString();
  auto log = ct::LoadOrCreateLogKeys(dir_.Sub("keys"));
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  log_keys_ = std::make_unique<ct::LogPublicKeys>(log->public_keys());
  TrustChainOptions o;
  o.public_url = "https://localhost:8443";
  o.admin_token = kAdminToken;
  o.clock = &clock_;
  AdjustOptions(o);
  auto s = TrustChainService::Create(*chain_, *sequencer_, params_, std::move(issuing).value(),
                                     std::move(log).value(), o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  service_ = std::move(s).value();
  ASSERT_TRUE(service_->RegisterRoutes(router_).ok());
}

void TrustChainFixture::TearDown() {
  if (sequencer_) sequencer_->Stop();
}

api::Response TrustChainFixture::Call(const std::string& method, const std::string& path,
                                      std::string body, std::string content_type,
                                      std::map<std::string, std::string> headers,
                                      std::map<std::string, std::string> query) {
  api::Request req;
  req.method = method;
  req.path = path;
  req.body = std::move(body);
  req.query = std::move(query);
  if (!content_type.empty()) req.headers["Content-Type"] = content_type;
  for (auto& [k, v] : headers) req.headers[k] = v;
  return router_.Dispatch(req);
}

}  // namespace hm::trustchain::service::testing
