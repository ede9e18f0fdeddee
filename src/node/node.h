// Node: wires the layers into a running hypermeshd — data directory, keys, genesis, storage,
// chain and sequencer, the HTTPS API — and shuts them down in order. Wiring only; no protocol
// logic lives here. Thread-safety: Start/Shutdown from one thread (main); status is thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "api/http_server.h"
#include "api/router.h"
#include "base/metrics.h"
#include "chain/sequencer.h"
#include "crypto/ed25519.h"
#include "net/event_loop.h"
#include "node/options.h"
#include "storage/kv_store.h"

namespace hm::node {

inline constexpr char kVersion[] = "0.1.0";

// Filesystem layout under data_dir.
struct DataDirLayout {
  std::string root, db, keys, tls, node_key, tls_key, tls_cert, genesis;
  static DataDirLayout For(const NodeOptions& options);
};

class Node {
 public:
  explicit Node(NodeOptions options);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Prepares the data dir, keys and genesis, opens storage and the chain, and starts serving.
  // Errors name the path or setting at fault; a busy port is kUnavailable.
  base::Status Start();
  // Stops accepting, finishes in-flight requests, commits queued transactions, closes storage.
  void Shutdown();

  uint16_t api_port() const;
  const DataDirLayout& layout() const { return layout_; }
  std::string node_id_hex() const;

 private:
  base::Status PrepareDataDir();
  base::Status LoadOrCreateNodeKey();
  base::Status LoadOrCreateGenesis();
  base::Status EnsureTlsCertificate();
  base::Status StartApi();
  nlohmann::json StatusJson() const;

  const NodeOptions options_;
  const DataDirLayout layout_;
  const std::chrono::steady_clock::time_point started_;
  base::MetricsRegistry metrics_;
  std::unique_ptr<crypto::Ed25519PrivateKey> node_key_;
  chain::Genesis genesis_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<chain::Chain> chain_;
  std::unique_ptr<chain::BlockSigner> signer_;
  std::unique_ptr<chain::Sequencer> sequencer_;
  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<api::HttpServer> http_;
  bool shut_down_ = false;
};

}  // namespace hm::node
