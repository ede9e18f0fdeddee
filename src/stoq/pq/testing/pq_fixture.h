// Deterministic setup for the STOQ PQ tests, the seed-corpus writer and the fuzz target: fixed
// Falcon-1024 keys, a fixed exporter and fixed Random seeds, so that recorded messages replay
// exactly (the corpus reaches every state). Test-only; not for production code.
// Thread-safety: Fixed() and Intruder() build their keys once (thread-safe statics); the rest
// are pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "crypto/falcon/falcon.h"
#include "stoq/pq/handshake.h"

namespace hm::stoq::pq::testing {

struct PeerKeys {
  base::Bytes public_key;
  crypto::falcon::SigningKey signing_key;
};

// Falcon-1024 keys from a seed made of `seed_byte` (keygen takes ~40 ms: keep the result).
PeerKeys MakeKeys(uint8_t seed_byte);

inline constexpr uint64_t kClientRandomSeed = 0x5101c;
inline constexpr uint64_t kServerRandomSeed = 0x5101d;

struct Fixture {
  PeerKeys client;
  PeerKeys server;
  base::Bytes exporter;  // 32 bytes
};
const Fixture& Fixed();
// A third key that neither side's verifier returns.
const PeerKeys& Intruder();

// An exporter of 32 bytes all equal to `fill`.
base::Bytes Exporter(uint8_t fill);
// A verifier that accepts any chain and returns `public_key` decoded as `variant` (refusing the
// chain if the key does not decode).
PeerVerifier AcceptAs(base::Bytes public_key,
                      crypto::falcon::Variant variant = crypto::falcon::Variant::kFalcon1024);
// A verifier that rejects every chain.
PeerVerifier RejectAll(std::string why);

// The four frames of one complete exchange between the fixed client and server, each side
// drawing from a SeededRandom with its fixed seed (what the fuzz target replays).
struct Transcript {
  base::Bytes client_hello, server_hello, client_finish, server_confirm;
};
Transcript RecordFixedExchange();

}  // namespace hm::stoq::pq::testing
