// See dns_service.h; the API is specified in docs/spec/dns-registry.md.
#include "trustchain/dns/registry/dns_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>

#include "api/auth.h"
#include "api/errors.h"
#include "base/bytes.h"
#include "base/log.h"
#include "codec/codec.h"
#include "trustchain/dns/registry/rdata_text.h"

namespace hm::trustchain::dns {
namespace {

using base::ByteSpan;
using base::Bytes;
using base::Result;
using nlohmann::json;

constexpr uint64_t kMaxRecordsBody = 64 * 1024;
constexpr uint32_t kNodeTtl = 60;

std::string_view RcodeName(uint8_t rcode) {
  switch (rcode) {
    case 0: return "NOERROR";
    case 1: return "FORMERR";
    case 2: return "SERVFAIL";
    case 3: return "NXDOMAIN";
    case 4: return "NOTIMP";
    case 5: return "REFUSED";
    default: return "OTHER";
  }
}

Result<ChangeOp> ParseOp(std::string_view op) {
  if (op == "replace" || op == "set") return ChangeOp::kReplace;
  if (op == "add") return ChangeOp::kAdd;
  if (op == "delete") return ChangeOp::kDelete;
  return base::InvalidArgument(fmt::format("op '{}' is not replace, add or delete", op));
}

json RecordsJson(const std::vector<ResourceRecord>& rrs) {
  json out = json::array();
  for (const auto& rr : rrs) {
    if (rr.type == rrtype::kOpt) continue;
    out.push_back({{"name", rr.name.ToText()},
                   {"type", RrTypeName(rr.type)},
                   {"ttl", rr.ttl},
                   {"data", FormatRdataText(rr.type, rr.rdata)}});
  }
  return out;
}

// The smallest TTL of a response's records (for DoH's Cache-Control), or nullopt.
std::optional<uint32_t> MinTtl(ByteSpan response) {
  auto msg = ParseMessage(response);
  if (!msg.ok()) return std::nullopt;
  std::optional<uint32_t> min;
  for (const auto* section : {&msg->answers, &msg->authority}) {
    for (const auto& rr : *section) {
      if (rr.type != rrtype::kOpt) min = std::min(min.value_or(rr.ttl), rr.ttl);
    }
  }
  return min;
}

// A minimal error response (header + question copied) for a query the engine wants forwarded;
// DoH never forwards.
Bytes RefusedFor(ByteSpan query) {
  Bytes out(query.begin(), query.begin() + static_cast<std::ptrdiff_t>(
                                             std::min<size_t>(query.size(), kHeaderSize)));
  auto msg = ParseMessage(query);
  if (msg.ok()) {
    Message reply;
    reply.header = msg->header;
    reply.header.qr = true;
    reply.header.rcode = 5;
    reply.questions = msg->questions;
    return SerializeMessage(reply, kMaxMessageSize, nullptr);
  }
  return out;
}

// The zone's apex as the registry writes names: lower-case dotted text without the trailing dot.
std::string ApexText(const ZoneConfig& zone) {
  std::string apex = zone.apex.ToText();
  if (!apex.empty() && apex.back() == '.') apex.pop_back();
  return apex;
}

}  // namespace

Result<RrsetChange> BuildChange(const ChangeRequest& request) {
  RrsetChange c;
  c.op = request.op;
  HM_ASSIGN_OR_RETURN(c.name, CanonicalOwner(request.name));
  c.type = request.type;
  if (!IsRegistrableType(c.type)) {
    return base::InvalidArgument(fmt::format(
        "type {} cannot be registered (A, AAAA, CNAME, TXT, SRV, CAA, SVCB, HTTPS)",
        RrTypeName(c.type)));
  }
  if (c.op == ChangeOp::kDelete) {
    if (!request.records.empty()) return base::InvalidArgument("delete takes no records");
    c.ttl = 0;
    return c;
  }
  c.ttl = request.ttl;
  if (request.records.empty()) return base::InvalidArgument("records: at least one is needed");
  HM_ASSIGN_OR_RETURN(Name owner, Name::FromText(c.name));
  for (size_t i = 0; i < request.records.size(); ++i) {
    auto rdata = ParseRdataText(c.type, request.records[i]);
    if (!rdata.ok()) return rdata.status().WithContext(fmt::format("records[{}]", i));
    HM_TRY(ValidateRdata(c.type, *rdata).WithContext(fmt::format("records[{}]", i)));
    ResourceRecord rr{owner, c.type, kClassIn, c.ttl, std::move(rdata).value()};
    c.rdatas.push_back(EncodeRdata(rr));
  }
  HM_TRY(c.ValidateContent());
  return c;
}

DnsService::DnsService(const chain::Chain& chain, chain::Sequencer& sequencer,
                       DnsServiceOptions options)
    : chain_(chain),
      sequencer_(sequencer),
      options_(std::move(options)),
      reader_(chain),
      authority_(std::make_unique<Authority>(options_.answer)),
      next_nonce_(static_cast<uint64_t>(options_.clock->NowUnixMillis()) << 16) {}

Result<std::unique_ptr<DnsService>> DnsService::Create(const chain::Chain& chain,
                                                      chain::Sequencer& sequencer,
                                                      DnsServiceOptions options) {
  if (options.zones.empty()) return base::InvalidArgument("dns: no zones configured");
  if (options.clock == nullptr) return base::InvalidArgument("dns: no clock");
  if (!options.issuing_ca_signer) return base::InvalidArgument("dns: no issuing CA signer");
  std::unique_ptr<DnsService> s(new DnsService(chain, sequencer, std::move(options)));
  HM_TRY(s->Reload());
  return s;
}

base::Status DnsService::Reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  HM_ASSIGN_OR_RETURN(auto stored, reader_.All());
  HM_ASSIGN_OR_RETURN(uint64_t changes, reader_.ChangeCount());
  std::vector<RRset> rrsets;
  rrsets.reserve(stored.size());
  for (auto& s : stored) {
    auto owner = Name::FromText(s.name);
    if (!owner.ok()) return base::Corruption(fmt::format("dns: stored owner '{}'", s.name));
    RRset set{std::move(owner).value(), s.type, s.record.ttl, {}};
    for (const auto& rd : s.record.rdatas) {
      auto parsed = ParseRdata(s.type, rd);
      if (!parsed.ok()) return base::Corruption(fmt::format("dns: stored rdata of '{}'", s.name));
      set.rdatas.push_back(std::move(parsed).value());
    }
    rrsets.push_back(std::move(set));
  }
  // SOA serial: one more than the number of changes, so an empty registry starts at 1.
  const auto serial = static_cast<uint32_t>(changes + 1);
  HM_ASSIGN_OR_RETURN(auto zones, ZoneSet::Build(options_.zones, std::move(rrsets), serial));
  authority_->Publish(std::move(zones));
  return base::Status::Ok();
}

