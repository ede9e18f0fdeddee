#include "trustchain/service/service.h"

#include <fmt/format.h>

#include <future>
#include <nlohmann/json.hpp>

#include "api/auth.h"
#include "api/errors.h"
#include "base/log.h"
#include "crypto/pem.h"
#include "crypto/secure_random.h"
#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/revocation.h"
#include "trustchain/ct/routes.h"

namespace hm::trustchain::service {

using base::Bytes;
using base::ByteSpan;
using base::Result;
using base::Status;
using nlohmann::json;

namespace {

constexpr size_t kMaxIssueBody = 16 * 1024;
constexpr size_t kMaxRevokeBody = 16 * 1024;
constexpr size_t kMaxOcspBody = ca::kMaxOcspRequestSize;
constexpr auto kCrlMaxAge = std::chrono::hours(1);
constexpr auto kCrlValidity = std::chrono::hours(24);
// Leaves start a minute in the past so a client whose clock is slightly behind accepts them.
constexpr auto kBackdate = std::chrono::seconds(60);

using base::FormatRfc3339;

std::string Rfc3339Ms(uint64_t ms) {
  return FormatRfc3339(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

json HashList(const std::vector<crypto::Digest32>& hashes) {
  json out = json::array();
  for (const auto& h : hashes) out.push_back(base::Base64Encode(h));
  return out;
}

std::string ReasonToName(ca::RevocationReason r) {
  return std::string(ca::RevocationReasonName(r));
}

Result<ca::RevocationReason> ReasonFromJson(const json& v) {
  if (v.is_number_unsigned()) return ca::ParseRevocationReason(std::to_string(v.get<uint64_t>()));
  if (v.is_string()) return ca::ParseRevocationReason(v.get_ref<const std::string&>());
  return base::InvalidArgument("'reason' must be a CRLReason name or code");
}

Bytes RandomSerial() {
  Bytes serial = crypto::RandomBytes(16);
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x40);  // positive, minimal, 16 bytes
  return serial;
}

json RecordJson(ByteSpan serial, const ca::CertRecord& rec) {
  json j = {{"serial", ca::SerialHex(serial)},
            {"status", rec.revoked ? "revoked" : "good"},
            {"not_after", Rfc3339Ms(rec.not_after_ms)},
            {"certificate", crypto::DerToPem(rec.der, "CERTIFICATE")},
            {"ct_leaf_index", rec.ct_leaf_index}};
  if (rec.revoked) {
    j["revoked_at"] = Rfc3339Ms(rec.revoked_at_ms);
    j["reason"] = ReasonToName(rec.reason);
  }
  return j;
}

}  // namespace

Status TrustChainOptions::Validate() const {
  if (clock == nullptr) return base::InvalidArgument("trustchain: clock is required");
  if (leaf_validity.count() < 60) {
    return base::InvalidArgument("trustchain.leaf_validity_hours must be positive");
  }
  if (max_leaf_validity < leaf_validity) {
    return base::InvalidArgument(
        "trustchain.max_leaf_validity_hours must be at least trustchain.leaf_validity_hours");
  }
  if (public_url.rfind("https://", 0) != 0 && public_url.rfind("http://", 0) != 0) {
    return base::InvalidArgument(
        fmt::format("trustchain.public_url '{}' must start with https:// or http://", public_url));
  }
  if (public_url.back() == '/') {
    return base::InvalidArgument("trustchain.public_url must not end with '/'");
  }
  if (!admin_token.empty() && admin_token.size() < 16) {
    return base::InvalidArgument("trustchain admin token must be at least 16 characters");
  }
  return Status::Ok();
}

TrustChainService::TrustChainService(const chain::Chain& chain, chain::Sequencer& sequencer,
                                     ca::CaParams params, ca::IssuingCa issuing,
                                     ct::LogSigner log, TrustChainOptions options)
    : chain_(chain),
      sequencer_(sequencer),
      params_(std::move(params)),
      issuing_(std::move(issuing)),
      log_(std::move(log)),
      options_(std::move(options)),
      ct_reader_(chain),
      ca_reader_(chain),
      next_nonce_(static_cast<uint64_t>(options_.clock->NowUnixMillis()) << 16) {}

TrustChainService::~TrustChainService() = default;

Result<std::unique_ptr<TrustChainService>> TrustChainService::Create(
    const chain::Chain& chain, chain::Sequencer& sequencer, ca::CaParams params,
    ca::IssuingCa issuing, ct::LogSigner log, TrustChainOptions options) {
  HM_TRY(options.Validate());
  if (issuing.cert_der() != params.issuing_der) {
    return base::InvalidArgument("trustchain: the issuing CA is not the one in the CA params");
  }
  const Bytes* genesis_params = chain.genesis().ParamsFor(ca::kModuleName);
  if (genesis_params == nullptr || *genesis_params != params.Encode()) {
    return base::FailedPrecondition("trustchain: genesis does not carry these CA parameters");
  }
  return std::unique_ptr<TrustChainService>(new TrustChainService(
      chain, sequencer, std::move(params), std::move(issuing), std::move(log), std::move(options)));
}

std::string TrustChainService::RootPem() const { return crypto::DerToPem(params_.root_der, "CERTIFICATE"); }

std::string TrustChainService::ChainPem() const {
  return crypto::DerToPem(params_.issuing_der, "CERTIFICATE") +
         crypto::DerToPem(params_.root_der, "CERTIFICATE");
}

// ---- Issuance -------------------------------------------------------------------------------

void TrustChainService::Issue(IssueRequest request, IssueCallback done) {
  const auto now = options_.clock->Now();
  ca::LeafOptions lo;
  lo.serial = RandomSerial();
  lo.not_before = std::chrono::time_point_cast<std::chrono::seconds>(now) - kBackdate;
  lo.validity = request.validity.value_or(options_.leaf_validity);
  if (lo.validity.count() <= 0 || lo.validity > options_.max_leaf_validity) {
    return done(base::InvalidArgument(
        fmt::format("validity must be between 1 second and {} hours",
                    std::chrono::duration_cast<std::chrono::hours>(options_.max_leaf_validity)
                        .count())));
  }
  lo.ocsp_url = options_.public_url + "/ocsp";
  lo.ca_issuers_url = options_.public_url + "/ca/issuing.der";
  lo.crl_url = options_.public_url + "/ca/crl.der";
  lo.policy = request.policy.value_or(options_.policy);

  // The SCT is the log's promise to include the entry; it is signed before the entry is
  // sequenced (as add-chain does) and the answer waits until the entry is durable.
  ct::LogEntry entry;
  auto provider = [&](const ca::PrecertEntry& pe) -> Result<Bytes> {
    entry.timestamp_ms = static_cast<uint64_t>(options_.clock->NowUnixMillis());
    entry.type = ct::EntryType::kPrecert;
    entry.entry = pe.tbs_certificate;
    crypto::Digest32 ikh{};
    if (pe.issuer_key_hash.size() != ikh.size()) return base::Internal("bad issuer key hash");
    std::copy(pe.issuer_key_hash.begin(), pe.issuer_key_hash.end(), ikh.begin());
    entry.issuer_key_hash = ikh;
    HM_TRY(entry.Validate());
    const ct::Sct sct = log_.SignSct(entry);
    return ct::SerializeSctList(std::span(&sct, 1));
  };
  crypto::SecureRandom random;
  auto leaf = ca::IssueLeaf(issuing_, request.csr, lo, provider, random);
  if (!leaf.ok()) return done(leaf.status());
  const ByteSpan chain_to_root[2] = {params_.issuing_der, params_.root_der};
  entry.extra_data = ct::PrecertChainExtraData(leaf->precert_der, chain_to_root);

  auto result = std::make_shared<IssueResult>();
  result->serial = lo.serial;
  result->cert_der = std::move(leaf->der);
  result->cert_pem = std::move(leaf->pem);
  result->chain_pem = ChainPem();
  result->not_before = lo.not_before;
  result->not_after = lo.not_before + lo.validity;
  result->hybrid = request.csr.falcon_public_key.has_value();
  result->sct_timestamp_ms = entry.timestamp_ms;
  result->leaf_hash = entry.LeafHash();

  // Step 1: log the precertificate. Step 2 (in its callback): record the certificate.
  sequencer_.Submit(
      ct::MakeAddEntryTx(entry, next_nonce_++),
      [this, result, done = std::move(done)](Result<chain::TxReceipt> receipt) mutable {
        if (!receipt.ok()) return done(receipt.status().WithContext("logging the precertificate"));
        auto index = ct::DecodeAddEntryOutput(receipt->output);
        if (!index.ok()) return done(index.status());
        result->proof.leaf_index = *index;
        ca::IssuedCert issued{result->cert_der, *index};
        sequencer_.Submit(
            ca::MakeIssueTx(issued, next_nonce_++),
            [this, result, done = std::move(done)](Result<chain::TxReceipt> r) mutable {
              if (!r.ok()) return done(r.status().WithContext("recording the certificate"));
              auto size = ct_reader_.TreeSize();
              if (!size.ok()) return done(size.status());
              auto proof = ct_reader_.ProofByIndex(result->proof.leaf_index, *size);
              if (!proof.ok()) return done(proof.status());
              result->proof = std::move(proof).value();
              done(std::move(*result));
            });
      });
}

Result<IssueResult> TrustChainService::IssueAndWait(IssueRequest request) {
  std::promise<Result<IssueResult>> promise;
  auto future = promise.get_future();
  Issue(std::move(request), [&promise](Result<IssueResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

// ---- CRL --------------------------------------------------------------------------------------

Result<Bytes> TrustChainService::CurrentCrlDer() {
  HM_ASSIGN_OR_RETURN(const uint64_t revocations, ca_reader_.CrlNumber());
  std::lock_guard lock(crl_mu_);
  const auto mono = options_.clock->Monotonic();
  if (!crl_der_.empty() && revocations == crl_revocations_ && mono - crl_built_ < kCrlMaxAge) {
    return crl_der_;
  }
  HM_ASSIGN_OR_RETURN(auto revoked, ca_reader_.Revoked());
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(options_.clock->Now());
  // CRL numbers must grow with every CRL this CA signs, across restarts too: seconds since the
  // epoch, bumped when two are built within a second.
  crl_number_ = std::max<uint64_t>(crl_number_ + 1,
                                   static_cast<uint64_t>(now.time_since_epoch().count()));
  HM_ASSIGN_OR_RETURN(ca::Crl crl, ca::BuildCrl(issuing_, revoked, now, now + kCrlValidity,
                                                crl_number_));
  crl_der_ = std::move(crl.der);
  crl_revocations_ = revocations;
  crl_built_ = mono;
  return crl_der_;
}

// ---- HTTP -------------------------------------------------------------------------------------

class TrustChainService::Api {
 public:
  explicit Api(TrustChainService& s) : s_(s) {}

  void Issue(const api::Request& req, api::Responder respond) {
    auto request = ParseIssue(req);
    if (!request.ok()) return respond(api::ErrorResponse(request.status()));
    s_.Issue(std::move(request).value(), [respond = std::move(respond)](Result<IssueResult> r) {
      if (!r.ok()) return respond(api::ErrorResponse(r.status()));
      respond(api::Response::Json(
          200, {{"serial", ca::SerialHex(r->serial)},
                {"not_before", FormatRfc3339(r->not_before)},
                {"not_after", FormatRfc3339(r->not_after)},
                {"certificate", r->cert_pem},
                {"chain", r->chain_pem},
                {"hybrid", r->hybrid},
                {"ct",
                 {{"leaf_index", r->proof.leaf_index},
                  {"tree_size", r->proof.tree_size},
                  {"leaf_hash", base::Base64Encode(r->leaf_hash)},
                  {"audit_path", HashList(r->proof.audit_path)},
                  {"sct_timestamp", r->sct_timestamp_ms}}}}));
    });
  }

  api::Response Show(const api::Request& req) const {
    auto serial = ca::ParseSerialHex(req.path_params.at("serial"));
    if (!serial.ok()) return api::ErrorResponse(serial.status().WithContext("serial"));
    auto rec = s_.ca_reader_.Find(*serial);
    if (!rec.ok()) return api::ErrorResponse(rec.status());
    if (!rec->has_value()) {
      return api::ErrorResponse(base::NotFound(
          fmt::format("no certificate with serial {} was issued here", ca::SerialHex(*serial))));
    }
    return api::Response::Json(200, RecordJson(*serial, **rec));
  }

  void Revoke(const api::Request& req, api::Responder respond) {
    auto tx = ParseRevoke(req);
    if (!tx.ok()) return respond(api::ErrorResponse(tx.status()));
    const ca::Revocation rev = tx->second;
    s_.sequencer_.Submit(std::move(tx->first), [rev, respond = std::move(respond)](
                                                   Result<chain::TxReceipt> r) {
      if (!r.ok()) return respond(api::ErrorResponse(r.status()));
      respond(api::Response::Json(200, {{"serial", ca::SerialHex(rev.serial)},
                                        {"status", "revoked"},
                                        {"revoked_at", Rfc3339Ms(rev.revoked_at_ms)},
                                        {"reason", ReasonToName(rev.reason)}}));
    });
  }

  api::Response Ocsp(ByteSpan request_der) const {
    auto lookup = [this](ByteSpan serial) {
      ca::StatusAnswer a;
      auto rec = s_.ca_reader_.Find(serial);
      if (!rec.ok() || !rec->has_value()) return a;  // unknown
      if ((*rec)->revoked) {
        a.status = ca::CertStatus::kRevoked;
        a.revoked_at = std::chrono::system_clock::time_point(
            std::chrono::milliseconds((*rec)->revoked_at_ms));
        a.reason = (*rec)->reason;
      } else {
        a.status = ca::CertStatus::kGood;
      }
      return a;
    };
    auto der = ca::OcspRespond(s_.issuing_, request_der, lookup, s_.options_.clock->Now());
    if (!der.ok()) return api::ErrorResponse(der.status());
    return api::Response::Text(200, std::string(base::AsString(*der)), "application/ocsp-response");
  }

 private:
  Result<IssueRequest> ParseIssue(const api::Request& req) const {
    IssueRequest out;
    std::string_view pem = req.body;
    const std::string_view type = req.Header("Content-Type");
    json body;
    if (type.rfind("application/json", 0) == 0) {
      HM_ASSIGN_OR_RETURN(body, api::ParseJsonBody(req));
      for (const auto& [key, _] : body.items()) {
        if (key != "csr" && key != "validity_hours") {
          return base::InvalidArgument(fmt::format("unknown field '{}'", key));
        }
      }
      auto it = body.find("csr");
      if (it == body.end() || !it->is_string()) {
        return base::InvalidArgument("'csr' must be a PEM certificate signing request");
      }
      pem = it->get_ref<const std::string&>();
      if (auto v = body.find("validity_hours"); v != body.end()) {
        if (!v->is_number_unsigned() || v->get<uint64_t>() == 0 ||
            v->get<uint64_t>() > 24 * 365) {
          return base::InvalidArgument("'validity_hours' must be a positive number of hours");
        }
        out.validity = std::chrono::hours(v->get<uint64_t>());
      }
    } else if (!type.empty() && type.rfind("application/pkcs10", 0) != 0 &&
               type.rfind("application/x-pem-file", 0) != 0 &&
               type.rfind("text/plain", 0) != 0) {
      return api::UnsupportedMediaType(fmt::format(
          "'{}'; send the CSR as PEM (application/pkcs10) or JSON {{\"csr\": ...}}", type));
    }
    auto csr = ca::ParseCsrPem(pem);
    if (!csr.ok()) return csr.status().WithContext("CSR");
    out.csr = std::move(csr).value();
    return out;
  }

  Result<std::pair<chain::Transaction, ca::Revocation>> ParseRevoke(const api::Request& req) const {
    ca::Revocation rev;
    HM_ASSIGN_OR_RETURN(rev.serial, ca::ParseSerialHex(req.path_params.at("serial")));
    json body = json::object();
    if (!req.body.empty()) {
      HM_ASSIGN_OR_RETURN(body, api::ParseJsonBody(req));
    }
    for (const auto& [key, _] : body.items()) {
      if (key != "reason" && key != "signature") {
        return base::InvalidArgument(fmt::format("unknown field '{}'", key));
      }
    }
    if (auto r = body.find("reason"); r != body.end()) {
      HM_ASSIGN_OR_RETURN(rev.reason, ReasonFromJson(*r));
    }
    HM_ASSIGN_OR_RETURN(auto rec, s_.ca_reader_.Find(rev.serial));
    if (!rec.has_value()) {
      return base::NotFound(
          fmt::format("no certificate with serial {} was issued here", ca::SerialHex(rev.serial)));
    }
    if (rec->revoked) {
      return base::FailedPrecondition(
          fmt::format("certificate {} is already revoked", ca::SerialHex(rev.serial)));
    }
    rev.revoked_at_ms = static_cast<uint64_t>(s_.options_.clock->NowUnixMillis());
    const std::string_view auth = req.Header("Authorization");
    if (!auth.empty()) {
      HM_TRY(api::CheckAdminToken(req, s_.options_.admin_token));
      rev.authority = ca::RevocationAuthority::kIssuingCa;
      rev.signature = s_.issuing_.key().Sign(ca::RevocationMessage(rev.serial, rev.reason));
    } else {
      auto sig = body.find("signature");
      if (sig == body.end()) {
        return base::Unauthenticated(
            "revocation needs 'signature' (by the certificate's key over the revocation "
            "message, docs/spec/trustchain-api.md) or the admin credential");
      }
      if (!sig->is_string()) return base::InvalidArgument("'signature' must be base64");
      auto bytes = base::Base64Decode(sig->get_ref<const std::string&>());
      if (!bytes.ok()) return bytes.status().WithContext("signature");
      rev.authority = ca::RevocationAuthority::kCertificateKey;
      rev.signature = std::move(bytes).value();
    }
    chain::Transaction tx = ca::MakeRevokeTx(rev, s_.next_nonce_++);
    // Stateless checks now, so a malformed request is a 400 before anything is queued.
    HM_TRY(s_.chain_.CheckTransaction(tx));
    return std::make_pair(std::move(tx), std::move(rev));
  }

  TrustChainService& s_;
};

Status TrustChainService::RegisterRoutes(api::Router& router) {
  auto a = std::make_shared<Api>(*this);
  HM_TRY(router.AddAsync(
      "POST", "/api/v1/certificates/issue",
      [a](const api::Request& req, api::Responder respond) { a->Issue(req, std::move(respond)); },
      {.max_body_bytes = kMaxIssueBody}));
  HM_TRY(router.Add("GET", "/api/v1/certificates/{serial}",
                    [a](const api::Request& req) { return a->Show(req); }));
  HM_TRY(router.AddAsync(
      "POST", "/api/v1/certificates/{serial}/revoke",
      [a](const api::Request& req, api::Responder respond) { a->Revoke(req, std::move(respond)); },
      {.max_body_bytes = kMaxRevokeBody}));
  HM_TRY(router.Add("GET", "/api/v1/ca/root", [this](const api::Request&) {
    return api::Response::Text(200, RootPem(), "application/x-pem-file");
  }));
  HM_TRY(router.Add("GET", "/api/v1/ca/chain", [this](const api::Request&) {
    return api::Response::Text(200, ChainPem(), "application/x-pem-file");
  }));
  HM_TRY(router.Add("GET", "/ca/issuing.der", [this](const api::Request&) {
    return api::Response::Text(200, std::string(base::AsString(params_.issuing_der)),
                               "application/pkix-cert");
  }));
  HM_TRY(router.Add("GET", "/ca/crl.der", [this](const api::Request&) {
    auto crl = CurrentCrlDer();
    if (!crl.ok()) return api::ErrorResponse(crl.status());
    return api::Response::Text(200, std::string(base::AsString(*crl)), "application/pkix-crl");
  }));
  HM_TRY(router.Add(
      "POST", "/ocsp",
      [a](const api::Request& req) {
        const std::string_view type = req.Header("Content-Type");
        if (!type.empty() && type.rfind("application/ocsp-request", 0) != 0) {
          return api::ErrorResponse(api::UnsupportedMediaType(
              fmt::format("'{}'; OCSP requests are application/ocsp-request", type)));
        }
        return a->Ocsp(base::AsBytes(req.body));
      },
      {.max_body_bytes = kMaxOcspBody}));
  HM_TRY(router.Add("GET", "/ocsp/{request}", [a](const api::Request& req) {
    // RFC 6960 A.1: base64 of the DER request, URL-encoded (the router has decoded it).
    std::string text = req.path_params.at("request");
    std::replace(text.begin(), text.end(), ' ', '+');
    auto der = base::Base64Decode(text);
    // Undecodable input still gets an OCSP answer (malformedRequest), as for POST.
    return a->Ocsp(der.ok() ? ByteSpan(*der) : ByteSpan());
  }));

  ct::CtRouteOptions ct_options;
  ct_options.accepted_roots_der = {params_.root_der};
  ct_options.clock = options_.clock;
  ct_options.max_merge_delay = options_.ct_max_merge_delay;
  return ct::RegisterCtRoutes(router, sequencer_, ct_reader_, log_, std::move(ct_options));
}

}  // namespace hm::trustchain::service
