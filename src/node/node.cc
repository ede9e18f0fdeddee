#include "node/node.h"

#include <fmt/format.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "api/builtin_routes.h"
#include "api/chain_routes.h"
#include "base/log.h"
#include "chain/genesis_file.h"
#include "crypto/ecdsa.h"
#include "crypto/key_file.h"
#include "crypto/secure_random.h"
#include "crypto/self_signed.h"
#include "net/address.h"
#include "net/tcp_listener.h"
#include "net/tls_context.h"
#include "storage/rocksdb_store.h"

namespace hm::node {

namespace fs = std::filesystem;
using base::Status;

namespace {

constexpr auto kTlsCertValidity = std::chrono::hours(24 * 30);
constexpr auto kTlsRenewBefore = std::chrono::hours(24);

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Status MakePrivateDir(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return base::IoError(fmt::format("cannot create directory {}: {}", path, ec.message()));
  if (!fs::is_directory(path, ec)) return base::IoError(path + " exists and is not a directory");
  if (::chmod(path.c_str(), 0700) != 0) {
    return base::IoError(fmt::format("cannot chmod 0700 {}: {}", path, std::strerror(errno)));
  }
  return Status::Ok();
}

// Seconds until the PEM certificate at `path` expires; negative if expired or unreadable.
int64_t SecondsUntilExpiry(const std::string& path, const base::Clock& clock) {
  auto pem = crypto::ReadFile(path);
  if (!pem.ok()) return -1;
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return -1;
  int days = 0, secs = 0;
  const time_t now = std::chrono::system_clock::to_time_t(clock.Now());
  ASN1_TIME* now_asn1 = ASN1_TIME_set(nullptr, now);
  const bool ok = ASN1_TIME_diff(&days, &secs, now_asn1, X509_get0_notAfter(cert)) == 1;
  ASN1_TIME_free(now_asn1);
  X509_free(cert);
  return ok ? int64_t{days} * 86400 + secs : -1;
}

}  // namespace

DataDirLayout DataDirLayout::For(const NodeOptions& options) {
  DataDirLayout l;
  std::error_code ec;
  fs::path root = fs::absolute(options.data_dir, ec);
  if (ec) root = options.data_dir;
  l.root = root.lexically_normal().string();
  if (!l.root.empty() && l.root.back() == '/') l.root.pop_back();
  l.db = l.root + "/db";
  l.keys = l.root + "/keys";
  l.tls = l.root + "/tls";
  l.node_key = l.keys + "/node_ed25519.pem";
  l.tls_key = l.keys + "/tls_ecdsa_p256.pem";
  l.tls_cert = l.tls + "/cert.pem";
  fs::path g(options.genesis_file);
  l.genesis = g.is_absolute() ? g.string() : l.root + "/" + options.genesis_file;
  return l;
}

Node::Node(NodeOptions options)
    : options_(std::move(options)),
      layout_(DataDirLayout::For(options_)),
      started_(std::chrono::steady_clock::now()) {}

Node::~Node() { Shutdown(); }

Status Node::Start() {
  // Fail on a busy port before anything is written to the data dir. (The real listener binds
  // later, once the TLS certificate exists; losing that race only means a later, clear error.)
  {
    boost::asio::io_context probe_io;
    HM_ASSIGN_OR_RETURN(auto endpoint, net::ParseListenAddress(options_.api.listen, options_.api.port));
    HM_ASSIGN_OR_RETURN(auto probe, net::TcpListener::Open(probe_io, endpoint));
    probe->Close();
  }
  HM_TRY(PrepareDataDir());
  HM_TRY(LoadOrCreateNodeKey());
  HM_TRY(LoadOrCreateGenesis());
  storage::RocksDbOptions db_options;
  db_options.column_families = chain::Chain::ColumnFamilies();
  HM_ASSIGN_OR_RETURN(store_, storage::OpenRocksDb(layout_.db, db_options));
  HM_ASSIGN_OR_RETURN(chain_, chain::Chain::Open(store_.get(), genesis_, {}));
  signer_ = std::make_unique<chain::Ed25519BlockSigner>(*node_key_);
  sequencer_ = std::make_unique<chain::Sequencer>(*chain_, *signer_, base::SystemClock::Instance(),
                                                  options_.sequencer, &metrics_);
  sequencer_->Start();
  const chain::Head head = chain_->head();
  HM_LOG_INFO("node", "chain '{}' at height {} (head {})", genesis_.chain_id, head.height,
              base::HexEncode(head.block_hash).substr(0, 16));
  HM_TRY(EnsureTlsCertificate());
  HM_TRY(StartApi());
  return Status::Ok();
}

Status Node::PrepareDataDir() {
  HM_TRY(MakePrivateDir(layout_.root));
  HM_TRY(MakePrivateDir(layout_.keys));
  std::error_code ec;
  fs::create_directories(layout_.tls, ec);
  if (ec) return base::IoError(fmt::format("cannot create {}: {}", layout_.tls, ec.message()));
  return Status::Ok();
}

Status Node::LoadOrCreateNodeKey() {
  if (Exists(layout_.node_key)) {
    HM_ASSIGN_OR_RETURN(auto pem, crypto::ReadSecretFile(layout_.node_key));
    auto key = crypto::Ed25519PrivateKey::FromPkcs8Pem(base::AsString(pem));
    if (!key.ok()) return key.status().WithContext(layout_.node_key);
    node_key_ = std::make_unique<crypto::Ed25519PrivateKey>(std::move(key).value());
    return Status::Ok();
  }
  auto key = crypto::Ed25519PrivateKey::Generate();
  HM_TRY(crypto::WriteSecretFile(layout_.node_key, base::AsBytes(key.ToPkcs8Pem())));
  node_key_ = std::make_unique<crypto::Ed25519PrivateKey>(std::move(key));
  HM_LOG_INFO("node", "created node key {}", layout_.node_key);
  return Status::Ok();
}

Status Node::LoadOrCreateGenesis() {
  if (!Exists(layout_.genesis)) {
    if (!options_.dev) {
      return base::NotFound(fmt::format(
          "genesis.file: {} does not exist (copy the network's genesis.json there, or start a "
          "development node with --dev)",
          layout_.genesis));
    }
    chain::Genesis g;
    g.chain_id = "hypermesh-dev";
    g.genesis_time_ms = static_cast<uint64_t>(base::SystemClock::Instance().NowUnixMillis());
    g.proposer_sig_alg = chain::SigAlg::kEd25519;
    const auto& raw = node_key_->PublicKey().Raw();
    g.proposer_public_key.assign(raw.begin(), raw.end());
    HM_TRY(chain::WriteGenesisFile(layout_.genesis, g));
    HM_LOG_INFO("node", "dev mode: created genesis {}", layout_.genesis);
  }
  HM_ASSIGN_OR_RETURN(genesis_, chain::LoadGenesisFile(layout_.genesis));
  const auto& raw = node_key_->PublicKey().Raw();
  if (!std::equal(raw.begin(), raw.end(), genesis_.proposer_public_key.begin(),
                  genesis_.proposer_public_key.end())) {
    return base::FailedPrecondition(fmt::format(
        "genesis.file: {} names another proposer; this node's key {} cannot sequence that chain",
        layout_.genesis, layout_.node_key));
  }
  return Status::Ok();
}

Status Node::EnsureTlsCertificate() {
  const auto& clock = base::SystemClock::Instance();
  if (Exists(layout_.tls_key) && Exists(layout_.tls_cert) &&
      SecondsUntilExpiry(layout_.tls_cert, clock) >
          std::chrono::duration_cast<std::chrono::seconds>(kTlsRenewBefore).count()) {
    return Status::Ok();
  }
  auto key = crypto::EcdsaP256PrivateKey::Generate();
  crypto::CertOptions cert_options;
  cert_options.common_name = "hypermeshd";
  cert_options.dns_names = {"localhost"};
  cert_options.ip_addresses = {"::1"};
  if (options_.api.listen != "::" && options_.api.listen != "::1") {
    cert_options.ip_addresses.push_back(options_.api.listen);
  }
  cert_options.validity = kTlsCertValidity;
  cert_options.not_before = clock.Now() - std::chrono::minutes(5);
  cert_options.serial = crypto::SecureRandom().NextU64() >> 1 | 1;
  HM_ASSIGN_OR_RETURN(auto cert, crypto::MakeSelfSignedCert(key, cert_options));
  HM_TRY(crypto::WriteSecretFile(layout_.tls_key, base::AsBytes(key.ToPkcs8Pem())));
  HM_TRY(crypto::WritePublicFile(layout_.tls_cert, base::AsBytes(cert.pem)));
  HM_LOG_INFO("node", "created self-issued TLS certificate {} (valid 30 days)", layout_.tls_cert);
  return Status::Ok();
}

Status Node::StartApi() {
  HM_ASSIGN_OR_RETURN(auto tls, net::MakeServerTlsContext(layout_.tls_cert, layout_.tls_key));
  loop_ = std::make_unique<net::EventLoop>("hm-io", options_.api.io_threads);
  HM_TRY(loop_->Start());
  router_ = std::make_unique<api::Router>();
  metrics_.GetGauge("hm_build_info", "Build information; the value is always 1.",
                    {{"version", kVersion}})
      .Set(1);
  HM_TRY(api::RegisterBuiltinRoutes(*router_, metrics_, [this] { return StatusJson(); }));
  HM_TRY(api::RegisterChainRoutes(*router_, *chain_, *sequencer_));
  api::HttpServerOptions http;
  http.listen_host = options_.api.listen;
  http.listen_port = options_.api.port;
  http.max_body_bytes = options_.api.max_body_bytes;
  http.handler_threads = options_.api.handler_threads;
  http.max_connections = options_.api.max_connections;
  http.read_timeout = options_.api.request_timeout;
  http_ = std::make_unique<api::HttpServer>(http, *loop_, tls, *router_, metrics_);
  HM_TRY(http_->Start());
  return Status::Ok();
}

nlohmann::json Node::StatusJson() const {
  const chain::Head head = chain_->head();
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::steady_clock::now() - started_);
  return {{"node_id", node_id_hex()},
          {"version", kVersion},
          {"chain_id", genesis_.chain_id},
          {"chain_height", head.height},
          {"head_hash", base::HexEncode(head.block_hash)},
          {"state_root", base::HexEncode(head.state_root)},
          {"uptime_seconds", uptime.count()},
          {"dev", options_.dev}};
}

std::string Node::node_id_hex() const {
  return node_key_ ? base::HexEncode(crypto::Sha256(node_key_->PublicKey().Raw())) : "";
}

uint16_t Node::api_port() const { return http_ ? http_->port() : 0; }

void Node::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (http_) http_->Shutdown();       // stop accepting; finish in-flight requests
  if (sequencer_) sequencer_->Stop(); // commit what is queued
  if (loop_) loop_->Stop();
  http_.reset();
  sequencer_.reset();
  chain_.reset();
  if (store_) {
    Status st = store_->Close();  // flush and release the lock
    if (!st.ok()) HM_LOG_ERROR("node", "closing storage: {}", st.ToString());
    store_.reset();
  }
}

}  // namespace hm::node
