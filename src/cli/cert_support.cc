#include "cli/cert_support.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "base/check.h"
#include "base/clock.h"
#include "crypto/key_file.h"
#include "crypto/ossl_ptr.h"
#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/ca_module.h"
#include "trustchain/ca/revocation.h"

namespace hm::cli {
namespace {

using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;
using BioPtr = crypto::OsslPtr<BIO, BIO_free_all>;
using X509Ptr = crypto::OsslPtr<X509, X509_free>;
using BnPtr = crypto::OsslPtr<BIGNUM, BN_free>;
using MdCtxPtr = crypto::OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using GeneralNamesPtr = crypto::OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;

using trustchain::ca::kMaxSerialBytes;

std::string DrainOpenSsl() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no OpenSSL error detail" : out;
}

TimePoint FromAsn1Time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return TimePoint{};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

// ---- serials and revocation ----

std::string SerialHex(base::ByteSpan serial) { return trustchain::ca::SerialHex(serial); }

base::Result<base::Bytes> ParseSerialHex(std::string_view text) {
  std::string hex;
  std::string_view t = text;
  if (t.starts_with("0x") || t.starts_with("0X")) t.remove_prefix(2);
  for (char c : t) {
    if (c != ':') hex.push_back(c);
  }
  if (hex.empty()) return Usage("empty serial");
  if (hex.size() % 2 != 0) hex.insert(hex.begin(), '0');
  auto bytes = base::HexDecode(hex);
  if (!bytes.ok()) return Usage(fmt::format("serial \"{}\" is not hex", text));
  auto first = std::find_if(bytes->begin(), bytes->end(), [](uint8_t b) { return b != 0; });
  base::Bytes minimal(first, bytes->end());
  if (minimal.empty()) return Usage("serial must not be zero");
  if (minimal.size() > kMaxSerialBytes) {
    return Usage(fmt::format("serial \"{}\" is longer than 20 bytes", text));
  }
  return minimal;
}

base::Result<uint8_t> ParseRevocationReason(std::string_view text) {
  auto reason = trustchain::ca::ParseRevocationReason(text);
  if (!reason.ok()) return Usage(fmt::format("--reason \"{}\": {}", text, reason.status().message()));
  return static_cast<uint8_t>(*reason);
}

std::string_view RevocationReasonName(uint8_t code) {
  return trustchain::ca::RevocationReasonName(static_cast<trustchain::ca::RevocationReason>(code));
}

base::Bytes RevocationMessage(base::ByteSpan serial, uint8_t reason) {
  return trustchain::ca::RevocationMessage(serial,
                                           static_cast<trustchain::ca::RevocationReason>(reason));
}

// ---- durations and the renewal decision ----

base::Result<seconds> ParseDuration(std::string_view text) {
  if (text.empty()) return Usage("empty duration");
  constexpr uint64_t kMax = uint64_t{100} * 365 * 86400;
  uint64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    uint64_t n = 0;
    size_t digits = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
      n = n * 10 + static_cast<uint64_t>(text[i] - '0');
      if (n > kMax) return Usage(fmt::format("duration \"{}\" is too long", text));
    }
    if (digits == 0) {
      return Usage(fmt::format("bad duration \"{}\" (e.g. 90s, 30m, 6h, 1d, 1h30m)", text));
    }
    uint64_t unit = 1;
    if (i < text.size()) {
      switch (text[i++]) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        default:
          return Usage(fmt::format("bad duration \"{}\" (units: s, m, h, d)", text));
      }
    } else if (total != 0 || digits != text.size()) {
      return Usage(fmt::format("bad duration \"{}\": number without a unit", text));
    }
    total += n * unit;
    if (total > kMax) return Usage(fmt::format("duration \"{}\" is too long", text));
  }
  return seconds(static_cast<int64_t>(total));
}

std::string FormatDuration(seconds d) {
  if (d < seconds(0)) return "-" + FormatDuration(-d);
  const int64_t s = d.count();
  if (s >= 86400) return fmt::format("{}d {}h", s / 86400, s % 86400 / 3600);
  if (s >= 3600) return fmt::format("{}h {}m", s / 3600, s % 3600 / 60);
  if (s >= 60) return fmt::format("{}m {}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string FormatTime(TimePoint t) { return base::FormatRfc3339(t); }

RenewalCheck CheckRenewal(TimePoint not_before, TimePoint not_after, TimePoint now,
                          seconds before) {
  RenewalCheck c;
  c.time_left = std::chrono::duration_cast<seconds>(not_after - now);
  const auto lifetime = std::chrono::duration_cast<seconds>(not_after - not_before);
  c.threshold = lifetime > seconds(0) ? std::min(before, lifetime / 2) : before;
  c.due = c.time_left < c.threshold;
  return c;
}

// ---- leaf keys and certificates ----

LeafKey GenerateLeafKey(LeafKeyType type) {
  EVP_PKEY* k = type == LeafKeyType::kEd25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                              : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  HM_CHECK_MSG(k != nullptr, "OpenSSL key generation failed");  // a broken CSPRNG, not input
  return LeafKey{crypto::EvpPkeyPtr(k), type};
}

base::Result<LeafKey> LoadLeafKey(const std::string& path) {
  auto file = crypto::ReadSecretFile(path);
  if (!file.ok()) return Usage(fmt::format("cannot read key: {}", file.status().message()));
  BioPtr bio(BIO_new_mem_buf(file->data(), static_cast<int>(file->size())));
  // A refusing passphrase callback: an encrypted key is an error, never a terminal prompt.
  pem_password_cb* no_password = [](char*, int, int, void*) { return -1; };
  ERR_clear_error();
  EVP_PKEY* k = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr) : nullptr;
  OPENSSL_cleanse(file->data(), file->size());
  if (k == nullptr) {
    return Usage(fmt::format("{}: not an unencrypted PEM private key ({})", path, DrainOpenSsl()));
  }
  LeafKey key{crypto::EvpPkeyPtr(k), LeafKeyType::kP256};
  const int id = EVP_PKEY_get_base_id(k);
  if (id == EVP_PKEY_ED25519) {
    key.type = LeafKeyType::kEd25519;
    return key;
  }
  char group[64] = {0};
  size_t len = 0;
  if (id == EVP_PKEY_EC &&
      EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) ==
          1 &&
      std::string_view(group) == "prime256v1") {
    return key;
  }
  const char* name = EVP_PKEY_get0_type_name(k);
  return Usage(fmt::format("{}: {} key; TrustChain leaves use ECDSA P-256 or Ed25519", path,
                           id == EVP_PKEY_EC ? group : (name != nullptr ? name : "unknown")));
}

