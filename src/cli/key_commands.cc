#include "cli/key_commands.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "base/bytes.h"
#include "base/status.h"
#include "cli/command_support.h"
#include "crypto/ecdsa.h"
#include "crypto/falcon/falcon.h"
#include "crypto/hybrid/ecdsa_scalar.h"
#include "crypto/hybrid/hybrid_kem.h"
#include "crypto/hybrid/hybrid_sig.h"
#include "crypto/hybrid/pq_keys.h"
#include "crypto/key_file.h"
#include "crypto/mlkem/mlkem.h"
#include "crypto/secure_random.h"

namespace hm::cli {
namespace {

namespace hy = crypto::hybrid;
using hy::Algorithm;

// Error classes, carried in the Status code: kInvalidArgument = usage error (exit 2),
// kUnauthenticated = signature invalid (exit 1), anything else = operation failed (exit 1).
constexpr size_t kMaxKeyOrSigFile = size_t{1} << 20;

constexpr char kSigAlgs[] =
    "falcon1024, falcon512, ecdsa-p256, hybrid (= hybrid-sig: ECDSA P-256 + Falcon-1024)";
constexpr char kKemAlgs[] =
    "mlkem1024, mlkem768, mlkem512, hybrid (= hybrid-kem: X25519 + ML-KEM-1024)";
constexpr char kGenAlgs[] =
    "falcon1024, falcon512, ecdsa-p256, mlkem1024, mlkem768, mlkem512, hybrid-sig, hybrid-kem; "
    "hybrid = hybrid-sig";
constexpr char kFormatHelp[] =
    "key file format: pem (SubjectPublicKeyInfo / PKCS#8, the default) or raw (bare key bytes)";

enum class Use { kKeyGen, kSign, kKem };
enum class Format { kRaw, kPem };

void Wipe(base::Bytes& b) {
  if (!b.empty()) OPENSSL_cleanse(b.data(), b.size());
}

// Reports `s` on one stderr line and sets the exit code.
void Report(const char* command, const base::Status& s, int& exit_code) {
  if (s.ok()) {
    exit_code = 0;
    return;
  }
  exit_code = s.code() == base::Code::kInvalidArgument ? 2 : 1;
  std::string msg(s.message());
  for (char& c : msg) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (s.code() == base::Code::kUnauthenticated) {
    std::fprintf(stderr, "signature invalid: %s\n", msg.c_str());
  } else {
    std::fprintf(stderr, "hm %s: %s\n", command, msg.c_str());
  }
}

base::Result<Algorithm> ParseAlgorithm(const std::string& name, Use use) {
  static constexpr struct {
    const char* name;
    Algorithm alg;
  } kNames[] = {
      {"ecdsa-p256", Algorithm::kEcdsaP256},  {"falcon512", Algorithm::kFalcon512},
      {"falcon1024", Algorithm::kFalcon1024}, {"mlkem512", Algorithm::kMlKem512},
      {"mlkem768", Algorithm::kMlKem768},     {"mlkem1024", Algorithm::kMlKem1024},
      {"hybrid-sig", Algorithm::kHybridSig},  {"hybrid-kem", Algorithm::kHybridKem},
  };
  if (name.empty()) return Usage("--alg is required");
  Algorithm alg = use == Use::kKem ? Algorithm::kHybridKem : Algorithm::kHybridSig;
  bool found = name == "hybrid";
  for (const auto& n : kNames) {
    if (name == n.name) {
      alg = n.alg;
      found = true;
    }
  }
  if (!found) {
    return Usage(fmt::format("unknown algorithm \"{}\" (choose {})", name,
                             use == Use::kKem    ? kKemAlgs
                             : use == Use::kSign ? kSigAlgs
                                                 : kGenAlgs));
  }
  if (use == Use::kSign && !hy::IsSignatureAlgorithm(alg)) {
    return Usage(fmt::format("{} is a KEM and cannot sign (choose {})", name, kSigAlgs));
  }
  if (use == Use::kKem && !hy::IsKemAlgorithm(alg)) {
    return Usage(fmt::format("{} is a signature algorithm, not a KEM (choose {})", name, kKemAlgs));
  }
  return alg;
}

base::Result<Format> ParseFormat(const std::string& name) {
  if (name == "pem") return Format::kPem;
  if (name == "raw") return Format::kRaw;
  return Usage(fmt::format("unknown --format \"{}\" (choose raw or pem)", name));
}

base::Status Require(const std::string& value, std::string_view flag) {
  if (value.empty()) return Usage(fmt::format("{} is required", flag));
  return base::Status::Ok();
}

base::Result<base::Bytes> ReadInput(const std::string& path, std::string_view what,
                                    size_t max = crypto::kMaxPlainFileSize) {
  auto bytes = crypto::ReadFile(path, max);
  if (!bytes.ok()) return Usage(fmt::format("cannot read {}: {}", what, bytes.status().message()));
  return bytes;
}

std::string PemHint(base::ByteSpan file) {
  return base::AsString(file).substr(0, 11) == "-----BEGIN "
             ? " (the file is PEM: use --format pem)"
             : "";
}

// The raw public key in `path`; checks the format, algorithm and size, not the key's content.
base::Result<base::Bytes> LoadPublicKey(const std::string& path, Algorithm a, Format f) {
  HM_ASSIGN_OR_RETURN(base::Bytes file, ReadInput(path, "public key", kMaxKeyOrSigFile));
  if (f == Format::kRaw) {
    if (file.size() != hy::RawPublicKeySize(a)) {
      return Usage(fmt::format("{}: {} bytes, want {} for a raw {} public key{}", path, file.size(),
                               hy::RawPublicKeySize(a), hy::AlgorithmName(a), PemHint(file)));
    }
    return file;
  }
  auto spki = hy::ParseSpkiPem(base::AsString(file));
  if (!spki.ok()) return Usage(fmt::format("{}: {}", path, spki.status().message()));
  if (spki->algorithm != a) {
    return Usage(fmt::format("{}: key is {}, want {}", path, hy::AlgorithmName(spki->algorithm),
                             hy::AlgorithmName(a)));
  }
  return std::move(spki->public_key);
}

// The raw secret key in `path` (mode 0600 or stricter), fully validated.
base::Result<base::Bytes> LoadSecretKey(const std::string& path, Algorithm a, Format f) {
  auto file = crypto::ReadSecretFile(path);
  if (!file.ok()) return Usage(fmt::format("cannot read secret key: {}", file.status().message()));
  base::Result<base::Bytes> raw = base::Bytes();
  if (f == Format::kRaw) {
    if (file->size() != hy::RawSecretKeySize(a)) {
      raw = Usage(fmt::format("{}: {} bytes, want {} for a raw {} secret key{}", path, file->size(),
                              hy::RawSecretKeySize(a), hy::AlgorithmName(a), PemHint(*file)));
    } else if (auto s = hy::CheckSecretKey(a, *file); !s.ok()) {
      raw = Usage(fmt::format("{}: {}", path, s.message()));
    } else {
      raw = *file;
    }
  } else {
    raw = hy::SecretKeyFromPem(a, base::AsString(*file));
    if (!raw.ok()) raw = Usage(fmt::format("{}: {}", path, raw.status().message()));
  }
  Wipe(*file);
  return raw;
}

// ---- hm key gen ----

struct GenOptions {
  std::string alg, out, pub_out, format = "pem";
  bool force = false;
};

struct GeneratedKey {
  base::Bytes public_key;
  base::Bytes secret_key;  // raw layout
  base::Bytes mlkem_seed;  // ML-KEM only: d || z, for the PKCS#8 seed form
  ~GeneratedKey() {
    Wipe(secret_key);
    Wipe(mlkem_seed);
  }
};

base::Status Generate(Algorithm a, GeneratedKey& k) {
  crypto::SecureRandom random;
  if (a == Algorithm::kEcdsaP256) {
    crypto::EcdsaP256PrivateKey key = hy::EcdsaP256Generate(random);
    hy::EcdsaP256Scalar d = hy::EcdsaP256ScalarOf(key);
    k.secret_key.assign(d.begin(), d.end());
    OPENSSL_cleanse(d.data(), d.size());
    k.public_key.assign(key.PublicKey().Sec1().begin(), key.PublicKey().Sec1().end());
  } else if (a == Algorithm::kFalcon512 || a == Algorithm::kFalcon1024) {
    HM_ASSIGN_OR_RETURN(auto pair, crypto::falcon::KeyGen(hy::FalconVariant(a), random));
    k.public_key = std::move(pair.public_key);
    k.secret_key = std::move(pair.secret_key);
  } else if (a == Algorithm::kHybridSig) {
    HM_ASSIGN_OR_RETURN(auto key, hy::HybridSigSecretKey::Generate(random));
    k.public_key = key.PublicKey().Raw();
    k.secret_key = key.Raw();
  } else if (a == Algorithm::kHybridKem) {
    HM_ASSIGN_OR_RETURN(auto pair, hy::HybridKemKeyGen(random));
    k.public_key = std::move(pair.public_key);
    k.secret_key = std::move(pair.secret_key);
  } else {
    k.mlkem_seed.resize(crypto::mlkem::kSeedSize);
    random.Fill(k.mlkem_seed);
    HM_ASSIGN_OR_RETURN(auto pair, crypto::mlkem::KeyGenFromSeed(hy::MlKemParams(a), k.mlkem_seed));
    k.public_key = std::move(pair.ek);
    k.secret_key = std::move(pair.dk);
  }
  return base::Status::Ok();
}

base::Status CheckOutputs(const GenOptions& o) {
  HM_TRY(Require(o.out, "--out"));
  HM_TRY(Require(o.pub_out, "--pub-out"));
  std::error_code ec1, ec2, ec;
  const auto out = std::filesystem::weakly_canonical(o.out, ec1);
  const auto pub_out = std::filesystem::weakly_canonical(o.pub_out, ec2);
  if (o.out == o.pub_out || (!ec1 && !ec2 && out == pub_out)) {
    return Usage("--out and --pub-out must be different files");
  }
  for (const std::string& path : {o.out, o.pub_out}) {
    if (!o.force &&
        std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found) {
      return Usage(fmt::format("refusing to overwrite {} (use --force)", path));
    }
  }
  return base::Status::Ok();
}

base::Status RunKeyGen(const GenOptions& o) {
  HM_ASSIGN_OR_RETURN(Algorithm a, ParseAlgorithm(o.alg, Use::kKeyGen));
  HM_ASSIGN_OR_RETURN(Format f, ParseFormat(o.format));
  HM_TRY(CheckOutputs(o));
  GeneratedKey k;
  if (auto s = Generate(a, k); !s.ok()) return Failed("key generation", s);
  base::Bytes secret_file;
  base::Bytes public_file;
  if (f == Format::kRaw) {
    secret_file = k.secret_key;
    public_file = k.public_key;
  } else {
    auto pem = k.mlkem_seed.empty() ? hy::SecretKeyToPem(a, k.secret_key)
                                    : hy::MlKemSeedToPem(a, k.mlkem_seed);
    if (!pem.ok()) return Failed("encoding the secret key", pem.status());
    secret_file = base::ToBytes(*pem);
    OPENSSL_cleanse(pem->data(), pem->size());
    public_file = base::ToBytes(hy::PublicKeyToPem(a, k.public_key));
  }
  base::Status s = crypto::WriteSecretFile(o.out, secret_file);
  Wipe(secret_file);
  if (!s.ok()) return Failed("writing the secret key", s);
  if (s = crypto::WritePublicFile(o.pub_out, public_file); !s.ok()) {
    return Failed("writing the public key", s);
  }
  std::printf("wrote %s secret key to %s (mode 0600) and public key to %s\n",
              std::string(hy::AlgorithmName(a)).c_str(), o.out.c_str(), o.pub_out.c_str());
  return base::Status::Ok();
}

void AddKeyGen(CLI::App& app, int& exit_code) {
  auto* key = app.add_subcommand("key", "generate key pairs (see `hm key gen --help`)");
  key->require_subcommand(1);
  auto o = std::make_shared<GenOptions>();
  auto* gen = key->add_subcommand(
      "gen", "generate a key pair; the secret key file gets mode 0600, existing files are kept");
  gen->add_option("--alg", o->alg, std::string("algorithm: ") + kGenAlgs);
  gen->add_option("--out", o->out, "secret key file to create");
  gen->add_option("--pub-out", o->pub_out, "public key file to create");
  gen->add_option("--format", o->format, kFormatHelp);
  gen->add_flag("--force", o->force, "overwrite existing files");
  gen->callback([o, &exit_code] { Report("key gen", RunKeyGen(*o), exit_code); });
}

// ---- hm sign / hm verify ----

struct SignOptions {
  std::string alg, key, pub, in, out, sig, format = "pem";
};

base::Result<base::Bytes> SignMessage(Algorithm a, base::ByteSpan sk, base::ByteSpan msg) {
  crypto::SecureRandom random;
  if (a == Algorithm::kEcdsaP256) {
    HM_ASSIGN_OR_RETURN(crypto::EcdsaP256PrivateKey key, hy::EcdsaP256FromScalar(sk));
    return key.Sign(msg);
  }
  if (a == Algorithm::kHybridSig) {
    HM_ASSIGN_OR_RETURN(hy::HybridSigSecretKey key, hy::HybridSigSecretKey::FromRaw(sk));
    return key.Sign(msg, random);
  }
  return crypto::falcon::Sign(hy::FalconVariant(a), sk, msg, random);
}

base::Status RunSign(const SignOptions& o) {
  HM_ASSIGN_OR_RETURN(Algorithm a, ParseAlgorithm(o.alg, Use::kSign));
  HM_ASSIGN_OR_RETURN(Format f, ParseFormat(o.format));
  HM_TRY(Require(o.key, "--key"));
  HM_TRY(Require(o.in, "--in"));
  HM_TRY(Require(o.out, "--out"));
  HM_ASSIGN_OR_RETURN(base::Bytes msg, ReadInput(o.in, "message"));
  HM_ASSIGN_OR_RETURN(base::Bytes sk, LoadSecretKey(o.key, a, f));
  auto sig = SignMessage(a, sk, msg);
  Wipe(sk);
  if (!sig.ok()) return Failed("signing", sig.status());
  if (auto s = crypto::WritePublicFile(o.out, *sig); !s.ok()) {
    return Failed("writing the signature", s);
  }
  std::printf("wrote %s signature (%zu bytes) to %s\n", std::string(hy::AlgorithmName(a)).c_str(),
              sig->size(), o.out.c_str());
  return base::Status::Ok();
}

// Any failure here means "this signature is not valid for this key and message".
base::Status VerifyMessage(Algorithm a, base::ByteSpan pk, base::ByteSpan msg, base::ByteSpan sig) {
  if (auto s = hy::CheckPublicKey(a, pk); !s.ok()) {
    return base::Unauthenticated(
        fmt::format("public key is not a valid {} key: {}", hy::AlgorithmName(a), s.message()));
  }
  base::Status s;
  if (a == Algorithm::kEcdsaP256) {
    s = crypto::EcdsaP256PublicKey::FromSec1(pk)->Verify(msg, sig);
  } else if (a == Algorithm::kHybridSig) {
    s = hy::HybridSigPublicKey::FromRaw(pk)->Verify(msg, sig);
  } else {
    s = crypto::falcon::Verify(hy::FalconVariant(a), pk, msg, sig);
  }
  if (s.ok()) return s;
  return base::Unauthenticated(std::string(s.message()));
}

base::Status RunVerify(const SignOptions& o) {
  HM_ASSIGN_OR_RETURN(Algorithm a, ParseAlgorithm(o.alg, Use::kSign));
  HM_ASSIGN_OR_RETURN(Format f, ParseFormat(o.format));
  HM_TRY(Require(o.pub, "--pub"));
  HM_TRY(Require(o.in, "--in"));
  HM_TRY(Require(o.sig, "--sig"));
  HM_ASSIGN_OR_RETURN(base::Bytes msg, ReadInput(o.in, "message"));
  HM_ASSIGN_OR_RETURN(base::Bytes sig, ReadInput(o.sig, "signature", kMaxKeyOrSigFile));
  HM_ASSIGN_OR_RETURN(base::Bytes pk, LoadPublicKey(o.pub, a, f));
  HM_TRY(VerifyMessage(a, pk, msg, sig));
  std::printf("signature valid (%s)\n", std::string(hy::AlgorithmName(a)).c_str());
  return base::Status::Ok();
}

void AddSignVerify(CLI::App& app, int& exit_code) {
  auto s = std::make_shared<SignOptions>();
  auto* sign =
      app.add_subcommand("sign", std::string("sign a file with a secret key; --alg: ") + kSigAlgs);
  sign->add_option("--alg", s->alg, kSigAlgs);
  sign->add_option("--key", s->key, "secret key file (mode 0600)");
  sign->add_option("--in", s->in, "file to sign");
  sign->add_option("--out", s->out, "signature file to write");
  sign->add_option("--format", s->format, kFormatHelp);
  sign->callback([s, &exit_code] { Report("sign", RunSign(*s), exit_code); });

  auto v = std::make_shared<SignOptions>();
  auto* verify = app.add_subcommand(
      "verify", std::string("verify a signature; exit 0 valid, 1 invalid, 2 usage error; --alg: ") +
                    kSigAlgs);
  verify->add_option("--alg", v->alg, kSigAlgs);
  verify->add_option("--pub", v->pub, "public key file");
  verify->add_option("--in", v->in, "signed file");
  verify->add_option("--sig", v->sig, "signature file");
  verify->add_option("--format", v->format, kFormatHelp);
  verify->callback([v, &exit_code] { Report("verify", RunVerify(*v), exit_code); });
}

// ---- hm kem encap / decap ----

struct KemOptions {
  std::string alg, pub, key, in, out, secret, format = "pem";
};

base::Status WriteKemOutputs(const std::string& ct_path, base::ByteSpan ct,
                             const std::string& ss_path, base::ByteSpan ss) {
  if (!ct_path.empty()) {
    if (auto s = crypto::WritePublicFile(ct_path, ct); !s.ok()) {
      return Failed("writing the ciphertext", s);
    }
  }
  if (auto s = crypto::WriteSecretFile(ss_path, ss); !s.ok()) {
    return Failed("writing the shared secret", s);
  }
  return base::Status::Ok();
}

base::Status RunEncap(const KemOptions& o) {
  HM_ASSIGN_OR_RETURN(Algorithm a, ParseAlgorithm(o.alg, Use::kKem));
  HM_ASSIGN_OR_RETURN(Format f, ParseFormat(o.format));
  HM_TRY(Require(o.pub, "--pub"));
  HM_TRY(Require(o.out, "--out"));
  HM_TRY(Require(o.secret, "--secret"));
  if (o.out == o.secret) return Usage("--out and --secret must be different files");
  HM_ASSIGN_OR_RETURN(base::Bytes pk, LoadPublicKey(o.pub, a, f));
  crypto::SecureRandom random;
  base::Bytes ct;
  std::array<uint8_t, 32> ss;
  if (a == Algorithm::kHybridKem) {
    auto r = hy::HybridKemEncaps(pk, random);
    if (!r.ok()) return Failed("encapsulation", r.status());
    ct = std::move(r->ciphertext);
    ss = r->shared_secret;
    OPENSSL_cleanse(r->shared_secret.data(), r->shared_secret.size());
  } else {
    auto r = crypto::mlkem::Encaps(hy::MlKemParams(a), pk, random);
    if (!r.ok()) return Failed("encapsulation", r.status());
    ct = std::move(r->ciphertext);
    ss = r->shared_secret;
    OPENSSL_cleanse(r->shared_secret.data(), r->shared_secret.size());
  }
  base::Status s = WriteKemOutputs(o.out, ct, o.secret, ss);
  OPENSSL_cleanse(ss.data(), ss.size());
  if (s.ok()) {
    std::printf("wrote %s ciphertext to %s and shared secret to %s (mode 0600)\n",
                std::string(hy::AlgorithmName(a)).c_str(), o.out.c_str(), o.secret.c_str());
  }
  return s;
}

base::Status RunDecap(const KemOptions& o) {
  HM_ASSIGN_OR_RETURN(Algorithm a, ParseAlgorithm(o.alg, Use::kKem));
  HM_ASSIGN_OR_RETURN(Format f, ParseFormat(o.format));
  HM_TRY(Require(o.key, "--key"));
  HM_TRY(Require(o.in, "--in"));
  HM_TRY(Require(o.secret, "--secret"));
  HM_ASSIGN_OR_RETURN(base::Bytes ct, ReadInput(o.in, "ciphertext", kMaxKeyOrSigFile));
  HM_ASSIGN_OR_RETURN(base::Bytes sk, LoadSecretKey(o.key, a, f));
  std::array<uint8_t, 32> ss;
  base::Status s;
  if (a == Algorithm::kHybridKem) {
    auto r = hy::HybridKemDecaps(sk, ct);
    s = r.status();
    if (r.ok()) ss = *r;
  } else {
    auto r = crypto::mlkem::Decaps(hy::MlKemParams(a), sk, ct);
    s = r.status();
    if (r.ok()) ss = *r;
  }
  Wipe(sk);
  if (!s.ok()) return Failed("decapsulation", s);
  s = WriteKemOutputs({}, {}, o.secret, ss);
  OPENSSL_cleanse(ss.data(), ss.size());
  if (s.ok()) std::printf("wrote shared secret to %s (mode 0600)\n", o.secret.c_str());
  return s;
}

void AddKem(CLI::App& app, int& exit_code) {
  auto* kem = app.add_subcommand(
      "kem", std::string("key encapsulation (encap / decap); --alg: ") + kKemAlgs);
  kem->require_subcommand(1);
  auto e = std::make_shared<KemOptions>();
  auto* encap = kem->add_subcommand("encap", "encapsulate a fresh shared secret to a public key");
  encap->add_option("--alg", e->alg, kKemAlgs);
  encap->add_option("--pub", e->pub, "recipient's public (encapsulation) key file");
  encap->add_option("--out", e->out, "ciphertext file to write");
  encap->add_option("--secret", e->secret, "shared secret file to write (mode 0600)");
  encap->add_option("--format", e->format, kFormatHelp);
  encap->callback([e, &exit_code] { Report("kem encap", RunEncap(*e), exit_code); });

  auto d = std::make_shared<KemOptions>();
  auto* decap = kem->add_subcommand("decap", "recover the shared secret from a ciphertext");
  decap->add_option("--alg", d->alg, kKemAlgs);
  decap->add_option("--key", d->key, "secret (decapsulation) key file (mode 0600)");
  decap->add_option("--in", d->in, "ciphertext file");
  decap->add_option("--secret", d->secret, "shared secret file to write (mode 0600)");
  decap->add_option("--format", d->format, kFormatHelp);
  decap->callback([d, &exit_code] { Report("kem decap", RunDecap(*d), exit_code); });
}

}  // namespace

void AddKeyCommands(CLI::App& app, int& exit_code) {
  AddKeyGen(app, exit_code);
  AddSignVerify(app, exit_code);
  AddKem(app, exit_code);
}

}  // namespace hm::cli
