#include "trustchain/ct/routes.h"

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstring>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/errors.h"
#include "crypto/hash.h"
#include "crypto/ossl_ptr.h"
#include "fmt/format.h"
#include "trustchain/ct/tls.h"

namespace hm::trustchain::ct {
namespace {

using nlohmann::json;

constexpr char kPoisonOid[] = "1.3.6.1.4.1.11129.2.4.3";
constexpr char kPrecertSigningOid[] = "1.3.6.1.4.1.11129.2.4.4";
constexpr size_t kMaxAsn1Cert = (size_t{1} << 24) - 1;

using X509Ptr = crypto::OsslPtr<X509, X509_free>;

// ---- X.509 chain checks -------------------------------------------------------------------

base::Result<X509Ptr> ParseDer(ByteSpan der, size_t position) {
  if (der.empty() || der.size() > kMaxAsn1Cert) {
    return base::InvalidArgument(fmt::format("certificate {}: bad size {}", position, der.size()));
  }
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (x == nullptr) {
    return base::InvalidArgument(
        fmt::format("certificate {} is not a DER X.509 certificate", position));
  }
  if (p != der.data() + der.size()) {
    return base::InvalidArgument(fmt::format("certificate {} has trailing bytes", position));
  }
  return x;
}

// -1: absent; otherwise the extension's index.
int FindExtension(const X509* x, const char* oid) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  if (obj == nullptr) return -1;
  const int idx = X509_get_ext_by_OBJ(x, obj, -1);
  ASN1_OBJECT_free(obj);
  return idx;
}

bool HasPrecertSigningEku(X509* x) {
  auto* eku =
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(x, NID_ext_key_usage, nullptr, nullptr));
  if (eku == nullptr) return false;
  bool found = false;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i) {
    char buf[80];
    if (OBJ_obj2txt(buf, sizeof(buf), sk_ASN1_OBJECT_value(eku, i), 1) > 0 &&
        std::string_view(buf) == kPrecertSigningOid) {
      found = true;
    }
  }
  EXTENDED_KEY_USAGE_free(eku);
  return found;
}

// `subject` names `issuer` as its issuer and carries its signature.
bool IssuedBy(X509* subject, X509* issuer) {
  if (X509_NAME_cmp(X509_get_issuer_name(subject), X509_get_subject_name(issuer)) != 0) {
    return false;
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  return key != nullptr && X509_verify(subject, key) == 1;
}

base::Result<Bytes> SpkiHash(X509* x) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
  if (len <= 0) return base::InvalidArgument("issuer public key cannot be encoded");
  const Digest32 h = crypto::Sha256(ByteSpan(der, static_cast<size_t>(len)));
  OPENSSL_free(der);
  return Bytes(h.begin(), h.end());
}

// The precertificate's TBSCertificate without the poison extension.
base::Result<Bytes> TbsWithoutPoison(X509* precert) {
  X509Ptr copy(X509_dup(precert));
  if (copy == nullptr) return base::Internal("X509_dup failed");
  const int idx = FindExtension(copy.get(), kPoisonOid);
  if (idx < 0) return base::InvalidArgument("precertificate lacks the poison extension");
  X509_EXTENSION_free(X509_delete_ext(copy.get(), idx));
  const int len = i2d_re_X509_tbs(copy.get(), nullptr);
  if (len <= 0) return base::InvalidArgument("precertificate TBS cannot be re-encoded");
  Bytes tbs(static_cast<size_t>(len));
  unsigned char* p = tbs.data();
  if (i2d_re_X509_tbs(copy.get(), &p) != len) return base::Internal("i2d_re_X509_tbs failed");
  return tbs;
}

Bytes EncodeCertList(std::span<const ByteSpan> certs) {
  TlsWriter list;
  for (ByteSpan c : certs) list.Opaque(c, 3);
  TlsWriter out;
  out.Opaque(list.bytes(), 3);
  return std::move(out).Take();
}

}  // namespace

// ---- ChainChecker -------------------------------------------------------------------------

struct ChainChecker::Verified {
  std::shared_ptr<X509> first;  // the suffix's first certificate, parsed
  RootMatch root;
};

ChainChecker::ChainChecker(std::vector<Bytes> roots_der) : roots_der_(std::move(roots_der)) {}
ChainChecker::~ChainChecker() = default;