uint32_t DnsService::serial() const { return authority_->Current()->serial(); }

base::Status DnsService::CheckServable(const RrsetChange& change) const {
  const std::string_view name = change.name;
  for (const auto& z : options_.zones) {
    const std::string apex = ApexText(z);
    if (name == apex) {
      if (change.type == rrtype::kCname) {
        return base::InvalidArgument(fmt::format(
            "'{}' is a zone apex (it holds the SOA and NS) and cannot be a CNAME", name));
      }
      return base::Status::Ok();
    }
    if (name.size() > apex.size() + 1 && name.substr(name.size() - apex.size()) == apex &&
        name[name.size() - apex.size() - 1] == '.') {
      return base::Status::Ok();
    }
  }
  return base::InvalidArgument(fmt::format("'{}' is not in a zone this node serves", name));
}

void DnsService::Submit(const RrsetChange& change,
                        std::function<void(Result<uint32_t>)> done) {
  sequencer_.Submit(MakeChangeTx(change, next_nonce_.fetch_add(1)),
                    [done = std::move(done)](Result<chain::TxReceipt> r) {
                      if (!r.ok()) return done(r.status());
                      // The module's commit listener reloaded the snapshot before this runs;
                      // the output is the change count after this change.
                      auto count = codec::DecodeU64Value(r->output);
                      done(count.ok() ? static_cast<uint32_t>(*count + 1) : 0u);
                    });
}

