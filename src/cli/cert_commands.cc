#include "cli/cert_commands.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <thread>

#include "base/check.h"
#include "cli/command_support.h"
#include "crypto/falcon/falcon.h"
#include "crypto/hybrid/pq_keys.h"
#include "crypto/key_file.h"
#include "crypto/secure_random.h"
#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/ca_module.h"
#include "trustchain/ca/revocation.h"
#include "trustchain/ca/csr_builder.h"

namespace hm::cli {
namespace {

namespace hy = crypto::hybrid;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// Output files are written only after the node has issued: check their directories first.
base::Status CheckOutputDir(const std::string& path, std::string_view flag) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!std::filesystem::is_directory(dir, ec)) {
    return Usage(fmt::format("{} {}: directory {} does not exist", flag, path, dir.string()));
  }
  return base::Status::Ok();
}

// ---- shared steps ----

void Note(const GlobalFlags& flags, const std::string& line) {
  std::fprintf(flags.json ? stderr : stdout, "%s\n", line.c_str());
}

// The Falcon-1024 public key of the secret key in `path`.
base::Result<base::Bytes> LoadFalconPublicKey(const std::string& path) {
  auto file = crypto::ReadSecretFile(path);
  if (!file.ok()) {
    return Usage(fmt::format("cannot read Falcon key: {}", file.status().message()));
  }
  auto sk = hy::SecretKeyFromPem(hy::Algorithm::kFalcon1024, base::AsString(*file));
  OPENSSL_cleanse(file->data(), file->size());
  if (!sk.ok()) return Usage(fmt::format("{}: {}", path, sk.status().message()));
  auto pk = hy::PublicKeyFromSecretKey(hy::Algorithm::kFalcon1024, *sk);
  OPENSSL_cleanse(sk->data(), sk->size());
  if (!pk.ok()) return Usage(fmt::format("{}: {}", path, pk.status().message()));
  return pk;
}

struct Issued {
  nlohmann::json answer;
  LeafCert cert;
};

// POST the CSR; checks that the answer is a certificate for `key`, then writes --out / chain.
base::Result<Issued> RequestAndWrite(const GlobalFlags& flags, const std::string& csr_pem,
                                     int validity_hours, const LeafKey& key, const std::string& out,
                                     const std::string& chain_out) {
  nlohmann::json body = {{"csr", csr_pem}};
  if (validity_hours > 0) body["validity_hours"] = validity_hours;
  auto answer = CallJson(flags, "POST", "/api/v1/certificates/issue", body.dump());
  if (!answer.ok()) return Failed("issuing at " + flags.node, answer.status());
  Issued r{std::move(answer).value(), {}};
  if (!r.answer.is_object() || !r.answer.contains("certificate") ||
      !r.answer["certificate"].is_string()) {
    return base::Aborted("node answer has no \"certificate\"");
  }
  std::string pem = r.answer["certificate"].get<std::string>();
  auto cert = ParseLeafCertPem(pem);
  if (!cert.ok()) return Failed("certificate in the node's answer", cert.status());
  if (cert->spki_der != SpkiDer(key.pkey.get())) {
    return base::Aborted("the node returned a certificate for a different key");
  }
  r.cert = std::move(cert).value();
  if (!pem.ends_with('\n')) pem.push_back('\n');
  if (auto s = crypto::WritePublicFile(out, base::AsBytes(pem)); !s.ok()) {
    return Failed("writing the certificate", s);
  }
  if (!chain_out.empty()) {
    const std::string chain = r.answer.contains("chain") && r.answer["chain"].is_string()
                                  ? r.answer["chain"].get<std::string>()
                                  : std::string();
    if (chain.empty()) {
      return base::Aborted("node answer has no \"chain\"; --chain-out not written");
    }
    if (auto s = crypto::WritePublicFile(chain_out, base::AsBytes(chain)); !s.ok()) {
      return Failed("writing the chain", s);
    }
  }
  return r;
}

base::Status CheckValidityHours(int hours) {
  if (hours == 0 || hours < -1) return Usage("--validity-hours must be at least 1");
  return base::Status::Ok();
}

// ---- hm cert issue ----

struct IssueOptions {
  std::vector<std::string> names, ips;
  std::string key_type, out, key, chain_out, csr_out;
  bool falcon = false;
  int validity_hours = -1;  // -1 = the node's default
};