base::Result<std::shared_ptr<ChainChecker>> ChainChecker::Create(std::vector<Bytes> roots_der) {
  std::shared_ptr<ChainChecker> c(new ChainChecker(std::move(roots_der)));
  for (size_t i = 0; i < c->roots_der_.size(); ++i) {
    HM_ASSIGN_OR_RETURN(X509Ptr x, ParseDer(c->roots_der_[i], i));
    c->roots_.emplace_back(x.release(), X509_free);
  }
  return c;
}

// Which accepted root `last` is, or is signed by.
std::optional<ChainChecker::RootMatch> ChainChecker::FindRoot(ByteSpan last_der, X509* last) const {
  for (size_t i = 0; i < roots_der_.size(); ++i) {
    if (std::ranges::equal(roots_der_[i], last_der)) return RootMatch{i, true};
  }
  for (size_t i = 0; i < roots_.size(); ++i) {
    if (IssuedBy(last, roots_[i].get())) return RootMatch{i, false};
  }
  return std::nullopt;
}

base::Result<ChainChecker::Verified> ChainChecker::VerifySuffix(std::span<const Bytes> chain,
                                                                size_t from) const {
  crypto::Sha256Hasher h;
  for (size_t i = from; i < chain.size(); ++i) {
    const uint8_t len[4] = {static_cast<uint8_t>(chain[i].size() >> 24),
                            static_cast<uint8_t>(chain[i].size() >> 16),
                            static_cast<uint8_t>(chain[i].size() >> 8),
                            static_cast<uint8_t>(chain[i].size())};
    h.Update(len);
    h.Update(chain[i]);
  }
  const Digest32 key = h.Finish();
  {
    std::lock_guard lock(mu_);
    if (auto it = verified_.find(key); it != verified_.end()) return it->second;
  }
  std::vector<X509Ptr> certs;
  for (size_t i = from; i < chain.size(); ++i) {
    HM_ASSIGN_OR_RETURN(X509Ptr x, ParseDer(chain[i], i));
    certs.push_back(std::move(x));
  }
  for (size_t i = 0; i + 1 < certs.size(); ++i) {
    if (!IssuedBy(certs[i].get(), certs[i + 1].get())) {
      return base::InvalidArgument(fmt::format("certificate {} is not issued by certificate {}",
                                               from + i, from + i + 1));
    }
  }
  const auto root = FindRoot(chain.back(), certs.back().get());
  if (!root.has_value()) return base::InvalidArgument("chain does not end at an accepted root");
  Verified v{std::shared_ptr<X509>(certs.front().release(), X509_free), *root};
  std::lock_guard lock(mu_);
  if (verified_.size() >= kMaxVerified) verified_.clear();  // bounded; rebuilt on demand
  verified_.emplace(key, v);
  return v;
}

base::Result<LogEntry> ChainChecker::Entry(std::span<const Bytes> chain, bool precert,
                                           size_t max_chain_length) const {
  if (chain.empty()) return base::InvalidArgument("'chain' is empty");
  if (chain.size() > max_chain_length) {
    return base::InvalidArgument(
        fmt::format("chain has {} certificates; at most {}", chain.size(), max_chain_length));
  }
  HM_ASSIGN_OR_RETURN(X509Ptr leaf, ParseDer(chain[0], 0));
  // The issuer side of the chain (often the same intermediate for every submission) is parsed
  // and verified once; each submission then costs one parse and one signature check.
  std::shared_ptr<X509> issuer;
  RootMatch root{};
  if (chain.size() > 1) {
    auto suffix = VerifySuffix(chain, 1);
    if (!suffix.ok()) {
      // Report the first broken link in chain order, as a reader of the chain would.
      auto next = ParseDer(chain[1], 1);
      if (next.ok() && !IssuedBy(leaf.get(), next->get())) {
        return base::InvalidArgument("certificate 0 is not issued by certificate 1");
      }
      return suffix.status();
    }
    Verified v = std::move(suffix).value();
    if (!IssuedBy(leaf.get(), v.first.get())) {
      return base::InvalidArgument("certificate 0 is not issued by certificate 1");
    }
    issuer = v.first;
    root = v.root;
  } else {
    auto match = FindRoot(chain[0], leaf.get());
    if (!match.has_value()) return base::InvalidArgument("chain does not end at an accepted root");
    root = *match;
    issuer = roots_[root.index];
  }

  // The rest of the chain, ending at the root.
  std::vector<ByteSpan> rest(chain.begin() + 1, chain.end());
  if (!root.included) rest.emplace_back(roots_der_[root.index]);

  const int poison = FindExtension(leaf.get(), kPoisonOid);
  LogEntry entry;
  if (!precert) {
    if (poison >= 0) return base::InvalidArgument("a precertificate belongs in add-pre-chain");
    if (chain[0].size() > kMaxEntryBytes) return base::InvalidArgument("certificate too large");
    entry.type = EntryType::kX509;
    entry.entry = chain[0];
    entry.extra_data = EncodeCertList(rest);
  } else {
    if (poison < 0 || X509_EXTENSION_get_critical(X509_get_ext(leaf.get(), poison)) != 1) {
      return base::InvalidArgument("precertificate lacks the critical CT poison extension");
    }
    if (HasPrecertSigningEku(issuer.get())) {
      return base::InvalidArgument("precertificate signing certificates are not supported");
    }
    HM_ASSIGN_OR_RETURN(Bytes ikh, SpkiHash(issuer.get()));
    Digest32 key_hash{};
    std::copy(ikh.begin(), ikh.end(), key_hash.begin());
    entry.type = EntryType::kPrecert;
    entry.issuer_key_hash = key_hash;
    HM_ASSIGN_OR_RETURN(entry.entry, TbsWithoutPoison(leaf.get()));
    if (entry.entry.size() > kMaxEntryBytes) return base::InvalidArgument("TBS too large");
    entry.extra_data = PrecertChainExtraData(chain[0], rest);
  }
  if (entry.extra_data.size() > kMaxExtraDataBytes) {
    return base::InvalidArgument("certificate chain too large");
  }
  HM_TRY(entry.Validate());
  return entry;
}