base::Result<std::string> LeafKeyPem(const LeafKey& key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key.pkey.get(), nullptr, nullptr, 0, nullptr,
                                            nullptr) != 1) {
    return base::Internal("encoding the key: " + DrainOpenSsl());
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(len));
  OPENSSL_cleanse(data, static_cast<size_t>(len));
  return pem;
}

base::Status WriteLeafKey(const std::string& path, const LeafKey& key) {
  HM_ASSIGN_OR_RETURN(std::string pem, LeafKeyPem(key));
  const base::Status s = crypto::WriteSecretFile(path, base::AsBytes(pem));
  OPENSSL_cleanse(pem.data(), pem.size());
  return s;
}

base::Bytes SpkiDer(EVP_PKEY* pkey) {
  const int len = i2d_PUBKEY(pkey, nullptr);
  if (len <= 0) return {};
  base::Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_PUBKEY(pkey, &p);
  return out;
}

base::Result<base::Bytes> SignWithLeafKey(const LeafKey& key, base::ByteSpan message) {
  ERR_clear_error();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const EVP_MD* md = key.type == LeafKeyType::kEd25519 ? nullptr : EVP_sha256();
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return base::Internal("signing: " + DrainOpenSsl());
  }
  base::Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) {
    return base::Internal("signing: " + DrainOpenSsl());
  }
  sig.resize(len);
  return sig;
}

namespace {

base::Status ReadSans(X509* x, LeafCert& out) {
  int crit = 0;
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, &crit, nullptr)));
  if (!names) {
    if (crit == -1) return Usage("certificate has no subjectAltName");
    return Usage("certificate has a malformed subjectAltName");
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    int type = 0;
    const auto* v = static_cast<const ASN1_STRING*>(
        GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(names.get(), i), &type));
    const auto* data = ASN1_STRING_get0_data(v);
    const auto len = static_cast<size_t>(ASN1_STRING_length(v));
    if (type == GEN_DNS) {
      out.dns_names.emplace_back(reinterpret_cast<const char*>(data), len);
    } else if (type == GEN_IPADD && (len == 16 || len == 4)) {
      char text[INET6_ADDRSTRLEN] = {0};
      inet_ntop(len == 16 ? AF_INET6 : AF_INET, data, text, sizeof(text));
      out.ip_addresses.emplace_back(text);
    } else {
      return Usage(fmt::format("certificate has a SAN entry of type {} (not DNS or IP)", type));
    }
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<LeafCert> ParseLeafCertPem(std::string_view pem) {
  ERR_clear_error();
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string_view::npos) {
    return Usage("no PEM CERTIFICATE block");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr x(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!x) return Usage("malformed certificate: " + DrainOpenSsl());
  LeafCert out;
  const int der_len = i2d_X509(x.get(), nullptr);
  if (der_len <= 0) return Usage("malformed certificate: " + DrainOpenSsl());
  out.der.resize(static_cast<size_t>(der_len));
  unsigned char* p = out.der.data();
  i2d_X509(x.get(), &p);

  BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x.get()), nullptr));
  if (!bn || BN_is_negative(bn.get()) || BN_is_zero(bn.get()) ||
      BN_num_bytes(bn.get()) > static_cast<int>(kMaxSerialBytes)) {
    return Usage("certificate serial is not a positive number of at most 20 bytes");
  }
  out.serial.resize(static_cast<size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.serial.data());
  out.not_before = FromAsn1Time(X509_get0_notBefore(x.get()));
  out.not_after = FromAsn1Time(X509_get0_notAfter(x.get()));
  EVP_PKEY* pub = X509_get0_pubkey(x.get());
  if (pub == nullptr) return Usage("certificate public key: " + DrainOpenSsl());
  out.spki_der = SpkiDer(pub);
  HM_TRY(ReadSans(x.get(), out));
  auto falcon = trustchain::ca::SubjectAltPublicKey(out.der);
  if (!falcon.ok()) return Usage(std::string(falcon.status().message()));
  out.falcon_public_key = std::move(falcon).value();
  return out;
}

base::Result<LeafCert> ReadCertFile(const std::string& path) {
  auto file = crypto::ReadFile(path, size_t{1} << 20);
  if (!file.ok()) {
    return Usage(fmt::format("cannot read certificate: {}", file.status().message()));
  }
  auto cert = ParseLeafCertPem(base::AsString(*file));
  if (!cert.ok()) return Usage(fmt::format("{}: {}", path, cert.status().message()));
  return cert;
}

base::Status CheckKeyMatches(const LeafKey& key, const LeafCert& cert, const std::string& key_path,
                             const std::string& cert_path) {
  if (SpkiDer(key.pkey.get()) != cert.spki_der) {
    return Usage(fmt::format("key {} does not belong to certificate {}", key_path, cert_path));
  }
  return base::Status::Ok();
}

}  // namespace hm::cli
