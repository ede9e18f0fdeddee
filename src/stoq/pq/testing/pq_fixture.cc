#include "stoq/pq/testing/pq_fixture.h"

#include <array>
#include <utility>

#include "base/check.h"
#include "base/random.h"

namespace hm::stoq::pq::testing {

using crypto::falcon::Variant;

PeerKeys MakeKeys(uint8_t seed_byte) {
  std::array<uint8_t, crypto::falcon::kSeedSize> seed;
  seed.fill(seed_byte);
  auto kp = crypto::falcon::KeyGenFromSeed(Variant::kFalcon1024, seed);
  HM_CHECK_OK(kp.status());
  auto sk = crypto::falcon::SigningKey::Load(Variant::kFalcon1024, kp->secret_key);
  HM_CHECK_OK(sk.status());
  return PeerKeys{std::move(kp->public_key), std::move(sk).value()};
}

const Fixture& Fixed() {
  static const Fixture* fixture = new Fixture{MakeKeys(0xc1), MakeKeys(0x5e), Exporter(0xe0)};
  return *fixture;
}

const PeerKeys& Intruder() {
  static const PeerKeys* keys = new PeerKeys(MakeKeys(0xee));
  return *keys;
}

base::Bytes Exporter(uint8_t fill) { return base::Bytes(kExporterSize, fill); }

PeerVerifier AcceptAs(base::Bytes public_key, crypto::falcon::Variant variant) {
  return [key = std::move(public_key), variant](const std::vector<base::Bytes>&) {
    return crypto::falcon::VerifyingKey::Load(variant, key);
  };
}

PeerVerifier RejectAll(std::string why) {
  return [why = std::move(why)](
             const std::vector<base::Bytes>&) -> base::Result<crypto::falcon::VerifyingKey> {
    return base::PermissionDenied(why);
  };
}

Transcript RecordFixedExchange() {
  const Fixture& f = Fixed();
  base::SeededRandom client_random(kClientRandomSeed);
  base::SeededRandom server_random(kServerRandomSeed);
  ClientHandshake client(f.exporter, f.client.signing_key, AcceptAs(f.server.public_key), {},
                         client_random);
  ServerHandshake server(f.exporter, f.server.signing_key, AcceptAs(f.client.public_key), {},
                         server_random);
  Transcript t;
  auto ch = client.Start();
  HM_CHECK_OK(ch.status());
  t.client_hello = *ch;
  auto sh = server.OnBytes(t.client_hello);
  HM_CHECK_OK(sh.status());
  t.server_hello = *sh;
  auto cf = client.OnBytes(t.server_hello);
  HM_CHECK_OK(cf.status());
  t.client_finish = *cf;
  auto sc = server.OnBytes(t.client_finish);
  HM_CHECK_OK(sc.status());
  t.server_confirm = *sc;
  auto rest = client.OnBytes(t.server_confirm);
  HM_CHECK_OK(rest.status());
  HM_CHECK(client.done() && server.done() && rest->empty());
  return t;
}

}  // namespace hm::stoq::pq::testing