std::string DefaultKeyPath(const std::string& out) {
  std::string base = out;
  if (base.ends_with(".pem")) base.resize(base.size() - 4);
  return base + ".key";
}

struct NewSecretFile {
  std::string path;
  std::string pem;  // secret; wiped by the destructor
  ~NewSecretFile() { OPENSSL_cleanse(pem.data(), pem.size()); }
};

// The existing key at `path`, or a new one whose file is written only once the CSR is built
// (a rejected name leaves no stray key behind).
base::Result<LeafKey> LoadOrCreateKey(const GlobalFlags& flags, const IssueOptions& o,
                                      std::optional<NewSecretFile>& to_write) {
  std::optional<LeafKeyType> wanted;
  if (o.key_type == "p256") wanted = LeafKeyType::kP256;
  if (o.key_type == "ed25519") wanted = LeafKeyType::kEd25519;
  if (!o.key_type.empty() && !wanted) {
    return Usage(fmt::format("unknown --key-type \"{}\" (choose p256 or ed25519)", o.key_type));
  }
  if (Exists(o.key)) {
    HM_ASSIGN_OR_RETURN(LeafKey key, LoadLeafKey(o.key));
    if (wanted && *wanted != key.type) {
      return Usage(fmt::format("--key-type {} but the existing key {} is {}", o.key_type, o.key,
                               key.type == LeafKeyType::kP256 ? "P-256" : "Ed25519"));
    }
    Note(flags, fmt::format("using existing key {}", o.key));
    return key;
  }
  LeafKey key = GenerateLeafKey(wanted.value_or(LeafKeyType::kP256));
  HM_ASSIGN_OR_RETURN(std::string pem, LeafKeyPem(key));
  to_write.emplace();
  to_write->path = o.key;
  to_write->pem = std::move(pem);
  return key;
}

// The Falcon-1024 public key of <key>.falcon.pem, or of a new key to be written there.
base::Result<base::Bytes> LoadOrCreateFalcon(const GlobalFlags& flags, const std::string& path,
                                             std::optional<NewSecretFile>& to_write) {
  if (Exists(path)) {
    Note(flags, fmt::format("using existing Falcon-1024 key {}", path));
    return LoadFalconPublicKey(path);
  }
  crypto::SecureRandom random;
  auto pair = crypto::falcon::KeyGen(crypto::falcon::Variant::kFalcon1024, random);
  if (!pair.ok()) return Failed("Falcon-1024 key generation", pair.status());
  auto pem = hy::SecretKeyToPem(hy::Algorithm::kFalcon1024, pair->secret_key);
  OPENSSL_cleanse(pair->secret_key.data(), pair->secret_key.size());
  if (!pem.ok()) return Failed("encoding the Falcon key", pem.status());
  to_write.emplace();
  to_write->path = path;
  to_write->pem = std::move(pem).value();
  return std::move(pair->public_key);
}

base::Status WriteNewSecret(const GlobalFlags& flags, const std::optional<NewSecretFile>& file,
                            std::string_view what) {
  if (!file) return base::Status::Ok();
  if (auto s = crypto::WriteSecretFile(file->path, base::AsBytes(file->pem)); !s.ok()) {
    return Failed(fmt::format("writing the {} key", what), s);
  }
  Note(flags, fmt::format("generated {} key {} (mode 0600)", what, file->path));
  return base::Status::Ok();
}

