// Server side of the exchange: ClientHello -> ServerHello, then ClientFinish -> ServerConfirm.
#include <utility>

#include "base/check.h"
#include "crypto/mlkem/mlkem.h"
#include "stoq/pq/handshake.h"
#include "stoq/pq/key_schedule.h"

namespace hm::stoq::pq {

using crypto::mlkem::Params;

ServerHandshake::ServerHandshake(base::ByteSpan exporter, crypto::falcon::SigningKey own_key,
                                 PeerVerifier verifier, std::vector<base::Bytes> peer_chain_der,
                                 base::Random& random)
    : Handshake(exporter, std::move(own_key), std::move(verifier), std::move(peer_chain_der),
                random) {}

ServerHandshake::~ServerHandshake() { crypto::mlkem::SecureWipe(ss_s_); }

base::Status ServerHandshake::OnFrame(const Frame& frame, base::Bytes& out) {
  const std::string got(MessageTypeName(frame.type));
  switch (state_) {
    case State::kWaitClientHello:
      if (frame.type != MessageType::kClientHello) {
        return Fail(kPqUnexpectedMessage, got + " while waiting for ClientHello");
      }
      return OnClientHello(frame, out);
    case State::kWaitClientFinish:
      if (frame.type != MessageType::kClientFinish) {
        return Fail(kPqUnexpectedMessage, got + " while waiting for ClientFinish");
      }
      return OnClientFinish(frame, out);
    case State::kDone:
      break;  // OnBytes stops feeding frames once done
  }
  return Fail(kPqUnexpectedMessage, got + " after the exchange");
}

base::Status ServerHandshake::OnClientHello(const Frame& frame, base::Bytes& out) {
  auto hello = DecodeClientHello(frame.body());
  if (!hello.ok()) return Fail(kPqMalformed, hello.status().ToString());
  auto enc = crypto::mlkem::Encaps(Params::kMlKem1024, hello->ek, random_);
  if (!enc.ok()) return Fail(kPqMalformed, "client encapsulation key: " + enc.status().ToString());
  ss_s_ = enc->shared_secret;
  crypto::mlkem::SecureWipe(enc->shared_secret);
  auto kp = crypto::mlkem::KeyGen(Params::kMlKem1024, random_);
  HM_CHECK_OK(kp.status());
  dk_ = std::move(kp->dk);

  // Encode with a zero-filled signature first: sig_s is the last field, so the bytes before it are
  // final and form the end of T1 = E || CH || SH⁻.
  base::Bytes reply = EncodeServerHello(
      {std::move(kp->ek), std::move(enc->ciphertext), base::Bytes(kSignatureSize)});
  const size_t sig_at = reply.size() - kSignatureSize;
  transcript_ = exporter_;
  Append(frame.bytes);
  Append(base::ByteSpan(reply).first(sig_at));
  auto sig = own_key_.SignPadded(ServerSignedMessage(transcript_), random_);
  HM_CHECK_OK(sig.status());
  HM_CHECK(sig->size() == kSignatureSize);
  std::copy(sig->begin(), sig->end(), reply.begin() + static_cast<std::ptrdiff_t>(sig_at));
  Append(*sig);

  out.insert(out.end(), reply.begin(), reply.end());
  state_ = State::kWaitClientFinish;
  return base::Status::Ok();
}

base::Status ServerHandshake::OnClientFinish(const Frame& frame, base::Bytes& out) {
  auto finish = DecodeClientFinish(frame.body());
  if (!finish.ok()) return Fail(kPqMalformed, finish.status().ToString());

  // T2 = T1 || sig_s || ct_c (sig_s is already in the transcript).
  Append(finish->ct);
  HM_TRY(VerifyPeerSignature(ClientSignedMessage(transcript_), finish->sig));
  auto ss_c = crypto::mlkem::Decaps(Params::kMlKem1024, dk_, finish->ct);
  HM_CHECK_OK(ss_c.status());  // right ciphertext size, our own dk: cannot fail
  WipeDecapsulationKey();

  Append(finish->sig);
  ServerConfirm confirm{FinishKeySchedule(ss_s_, *ss_c)};
  crypto::mlkem::SecureWipe(ss_s_);
  crypto::mlkem::SecureWipe(*ss_c);
  const base::Bytes reply = EncodeServerConfirm(confirm);
  crypto::mlkem::SecureWipe(confirm.mac);
  out.insert(out.end(), reply.begin(), reply.end());
  state_ = State::kDone;
  done_ = true;
  return base::Status::Ok();
}

}  // namespace hm::stoq::pq
