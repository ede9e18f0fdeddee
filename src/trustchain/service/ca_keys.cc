#include "trustchain/service/ca_keys.h"

#include <fmt/format.h>

#include <sys/stat.h>

#include <filesystem>

#include "crypto/ecdsa.h"
#include "crypto/falcon/falcon.h"
#include "crypto/hybrid/pq_keys.h"
#include "crypto/key_file.h"

namespace hm::trustchain::service {
namespace {

namespace fs = std::filesystem;
namespace falcon = crypto::falcon;
constexpr falcon::Variant kFalcon = falcon::Variant::kFalcon1024;

struct KeyPair {
  crypto::EcdsaP256PrivateKey ecdsa;
  ca::FalconKey falcon;
};

std::string PathIn(const std::string& dir, const char* file) {
  return (fs::path(dir) / file).string();
}

base::Result<KeyPair> LoadPair(const std::string& ecdsa_path, const std::string& falcon_path) {
  HM_ASSIGN_OR_RETURN(base::Bytes ecdsa_pem, crypto::ReadSecretFile(ecdsa_path));
  auto ecdsa = crypto::EcdsaP256PrivateKey::FromPkcs8Pem(base::AsString(ecdsa_pem));
  if (!ecdsa.ok()) return ecdsa.status().WithContext(ecdsa_path);
  HM_ASSIGN_OR_RETURN(auto falcon, crypto::hybrid::LoadFalcon1024KeyFile(falcon_path));
  return KeyPair{std::move(*ecdsa),
                 ca::FalconKey{std::move(falcon.signing), std::move(falcon.public_key)}};
}

base::Result<KeyPair> CreatePair(const std::string& ecdsa_path, const std::string& falcon_path,
                                 base::Random& random) {
  auto ecdsa = crypto::EcdsaP256PrivateKey::Generate();
  HM_ASSIGN_OR_RETURN(auto pair, falcon::KeyGen(kFalcon, random));
  HM_ASSIGN_OR_RETURN(std::string falcon_pem,
                      crypto::hybrid::SecretKeyToPem(crypto::hybrid::Algorithm::kFalcon1024,
                                                     pair.secret_key));
  HM_TRY(crypto::WriteSecretFile(falcon_path, base::AsBytes(falcon_pem)));
  HM_TRY(crypto::WriteSecretFile(ecdsa_path, base::AsBytes(ecdsa.ToPkcs8Pem())));
  HM_ASSIGN_OR_RETURN(auto signing, falcon::SigningKey::Load(kFalcon, pair.secret_key));
  return KeyPair{std::move(ecdsa), ca::FalconKey{std::move(signing), std::move(pair.public_key)}};
}

base::Bytes RandomSerial(base::Random& random) {
  base::Bytes serial(16);
  random.Fill(serial);
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x40);  // positive, minimal, 16 bytes
  return serial;
}

}  // namespace

base::Result<ca::CaParams> CreateHierarchy(const std::string& keys_dir,
                                           const HierarchyOptions& options,
                                           std::chrono::system_clock::time_point now,
                                           base::Random& random) {
  const std::string paths[4] = {
      PathIn(keys_dir, kRootEcdsaKeyFile), PathIn(keys_dir, kRootFalconKeyFile),
      PathIn(keys_dir, kIssuingEcdsaKeyFile), PathIn(keys_dir, kIssuingFalconKeyFile)};
  std::error_code ec;
  if (!fs::exists(keys_dir, ec)) {
    fs::create_directories(keys_dir, ec);
    if (ec || ::chmod(keys_dir.c_str(), 0700) != 0) {
      return base::IoError(fmt::format("cannot create key directory {}", keys_dir));
    }
  }
  int present = 0;
  for (const auto& p : paths) present += fs::exists(p, ec) ? 1 : 0;
  if (present != 0 && present != 4) {
    return base::FailedPrecondition(fmt::format(
        "{}: only {} of the 4 CA key files exist ({}, {}, {}, {}); refusing to replace part of "
        "the CA identity",
        keys_dir, present, kRootEcdsaKeyFile, kRootFalconKeyFile, kIssuingEcdsaKeyFile,
        kIssuingFalconKeyFile));
  }
  // Keys written before genesis: a crash in between re-creates the certificates from them.
  auto root_keys = present == 4 ? LoadPair(paths[0], paths[1])
                                : CreatePair(paths[0], paths[1], random);
  if (!root_keys.ok()) return root_keys.status();
  auto issuing_keys = present == 4 ? LoadPair(paths[2], paths[3])
                                   : CreatePair(paths[2], paths[3], random);
  if (!issuing_keys.ok()) return issuing_keys.status();

  ca::CaCertOptions ro;
  ro.common_name = options.root_name;
  ro.serial = RandomSerial(random);
  ro.not_before = now;
  ro.validity = options.root_validity;
  HM_ASSIGN_OR_RETURN(base::Bytes root_der,
                      ca::CreateRootCertificate(root_keys->ecdsa, root_keys->falcon, ro, random));
  HM_ASSIGN_OR_RETURN(ca::IssuingCa root,
                      ca::IssuingCa::Create(root_der, std::move(root_keys->ecdsa),
                                            std::move(root_keys->falcon)));
  ca::CaCertOptions io;
  io.common_name = options.issuing_name;
  io.serial = RandomSerial(random);
  io.not_before = now;
  io.validity = options.issuing_validity;
  HM_ASSIGN_OR_RETURN(base::Bytes issuing_der,
                      ca::CreateIntermediateCertificate(root, issuing_keys->ecdsa.PublicKey(),
                                                        issuing_keys->falcon.public_key, io,
                                                        random));
  ca::CaParams params;
  params.root_der = std::move(root_der);
  params.issuing_der = std::move(issuing_der);
  return params;
}

base::Result<ca::IssuingCa> LoadIssuingCa(const std::string& keys_dir, const ca::CaParams& params) {
  const std::string ecdsa_path = PathIn(keys_dir, kIssuingEcdsaKeyFile);
  const std::string falcon_path = PathIn(keys_dir, kIssuingFalconKeyFile);
  HM_ASSIGN_OR_RETURN(KeyPair keys, LoadPair(ecdsa_path, falcon_path));
  auto ca = ca::IssuingCa::Create(params.issuing_der, std::move(keys.ecdsa), std::move(keys.falcon));
  if (!ca.ok()) {
    return base::FailedPrecondition(fmt::format(
        "{} / {} do not match the issuing CA certificate in genesis ({}); this data directory "
        "belongs to another network",
        ecdsa_path, falcon_path, ca.status().message()));
  }
  return ca;
}

}  // namespace hm::trustchain::service