base::Status RunIssue(const GlobalFlags& flags, IssueOptions o) {
  if (o.names.empty() && o.ips.empty()) return Usage("give at least one --name (or --ip)");
  if (o.out.empty() && o.csr_out.empty()) return Usage("--out (or --csr-out) is required");
  if (o.out.empty() && o.key.empty()) return Usage("--csr-out without --out needs --key");
  HM_TRY(CheckValidityHours(o.validity_hours));
  if (o.key.empty()) o.key = DefaultKeyPath(o.out);
  if (o.key == o.out || o.key == o.chain_out || (!o.chain_out.empty() && o.out == o.chain_out)) {
    return Usage("--out, --key and --chain-out must be different files");
  }
  if (!o.out.empty()) HM_TRY(CheckOutputDir(o.out, "--out"));
  if (!o.csr_out.empty()) HM_TRY(CheckOutputDir(o.csr_out, "--csr-out"));
  HM_TRY(CheckOutputDir(o.key, "--key"));
  if (!o.chain_out.empty()) HM_TRY(CheckOutputDir(o.chain_out, "--chain-out"));
  std::optional<NewSecretFile> new_key, new_falcon;
  HM_ASSIGN_OR_RETURN(LeafKey key, LoadOrCreateKey(flags, o, new_key));
  std::optional<base::Bytes> falcon_pk;
  if (o.falcon) {
    HM_ASSIGN_OR_RETURN(falcon_pk, LoadOrCreateFalcon(flags, o.key + ".falcon.pem", new_falcon));
  }
  auto csr = trustchain::ca::BuildCsrPem(key.pkey.get(), o.names, o.ips, falcon_pk);
  if (!csr.ok()) return Usage(std::string(csr.status().message()));
  // Written before the request: if the node fails, the next attempt reuses them.
  HM_TRY(
      WriteNewSecret(flags, new_key, key.type == LeafKeyType::kP256 ? "ECDSA P-256" : "Ed25519"));
  HM_TRY(WriteNewSecret(flags, new_falcon, "Falcon-1024"));
  if (!o.csr_out.empty()) {
    if (auto st = crypto::WritePublicFile(o.csr_out, base::AsBytes(*csr)); !st.ok()) {
      return Failed("writing the CSR", st);
    }
    Note(flags, fmt::format("wrote the CSR {}", o.csr_out));
    if (o.out.empty()) return base::Status::Ok();  // offline: submit it with any HTTP client
  }
  HM_ASSIGN_OR_RETURN(Issued r,
                      RequestAndWrite(flags, *csr, o.validity_hours, key, o.out, o.chain_out));
  if (flags.json) {
    std::printf("%s\n", r.answer.dump(2).c_str());
    return base::Status::Ok();
  }
  const nlohmann::json ct = r.answer.value("ct", nlohmann::json::object());
  std::printf("serial      %s%s\n", SerialHex(r.cert.serial).c_str(),
              r.cert.falcon_public_key ? " (hybrid, with Falcon-1024)" : "");
  std::printf("not after   %s\n", FormatTime(r.cert.not_after).c_str());
  std::printf("ct leaf     %s (tree size %s)\n", Str(ct, "leaf_index").c_str(),
              Str(ct, "tree_size").c_str());
  std::printf("certificate %s\n", o.out.c_str());
  if (!o.chain_out.empty()) std::printf("chain       %s\n", o.chain_out.c_str());
  return base::Status::Ok();
}

void AddIssue(CLI::App* cert, GlobalFlags& flags, int& exit_code) {
  auto o = std::make_shared<IssueOptions>();
  auto* cmd = cert->add_subcommand(
      "issue",
      "request a certificate from the node's TrustChain CA; creates the key if --key is absent");
  cmd->add_option("--name", o->names, "DNS name (repeatable); the first is the subject CN");
  cmd->add_option("--ip", o->ips, "IPv6 address for the subjectAltName (repeatable)");
  cmd->add_option("--key-type", o->key_type, "type of a new key: p256 (default) or ed25519");
  cmd->add_flag("--falcon", o->falcon,
                "hybrid leaf: also use (or create) a Falcon-1024 key <key>.falcon.pem");
  cmd->add_option("--validity-hours", o->validity_hours,
                  "requested lifetime in hours (default: the node's, 24)");
  cmd->add_option("--out", o->out, "certificate PEM to write (atomically)");
  cmd->add_option("--key", o->key,
                  "private key PEM: used if it exists, else created with mode 0600 "
                  "(default <out without .pem>.key)");
  cmd->add_option("--chain-out", o->chain_out, "write the issuing CA + root chain PEM here");
  cmd->add_option("--csr-out", o->csr_out,
                  "also write the PEM CSR here; without --out, only write it (no request)");
  cmd->callback([o, &flags, &exit_code] { Report("cert issue", RunIssue(flags, *o), exit_code); });
}

// ---- hm cert renew ----

struct RenewOptions {
  std::string cert, key, falcon_key, chain_out, before = "6h", interval = "60s";
  bool watch = false, if_needed = false;
  int validity_hours = -1;
};

struct RenewSetup {
  LeafKey key;
  std::optional<base::Bytes> falcon_pk;  // --falcon-key; else the current certificate's
  seconds before{0}, interval{0};
};