base::Status DnsService::SignAsIssuingCa(RrsetChange& change) {
  // The module wants each change of a name later than the previous one (replay guard); two
  // changes within a millisecond, or a clock that stands still, must not collide.
  HM_ASSIGN_OR_RETURN(uint64_t last, reader_.LastChange(change.name));
  uint64_t ts = std::max(static_cast<uint64_t>(options_.clock->NowUnixMillis()), last + 1);
  uint64_t prev = last_signed_ms_.load();
  while (!last_signed_ms_.compare_exchange_weak(prev, std::max(ts, prev + 1))) {
  }
  ts = std::max(ts, prev + 1);
  change.authority = ChangeAuthority::kIssuingCa;
  change.serial.clear();
  change.timestamp_ms = ts;
  change.signature = options_.issuing_ca_signer(change.SigningMessage());
  return base::Status::Ok();
}

Result<uint32_t> DnsService::ChangeAsIssuingCa(RrsetChange change) {
  HM_TRY(SignAsIssuingCa(change));
  std::promise<Result<uint32_t>> promise;
  auto future = promise.get_future();
  Submit(change, [&promise](Result<uint32_t> r) { promise.set_value(std::move(r)); });
  return future.get();
}

base::Status DnsService::RegisterNode(std::string_view label,
                                      const std::array<uint8_t, 16>& address, uint16_t port) {
  const std::string zone = ApexText(options_.zones.front());
  std::vector<RrsetChange> changes;
  for (const std::string& name : {fmt::format("{}.{}", label, zone), "trust." + zone}) {
    HM_ASSIGN_OR_RETURN(Name owner, Name::FromText(name));
    SvcbRecord https;
    https.priority = 1;
    https.params = {{svckey::kAlpn, SvcAlpn{{"h3", "stoq/1"}}},
                    {svckey::kPort, SvcPort{port}},
                    {svckey::kIpv6Hint, SvcIpv6Hint{{address}}}};
    const ResourceRecord wanted[] = {
        {owner, rrtype::kAaaa, kClassIn, kNodeTtl, AaaaRecord{address}},
        {owner, rrtype::kHttps, kClassIn, kNodeTtl, https}};
    for (const auto& rr : wanted) {
      RrsetChange change;
      change.name = name;
      change.type = rr.type;
      change.ttl = rr.ttl;
      change.rdatas = {EncodeRdata(rr)};
      HM_ASSIGN_OR_RETURN(auto existing, reader_.Find(name, rr.type));
      if (existing && existing->ttl == change.ttl && existing->rdatas == change.rdatas) continue;
      HM_TRY(SignAsIssuingCa(change));
      changes.push_back(std::move(change));
    }
  }
  // Submitted together so they share a block; then wait for every one.
  std::vector<std::promise<Result<uint32_t>>> done(changes.size());
  for (size_t i = 0; i < changes.size(); ++i) {
    Submit(changes[i], [&done, i](Result<uint32_t> r) { done[i].set_value(std::move(r)); });
  }
  base::Status first_error;
  for (size_t i = 0; i < changes.size(); ++i) {
    auto r = done[i].get_future().get();
    if (!r.ok() && first_error.ok()) {
      first_error = r.status().WithContext(
          fmt::format("registering {} {}", changes[i].name, RrTypeName(changes[i].type)));
    }
  }
  return first_error;
}

// ---- HTTP API

class DnsService::Api {
 public:
  explicit Api(DnsService& s) : s_(s) {}