base::Result<LogEntry> EntryFromChain(std::span<const Bytes> chain, bool precert,
                                      std::span<const Bytes> accepted_roots_der,
                                      size_t max_chain_length) {
  HM_ASSIGN_OR_RETURN(auto checker,
                      ChainChecker::Create({accepted_roots_der.begin(), accepted_roots_der.end()}));
  return checker->Entry(chain, precert, max_chain_length);
}

Bytes PrecertChainExtraData(ByteSpan precert_der, std::span<const ByteSpan> chain_to_root) {
  TlsWriter extra;
  extra.Opaque(precert_der, 3);
  extra.Fixed(EncodeCertList(chain_to_root));
  return std::move(extra).Take();
}

base::Status CtRouteOptions::Validate() const {
  if (clock == nullptr) return base::InvalidArgument("ct routes: clock is required");
  if (accepted_roots_der.empty()) return base::InvalidArgument("ct routes: no accepted roots");
  for (size_t i = 0; i < accepted_roots_der.size(); ++i) {
    auto x = ParseDer(accepted_roots_der[i], i);
    if (!x.ok()) return x.status().WithContext("ct routes: accepted root");
  }
  if (max_merge_delay.count() <= 0) return base::InvalidArgument("ct routes: max_merge_delay");
  if (max_chain_length < 1 || max_chain_length > 64) {
    return base::InvalidArgument("ct routes: max_chain_length must be in [1, 64]");
  }
  if (max_entries_per_request < 1) {
    return base::InvalidArgument("ct routes: max_entries_per_request must be positive");
  }
  if (max_body_bytes < 1024) return base::InvalidArgument("ct routes: max_body_bytes too small");
  return base::Status::Ok();
}

namespace {

// ---- Route state ----------------------------------------------------------------------------

// A logged certificate's identity regardless of timestamp: SHA-256 over entry type, issuer key
// hash and entry bytes.
Digest32 CertKey(const LogEntry& e) {
  crypto::Sha256Hasher h;
  const uint8_t type[2] = {0, static_cast<uint8_t>(e.type)};
  h.Update(type);
  if (e.issuer_key_hash.has_value()) h.Update(*e.issuer_key_hash);
  h.Update(e.entry);
  return h.Finish();
}

struct DigestHash {
  size_t operator()(const Digest32& d) const {
    size_t v = 0;
    std::memcpy(&v, d.data(), sizeof(v));
    return v;
  }
};

// Certificate -> leaf index for the entries seen so far, caught up with the log on demand, so a
// resubmission (which would carry a new timestamp, hence a new leaf) gets the original SCT.
class DuplicateIndex {
 public:
  explicit DuplicateIndex(const CtLogReader& reader) : reader_(reader) {}

