// The STOQ post-quantum exchange (docs/spec/stoq-pq.md) as two I/O-free state machines. The
// transport feeds them the bytes of stream 0 and sends what they return; they read no clock (the
// transport enforces kPqTimeout) and draw randomness only from the Random they are given.
// Thread-safety: an instance is owned by one thread (the connection's); the Random is used from
// that thread only.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/falcon/falcon.h"
#include "stoq/pq/errors.h"
#include "stoq/pq/messages.h"

namespace hm::stoq::pq {

// Checks the DER chain the peer presented in TLS and returns the peer's Falcon-1024 key, decoded
// (a verifier that remembers chains keeps it decoded too). Any error, or a key of another
// variant, closes the connection with kPqBadCertificate. Injected because certificate policy
// lives in TrustChain, above STOQ.
using PeerVerifier = std::function<base::Result<crypto::falcon::VerifyingKey>(
    const std::vector<base::Bytes>& peer_chain_der)>;

// What the two sides have in common. Failures are sticky: after the first, every call returns
// the same error. On error, failure() says which application error code to close with.
class Handshake {
 public:
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;
  virtual ~Handshake();

  // Feeds bytes received on the stream; returns bytes to send (possibly none). Errors are
  // rejections of the peer's bytes or certificate, with failure() set.
  base::Result<base::Bytes> OnBytes(base::ByteSpan data);
  // The peer closed its sending side (FIN). kPqMalformed unless done().
  base::Status OnStreamEnd();

  // Finished and not failed since (bytes after the last message fail a finished exchange).
  bool done() const { return done_ && !failure_; }
  const std::optional<Failure>& failure() const { return failure_; }
  // The 32-byte pq_secret; empty unless done().
  base::ByteSpan pq_secret() const;

 protected:
  // exporter: the 32-byte TLS exporter E; own_key: Falcon-1024 (both HM_CHECKed).
  Handshake(base::ByteSpan exporter, crypto::falcon::SigningKey own_key, PeerVerifier verifier,
            std::vector<base::Bytes> peer_chain_der, base::Random& random);

  // Handles one whole frame in the current state, appending anything to send to `out`.
  virtual base::Status OnFrame(const Frame& frame, base::Bytes& out) = 0;

  // Records the first failure and returns it as a Status.
  base::Status Fail(uint64_t app_error_code, std::string reason);
  // Runs the verifier once and loads the peer's Falcon key (kPqBadCertificate).
  base::Status EnsurePeerKey();
  // Verifies a peer signature over `message` (kPqBadSignature).
  base::Status VerifyPeerSignature(base::ByteSpan message, base::ByteSpan signature);
  // From the shared secrets and T2 || sig_c (the transcript so far): sets pq_secret_ and
  // returns the ServerConfirm MAC.
  std::array<uint8_t, kMacSize> FinishKeySchedule(base::ByteSpan ss_s, base::ByteSpan ss_c);
  void Append(base::ByteSpan bytes) {
    transcript_.insert(transcript_.end(), bytes.begin(), bytes.end());
  }
  void WipeDecapsulationKey();

  const base::Bytes exporter_;
  const crypto::falcon::SigningKey own_key_;
  base::Random& random_;
  base::Bytes transcript_;  // E || CH || SH⁻ || sig_s || ct_c || sig_c, built up as messages pass
  base::Bytes dk_;          // own ephemeral ML-KEM decapsulation key; wiped once used
  bool done_ = false;

 private:
  PeerVerifier verifier_;
  std::vector<base::Bytes> peer_chain_der_;
  std::optional<crypto::falcon::VerifyingKey> peer_key_;
  MessageReader reader_;
  base::Bytes pq_secret_;
  std::optional<Failure> failure_;
};

// The client side: Start() once, then OnBytes() with what the server sends.
class ClientHandshake final : public Handshake {
 public:
  ClientHandshake(base::ByteSpan exporter, crypto::falcon::SigningKey own_key,
                  PeerVerifier verifier, std::vector<base::Bytes> peer_chain_der,
                  base::Random& random);
  ~ClientHandshake() override;

  // Verifies the server chain and returns the ClientHello frame to send. Call exactly once,
  // before OnBytes.
  base::Result<base::Bytes> Start();

 private:
  enum class State { kIdle, kWaitServerHello, kWaitConfirm, kDone };
  base::Status OnFrame(const Frame& frame, base::Bytes& out) override;
  base::Status OnServerHello(const Frame& frame, base::Bytes& out);
  base::Status OnServerConfirm(const Frame& frame);

  State state_ = State::kIdle;
  std::array<uint8_t, kMacSize> expected_mac_{};
};

// The server side: OnBytes() with what the client sends. The client chain is verified before
// the first message is looked at.
class ServerHandshake final : public Handshake {
 public:
  ServerHandshake(base::ByteSpan exporter, crypto::falcon::SigningKey own_key,
                  PeerVerifier verifier, std::vector<base::Bytes> peer_chain_der,
                  base::Random& random);
  ~ServerHandshake() override;

 private:
  enum class State { kWaitClientHello, kWaitClientFinish, kDone };
  base::Status OnFrame(const Frame& frame, base::Bytes& out) override;
  base::Status OnClientHello(const Frame& frame, base::Bytes& out);
  base::Status OnClientFinish(const Frame& frame, base::Bytes& out);

  State state_ = State::kWaitClientHello;
  std::array<uint8_t, 32> ss_s_{};  // from Encaps(ek_c); wiped after the key schedule
};

}  // namespace hm::stoq::pq