  void PostRecords(const api::Request& req, api::Responder respond) {
    auto change = ParseChange(req);
    if (!change.ok()) return respond(api::ErrorResponse(change.status()));
    json answer = {{"name", change->name},
                   {"type", RrTypeName(change->type)},
                   {"op", change->op == ChangeOp::kDelete ? "delete"
                          : change->op == ChangeOp::kAdd  ? "add"
                                                          : "replace"}};
    s_.Submit(*change, [this, answer, name = change->name, type = change->type,
                        respond = std::move(respond)](Result<uint32_t> serial) mutable {
      if (!serial.ok()) return respond(api::ErrorResponse(serial.status()));
      auto record = s_.reader_.Find(name, type);
      if (!record.ok()) return respond(api::ErrorResponse(record.status()));
      json records = json::array();
      if (record->has_value()) {
        answer["ttl"] = (*record)->ttl;
        for (const auto& rd : (*record)->rdatas) {
          auto parsed = ParseRdata(type, rd);
          if (parsed.ok()) records.push_back(FormatRdataText(type, *parsed));
        }
      }
      answer["records"] = std::move(records);
      answer["serial"] = *serial;
      auto head = s_.chain_.head();
      answer["height"] = head.height;
      respond(api::Response::Json(200, answer));
    });
  }

  api::Response Resolve(const api::Request& req) const {
    auto name = Name::FromText(req.PathParam("name"));
    if (!name.ok()) return api::ErrorResponse(name.status().WithContext("name"));
    uint16_t type = rrtype::kAaaa;
    if (auto t = req.Query("type")) {
      auto parsed = ParseRrType(*t);
      if (!parsed.ok()) return api::ErrorResponse(parsed.status().WithContext("type"));
      type = *parsed;
    }
    auto msg = s_.authority_->Resolve(*name, type);
    if (!msg.ok()) return api::ErrorResponse(msg.status());
    return api::Response::Json(200, {{"name", name->ToText()},
                                     {"type", RrTypeName(type)},
                                     {"rcode", RcodeName(msg->header.rcode)},
                                     {"authoritative", msg->header.aa},
                                     {"serial", s_.serial()},
                                     {"answers", RecordsJson(msg->answers)},
                                     {"authority", RecordsJson(msg->authority)}});
  }

  api::Response DohGet(const api::Request& req) const {
    auto param = req.Query("dns");
    if (!param) return api::ErrorResponse(base::InvalidArgument("missing 'dns' query parameter"));
    auto query = base::Base64UrlDecode(*param);
    if (!query.ok()) {
      return api::ErrorResponse(base::InvalidArgument("'dns' is not base64url without padding"));
    }
    return Doh(*query);
  }

  api::Response DohPost(const api::Request& req) const {
    const std::string_view type = req.Header("Content-Type");
    if (type.substr(0, type.find(';')) != "application/dns-message") {
      return api::ErrorResponse(
          api::UnsupportedMediaType("DNS over HTTPS takes Content-Type application/dns-message"));
    }
    return Doh(ByteSpan(reinterpret_cast<const uint8_t*>(req.body.data()), req.body.size()));
  }

