#include "cli/dns_commands.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <cmath>
#include <cstdio>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "cli/command_support.h"
#include "net/address.h"
#include "stoq/doq.h"
#include "trustchain/dns/message.h"
#include "trustchain/dns/registry/dns_module.h"
#include "trustchain/dns/registry/rdata_text.h"

namespace hm::cli {
namespace {

namespace dns = trustchain::dns;
using nlohmann::json;

// The API's op names (dns_service.cc accepts the same).
const char* OpName(dns::ChangeOp op) {
  switch (op) {
    case dns::ChangeOp::kAdd:
      return "add";
    case dns::ChangeOp::kDelete:
      return "delete";
    case dns::ChangeOp::kReplace:
      break;
  }
  return "replace";
}

// RFC 3986 percent-encoding of everything but unreserved characters, so that any name stays one
// path segment ('/', '*', '%' included); the node decodes path parameters.
std::string PercentEncode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

// ---- hm dns set | add | rm ----

struct ChangeOptions {
  dns::ChangeOp op = dns::ChangeOp::kReplace;
  std::string name, type;
  std::vector<std::string> records;
  int64_t ttl = 300;  // wider than u32 so that a negative or huge value gets a clear message
  std::string cert, key, token_file;
};

base::Result<dns::ChangeRequest> MakeRequest(const ChangeOptions& o) {
  dns::ChangeRequest r;
  r.op = o.op;
  r.name = o.name;
  HM_ASSIGN_OR_RETURN(r.type, dns::ParseRrType(o.type));
  if (o.ttl < 0 || o.ttl > dns::kMaxTtl) {
    return Usage(fmt::format("--ttl {} is outside 0..{}", o.ttl, dns::kMaxTtl));
  }
  r.ttl = static_cast<uint32_t>(o.ttl);
  r.records = o.records;
  if (o.op != dns::ChangeOp::kDelete && r.records.empty()) {
    return Usage(
        "give at least one RECORD in presentation format, e.g. 2001:db8::1, or for HTTPS "
        "'1 . alpn=h3 port=8443' (one argument per record)");
  }
  return r;
}

base::Status CheckAuthFlags(const ChangeOptions& o) {
  if (!o.key.empty() && o.cert.empty()) return Usage("--key needs --cert");
  if (!o.cert.empty() && o.key.empty()) {
    return Usage("--cert needs --key (the certificate's private key signs the change)");
  }
  if (o.cert.empty() == o.token_file.empty()) {
    return Usage(
        "authorise with exactly one of --cert with --key (a TrustChain certificate covering the "
        "name) or --admin-token-file");
  }
  return base::Status::Ok();
}

// j[key] when j is an object holding an array there, else an empty array: the answer is printed
// without trusting its shape (json::value would abort on a non-object).
json ArrayField(const json& j, const char* key) {
  if (j.is_object()) {
    auto it = j.find(key);
    if (it != j.end() && it->is_array()) return *it;
  }
  return json::array();
}

base::Status RunChange(const GlobalFlags& flags, const ChangeOptions& o) {
  HM_TRY(CheckAuthFlags(o));
  HM_ASSIGN_OR_RETURN(const dns::ChangeRequest request, MakeRequest(o));
  json body;
  std::vector<std::pair<std::string, std::string>> headers;
  if (!o.cert.empty()) {
    HM_ASSIGN_OR_RETURN(const LeafCert cert, ReadCertFile(o.cert));
    HM_ASSIGN_OR_RETURN(const LeafKey key, LoadLeafKey(o.key));
    HM_TRY(CheckKeyMatches(key, cert, o.key, o.cert));
    const ChangeSigner signer{key, cert,
                              static_cast<uint64_t>(base::SystemClock::Instance().NowUnixMillis())};
    HM_ASSIGN_OR_RETURN(body, BuildChangeBody(request, &signer));
  } else {
    HM_ASSIGN_OR_RETURN(body, BuildChangeBody(request, nullptr));
    HM_ASSIGN_OR_RETURN(std::string token, ReadAdminToken(o.token_file));
    headers.emplace_back("Authorization", "Bearer " + token);
    OPENSSL_cleanse(token.data(), token.size());
  }
  auto answer = CallJson(flags, "POST", "/api/v1/dns/records", body.dump(), headers);
  for (auto& [name, value] : headers) OPENSSL_cleanse(value.data(), value.size());
  if (!answer.ok()) {
    return Failed(fmt::format("{} {} {} at {}", OpName(o.op), body.value("name", o.name),
                              body.value("type", o.type), flags.node),
                  answer.status());
  }
  if (flags.json) {
    std::printf("%s\n", answer->dump(2).c_str());
  } else {
    std::fputs(FormatChangeAnswer(*answer).c_str(), stdout);
  }
  return base::Status::Ok();
}

void AddChange(CLI::App* parent, GlobalFlags& flags, int& exit_code, dns::ChangeOp op,
               const char* verb, const char* description) {
  auto o = std::make_shared<ChangeOptions>();
  o->op = op;
  auto* cmd = parent->add_subcommand(verb, description);
  cmd->add_option("name", o->name, "owner name, e.g. app.hypermesh or _8443._https.app.hypermesh")
      ->required();
  cmd->add_option("type", o->type, "record type: A, AAAA, CNAME, TXT, SRV, CAA, SVCB or HTTPS")
      ->required();
  if (op != dns::ChangeOp::kDelete) {
    cmd->add_option("records", o->records,
                    "record data in presentation format, one argument per record, e.g. "
                    "2001:db8::1 or '1 . alpn=h3,stoq port=8443' (put -- before data that "
                    "starts with '-')");
    cmd->add_option("--ttl", o->ttl, "TTL in seconds, 0..604800 (default 300)");
  }
  cmd->add_option("--cert", o->cert,
                  "TrustChain certificate PEM whose names cover NAME: its key signs the change");
  cmd->add_option("--key", o->key, "the certificate's private key PEM (mode 0600)");
  cmd->add_option("--admin-token-file", o->token_file,
                  "file holding the node's admin token (keys/admin.token, mode 0600)");
  const std::string command = std::string("dns ") + verb;
  cmd->callback([o, command, &flags, &exit_code] {
    Report(command.c_str(), RunChange(flags, *o), exit_code);
  });
}

// ---- hm dns get ----

struct GetOptions {
  std::string name, type = "AAAA";
};

base::Status RunGet(const GlobalFlags& flags, const GetOptions& o) {
  HM_ASSIGN_OR_RETURN(const uint16_t type, dns::ParseRrType(o.type));
  if (auto name = dns::Name::FromText(o.name); !name.ok()) {
    return Usage(fmt::format("name \"{}\": {}", o.name, name.status().message()));
  }
  const std::string type_name = dns::RrTypeName(type);
  auto answer = CallJson(flags, "GET", ResolveTarget(o.name, type_name));
  if (!answer.ok()) {
    return Failed(fmt::format("resolving {} {} at {}", o.name, type_name, flags.node),
                  answer.status());
  }
  if (flags.json) {
    std::printf("%s\n", answer->dump(2).c_str());
  } else {
    std::fputs(FormatResolveAnswer(*answer).c_str(), stdout);
  }
  return base::Status::Ok();
}

void AddGet(CLI::App* parent, GlobalFlags& flags, int& exit_code) {
  auto o = std::make_shared<GetOptions>();
  auto* cmd = parent->add_subcommand(
      "get", "ask the node for its authoritative answer (exit 0 also for NXDOMAIN)");
  cmd->add_option("name", o->name, "name to look up, e.g. app.hypermesh")->required();
  cmd->add_option("type", o->type, "record type, any mnemonic or TYPEnnn (default AAAA)");
  cmd->callback([o, &flags, &exit_code] { Report("dns get", RunGet(flags, *o), exit_code); });
}

// ---- hm dns query ----

struct QueryOptions {
  std::string name, type = "AAAA";
  bool doq = false;  // the only transport so far; accepted so scripts can say what they mean
  std::string server, cacert, server_name;
  bool insecure = false, short_form = false;
  double timeout_s = 10;
};

const char* RcodeName(uint16_t rcode) {
  static constexpr const char* kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                           "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                           "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (rcode < std::size(kNames)) return kNames[rcode];
  return rcode == dns::rcode::kBadVers ? "BADVERS" : nullptr;
}

std::string ClassName(uint16_t c) {
  switch (c) {
    case dns::kClassIn:
      return "IN";
    case 3:
      return "CH";
    case 4:
      return "HS";
    case dns::kClassAny:
      return "ANY";
    default:
      return fmt::format("CLASS{}", c);
  }
}

base::Status RunQuery(const GlobalFlags& flags, const QueryOptions& o) {
  HM_ASSIGN_OR_RETURN(const uint16_t type, dns::ParseRrType(o.type));
  auto query = BuildDnsQuery(o.name, type);
  if (!query.ok()) return Usage(std::string(query.status().message()));
  if (!(o.timeout_s > 0) || o.timeout_s > 3600) {
    return Usage("--timeout must be a number of seconds between 0 and 3600");
  }
  // DoQ shares the API's port number: the global --node is the default server.
  std::string_view server = o.server.empty() ? std::string_view(flags.node) : o.server;
  if (server.starts_with("https://")) server.remove_prefix(8);
  if (!server.empty() && server.back() == '/') server.remove_suffix(1);
  auto hp = net::SplitHostPort(server);
  if (!hp.ok()) return Usage(fmt::format("--server '{}': {}", server, hp.status().message()));
  if (net::IsIpv4Literal(hp->first)) {
    return net::Ipv4NotSupported(hp->first).WithContext("--server");
  }
  const std::string ca = o.insecure ? "" : (o.cacert.empty() ? flags.cacert : o.cacert);
  if (!o.insecure && ca.empty()) {
    return Usage(
        "no CA certificate to verify the server with: use --cacert FILE (the node's "
        "hm-data/tls/root.pem) or -k");
  }
  auto cred = stoq::TlsCredentials::ForClient(ca, "", "");
  if (!cred.ok()) return Usage(std::string(cred.status().message()));
  stoq::ClientOptions co;
  co.host = hp->first;
  co.port = hp->second;
  co.server_name = o.server_name;
  co.credentials = std::move(cred).value();
  const auto timeout =
      std::chrono::milliseconds(static_cast<int64_t>(std::ceil(o.timeout_s * 1000)));
  const std::string where = fmt::format("[{}]:{}", co.host, co.port);
  auto response = stoq::DoqQuery(co, *query, timeout);
  if (!response.ok()) {
    return Failed(fmt::format("DoQ query {} {} to {}", o.name, dns::RrTypeName(type), where),
                  response.status());
  }
  auto message = dns::ParseMessage(*response);
  if (!message.ok()) {
    return Failed(fmt::format("the DoQ response from {}", where),
                  base::InvalidArgument(
                      fmt::format("malformed DNS message ({})", message.status().message())));
  }
  std::string text = FormatDnsMessage(*message, o.short_form);
  if (!o.short_form) {
    text += fmt::format(";; SERVER: {} (DNS over QUIC), {} bytes\n", where, response->size());
  }
  std::fputs(text.c_str(), stdout);
  return base::Status::Ok();
}

void AddQuery(CLI::App* parent, GlobalFlags& flags, int& exit_code) {
  auto o = std::make_shared<QueryOptions>();
  auto* cmd = parent->add_subcommand(
      "query", "send one DNS query over QUIC (RFC 9250) and print the answer dig-style");
  cmd->add_option("name", o->name, "name to look up, e.g. app.hypermesh")->required();
  cmd->add_option("type", o->type, "record type, any mnemonic or TYPEnnn (default AAAA)");
  cmd->add_flag("--doq", o->doq, "DNS over QUIC (the default and, for now, only transport)");
  cmd->add_option("--server", o->server,
                  "DoQ server HOST:PORT, e.g. [::1]:8443 (default: the global --node; DoQ shares "
                  "the API port over UDP)");
  cmd->add_option("--cacert", o->cacert,
                  "CA certificate PEM to verify the server with (default: the global --cacert, "
                  "$HM_CACERT, ./hm-data/tls/root.pem)");
  cmd->add_flag("-k,--insecure", o->insecure, "do not verify the server's certificate");
  cmd->add_option("--server-name", o->server_name,
                  "name to verify in the server's certificate (default: the server's host)");
  cmd->add_flag("--short", o->short_form, "print only the answers' data, one per line");
  cmd->add_option("--timeout", o->timeout_s, "seconds for the whole exchange (default 10)");
  cmd->callback([o, &flags, &exit_code] { Report("dns query", RunQuery(flags, *o), exit_code); });
}

}  // namespace

base::Result<base::Bytes> BuildDnsQuery(std::string_view name, uint16_t type) {
  auto qname = dns::Name::FromText(name);
  if (!qname.ok()) {
    return base::InvalidArgument(fmt::format("name \"{}\": {}", name, qname.status().message()));
  }
  dns::Message q;
  q.header.id = 0;
  q.questions.push_back({std::move(qname).value(), type, dns::kClassIn});
  dns::ResourceRecord opt;
  opt.type = dns::rrtype::kOpt;
  opt.rdata = dns::OptRecord{};
  q.additional.push_back(std::move(opt));
  return dns::SerializeMessage(q, dns::kMaxMessageSize, nullptr);
}

std::string FormatDnsMessage(const dns::Message& m, bool short_form) {
  const auto record = [](const dns::ResourceRecord& rr) {
    return fmt::format("{}\t{}\t{}\t{}\t{}\n", rr.name.ToText(), rr.ttl, ClassName(rr.rclass),
                       dns::RrTypeName(rr.type), dns::FormatRdataText(rr.type, rr.rdata));
  };
  std::string out;
  if (short_form) {
    for (const auto& rr : m.answers) out += dns::FormatRdataText(rr.type, rr.rdata) + "\n";
    return out;
  }
  const dns::OptRecord* edns = m.Edns();
  const uint16_t rcode =
      static_cast<uint16_t>((edns != nullptr ? edns->extended_rcode << 4 : 0) | m.header.rcode);
  const char* rcode_name = RcodeName(rcode);
  const dns::Header& h = m.header;
  std::string flags;
  const std::pair<bool, const char*> bits[] = {{h.qr, "qr"}, {h.aa, "aa"}, {h.tc, "tc"},
                                               {h.rd, "rd"}, {h.ra, "ra"}, {h.ad, "ad"},
                                               {h.cd, "cd"}};
  for (const auto& [on, name] : bits) {
    if (on) flags += fmt::format("{}{}", flags.empty() ? "" : " ", name);
  }
  const size_t additional = m.additional.size();
  out += fmt::format(
      ";; ->>HEADER<<- opcode: {}, status: {}, id: {}\n",
      h.opcode == 0 ? std::string("QUERY") : fmt::format("OPCODE{}", h.opcode),
      rcode_name != nullptr ? std::string(rcode_name) : fmt::format("RCODE{}", rcode), h.id);
  out += fmt::format(";; flags: {}; QUERY: {}, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}\n", flags,
                     m.questions.size(), m.answers.size(), m.authority.size(), additional);
  if (edns != nullptr) {
    out += fmt::format(";; EDNS: version: {}, flags:{}; udp: {}\n", edns->version,
                       edns->dnssec_ok ? " do" : "", edns->udp_payload_size);
  }
  out += "\n;; QUESTION SECTION:\n";
  for (const auto& q : m.questions) {
    out += fmt::format(";{}\t\t{}\t{}\n", q.name.ToText(), ClassName(q.qclass),
                       dns::RrTypeName(q.type));
  }
  const auto section = [&](const char* title, const std::vector<dns::ResourceRecord>& rrs) {
    std::string lines;
    for (const auto& rr : rrs) {
      if (rr.type != dns::rrtype::kOpt) lines += record(rr);
    }
    if (!lines.empty()) out += fmt::format("\n;; {} SECTION:\n{}", title, lines);
  };
  section("ANSWER", m.answers);
  section("AUTHORITY", m.authority);
  section("ADDITIONAL", m.additional);
  out += "\n";
  return out;
}

base::Result<json> BuildChangeBody(const dns::ChangeRequest& request, const ChangeSigner* signer) {
  auto built = dns::BuildChange(request);
  if (!built.ok()) {
    return Usage(fmt::format("{} {}: {}", request.name, dns::RrTypeName(request.type),
                             built.status().message()));
  }
  dns::RrsetChange change = std::move(built).value();
  // The node rebuilds the change from exactly these fields, so they must be the ones signed.
  json body = {{"op", OpName(change.op)},
               {"name", change.name},
               {"type", dns::RrTypeName(change.type)},
               {"ttl", change.ttl},
               {"records", request.records}};
  if (signer == nullptr) return body;
  change.authority = dns::ChangeAuthority::kCertificateKey;
  change.timestamp_ms = signer->timestamp_ms;
  change.serial = signer->cert.serial;
  auto sig = SignWithLeafKey(signer->key, change.SigningMessage());
  if (!sig.ok()) return sig.status().WithContext("signing the change");
  body["timestamp_ms"] = change.timestamp_ms;
  body["serial"] = SerialHex(change.serial);
  body["signature"] = base::Base64Encode(*sig);
  return body;
}

std::string FormatChangeAnswer(const json& answer) {
  std::string out = fmt::format("name        {}\ntype        {}\nttl         {}\n",
                                Str(answer, "name"), Str(answer, "type"), Str(answer, "ttl"));
  const json records = ArrayField(answer, "records");
  if (records.empty()) out += "records     (none)\n";
  for (size_t i = 0; i < records.size(); ++i) {
    out += fmt::format("{}{}\n", i == 0 ? "records     " : "            ",
                       records[i].is_string() ? records[i].get<std::string>() : records[i].dump());
  }
  out +=
      fmt::format("zone serial {}\nheight      {}\n", Str(answer, "serial"), Str(answer, "height"));
  return out;
}

std::string FormatResolveAnswer(const json& answer) {
  std::string out = fmt::format(";; {} {}: {}{}, zone serial {}\n", Str(answer, "name"),
                                Str(answer, "type"), Str(answer, "rcode"),
                                Str(answer, "authoritative") == "true" ? ", authoritative" : "",
                                Str(answer, "serial"));
  const auto section = [&out](const json& rrs) {
    for (const json& rr : rrs) {
      out += fmt::format("{} {} {} {}\n", Str(rr, "name"), Str(rr, "ttl"), Str(rr, "type"),
                         Str(rr, "data"));
    }
  };
  section(ArrayField(answer, "answers"));
  const json authority = ArrayField(answer, "authority");
  if (!authority.empty()) {
    out += ";; authority\n";
    section(authority);
  }
  return out;
}

std::string ResolveTarget(std::string_view name, std::string_view type) {
  return "/api/v1/dns/resolve/" + PercentEncode(name) + "?type=" + PercentEncode(type);
}

void AddDnsCommands(CLI::App& app, GlobalFlags& flags, int& exit_code) {
  auto* dns_cmd = app.add_subcommand(
      "dns",
      "records in the node's TrustChain DNS: set, add, rm (signed changes), get, and query "
      "(DNS over QUIC)");
  dns_cmd->require_subcommand(1);
  // Lets the global flags follow the subcommand (`hm dns get app.hypermesh --json`).
  dns_cmd->fallthrough();
  AddChange(dns_cmd, flags, exit_code, dns::ChangeOp::kReplace, "set",
            "replace the RRset NAME TYPE with the given records");
  AddChange(dns_cmd, flags, exit_code, dns::ChangeOp::kAdd, "add",
            "add records to the RRset NAME TYPE (records already there are kept once)");
  AddChange(dns_cmd, flags, exit_code, dns::ChangeOp::kDelete, "rm",
            "delete the whole RRset NAME TYPE");
  AddGet(dns_cmd, flags, exit_code);
  AddQuery(dns_cmd, flags, exit_code);
}

}  // namespace hm::cli
