// Client side of the exchange: ClientHello, then ServerHello -> ClientFinish, then
// ServerConfirm.
#include <utility>

#include "base/check.h"
#include "crypto/mlkem/mlkem.h"
#include "stoq/pq/handshake.h"
#include "stoq/pq/key_schedule.h"

namespace hm::stoq::pq {

using crypto::mlkem::Params;

ClientHandshake::ClientHandshake(base::ByteSpan exporter, crypto::falcon::SigningKey own_key,
                                 PeerVerifier verifier, std::vector<base::Bytes> peer_chain_der,
                                 base::Random& random)
    : Handshake(exporter, std::move(own_key), std::move(verifier), std::move(peer_chain_der),
                random) {}

ClientHandshake::~ClientHandshake() { crypto::mlkem::SecureWipe(expected_mac_); }

base::Result<base::Bytes> ClientHandshake::Start() {
  HM_CHECK_MSG(state_ == State::kIdle, "ClientHandshake::Start called twice");
  state_ = State::kWaitServerHello;
  HM_TRY(EnsurePeerKey());
  auto kp = crypto::mlkem::KeyGen(Params::kMlKem1024, random_);
  HM_CHECK_OK(kp.status());
  dk_ = std::move(kp->dk);
  ClientHello hello;
  hello.ek = std::move(kp->ek);
  random_.Fill(hello.nonce);
  base::Bytes frame = EncodeClientHello(hello);
  transcript_ = exporter_;
  Append(frame);
  return frame;
}

base::Status ClientHandshake::OnFrame(const Frame& frame, base::Bytes& out) {
  const std::string got(MessageTypeName(frame.type));
  switch (state_) {
    case State::kIdle:
      HM_CHECK_MSG(false, "ClientHandshake::OnBytes before Start");
      break;
    case State::kWaitServerHello:
      if (frame.type != MessageType::kServerHello) {
        return Fail(kPqUnexpectedMessage, got + " while waiting for ServerHello");
      }
      return OnServerHello(frame, out);
    case State::kWaitConfirm:
      if (frame.type != MessageType::kServerConfirm) {
        return Fail(kPqUnexpectedMessage, got + " while waiting for ServerConfirm");
      }
      return OnServerConfirm(frame);
    case State::kDone:
      break;  // OnBytes stops feeding frames once done
  }
  return Fail(kPqUnexpectedMessage, got + " after the exchange");
}

base::Status ClientHandshake::OnServerHello(const Frame& frame, base::Bytes& out) {
  auto hello = DecodeServerHello(frame.body());
  if (!hello.ok()) return Fail(kPqMalformed, hello.status().ToString());

  // T1 = E || CH || SH without sig_s (the last field).
  Append(base::ByteSpan(frame.bytes).first(frame.bytes.size() - kSignatureSize));
  HM_TRY(VerifyPeerSignature(ServerSignedMessage(transcript_), hello->sig));

  // ct_s has the right size and dk_ is ours, so Decaps cannot fail (implicit rejection).
  auto ss_s = crypto::mlkem::Decaps(Params::kMlKem1024, dk_, hello->ct);
  HM_CHECK_OK(ss_s.status());
  WipeDecapsulationKey();
  auto enc = crypto::mlkem::Encaps(Params::kMlKem1024, hello->ek, random_);
  if (!enc.ok()) {
    crypto::mlkem::SecureWipe(*ss_s);
    return Fail(kPqMalformed, "server encapsulation key: " + enc.status().ToString());
  }

  // T2 = T1 || sig_s || ct_c; the client signs it, then T2 || sig_c feeds the key schedule.
  Append(hello->sig);
  Append(enc->ciphertext);
  auto sig = own_key_.SignPadded(ClientSignedMessage(transcript_), random_);
  HM_CHECK_OK(sig.status());
  Append(*sig);
  expected_mac_ = FinishKeySchedule(*ss_s, enc->shared_secret);
  crypto::mlkem::SecureWipe(*ss_s);
  crypto::mlkem::SecureWipe(enc->shared_secret);

  const base::Bytes finish = EncodeClientFinish({std::move(enc->ciphertext), std::move(*sig)});
  out.insert(out.end(), finish.begin(), finish.end());
  state_ = State::kWaitConfirm;
  return base::Status::Ok();
}

base::Status ClientHandshake::OnServerConfirm(const Frame& frame) {
  auto confirm = DecodeServerConfirm(frame.body());
  if (!confirm.ok()) return Fail(kPqMalformed, confirm.status().ToString());
  if (!base::ConstantTimeEqual(confirm->mac, expected_mac_)) {
    return Fail(kPqBadConfirm, "ServerConfirm MAC does not match");
  }
  state_ = State::kDone;
  done_ = true;
  return base::Status::Ok();
}

}  // namespace hm::stoq::pq