base::Result<RenewSetup> PrepareRenew(const RenewOptions& o, LeafCert& current) {
  if (o.cert.empty()) return Usage("--cert is required");
  if (o.key.empty()) return Usage("--key is required");
  HM_TRY(CheckValidityHours(o.validity_hours));
  RenewSetup setup;
  auto before = ParseDuration(o.before);
  if (!before.ok()) return before.status().WithContext("--before");
  auto interval = ParseDuration(o.interval);
  if (!interval.ok()) return interval.status().WithContext("--interval");
  if (*interval <= seconds(0)) return Usage("--interval must be positive");
  setup.before = *before;
  setup.interval = *interval;
  if (!o.chain_out.empty()) HM_TRY(CheckOutputDir(o.chain_out, "--chain-out"));
  HM_ASSIGN_OR_RETURN(setup.key, LoadLeafKey(o.key));
  HM_ASSIGN_OR_RETURN(current, ReadCertFile(o.cert));
  HM_TRY(CheckKeyMatches(setup.key, current, o.key, o.cert));
  if (!o.falcon_key.empty()) {
    HM_ASSIGN_OR_RETURN(setup.falcon_pk, LoadFalconPublicKey(o.falcon_key));
  }
  return setup;
}

// Same key, same names; a hybrid certificate stays hybrid with the same Falcon key unless
// --falcon-key names another one.
base::Result<Issued> RenewOnce(const GlobalFlags& flags, const RenewOptions& o,
                               const RenewSetup& setup, const LeafCert& current) {
  const std::optional<base::Bytes>& falcon =
      setup.falcon_pk ? setup.falcon_pk : current.falcon_public_key;
  auto csr = trustchain::ca::BuildCsrPem(setup.key.pkey.get(), current.dns_names,
                                         current.ip_addresses, falcon);
  if (!csr.ok()) return Failed("building a CSR from " + o.cert, csr.status());
  return RequestAndWrite(flags, *csr, o.validity_hours, setup.key, o.cert, o.chain_out);
}

void PrintRenewal(const GlobalFlags& flags, const RenewOptions& o, const Issued& r,
                  const LeafCert& old) {
  if (flags.json) {
    std::printf("%s\n", r.answer.dump().c_str());
  } else {
    std::printf("%s renewed %s: serial %s, not after %s (previous serial %s, not after %s)\n",
                FormatTime(std::chrono::system_clock::now()).c_str(), o.cert.c_str(),
                SerialHex(r.cert.serial).c_str(), FormatTime(r.cert.not_after).c_str(),
                SerialHex(old.serial).c_str(), FormatTime(old.not_after).c_str());
  }
  std::fflush(stdout);
}

// Runs until killed. Every failure after start-up is printed and retried at the next check.
[[noreturn]] void WatchAndRenew(const GlobalFlags& flags, const RenewOptions& o,
                                const RenewSetup& setup, const LeafCert& first) {
  const RenewalCheck now = CheckRenewal(first.not_before, first.not_after,
                                        std::chrono::system_clock::now(), setup.before);
  std::printf("watching %s: %s left; renewing when less than %s remain, checking every %s\n",
              o.cert.c_str(), FormatDuration(now.time_left).c_str(),
              FormatDuration(now.threshold).c_str(), FormatDuration(setup.interval).c_str());
  std::fflush(stdout);
  for (;;) {
    auto current = ReadCertFile(o.cert);
    base::Status s = current.status();
    if (s.ok()) s = CheckKeyMatches(setup.key, *current, o.key, o.cert);
    if (s.ok()) {
      const RenewalCheck check = CheckRenewal(current->not_before, current->not_after,
                                              std::chrono::system_clock::now(), setup.before);
      if (check.due) {
        auto r = RenewOnce(flags, o, setup, *current);
        if (r.ok()) PrintRenewal(flags, o, *r, *current);
        s = r.status();
      }
    }
    if (!s.ok()) {
      std::fprintf(stderr, "%s hm cert renew: %s (retrying in %s)\n",
                   FormatTime(std::chrono::system_clock::now()).c_str(),
                   OneLine(s.message()).c_str(), FormatDuration(setup.interval).c_str());
    }
    std::this_thread::sleep_for(setup.interval);
  }
}

