// Node: wires the layers into a running hypermeshd — data directory, keys, genesis, storage,
// chain and sequencer, the HTTPS API — and shuts them down in order. Wiring only; no protocol
// logic lives here. Thread-safety: Start/Shutdown from one thread (main); status is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "api/http_server.h"
#include "api/router.h"
#include "base/metrics.h"
#include "chain/sequencer.h"
#include "crypto/ed25519.h"
#include "crypto/falcon/falcon.h"
#include "net/event_loop.h"
#include "node/options.h"
#include "stoq/pq/handshake.h"
#include "storage/kv_store.h"
#include "trustchain/ca/ca_module.h"
#include "trustchain/ct/ct_module.h"
#include "trustchain/dns/registry/dns_module.h"
#include "trustchain/dns/registry/dns_service.h"
#include "trustchain/dns/server/server.h"
#include "trustchain/service/service.h"

namespace hm::node {

inline constexpr char kVersion[] = "0.1.0";

// Filesystem layout under data_dir.
struct DataDirLayout {
  std::string root, db, keys, tls, node_key, node_falcon_key, tls_key, tls_cert, tls_root,
      admin_token, genesis;
  static DataDirLayout For(const NodeOptions& options);
};

class Node {
 public:
  // `clock` (default: the system clock) drives certificate times and TLS renewal; it must
  // outlive the node. Tests pass a ManualClock to fast-forward.
  explicit Node(NodeOptions options, const base::Clock* clock = nullptr);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Prepares the data dir, keys and genesis, opens storage and the chain, and starts serving.
  // Errors name the path or setting at fault; a busy port is kUnavailable.
  base::Status Start();
  // Stops accepting, finishes in-flight requests, commits queued transactions, closes storage.
  void Shutdown();

  uint16_t api_port() const;
  // The classic DNS port (UDP and TCP), 0 when DNS is disabled.
  uint16_t dns_port() const;
  const DataDirLayout& layout() const { return layout_; }
  std::string node_id_hex() const;
  // The node's Falcon-1024 key (keys/node_falcon1024.pem), certified in its TLS leaf's
  // subjectAltPublicKeyInfo; it signs the STOQ PQ transcript. Valid after a successful Start.
  const crypto::falcon::SigningKey& falcon_key() const { return *falcon_key_; }
  const base::Bytes& falcon_public_key() const { return falcon_public_key_; }
  // Checks a peer's TLS chain for stoq/1: it must verify (ECDSA and Falcon) up to this node's
  // root (tls/root.pem) or a root in stoq.trusted_roots, at the node clock's time. Call after
  // Start; the result is thread-safe, keeps its own copy of the roots and may outlive the Node
  // (not the clock).
  stoq::pq::PeerVerifier StoqPeerVerifier() const;

  // Re-issues the node's TLS certificate from the TrustChain issuing CA when less than
  // trustchain.tls_renew_before_hours remain (by the node clock) and installs it for new
  // connections. Called every minute by the renewal thread; public so tests can drive it.
  // Returns whether a new certificate was installed.
  base::Result<bool> RenewTlsIfDue();
  // Serial (hex) of the TLS certificate being served.
  std::string tls_serial() const;

 private:
  base::Status PrepareDataDir();
  base::Status LoadOrCreateNodeKey();
  base::Status LoadOrCreateFalconKey();
  base::Status LoadTrustedRoots();  // stoq.trusted_roots; the own root is added later
  base::Status LoadOrCreateGenesis();
  base::Status LoadOrCreateAdminToken();
  base::Status StartTrustChain(trustchain::ca::CaParams params);
  base::Status EnsureTlsCertificate();
  base::Status IssueTlsCertificate();
  base::Status StartApi();
  base::Status StartStoq();
  stoq::ServerApplicationFactory DoqFactory();  // DNS over QUIC (node_dns.cc)
  base::Status RegisterStoqRpc();                // stoq/1 (node_stoq.cc)
  base::Status StartDnsServer();  // binds early; answers once the service exists
  base::Status StartDnsService();
  void RenewalLoop();
  nlohmann::json StatusJson() const;

  const NodeOptions options_;
  const base::Clock& clock_;
  const DataDirLayout layout_;
  const std::chrono::steady_clock::time_point started_;
  base::MetricsRegistry metrics_;
  std::unique_ptr<crypto::Ed25519PrivateKey> node_key_;
  std::unique_ptr<crypto::falcon::SigningKey> falcon_key_;
  base::Bytes falcon_public_key_;
  std::vector<base::Bytes> trusted_roots_;  // DER; own root first once the TrustChain is up
  chain::Genesis genesis_;
  uint16_t port_ = 0;  // the API port (the real one when configured as 0)
  std::string admin_token_;
  trustchain::ct::CtModule ct_module_;
  std::unique_ptr<trustchain::ca::CaModule> ca_module_;
  std::unique_ptr<trustchain::dns::DnsModule> dns_module_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<chain::Chain> chain_;
  std::unique_ptr<chain::BlockSigner> signer_;
  std::unique_ptr<chain::Sequencer> sequencer_;
  std::unique_ptr<trustchain::service::TrustChainService> trustchain_;
  std::unique_ptr<trustchain::dns::DnsService> dns_;
  // dns_ as seen by the DNS server threads and the dns module's commit listener.
  std::atomic<trustchain::dns::DnsService*> dns_ready_{nullptr};
  std::unique_ptr<trustchain::dns::DnsServer> dns_server_;
  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<api::HttpServer> http_;
  std::unique_ptr<stoq::StoqServer> stoq_;

  mutable std::mutex tls_mu_;
  std::string tls_serial_;  // guarded by tls_mu_
  std::mutex renew_mu_;
  std::condition_variable renew_cv_;
  bool stop_renewal_ = false;  // guarded by renew_mu_
  std::thread renewal_;
  bool shut_down_ = false;
};

}  // namespace hm::node