  base::Result<std::optional<uint64_t>> Find(const Digest32& key) {
    std::lock_guard lock(mu_);
    HM_TRY(CatchUp());
    auto it = index_.find(key);
    if (it == index_.end()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(it->second);
  }
  void Record(const Digest32& key, uint64_t index) {
    std::lock_guard lock(mu_);
    index_.emplace(key, index);
  }

 private:
  base::Status CatchUp() {
    HM_ASSIGN_OR_RETURN(const uint64_t size, reader_.TreeSize());
    while (scanned_ < size) {
      HM_ASSIGN_OR_RETURN(auto entries, reader_.Entries(scanned_, size - 1));
      for (const auto& e : entries) index_.emplace(CertKey(e), scanned_++);
    }
    return base::Status::Ok();
  }

  const CtLogReader& reader_;
  std::mutex mu_;
  std::unordered_map<Digest32, uint64_t, DigestHash> index_;  // guarded by mu_
  uint64_t scanned_ = 0;                                      // guarded by mu_
};

class CtApi : public std::enable_shared_from_this<CtApi> {
 public:
  CtApi(chain::Sequencer& sequencer, const CtLogReader& reader, const LogSigner& signer,
        CtRouteOptions options, std::shared_ptr<ChainChecker> checker)
      : checker_(std::move(checker)),
        sequencer_(sequencer),
        reader_(reader),
        signer_(signer),
        options_(std::move(options)),
        duplicates_(reader),
        next_nonce_(static_cast<uint64_t>(options_.clock->NowUnixMillis()) << 16) {}

  void AddChain(const api::Request& req, api::Responder respond, bool precert);
  api::Response GetSth();
  api::Response GetConsistency(const api::Request& req) const;
  api::Response GetProofByHash(const api::Request& req) const;
  api::Response GetEntries(const api::Request& req) const;
  api::Response GetRoots() const;
  api::Response GetEntryAndProof(const api::Request& req) const;

 private:
  base::Result<LogEntry> ParseSubmission(const api::Request& req, bool precert) const;
  base::Result<SignedTreeHead> CurrentSth();
  api::Response SctResponse(const LogEntry& entry) const;
  // The SCT over the logged entry at `index`.
  api::Response ExistingSct(uint64_t index) const;

  const std::shared_ptr<ChainChecker> checker_;
  chain::Sequencer& sequencer_;
  const CtLogReader& reader_;
  const LogSigner& signer_;
  const CtRouteOptions options_;
  DuplicateIndex duplicates_;
  std::atomic<uint64_t> next_nonce_;

