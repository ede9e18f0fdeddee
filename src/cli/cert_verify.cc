#include "cli/cert_verify.h"

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>

#include "crypto/key_file.h"
#include "crypto/ossl_ptr.h"
#include "trustchain/ca/alt_signature.h"

namespace hm::cli {
namespace {

using X509Ptr = crypto::OsslPtr<X509, X509_free>;

X509Ptr Parse(const base::Bytes& der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::string Name(const X509_NAME* name) {
  char buf[256];
  X509_NAME_oneline(name, buf, sizeof(buf));
  return buf;
}

}  // namespace

base::Result<std::vector<base::Bytes>> ReadPemCertificates(std::string_view pem) {
  std::vector<base::Bytes> out;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(x, &der);
    if (len > 0) out.emplace_back(der, der + len);
    OPENSSL_free(der);
    X509_free(x);
  }
  BIO_free(bio);
  if (out.empty()) return base::InvalidArgument("no PEM CERTIFICATE block");
  return out;
}

base::Result<std::vector<LinkReport>> VerifyChain(const std::vector<base::Bytes>& certs) {
  std::vector<X509Ptr> parsed;
  for (size_t i = 0; i < certs.size(); ++i) {
    parsed.push_back(Parse(certs[i]));
    if (parsed.back() == nullptr) {
      return base::InvalidArgument(fmt::format("certificate {} is not DER X.509", i));
    }
  }
  std::vector<LinkReport> reports;
  for (size_t i = 0; i < certs.size(); ++i) {
    const size_t issuer = i + 1 < certs.size() ? i + 1 : i;  // the last one is self-signed
    LinkReport r;
    r.subject = Name(X509_get_subject_name(parsed[i].get()));
    r.issuer = Name(X509_get_subject_name(parsed[issuer].get()));
    if (X509_NAME_cmp(X509_get_issuer_name(parsed[i].get()),
                      X509_get_subject_name(parsed[issuer].get())) != 0) {
      r.ecdsa = base::Unauthenticated("issuer name does not match");
    } else if (X509_verify(parsed[i].get(), X509_get0_pubkey(parsed[issuer].get())) != 1) {
      r.ecdsa = base::Unauthenticated("signature does not verify");
    }
    auto falcon_pk = trustchain::ca::SubjectAltPublicKey(certs[issuer]);
    if (!falcon_pk.ok()) {
      r.falcon = falcon_pk.status();
    } else if (!falcon_pk->has_value()) {
      r.falcon = base::NotFound("the issuer has no Falcon-1024 key (subjectAltPublicKeyInfo)");
    } else {
      r.falcon = trustchain::ca::VerifyAltSignature(certs[i], **falcon_pk);
    }
    reports.push_back(std::move(r));
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
