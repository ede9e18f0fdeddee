#include "cli/dns_commands.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "cli/command_support.h"
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

}  // namespace

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
      "dns", "records in the node's TrustChain DNS: set, add, rm (signed changes) and get");
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
}

}  // namespace hm::cli