  std::mutex sth_mu_;
  std::optional<SignedTreeHead> sth_;                 // guarded by sth_mu_
  std::chrono::steady_clock::time_point sth_signed_;  // guarded by sth_mu_
};

base::Result<uint64_t> QueryU64(const api::Request& req, std::string_view name) {
  auto s = req.Query(name);
  if (!s.has_value()) {
    return base::InvalidArgument(fmt::format("missing query parameter '{}'", name));
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (s->empty() || ec != std::errc() || end != s->data() + s->size()) {
    return base::InvalidArgument(fmt::format("'{}' must be a non-negative integer", name));
  }
  return v;
}

json HashList(const std::vector<Digest32>& hashes) {
  json out = json::array();
  for (const auto& h : hashes) out.push_back(base::Base64Encode(h));
  return out;
}

base::Result<LogEntry> CtApi::ParseSubmission(const api::Request& req, bool precert) const {
  HM_ASSIGN_OR_RETURN(json body, api::ParseJsonBody(req));
  auto it = body.find("chain");
  if (it == body.end() || !it->is_array()) {
    return base::InvalidArgument("'chain' must be an array of base64 DER certificates");
  }
  if (it->size() > options_.max_chain_length) {
    return base::InvalidArgument(fmt::format("chain has {} certificates; at most {}", it->size(),
                                             options_.max_chain_length));
  }
  std::vector<Bytes> chain;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& c = (*it)[i];
    if (!c.is_string()) return base::InvalidArgument(fmt::format("chain[{}] is not a string", i));
    auto der = base::Base64Decode(c.get_ref<const std::string&>());
    if (!der.ok()) return der.status().WithContext(fmt::format("chain[{}]", i));
    chain.push_back(std::move(der).value());
  }
  return checker_->Entry(chain, precert, options_.max_chain_length);
}

api::Response CtApi::SctResponse(const LogEntry& entry) const {
  const Sct sct = signer_.SignSct(entry);
  return api::Response::Json(200, {{"sct_version", 0},
                                   {"id", base::Base64Encode(sct.log_id)},
                                   {"timestamp", sct.timestamp_ms},
                                   {"extensions", base::Base64Encode(sct.extensions)},
                                   {"signature", base::Base64Encode(sct.signature)}});
}

api::Response CtApi::ExistingSct(uint64_t index) const {
  auto entry = reader_.Entry(index);
  if (!entry.ok()) return api::ErrorResponse(entry.status());
  return SctResponse(*entry);
}

void CtApi::AddChain(const api::Request& req, api::Responder respond, bool precert) {
  auto parsed = ParseSubmission(req, precert);
  if (!parsed.ok()) return respond(api::ErrorResponse(parsed.status()));
  LogEntry entry = std::move(parsed).value();
  const Digest32 key = CertKey(entry);
  auto existing = duplicates_.Find(key);
  if (!existing.ok()) return respond(api::ErrorResponse(existing.status()));
  if (existing->has_value()) return respond(ExistingSct(**existing));

  entry.timestamp_ms = static_cast<uint64_t>(options_.clock->NowUnixMillis());
  // Signed before submitting so the sequencer's callback only has to answer.
  api::Response sct = SctResponse(entry);
  const Digest32 leaf_hash = entry.LeafHash();
  sequencer_.Submit(MakeAddEntryTx(entry, next_nonce_++),
                    [self = shared_from_this(), key, leaf_hash, sct = std::move(sct),
                     respond = std::move(respond)](base::Result<chain::TxReceipt> receipt) mutable {
                      if (receipt.ok()) {
                        auto index = DecodeAddEntryOutput(receipt->output);
                        if (index.ok()) self->duplicates_.Record(key, *index);
                        return respond(std::move(sct));
                      }
                      if (receipt.status().code() == base::Code::kAlreadyExists) {
                        // The same leaf (same timestamp) was logged meanwhile: answer with the
                        // logged one.
                        auto index = self->reader_.IndexOfLeafHash(leaf_hash);
                        if (index.ok() && index->has_value())
                          return respond(self->ExistingSct(**index));
                      }
                      respond(api::ErrorResponse(receipt.status()));
                    });
}

base::Result<SignedTreeHead> CtApi::CurrentSth() {
  HM_ASSIGN_OR_RETURN(const uint64_t size, reader_.TreeSize());
  std::lock_guard lock(sth_mu_);
  const auto now = options_.clock->Monotonic();
  if (sth_.has_value() && sth_->tree_size == size && now - sth_signed_ < options_.max_merge_delay) {
    return *sth_;
  }
  HM_ASSIGN_OR_RETURN(const Digest32 root, reader_.Root(size));
  uint64_t ts = static_cast<uint64_t>(options_.clock->NowUnixMillis());
  if (sth_.has_value()) ts = std::max(ts, sth_->timestamp_ms);  // never goes back
  HM_ASSIGN_OR_RETURN(SignedTreeHead sth, signer_.SignSth(ts, size, root));
  sth_ = sth;
  sth_signed_ = now;
  return sth;
}

api::Response CtApi::GetSth() {
  auto sth = CurrentSth();
  if (!sth.ok()) return api::ErrorResponse(sth.status());
  return api::Response::Json(
      200, {{"tree_size", sth->tree_size},
            {"timestamp", sth->timestamp_ms},
            {"sha256_root_hash", base::Base64Encode(sth->root)},
            {"tree_head_signature", base::Base64Encode(sth->ecdsa_signature)},
            {"hm_falcon1024_signature", base::Base64Encode(sth->falcon_signature)}});
}

api::Response CtApi::GetConsistency(const api::Request& req) const {
  auto first = QueryU64(req, "first");
  if (!first.ok()) return api::ErrorResponse(first.status());
  auto second = QueryU64(req, "second");
  if (!second.ok()) return api::ErrorResponse(second.status());
  auto proof = reader_.ConsistencyProof(*first, *second);
  if (!proof.ok()) return api::ErrorResponse(proof.status());
  return api::Response::Json(200, {{"consistency", HashList(*proof)}});
}

api::Response CtApi::GetProofByHash(const api::Request& req) const {
  auto hash_text = req.Query("hash");
  if (!hash_text.has_value()) {
    return api::ErrorResponse(base::InvalidArgument("missing query parameter 'hash'"));
  }
  // An unescaped '+' arrives as a space (form decoding); base64 has no spaces.
  std::string text(*hash_text);
  std::replace(text.begin(), text.end(), ' ', '+');
  auto hash = base::Base64Decode(text);
  if (!hash.ok() || hash->size() != 32) {
    return api::ErrorResponse(base::InvalidArgument("'hash' must be 32 bytes, base64"));
  }
  auto tree_size = QueryU64(req, "tree_size");
  if (!tree_size.ok()) return api::ErrorResponse(tree_size.status());
  Digest32 leaf{};
  std::copy(hash->begin(), hash->end(), leaf.begin());
  auto proof = reader_.ProofByHash(leaf, *tree_size);
  if (!proof.ok()) return api::ErrorResponse(proof.status());
  return api::Response::Json(
      200, {{"leaf_index", proof->leaf_index}, {"audit_path", HashList(proof->audit_path)}});
}

api::Response CtApi::GetEntries(const api::Request& req) const {
  auto start = QueryU64(req, "start");
  if (!start.ok()) return api::ErrorResponse(start.status());
  auto end = QueryU64(req, "end");
  if (!end.ok()) return api::ErrorResponse(end.status());
  auto entries = reader_.Entries(*start, *end, options_.max_entries_per_request);
  if (!entries.ok()) return api::ErrorResponse(entries.status());
  json list = json::array();
  for (const auto& e : *entries) {
    list.push_back({{"leaf_input", base::Base64Encode(e.MerkleTreeLeafTls())},
                    {"extra_data", base::Base64Encode(e.extra_data)}});
  }
  return api::Response::Json(200, {{"entries", std::move(list)}});
}

api::Response CtApi::GetRoots() const {
  json list = json::array();
  for (const auto& r : options_.accepted_roots_der) list.push_back(base::Base64Encode(r));
  return api::Response::Json(200, {{"certificates", std::move(list)}});
}

api::Response CtApi::GetEntryAndProof(const api::Request& req) const {
  auto index = QueryU64(req, "leaf_index");
  if (!index.ok()) return api::ErrorResponse(index.status());
  auto tree_size = QueryU64(req, "tree_size");
  if (!tree_size.ok()) return api::ErrorResponse(tree_size.status());
  if (*index >= *tree_size) {
    return api::ErrorResponse(base::InvalidArgument("'leaf_index' must be below 'tree_size'"));
  }
  auto proof = reader_.ProofByIndex(*index, *tree_size);
  if (!proof.ok()) return api::ErrorResponse(proof.status());
  auto entry = reader_.Entry(*index);
  if (!entry.ok()) return api::ErrorResponse(entry.status());
  return api::Response::Json(200, {{"leaf_input", base::Base64Encode(entry->MerkleTreeLeafTls())},
                                   {"extra_data", base::Base64Encode(entry->extra_data)},
                                   {"audit_path", HashList(proof->audit_path)}});
}

}  // namespace

base::Status RegisterCtRoutes(api::Router& router, chain::Sequencer& sequencer, const CtLogReader& reader,
                              const LogSigner& signer, CtRouteOptions options) {
  HM_TRY(options.Validate());
  const api::RouteOptions post{.max_body_bytes = options.max_body_bytes};
  // Shared by the handlers; lives as long as the router holds them.
  HM_ASSIGN_OR_RETURN(auto checker, ChainChecker::Create(options.accepted_roots_der));
  auto ct = std::make_shared<CtApi>(sequencer, reader, signer, std::move(options),
                                    std::move(checker));
  auto add = [ct](bool precert) {
    return [ct, precert](const api::Request& req, api::Responder respond) {
      ct->AddChain(req, std::move(respond), precert);
    };
  };
  HM_TRY(router.AddAsync("POST", "/ct/v1/add-chain", add(false), post));
  HM_TRY(router.AddAsync("POST", "/ct/v1/add-pre-chain", add(true), post));
  HM_TRY(router.AddAsync("POST", "/api/v1/ct/submit", add(false), post));
  HM_TRY(router.Add("GET", "/ct/v1/get-sth", [ct](const api::Request&) { return ct->GetSth(); }));
  HM_TRY(router.Add("GET", "/ct/v1/get-sth-consistency",
                    [ct](const api::Request& r) { return ct->GetConsistency(r); }));
  HM_TRY(router.Add("GET", "/ct/v1/get-proof-by-hash",
                    [ct](const api::Request& r) { return ct->GetProofByHash(r); }));
  HM_TRY(router.Add("GET", "/ct/v1/get-entries",
                    [ct](const api::Request& r) { return ct->GetEntries(r); }));
  HM_TRY(
      router.Add("GET", "/ct/v1/get-roots", [ct](const api::Request&) { return ct->GetRoots(); }));
  return router.Add("GET", "/ct/v1/get-entry-and-proof",
                    [ct](const api::Request& r) { return ct->GetEntryAndProof(r); });
}

}  // namespace hm::trustchain::ct