 private:
  api::Response Doh(ByteSpan query) const {
    if (query.size() > kMaxMessageSize) return api::PayloadTooLarge(kMaxMessageSize);
    std::vector<uint8_t> out(kMaxMessageSize);
    const AnswerResult r = s_.authority_->Answer(query, Transport::kStream, out);
    Bytes body;
    switch (r.action) {
      case AnswerResult::Action::kDrop:
        return api::ErrorResponse(base::InvalidArgument("not a DNS query"));
      case AnswerResult::Action::kForward:
        body = RefusedFor(query);
        break;
      case AnswerResult::Action::kReply:
        body.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(r.size));
        break;
    }
    api::Response resp;
    resp.status = 200;
    resp.content_type = "application/dns-message";
    resp.body.assign(body.begin(), body.end());
    if (auto ttl = MinTtl(body)) resp.AddHeader("Cache-Control", fmt::format("max-age={}", *ttl));
    return resp;
  }

  Result<RrsetChange> ParseChange(const api::Request& req) const {
    HM_ASSIGN_OR_RETURN(json body, api::ParseJsonBody(req));
    ChangeRequest cr;
    auto str = [&](const char* key) -> Result<std::optional<std::string>> {
      auto it = body.find(key);
      if (it == body.end()) return std::optional<std::string>();
      if (!it->is_string()) return base::InvalidArgument(fmt::format("'{}' must be a string", key));
      return std::optional<std::string>(it->get<std::string>());
    };
    HM_ASSIGN_OR_RETURN(auto name, str("name"));
    if (!name) return base::InvalidArgument("'name' is required");
    cr.name = *name;
    HM_ASSIGN_OR_RETURN(auto type, str("type"));
    if (!type) return base::InvalidArgument("'type' is required");
    HM_ASSIGN_OR_RETURN(cr.type, ParseRrType(*type));
    HM_ASSIGN_OR_RETURN(auto op, str("op"));
    if (op) {
      HM_ASSIGN_OR_RETURN(cr.op, ParseOp(*op));
    }
    if (auto it = body.find("ttl"); it != body.end()) {
      if (!it->is_number_unsigned() || it->get<uint64_t>() > kMaxTtl) {
        return base::InvalidArgument(fmt::format("'ttl' must be an integer 0..{}", kMaxTtl));
      }
      cr.ttl = static_cast<uint32_t>(it->get<uint64_t>());
    }
    if (auto it = body.find("records"); it != body.end()) {
      if (!it->is_array()) return base::InvalidArgument("'records' must be an array of strings");
      for (const auto& r : *it) {
        if (!r.is_string()) return base::InvalidArgument("'records' must be an array of strings");
        cr.records.push_back(r.get<std::string>());
      }
    }
    HM_ASSIGN_OR_RETURN(RrsetChange change, BuildChange(cr));
    HM_TRY(s_.CheckServable(change));
    if (req.HasHeader("Authorization")) {
      HM_TRY(api::CheckAdminToken(req, s_.options_.admin_token));
      HM_TRY(s_.SignAsIssuingCa(change));
      return change;
    }
    HM_ASSIGN_OR_RETURN(auto serial, str("serial"));
    HM_ASSIGN_OR_RETURN(auto signature, str("signature"));
    if (!serial || !signature) {
      return base::PermissionDenied(
          "a record change needs 'serial' and 'signature' (by a TrustChain certificate covering "
          "the name, docs/spec/dns-registry.md) or the admin credential");
    }
    auto it = body.find("timestamp_ms");
    if (it == body.end() || !it->is_number_unsigned()) {
      return base::InvalidArgument("'timestamp_ms' (the signing time) is required with a signature");
    }
    change.timestamp_ms = it->get<uint64_t>();
    change.authority = ChangeAuthority::kCertificateKey;
    HM_ASSIGN_OR_RETURN(change.serial, ca::ParseSerialHex(*serial));
    auto sig = base::Base64Decode(*signature);
    if (!sig.ok()) return base::InvalidArgument("'signature' is not base64");
    change.signature = std::move(sig).value();
    // The module decides (certificate, coverage, signature, replay); checking the signature here
    // too gives the requester a 403 without a round trip through the sequencer.
    return change;
  }

  DnsService& s_;
};

base::Status DnsService::RegisterRoutes(api::Router& router) {
  auto api = std::make_shared<Api>(*this);
  HM_TRY(router.AddAsync(
      "POST", "/api/v1/dns/records",
      [api](const api::Request& r, api::Responder respond) {
        api->PostRecords(r, std::move(respond));
      },
      {kMaxRecordsBody}));
  HM_TRY(router.Add("GET", "/api/v1/dns/resolve/{name}",
                    [api](const api::Request& r) { return api->Resolve(r); }));
  HM_TRY(router.Add("GET", "/dns-query", [api](const api::Request& r) { return api->DohGet(r); }));
  HM_TRY(router.Add(
      "POST", "/dns-query", [api](const api::Request& r) { return api->DohPost(r); },
      {kMaxMessageSize}));
  return base::Status::Ok();
}

}  // namespace hm::trustchain::dns