base::Status RunRenew(const GlobalFlags& flags, const RenewOptions& o) {
  LeafCert current;
  HM_ASSIGN_OR_RETURN(RenewSetup setup, PrepareRenew(o, current));
  if (o.watch) WatchAndRenew(flags, o, setup, current);
  if (o.if_needed) {
    const RenewalCheck check = CheckRenewal(current.not_before, current.not_after,
                                            std::chrono::system_clock::now(), setup.before);
    if (!check.due) {
      Note(flags,
           fmt::format("{}: {} left, renewal due when less than {} remain; not renewed", o.cert,
                       FormatDuration(check.time_left), FormatDuration(check.threshold)));
      return base::Status::Ok();
    }
  }
  HM_ASSIGN_OR_RETURN(Issued r, RenewOnce(flags, o, setup, current));
  PrintRenewal(flags, o, r, current);
  return base::Status::Ok();
}

void AddRenew(CLI::App* cert, GlobalFlags& flags, int& exit_code) {
  auto o = std::make_shared<RenewOptions>();
  auto* cmd = cert->add_subcommand(
      "renew",
      "re-issue a certificate for the same key and names, replacing --cert atomically; with "
      "--watch, keep doing so before it expires");
  cmd->add_option("--cert", o->cert, "certificate PEM to renew (and replace)");
  cmd->add_option("--key", o->key, "its private key PEM (mode 0600)");
  cmd->add_option("--falcon-key", o->falcon_key,
                  "Falcon-1024 secret key PEM to request a hybrid leaf with (default: keep the "
                  "certificate's Falcon key, if any)");
  cmd->add_option("--chain-out", o->chain_out, "also write the issuing CA + root chain PEM here");
  cmd->add_option("--validity-hours", o->validity_hours,
                  "requested lifetime in hours (default: the node's, 24)");
  cmd->add_option("--before", o->before,
                  "renew when less than this remains, e.g. 6h (default 6h; capped at half the "
                  "certificate's lifetime)");
  cmd->add_flag("--if-needed", o->if_needed, "renew only when less than --before remains");
  cmd->add_flag("--watch", o->watch,
                "run forever: check every --interval and renew when due; node errors are printed "
                "and retried");
  cmd->add_option("--interval", o->interval, "check interval for --watch, e.g. 60s (default 60s)");
  cmd->callback([o, &flags, &exit_code] { Report("cert renew", RunRenew(flags, *o), exit_code); });
}

// ---- hm cert revoke ----

struct RevokeOptions {
  std::string cert, key, serial, token_file, reason = "unspecified";
};

base::Status RunRevoke(const GlobalFlags& flags, const RevokeOptions& o) {
  if (o.key.empty() == o.token_file.empty()) {
    return Usage(
        "authorise with exactly one of --key (the certificate's key) or "
        "--admin-token-file");
  }
  if (o.cert.empty() == o.serial.empty()) return Usage("give exactly one of --cert or --serial");
  if (!o.key.empty() && o.cert.empty()) return Usage("--key needs --cert");
  HM_ASSIGN_OR_RETURN(const uint8_t reason, ParseRevocationReason(o.reason));
  base::Bytes serial;
  std::optional<LeafCert> cert;
  if (!o.cert.empty()) {
    HM_ASSIGN_OR_RETURN(cert, ReadCertFile(o.cert));
    serial = cert->serial;
  } else {
    auto parsed = ParseSerialHex(o.serial);
    if (!parsed.ok()) return parsed.status().WithContext("--serial");
    serial = std::move(parsed).value();
  }
  nlohmann::json body = {{"reason", std::string(RevocationReasonName(reason))}};
  std::vector<std::pair<std::string, std::string>> headers;
  if (!o.key.empty()) {
    HM_ASSIGN_OR_RETURN(LeafKey key, LoadLeafKey(o.key));
    HM_TRY(CheckKeyMatches(key, *cert, o.key, o.cert));
    auto sig = SignWithLeafKey(key, RevocationMessage(serial, reason));
    if (!sig.ok()) return Failed("signing the revocation", sig.status());
    body["signature"] = base::Base64Encode(*sig);
  } else {
    HM_ASSIGN_OR_RETURN(std::string token, ReadAdminToken(o.token_file));
    headers.emplace_back("Authorization", "Bearer " + token);
    OPENSSL_cleanse(token.data(), token.size());
  }
  const std::string target = "/api/v1/certificates/" + SerialHex(serial) + "/revoke";
  auto answer = CallJson(flags, "POST", target, body.dump(), headers);
  for (auto& [name, value] : headers) OPENSSL_cleanse(value.data(), value.size());
  if (!answer.ok()) return Failed("revoking " + SerialHex(serial), answer.status());
  if (flags.json) {
    std::printf("%s\n", answer->dump(2).c_str());
    return base::Status::Ok();
  }
  std::printf("serial      %s\n", SerialHex(serial).c_str());
  std::printf("status      %s\n", Str(*answer, "status").c_str());
  std::printf("revoked at  %s\n", Str(*answer, "revoked_at").c_str());
  std::printf("reason      %s\n", Str(*answer, "reason").c_str());
  return base::Status::Ok();
}

