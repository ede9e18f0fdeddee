#include "cli/cert_verify.h"

#include <fmt/format.h>
#include <cstdio>
#include <memory>
#include <string>

#include "crypto/key_file.h"

namespace hm::cli {

base::Result<std::vector<LinkReport>> VerifyChain(const std::vector<base::Bytes>& certs) {
  std::vector<LinkReport> reports;
  for (size_t i = 0; i < certs.size(); ++i) {
    const size_t issuer = i + 1 < certs.size() ? i + 1 : i;  // the last one is self-signed
    auto link = trustchain::ca::CheckLink(certs[i], certs[issuer]);
    if (!link.ok()) {
      const std::string which =
          issuer == i ? std::to_string(i) : fmt::format("{} or {}", i, issuer);
      return base::InvalidArgument(
          fmt::format("certificate {} is not DER X.509: {}", which, link.status().message()));
    }
    reports.push_back(std::move(link).value());
  }
  return reports;
}

void AddCertVerifyCommand(CLI::App& cert, int& exit_code) {
  struct Options {
    std::string cert, chain;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = cert.add_subcommand(
      "verify",
      "verify a certificate chain's ECDSA signatures and Falcon-1024 alternative signatures");
  cmd->add_option("cert", o->cert, "certificate PEM (leaf first; may hold the chain)")->required();
  cmd->add_option("--chain", o->chain, "PEM file with the issuing CA, then the root");
  cmd->callback([o, &exit_code] {
    std::string pem;
    for (const std::string& path : {o->cert, o->chain}) {
      if (path.empty()) continue;
      auto bytes = crypto::ReadFile(path);
      if (!bytes.ok()) {
        std::fprintf(stderr, "hm cert verify: %s\n", std::string(bytes.status().message()).c_str());
        exit_code = 2;
        return;
      }
      pem += std::string(base::AsString(*bytes)) + "\n";
    }
    auto certs = ReadPemCertificates(pem);
    auto reports = certs.ok() ? VerifyChain(*certs) : base::Result<std::vector<LinkReport>>(certs.status());
    if (!reports.ok()) {
      std::fprintf(stderr, "hm cert verify: %s\n", std::string(reports.status().message()).c_str());
      exit_code = 2;
      return;
    }
    bool all_ok = true;
    for (const auto& r : *reports) {
      std::printf("%s\n  issued by %s\n", r.subject.c_str(), r.issuer.c_str());
      std::printf("  ecdsa signature: %s\n",
                  r.ecdsa.ok() ? "ok" : ("FAILED (" + std::string(r.ecdsa.message()) + ")").c_str());
      std::printf("  falcon-1024 alt signature: %s\n",
                  r.falcon.ok() ? "ok"
                                : ("FAILED (" + std::string(r.falcon.message()) + ")").c_str());
      all_ok = all_ok && r.ecdsa.ok() && r.falcon.ok();
    }
    if (reports->back().subject != reports->back().issuer) {
      std::printf("the chain does not end at a self-signed root\n");
      all_ok = false;
    }
    exit_code = all_ok ? 0 : 1;
  });
}

}  // namespace hm::cli
