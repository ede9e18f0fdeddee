// The parts of the exchange both sides share: the frame loop, failures, the peer key, the
// key schedule. The per-side states are in client_handshake.cc and server_handshake.cc.
#include "stoq/pq/handshake.h"

#include <utility>

#include "base/check.h"
#include "crypto/hash.h"
#include "crypto/mlkem/mlkem.h"
#include "stoq/pq/key_schedule.h"

namespace hm::stoq::pq {
namespace {

// The Status code that goes with each application error (the caller closes with the latter).
// mlkem::SecureWipe hands its pointer to memset, which must not see the null data() of an
// empty vector (UBSan flags it even for length 0).
void Wipe(base::Bytes& bytes) {
  if (!bytes.empty()) crypto::mlkem::SecureWipe(bytes);
}

base::Code StatusCodeFor(uint64_t app_error_code) {
  switch (app_error_code) {
    case kPqMalformed:
      return base::Code::kInvalidArgument;
    case kPqBadCertificate:
      return base::Code::kPermissionDenied;
    case kPqBadSignature:
    case kPqBadConfirm:
      return base::Code::kUnauthenticated;
    case kPqUnexpectedMessage:
      return base::Code::kFailedPrecondition;
    default:
      return base::Code::kInternal;
  }
}

}  // namespace

Handshake::Handshake(base::ByteSpan exporter, crypto::falcon::SigningKey own_key,
                     PeerVerifier verifier, std::vector<base::Bytes> peer_chain_der,
                     base::Random& random)
    : exporter_(exporter.begin(), exporter.end()),
      own_key_(std::move(own_key)),
      random_(random),
      verifier_(std::move(verifier)),
      peer_chain_der_(std::move(peer_chain_der)) {
  HM_CHECK_MSG(exporter_.size() == kExporterSize, "the TLS exporter E must be 32 bytes");
  HM_CHECK_MSG(own_key_.variant() == crypto::falcon::Variant::kFalcon1024,
               "the STOQ PQ channel signs with Falcon-1024");
  HM_CHECK(verifier_ != nullptr);
}

Handshake::~Handshake() {
  WipeDecapsulationKey();
  Wipe(pq_secret_);
}

base::Result<base::Bytes> Handshake::OnBytes(base::ByteSpan data) {
  if (failure_) return Fail(failure_->app_error_code, failure_->reason);
  HM_TRY(EnsurePeerKey());
  reader_.Feed(data);
  base::Bytes out;
  while (true) {
    if (done_) {
      if (reader_.buffered() > 0) return Fail(kPqUnexpectedMessage, "bytes after the exchange");
      break;
    }
    auto next = reader_.Next();
    if (!next.ok()) return Fail(kPqMalformed, std::string(next.status().message()));
    if (!next->has_value()) break;
    HM_TRY(OnFrame(**next, out));
  }
  return out;
}

base::Status Handshake::OnStreamEnd() {
  if (failure_) return Fail(failure_->app_error_code, failure_->reason);
  if (!done_) return Fail(kPqMalformed, "stream ended before the exchange finished");
  return base::Status::Ok();
}

base::ByteSpan Handshake::pq_secret() const {
  return done() ? base::ByteSpan(pq_secret_) : base::ByteSpan();
}

base::Status Handshake::Fail(uint64_t app_error_code, std::string reason) {
  if (!failure_) failure_ = Failure{app_error_code, std::move(reason)};
  WipeDecapsulationKey();
  Wipe(pq_secret_);
  return base::Status(
      StatusCodeFor(failure_->app_error_code),
      std::string(AppErrorName(failure_->app_error_code)) + ": " + failure_->reason);
}

base::Status Handshake::EnsurePeerKey() {
  if (peer_key_) return base::Status::Ok();
  auto key = verifier_(peer_chain_der_);
  if (!key.ok()) {
    return Fail(kPqBadCertificate, "peer certificate: " + key.status().ToString());
  }
  if (key->variant() != crypto::falcon::Variant::kFalcon1024) {
    return Fail(kPqBadCertificate, "peer Falcon key: not Falcon-1024");
  }
  peer_key_ = std::move(key).value();
  return base::Status::Ok();
}

base::Status Handshake::VerifyPeerSignature(base::ByteSpan message, base::ByteSpan signature) {
  HM_CHECK(peer_key_.has_value());
  base::Status s = peer_key_->Verify(message, signature);
  if (!s.ok()) return Fail(kPqBadSignature, "peer signature: " + s.ToString());
  return base::Status::Ok();
}

std::array<uint8_t, kMacSize> Handshake::FinishKeySchedule(base::ByteSpan ss_s,
                                                           base::ByteSpan ss_c) {
  const crypto::Digest32 th = crypto::Sha256(transcript_);
  pq_secret_ = DerivePqSecret(exporter_, ss_s, ss_c, th);
  return ConfirmMac(pq_secret_, th);
}

void Handshake::WipeDecapsulationKey() {
  Wipe(dk_);
  dk_.clear();
}

}  // namespace hm::stoq::pq