void AddRevoke(CLI::App* cert, GlobalFlags& flags, int& exit_code) {
  auto o = std::make_shared<RevokeOptions>();
  auto* cmd = cert->add_subcommand(
      "revoke",
      "revoke a certificate, authorised by its own key (--cert --key) or the node's admin token "
      "(--serial or --cert, with --admin-token-file)");
  cmd->add_option("--cert", o->cert, "certificate PEM to revoke");
  cmd->add_option("--key", o->key, "the certificate's private key PEM: signs the revocation");
  cmd->add_option("--serial", o->serial, "serial to revoke, hex (as `hm cert show` prints it)");
  cmd->add_option("--admin-token-file", o->token_file,
                  "file holding the node's admin token (keys/admin.token, mode 0600)");
  cmd->add_option("--reason", o->reason,
                  "RFC 5280 reason: unspecified (default), keyCompromise, cACompromise, "
                  "affiliationChanged, superseded, cessationOfOperation, certificateHold, "
                  "removeFromCRL, privilegeWithdrawn, aACompromise, or its code 0..10 (not 7)");
  cmd->callback(
      [o, &flags, &exit_code] { Report("cert revoke", RunRevoke(flags, *o), exit_code); });
}

// ---- hm cert show ----

struct ShowOptions {
  std::string serial, cert;
};

base::Status RunShow(const GlobalFlags& flags, const ShowOptions& o) {
  if (o.cert.empty() == o.serial.empty()) return Usage("give exactly one of SERIAL or --cert");
  base::Bytes serial;
  if (!o.cert.empty()) {
    HM_ASSIGN_OR_RETURN(LeafCert cert, ReadCertFile(o.cert));
    serial = std::move(cert.serial);
  } else {
    HM_ASSIGN_OR_RETURN(serial, ParseSerialHex(o.serial));
  }
  auto answer = CallJson(flags, "GET", "/api/v1/certificates/" + SerialHex(serial));
  if (!answer.ok()) return Failed("looking up " + SerialHex(serial), answer.status());
  if (flags.json) {
    std::printf("%s\n", answer->dump(2).c_str());
    return base::Status::Ok();
  }
  std::printf("serial      %s\n", Str(*answer, "serial").c_str());
  std::printf("status      %s\n", Str(*answer, "status").c_str());
  std::printf("not after   %s\n", Str(*answer, "not_after").c_str());
  std::printf("ct leaf     %s\n", Str(*answer, "ct_leaf_index").c_str());
  if (answer->contains("revoked_at")) {
    std::printf("revoked at  %s\n", Str(*answer, "revoked_at").c_str());
    std::printf("reason      %s\n", Str(*answer, "reason").c_str());
  }
  return base::Status::Ok();
}

void AddShow(CLI::App* cert, GlobalFlags& flags, int& exit_code) {
  auto o = std::make_shared<ShowOptions>();
  auto* cmd = cert->add_subcommand(
      "show", "show a certificate's status at the node (good / revoked), expiry and CT entry");
  cmd->add_option("serial", o->serial, "serial, hex (upper or lower case)");
  cmd->add_option("--cert", o->cert, "read the serial from this certificate PEM instead");
  cmd->callback([o, &flags, &exit_code] { Report("cert show", RunShow(flags, *o), exit_code); });
}

}  // namespace

void AddCertCommands(CLI::App& app, GlobalFlags& flags, int& exit_code) {
  auto* cert = app.add_subcommand(
      "cert", "certificates from the node's TrustChain CA: issue, renew, revoke, show");
  cert->require_subcommand(1);
  // Lets the global flags follow the subcommand too (`hm cert show 5a0c --json`); the
  // subcommands added below inherit this.
  cert->fallthrough();
  AddIssue(cert, flags, exit_code);
  AddRenew(cert, flags, exit_code);
  AddRevoke(cert, flags, exit_code);
  AddShow(cert, flags, exit_code);
}

}  // namespace hm::cli
