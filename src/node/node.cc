#include "node/node.h"

#include <arpa/inet.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "api/builtin_routes.h"
#include "api/chain_routes.h"
#include "base/log.h"
#include "chain/genesis_file.h"
#include "crypto/ecdsa.h"
#include "crypto/hybrid/pq_keys.h"
#include "crypto/key_file.h"
#include "crypto/pem.h"
#include "crypto/secure_random.h"
#include "net/address.h"
#include "net/tcp_listener.h"
#include "net/tls_context.h"
#include "storage/rocksdb_store.h"
#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/csr.h"
#include "trustchain/ca/peer_chain.h"
#include "trustchain/service/ca_keys.h"

namespace hm::node {

namespace fs = std::filesystem;
using base::Status;

namespace {

constexpr auto kRenewalCheckInterval = std::chrono::minutes(1);
constexpr auto kFalcon = crypto::falcon::Variant::kFalcon1024;

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

// Seconds until the first PEM certificate at `path` expires; negative if expired, unreadable or
// not signed by `issuer_der` (a certificate from an earlier network or a self-signed one).
int64_t SecondsUntilExpiry(const std::string& path, const base::Clock& clock,
                           base::ByteSpan issuer_der, std::string* serial_hex) {
  auto pem = crypto::ReadFile(path);
  if (!pem.ok()) return -1;
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return -1;
  const unsigned char* p = issuer_der.data();
  X509* issuer = d2i_X509(nullptr, &p, static_cast<long>(issuer_der.size()));
  const bool ours = issuer != nullptr && X509_verify(cert, X509_get0_pubkey(issuer)) == 1;
  X509_free(issuer);
  if (!ours) {
    X509_free(cert);
    return -1;
  }
  if (serial_hex != nullptr) {
    *serial_hex = trustchain::ca::SerialHex(trustchain::ca::SerialOf(cert));
  }
  int days = 0, secs = 0;
  const time_t now = std::chrono::system_clock::to_time_t(clock.Now());
  ASN1_TIME* now_asn1 = ASN1_TIME_set(nullptr, now);
  const bool ok = ASN1_TIME_diff(&days, &secs, now_asn1, X509_get0_notAfter(cert)) == 1;
  ASN1_TIME_free(now_asn1);
  X509_free(cert);
  return ok ? int64_t{days} * 86400 + secs : -1;
}

// Whether the first certificate in the PEM file at `path` certifies `falcon_pk` in its
// subjectAltPublicKeyInfo (certificates from before the node had a Falcon key do not).
bool CertifiesFalconKey(const std::string& path, const base::Bytes& falcon_pk) {
  auto pem = crypto::ReadFile(path);
  if (!pem.ok()) return false;
  auto certs = trustchain::ca::ReadPemCertificates(base::AsString(*pem));
  if (!certs.ok()) return false;
  auto alt = trustchain::ca::SubjectAltPublicKey(certs->front());
  return alt.ok() && alt->has_value() && **alt == falcon_pk;
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
  l.node_falcon_key = l.keys + "/node_falcon1024.pem";
  l.tls_key = l.keys + "/tls_ecdsa_p256.pem";
  l.tls_cert = l.tls + "/cert.pem";
  l.tls_root = l.tls + "/root.pem";
  l.admin_token = l.keys + "/admin.token";
  fs::path g(options.genesis_file);
  l.genesis = g.is_absolute() ? g.string() : l.root + "/" + options.genesis_file;
  return l;
}

Node::Node(NodeOptions options, const base::Clock* clock)
    : options_(std::move(options)),
      clock_(clock != nullptr ? *clock : base::SystemClock::Instance()),
      layout_(DataDirLayout::For(options_)),
      started_(std::chrono::steady_clock::now()) {}

Node::~Node() { Shutdown(); }

Status Node::Start() {
  HM_TRY(LoadTrustedRoots());  // a configuration error: before anything binds or is written
  // Fail on a busy port before anything is written to the data dir. (The real listener binds
  // later, once the TLS certificate exists; losing that race only means a later, clear error.)
  {
    boost::asio::io_context probe_io;
    HM_ASSIGN_OR_RETURN(auto endpoint,
                        net::ParseListenAddress(options_.api.listen, options_.api.port));
    HM_ASSIGN_OR_RETURN(auto probe, net::TcpListener::Open(probe_io, endpoint));
    // With port 0 the kernel's choice is kept, so the URLs in certificates name the real port.
    port_ = probe->port();
    probe->Close();
  }
  HM_TRY(StartDnsServer());
  HM_TRY(PrepareDataDir());
  HM_TRY(LoadOrCreateNodeKey());
  HM_TRY(LoadOrCreateFalconKey());
  HM_TRY(LoadOrCreateAdminToken());
  HM_TRY(LoadOrCreateGenesis());
  const base::Bytes* ca_params_bytes = genesis_.ParamsFor(trustchain::ca::kModuleName);
  if (ca_params_bytes == nullptr) {
    return base::FailedPrecondition(fmt::format(
        "genesis.file: {} has no 'ca' module parameters (the TrustChain root and issuing CA); "
        "it was made by an older version or for another network",
        layout_.genesis));
  }
  auto ca_params = trustchain::ca::CaParams::Decode(*ca_params_bytes);
  if (!ca_params.ok()) return ca_params.status().WithContext("genesis.file: module_params.ca");
  ca_module_ = std::make_unique<trustchain::ca::CaModule>(*ca_params);
  dns_module_ = std::make_unique<trustchain::dns::DnsModule>(*ca_params);
  dns_module_->SetChangeListener([this](uint64_t height) {
    if (auto* dns = dns_ready_.load(std::memory_order_acquire)) {
      if (auto st = dns->Reload(); !st.ok()) {
        HM_LOG_ERROR("dns", "reloading the zones after block {}: {}", height, st.ToString());
      }
    }
  });

  storage::RocksDbOptions db_options;
  db_options.column_families = chain::Chain::ColumnFamilies();
  HM_ASSIGN_OR_RETURN(store_, storage::OpenRocksDb(layout_.db, db_options));
  HM_ASSIGN_OR_RETURN(chain_,
                      chain::Chain::Open(store_.get(), genesis_,
                                         {&ct_module_, ca_module_.get(), dns_module_.get()}));
  signer_ = std::make_unique<chain::Ed25519BlockSigner>(*node_key_);
  sequencer_ =
      std::make_unique<chain::Sequencer>(*chain_, *signer_, clock_, options_.sequencer, &metrics_);
  sequencer_->Start();
  const chain::Head head = chain_->head();
  HM_LOG_INFO("node", "chain '{}' at height {} (head {})", genesis_.chain_id, head.height,
              base::HexEncode(head.block_hash).substr(0, 16));
  HM_TRY(StartTrustChain(std::move(ca_params).value()));
  HM_TRY(EnsureTlsCertificate());
  HM_TRY(StartDnsService());
  HM_TRY(StartApi());
  renewal_ = std::thread([this] { RenewalLoop(); });
  return Status::Ok();
}

Status Node::LoadOrCreateAdminToken() {
  if (Exists(layout_.admin_token)) {
    HM_ASSIGN_OR_RETURN(auto bytes, crypto::ReadSecretFile(layout_.admin_token));
    std::string token(base::AsString(bytes));
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    if (token.size() < 16) {
      return base::InvalidArgument(
          fmt::format("{}: the admin token must be at least 16 characters", layout_.admin_token));
    }
    admin_token_ = std::move(token);
    return Status::Ok();
  }
  admin_token_ = base::HexEncode(crypto::RandomBytes(32));
  HM_TRY(crypto::WriteSecretFile(layout_.admin_token, base::AsBytes(admin_token_ + "\n")));
  HM_LOG_INFO("node", "created admin credential {}", layout_.admin_token);
  return Status::Ok();
}

Status Node::StartTrustChain(trustchain::ca::CaParams params) {
  HM_ASSIGN_OR_RETURN(auto issuing, trustchain::service::LoadIssuingCa(layout_.keys, params));
  auto log = trustchain::ct::LoadOrCreateLogKeys(layout_.keys);
  if (!log.ok()) return log.status().WithContext("CT log keys");
  const auto& tc = options_.trustchain;
  trustchain::service::TrustChainOptions o;
  o.policy.allowed_zones = tc.zones;
  o.policy.allow_any = tc.allow_any_name;
  o.leaf_validity = std::chrono::hours(tc.leaf_validity_hours);
  o.max_leaf_validity = std::chrono::hours(tc.max_leaf_validity_hours);
  o.public_url = tc.public_url.empty() ? fmt::format("https://localhost:{}", port_) : tc.public_url;
  o.admin_token = admin_token_;
  o.clock = &clock_;
  HM_ASSIGN_OR_RETURN(trustchain_, trustchain::service::TrustChainService::Create(
                                       *chain_, *sequencer_, std::move(params), std::move(issuing),
                                       std::move(log).value(), o));
  HM_TRY(crypto::WritePublicFile(layout_.tls_root, base::AsBytes(trustchain_->RootPem())));
  trusted_roots_.insert(trusted_roots_.begin(), trustchain_->params().root_der);
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

Status Node::LoadOrCreateFalconKey() {
  const std::string& path = layout_.node_falcon_key;
  if (!Exists(path)) {
    crypto::SecureRandom random;
    HM_ASSIGN_OR_RETURN(auto pair, crypto::falcon::KeyGen(kFalcon, random));
    auto pem =
        crypto::hybrid::SecretKeyToPem(crypto::hybrid::Algorithm::kFalcon1024, pair.secret_key);
    OPENSSL_cleanse(pair.secret_key.data(), pair.secret_key.size());
    if (!pem.ok()) return pem.status().WithContext(path);
    const Status written = crypto::WriteSecretFile(path, base::AsBytes(*pem));
    OPENSSL_cleanse(pem->data(), pem->size());
    HM_TRY(written);
    HM_LOG_INFO("node", "created node Falcon-1024 key {}", path);
  }
  // Read back also after creating it: the key in use is the one on disk.
  HM_ASSIGN_OR_RETURN(auto key, crypto::hybrid::LoadFalcon1024KeyFile(path));
  falcon_key_ = std::make_unique<crypto::falcon::SigningKey>(std::move(key.signing));
  falcon_public_key_ = std::move(key.public_key);
  return Status::Ok();
}

Status Node::LoadTrustedRoots() {
  trusted_roots_.clear();
  for (const auto& configured : options_.stoq.trusted_roots) {
    const fs::path p(configured);
    const std::string path = p.is_absolute() ? p.string() : layout_.root + "/" + configured;
    auto pem = crypto::ReadFile(path);
    if (!pem.ok()) return pem.status().WithContext("stoq.trusted_roots");
    auto certs = trustchain::ca::ReadPemCertificates(base::AsString(*pem));
    if (!certs.ok()) {
      return base::InvalidArgument(
          fmt::format("stoq.trusted_roots: {}: {}", path, certs.status().message()));
    }
    for (auto& der : *certs) trusted_roots_.push_back(std::move(der));
  }
  return Status::Ok();
}

stoq::pq::PeerVerifier Node::StoqPeerVerifier() const {
  // Peers reconnect with the same chains: verified ones are remembered (PeerChainCache).
  auto cache = std::make_shared<trustchain::ca::PeerChainCache>(trusted_roots_);
  const base::Clock* clock = &clock_;
  return [cache, clock](
             const std::vector<base::Bytes>& chain) -> base::Result<crypto::falcon::VerifyingKey> {
    HM_ASSIGN_OR_RETURN(auto peer, cache->Verify(chain, clock->Now()));
    return *peer.falcon_key;
  };
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
    g.genesis_time_ms = static_cast<uint64_t>(clock_.NowUnixMillis());
    g.proposer_sig_alg = chain::SigAlg::kEd25519;
    const auto& raw = node_key_->PublicKey().Raw();
    g.proposer_public_key.assign(raw.begin(), raw.end());
    crypto::SecureRandom random;
    HM_ASSIGN_OR_RETURN(auto ca_params, trustchain::service::CreateHierarchy(layout_.keys, {},
                                                                             clock_.Now(), random));
    g.module_params = {{std::string(trustchain::ca::kModuleName), ca_params.Encode()}};
    HM_LOG_INFO("node", "dev mode: created the TrustChain root and issuing CA (keys in {})",
                layout_.keys);
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
  const int64_t renew_before = int64_t{options_.trustchain.tls_renew_before_hours} * 3600;
  std::string serial;
  if (Exists(layout_.tls_key) &&
      SecondsUntilExpiry(layout_.tls_cert, clock_, trustchain_->params().issuing_der, &serial) >
          renew_before &&
      CertifiesFalconKey(layout_.tls_cert, falcon_public_key_) &&
      net::MakeServerTlsContext(layout_.tls_cert, layout_.tls_key).ok()) {
    std::lock_guard lock(tls_mu_);
    tls_serial_ = serial;
    return Status::Ok();
  }
  return IssueTlsCertificate();
}

Status Node::IssueTlsCertificate() {
  auto key = crypto::EcdsaP256PrivateKey::Generate();
  trustchain::service::IssueRequest req;
  req.csr.key_type = trustchain::ca::SubjectKeyType::kEcdsaP256;
  req.csr.spki_der = key.PublicKey().ToSpkiDer();
  // The same Falcon key on every renewal: peers know the node by it in stoq/1.
  req.csr.falcon_public_key = falcon_public_key_;
  req.csr.dns_names = {"localhost", node_id_hex().substr(0, 16) + ".hypermesh"};
  for (const auto& n : options_.trustchain.tls_names) req.csr.dns_names.push_back(n);
  std::vector<std::string> ips = {"::1"};
  if (options_.api.listen != "::" && options_.api.listen != "::1") {
    ips.push_back(options_.api.listen);
  }
  for (const auto& ip : ips) {
    std::array<uint8_t, 16> raw{};
    if (::inet_pton(AF_INET6, ip.c_str(), raw.data()) == 1) req.csr.ip_addresses.push_back(raw);
  }
  req.validity = std::chrono::hours(options_.trustchain.leaf_validity_hours);
  // The node's own names come from its configuration, not from a requester.
  trustchain::ca::NamePolicy own;
  own.allow_any = true;
  req.policy = own;
  auto issued = trustchain_->IssueAndWait(std::move(req));
  if (!issued.ok()) return issued.status().WithContext("issuing the node's TLS certificate");
  // Key first: a crash before the certificate is replaced leaves a mismatched pair, which the
  // next start detects (MakeServerTlsContext) and re-issues.
  HM_TRY(crypto::WriteSecretFile(layout_.tls_key, base::AsBytes(key.ToPkcs8Pem())));
  const std::string chain_pem =
      issued->cert_pem + crypto::DerToPem(trustchain_->params().issuing_der, "CERTIFICATE");
  HM_TRY(crypto::WritePublicFile(layout_.tls_cert, base::AsBytes(chain_pem)));
  if (http_) {
    HM_ASSIGN_OR_RETURN(auto tls, net::MakeServerTlsContext(layout_.tls_cert, layout_.tls_key));
    http_->SetTlsContext(std::move(tls));
  }
  if (stoq_) {
    HM_ASSIGN_OR_RETURN(auto quic,
                        stoq::TlsCredentials::FromPemFiles(layout_.tls_cert, layout_.tls_key));
    stoq_->SetCredentials(std::move(quic));
  }
  const std::string serial = trustchain::ca::SerialHex(issued->serial);
  {
    std::lock_guard lock(tls_mu_);
    tls_serial_ = serial;
  }
  HM_LOG_INFO("node",
              "TLS certificate {} issued by the TrustChain issuing CA, valid until {:%FT%TZ} "
              "(CT leaf {})",
              serial, fmt::gmtime(std::chrono::system_clock::to_time_t(issued->not_after)),
              issued->proof.leaf_index);
  return Status::Ok();
}

base::Result<bool> Node::RenewTlsIfDue() {
  const int64_t renew_before = int64_t{options_.trustchain.tls_renew_before_hours} * 3600;
  if (SecondsUntilExpiry(layout_.tls_cert, clock_, trustchain_->params().issuing_der, nullptr) >
      renew_before) {
    return false;
  }
  HM_TRY(IssueTlsCertificate());
  return true;
}

std::string Node::tls_serial() const {
  std::lock_guard lock(tls_mu_);
  return tls_serial_;
}

void Node::RenewalLoop() {
  std::unique_lock lock(renew_mu_);
  while (!renew_cv_.wait_for(lock, kRenewalCheckInterval, [this] { return stop_renewal_; })) {
    lock.unlock();
    auto renewed = RenewTlsIfDue();
    if (!renewed.ok()) {
      HM_LOG_ERROR("node", "TLS certificate renewal failed (retrying in a minute): {}",
                   renewed.status().ToString());
    }
    lock.lock();
  }
}

Status Node::StartApi() {
  HM_ASSIGN_OR_RETURN(auto tls, net::MakeServerTlsContext(layout_.tls_cert, layout_.tls_key));
  loop_ = std::make_unique<net::EventLoop>("hm-io", options_.api.io_threads);
  HM_TRY(loop_->Start());
  router_ = std::make_unique<api::Router>();
  metrics_
      .GetGauge("hm_build_info", "Build information; the value is always 1.",
                {{"version", kVersion}})
      .Set(1);
  HM_TRY(api::RegisterBuiltinRoutes(*router_, metrics_, [this] { return StatusJson(); }));
  HM_TRY(api::RegisterChainRoutes(*router_, *chain_, *sequencer_));
  if (options_.api.bench_max_bytes > 0) {
    HM_TRY(api::RegisterBenchRoutes(*router_, options_.api.bench_max_bytes));
  }
  HM_TRY(trustchain_->RegisterRoutes(*router_));
  if (dns_) HM_TRY(dns_->RegisterRoutes(*router_));
  api::HttpServerOptions http;
  http.listen_host = options_.api.listen;
  http.listen_port = port_;
  http.max_body_bytes = options_.api.max_body_bytes;
  http.handler_threads = options_.api.handler_threads;
  http.max_connections = options_.api.max_connections;
  http.read_timeout = options_.api.request_timeout;
  http_ = std::make_unique<api::HttpServer>(http, *loop_, tls, *router_, metrics_);
  HM_TRY(http_->Start());
  return StartStoq();
}

nlohmann::json Node::StatusJson() const {
  const chain::Head head = chain_->head();
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
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

uint16_t Node::dns_port() const { return dns_server_ ? dns_server_->port() : 0; }

void Node::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (renewal_.joinable()) {
    {
      std::lock_guard lock(renew_mu_);
      stop_renewal_ = true;
    }
    renew_cv_.notify_all();
    renewal_.join();
  }
  if (dns_server_) dns_server_->Stop();
  if (stoq_) stoq_->Shutdown();        // HTTP/3 GOAWAY; in-flight requests finish
  if (http_) http_->Shutdown();        // stop accepting; finish in-flight requests
  if (sequencer_) sequencer_->Stop();  // commit what is queued
  if (loop_) loop_->Stop();
  stoq_.reset();
  http_.reset();
  router_.reset();  // its handlers reference the TrustChain service
  sequencer_.reset();
  dns_ready_.store(nullptr);
  dns_server_.reset();
  dns_.reset();
  trustchain_.reset();
  chain_.reset();
  if (store_) {
    Status st = store_->Close();  // flush and release the lock
    if (!st.ok()) HM_LOG_ERROR("node", "closing storage: {}", st.ToString());
    store_.reset();
  }
}

}  // namespace hm::node
