#include "stoq/pq/messages.h"

#include <algorithm>
#include <string>

#include "base/check.h"
#include "codec/codec.h"

namespace hm::stoq::pq {
namespace {

using base::Bytes;
using base::ByteSpan;

bool IsKnownType(uint8_t t) {
  return t >= static_cast<uint8_t>(MessageType::kClientHello) &&
         t <= static_cast<uint8_t>(MessageType::kServerConfirm);
}

// Frame header + body; `body` already starts with the codec header.
Bytes Framed(MessageType type, Bytes body) {
  HM_CHECK(body.size() <= kMaxBodySize);
  codec::Writer w(kFrameHeaderSize + body.size());
  w.U8(static_cast<uint8_t>(type));
  w.U32(static_cast<uint32_t>(body.size()));
  w.Fixed(body);
  return std::move(w).Take();
}

// Opens a body: exact size first (every message has one), then tag and version.
base::Status OpenBody(codec::Reader& r, ByteSpan body, MessageType type, size_t expected_size) {
  if (body.size() != expected_size) {
    return base::InvalidArgument(std::string(MessageTypeName(type)) + " body is " +
                                 std::to_string(body.size()) + " bytes, expected " +
                                 std::to_string(expected_size));
  }
  return r.Header(static_cast<uint8_t>(type));
}

Bytes ToVec(ByteSpan s) { return Bytes(s.begin(), s.end()); }

}  // namespace

std::string_view MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kClientHello:
      return "ClientHello";
    case MessageType::kServerHello:
      return "ServerHello";
    case MessageType::kClientFinish:
      return "ClientFinish";
    case MessageType::kServerConfirm:
      return "ServerConfirm";
  }
  return "unknown";
}

Bytes EncodeClientHello(const ClientHello& m) {
  HM_CHECK(m.ek.size() == kKemKeySize);
  codec::Writer w(kClientHelloBodySize);
  w.Header(static_cast<uint8_t>(MessageType::kClientHello));
  w.Fixed(m.ek);
  w.Fixed(m.nonce);
  return Framed(MessageType::kClientHello, std::move(w).Take());
}

Bytes EncodeServerHello(const ServerHello& m) {
  HM_CHECK(m.ek.size() == kKemKeySize && m.ct.size() == kKemCiphertextSize &&
           m.sig.size() == kSignatureSize);
  codec::Writer w(kServerHelloBodySize);
  w.Header(static_cast<uint8_t>(MessageType::kServerHello));
  w.Fixed(m.ek);
  w.Fixed(m.ct);
  w.Fixed(m.sig);
  return Framed(MessageType::kServerHello, std::move(w).Take());
}

Bytes EncodeClientFinish(const ClientFinish& m) {
  HM_CHECK(m.ct.size() == kKemCiphertextSize && m.sig.size() == kSignatureSize);
  codec::Writer w(kClientFinishBodySize);
  w.Header(static_cast<uint8_t>(MessageType::kClientFinish));
  w.Fixed(m.ct);
  w.Fixed(m.sig);
  return Framed(MessageType::kClientFinish, std::move(w).Take());
}

Bytes EncodeServerConfirm(const ServerConfirm& m) {
  codec::Writer w(kServerConfirmBodySize);
  w.Header(static_cast<uint8_t>(MessageType::kServerConfirm));
  w.Fixed(m.mac);
  return Framed(MessageType::kServerConfirm, std::move(w).Take());
}

base::Result<ClientHello> DecodeClientHello(ByteSpan body) {
  codec::Reader r(body);
  HM_TRY(OpenBody(r, body, MessageType::kClientHello, kClientHelloBodySize));
  ClientHello m;
  HM_ASSIGN_OR_RETURN(ByteSpan ek, r.Fixed(kKemKeySize));
  HM_ASSIGN_OR_RETURN(ByteSpan nonce, r.Fixed(kNonceSize));
  HM_TRY(r.Finish());
  m.ek = ToVec(ek);
  std::copy(nonce.begin(), nonce.end(), m.nonce.begin());
  return m;
}

base::Result<ServerHello> DecodeServerHello(ByteSpan body) {
  codec::Reader r(body);
  HM_TRY(OpenBody(r, body, MessageType::kServerHello, kServerHelloBodySize));
  HM_ASSIGN_OR_RETURN(ByteSpan ek, r.Fixed(kKemKeySize));
  HM_ASSIGN_OR_RETURN(ByteSpan ct, r.Fixed(kKemCiphertextSize));
  HM_ASSIGN_OR_RETURN(ByteSpan sig, r.Fixed(kSignatureSize));
  HM_TRY(r.Finish());
  return ServerHello{ToVec(ek), ToVec(ct), ToVec(sig)};
}

base::Result<ClientFinish> DecodeClientFinish(ByteSpan body) {
  codec::Reader r(body);
  HM_TRY(OpenBody(r, body, MessageType::kClientFinish, kClientFinishBodySize));
  HM_ASSIGN_OR_RETURN(ByteSpan ct, r.Fixed(kKemCiphertextSize));
  HM_ASSIGN_OR_RETURN(ByteSpan sig, r.Fixed(kSignatureSize));
  HM_TRY(r.Finish());
  return ClientFinish{ToVec(ct), ToVec(sig)};
}

base::Result<ServerConfirm> DecodeServerConfirm(ByteSpan body) {
  codec::Reader r(body);
  HM_TRY(OpenBody(r, body, MessageType::kServerConfirm, kServerConfirmBodySize));
  HM_ASSIGN_OR_RETURN(ByteSpan mac, r.Fixed(kMacSize));
  HM_TRY(r.Finish());
  ServerConfirm m;
  std::copy(mac.begin(), mac.end(), m.mac.begin());
  return m;
}

void MessageReader::Feed(ByteSpan data) { buffer_.insert(buffer_.end(), data.begin(), data.end()); }

base::Result<std::optional<Frame>> MessageReader::Next() {
  if (!error_.ok()) return error_;
  if (buffer_.size() < kFrameHeaderSize) return std::optional<Frame>();
  codec::Reader r(ByteSpan(buffer_).first(kFrameHeaderSize));
  const uint8_t type = *r.U8();
  const uint32_t length = *r.U32();
  if (!IsKnownType(type)) {
    error_ = base::InvalidArgument("unknown STOQ PQ message type " + std::to_string(type));
    return error_;
  }
  if (length > kMaxBodySize) {
    error_ = base::InvalidArgument("STOQ PQ message length " + std::to_string(length) +
                                   " exceeds " + std::to_string(kMaxBodySize));
    return error_;
  }
  const size_t total = kFrameHeaderSize + length;
  if (buffer_.size() < total) return std::optional<Frame>();
  Frame frame{static_cast<MessageType>(type), Bytes(buffer_.begin(), buffer_.begin() + total)};
  buffer_.erase(buffer_.begin(), buffer_.begin() + total);
  return std::optional<Frame>(std::move(frame));
}

}  // namespace hm::stoq::pq
