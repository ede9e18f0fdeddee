// DNS over QUIC: the server application (stream framing and RFC 9250 error handling) and the
// blocking one-query client. Thread-safety: see doq.h.
#include "stoq/doq.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "base/log.h"

namespace hm::stoq {
namespace {

constexpr size_t kPrefix = 2;
constexpr size_t kDnsHeader = 12;

bool IsClientBidi(int64_t stream_id) { return (stream_id & 0x3) == 0; }

uint16_t ReadU16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

// The Connection-backed control of a served connection.
class ConnectionControl final : public DoqStreamControl {
 public:
  explicit ConnectionControl(Connection& conn) : conn_(conn) {}
  void ExtendStreamWindow(int64_t stream_id, size_t bytes) override {
    conn_.ExtendStreamWindow(stream_id, bytes);
  }
  void ResetStream(int64_t stream_id, uint64_t code) override {
    conn_.ShutdownStream(stream_id, code);
  }
  void SetApplicationError(uint64_t code, std::string reason) override {
    conn_.SetApplicationError(code, std::move(reason));
  }

 private:
  Connection& conn_;
};

}  // namespace

std::string_view DoqErrorName(uint64_t code) {
  static constexpr std::array<std::string_view, 6> kNames = {
      "DOQ_NO_ERROR",          "DOQ_INTERNAL_ERROR", "DOQ_PROTOCOL_ERROR",
      "DOQ_REQUEST_CANCELLED", "DOQ_EXCESSIVE_LOAD", "DOQ_UNSPECIFIED_ERROR"};
  if (code < kNames.size()) return kNames[code];
  if (code == doq_error::kErrorReserved) return "DOQ_ERROR_RESERVED";
  return "";
}

// ---- Server ----

DoqApplication::DoqApplication(Connection& conn, DoqAnswerFn answer)
    : owned_control_(std::make_unique<ConnectionControl>(conn)),
      control_(*owned_control_),
      answer_(std::move(answer)) {}

DoqApplication::DoqApplication(DoqStreamControl& control, DoqAnswerFn answer)
    : control_(control), answer_(std::move(answer)) {}

DoqApplication::~DoqApplication() = default;

base::Status DoqApplication::ProtocolError(std::string reason) {
  HM_LOG_RATELIMITED(base::LogLevel::kDebug, 1, "stoq", "doq: closing a connection: {}", reason);
  control_.SetApplicationError(doq_error::kProtocolError, reason);
  return base::InvalidArgument("DoQ protocol error: " + reason);
}

base::Status DoqApplication::OnStreamData(int64_t stream_id, base::ByteSpan data, bool fin) {
  // RFC 9250 4.3.3: only client-initiated bidirectional streams carry DoQ (the client cannot
  // open server-initiated ones; QUIC itself refuses that).
  if (!IsClientBidi(stream_id)) {
    return ProtocolError(fmt::format("the client opened unidirectional stream {}", stream_id));
  }
  control_.ExtendStreamWindow(stream_id, data.size());
  Stream& s = streams_[stream_id];
  s.received += data.size();
  if (s.answered) {
    if (!data.empty()) {
      return ProtocolError(fmt::format("stream {} carries bytes after its query", stream_id));
    }
    return base::Status::Ok();  // the FIN after a complete query
  }
  // Take at most what a whole message needs; anything past it is an error found below.
  size_t want = kPrefix + kDoqMaxMessage;
  if (s.in.size() >= kPrefix) want = kPrefix + ReadU16(s.in.data());
  const size_t take = std::min(data.size(), want - std::min(want, s.in.size()));
  s.in.insert(s.in.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
  if (s.in.size() >= kPrefix) {
    const size_t length = ReadU16(s.in.data());
    if (length < kDnsHeader) {
      return ProtocolError(
          fmt::format("stream {} announces a {}-byte message (a DNS message has at least 12)",
                      stream_id, length));
    }
    if (s.received > kPrefix + length) {
      return ProtocolError(fmt::format("stream {} carries bytes after its query", stream_id));
    }
    if (s.in.size() == kPrefix + length) return Answer(stream_id, s);
  }
  if (fin) {
    return ProtocolError(fmt::format("stream {} ended (FIN) after {} bytes, before the whole query",
                                     stream_id, s.received));
  }
  return base::Status::Ok();
}

base::Status DoqApplication::Answer(int64_t stream_id, Stream& s) {
  s.answered = true;
  const base::ByteSpan query(s.in.data() + kPrefix, s.in.size() - kPrefix);
  if (ReadU16(query.data()) != 0) {
    return ProtocolError(fmt::format("stream {}: the query's message ID is {}, not 0", stream_id,
                                     ReadU16(query.data())));
  }
  // Uninitialised scratch for the answer: a 64 KiB zero fill per query would cost more than
  // most answers.
  std::unique_ptr<uint8_t[]> scratch(new uint8_t[kDoqMaxMessage]);
  const DoqAnswer a = answer_(query, std::span<uint8_t>(scratch.get(), kDoqMaxMessage));
  s.in = base::Bytes();
  switch (a.action) {
    case DoqAnswer::Action::kReject:
      return ProtocolError(fmt::format("stream {}: {}", stream_id, a.reason));
    case DoqAnswer::Action::kDrop:
      control_.ResetStream(stream_id, doq_error::kInternalError);
      return base::Status::Ok();
    case DoqAnswer::Action::kReply:
      break;
  }
  if (a.size < kDnsHeader || a.size > kDoqMaxMessage) {
    HM_LOG_RATELIMITED(base::LogLevel::kError, 1, "stoq",
                       "doq: the answer function returned {} bytes; resetting the stream", a.size);
    control_.ResetStream(stream_id, doq_error::kInternalError);
    return base::Status::Ok();
  }
  s.out.resize(kPrefix + a.size);
  s.out[0] = static_cast<uint8_t>(a.size >> 8);
  s.out[1] = static_cast<uint8_t>(a.size);
  std::memcpy(s.out.data() + kPrefix, scratch.get(), a.size);
  s.out[2] = 0;  // RFC 9250 4.2.1: the response's ID is 0 too
  s.out[3] = 0;
  s.sending = true;
  ++unsent_;
  ++answered_;
  return base::Status::Ok();
}

void DoqApplication::StopSending(Stream& s) {
  if (!s.sending) return;
  s.sending = false;
  --unsent_;
}

base::Status DoqApplication::OnStreamAcked(int64_t, uint64_t) {
  // The response stays alive until the stream closes, which ngtcp2 reports after the last ack.
  return base::Status::Ok();
}

base::Status DoqApplication::OnStreamClose(int64_t stream_id, uint64_t) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return base::Status::Ok();
  StopSending(it->second);
  streams_.erase(it);
  return base::Status::Ok();
}

base::Status DoqApplication::OnStreamReset(int64_t stream_id, uint64_t) {
  // The client gave up sending; a response already queued may still go out (ngtcp2 keeps our
  // side open), and one not yet possible never will.
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return base::Status::Ok();
  it->second.in = base::Bytes();
  it->second.answered = true;
  return base::Status::Ok();
}

base::Status DoqApplication::OnStopSending(int64_t stream_id, uint64_t app_error_code) {
  // RFC 9250 4.3.1: the client cancelled; stop working on it and reset our side.
  auto it = streams_.find(stream_id);
  if (it != streams_.end()) StopSending(it->second);
  control_.ResetStream(stream_id, app_error_code);
  return base::Status::Ok();
}

void DoqApplication::OnStreamWritable(int64_t stream_id) {
  auto it = streams_.find(stream_id);
  if (it != streams_.end()) it->second.blocked = false;
}

base::Status DoqApplication::NextChunk(StreamChunk* out) {
  if (unsent_ == 0) return base::Status::Ok();
  for (auto& [id, s] : streams_) {
    if (!s.sending || s.blocked) continue;
    out->stream_id = id;
    out->fin = true;
    out->vecs[0] = {s.out.data() + s.sent, s.out.size() - s.sent};
    out->count = 1;
    return base::Status::Ok();
  }
  return base::Status::Ok();
}

base::Status DoqApplication::OnChunkWritten(int64_t stream_id, size_t bytes) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end() || !it->second.sending) return base::Status::Ok();
  Stream& s = it->second;
  s.sent = std::min(s.out.size(), s.sent + bytes);
  if (s.sent == s.out.size()) StopSending(s);  // the FIN went with the last byte
  return base::Status::Ok();
}

void DoqApplication::OnStreamBlocked(int64_t stream_id, bool write_shut) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return;
  if (write_shut) {
    StopSending(it->second);
  } else {
    it->second.blocked = true;
  }
}

ServerApplicationFactory DoqServerFactory(DoqAnswerFn answer) {
  return [answer = std::move(answer)](Connection& conn,
                                      ConnectionPoster&) -> std::unique_ptr<Application> {
    return std::make_unique<DoqApplication>(conn, answer);
  };
}

// ---- Client ----

namespace {

// One query on one stream of a client connection.
class DoqClientApp final : public Application {
 public:
  explicit DoqClientApp(Connection& conn) : conn_(conn) {}

  base::Status Submit(base::ByteSpan message) {
    HM_ASSIGN_OR_RETURN(stream_id_, conn_.OpenBidiStream());
    out_.resize(kPrefix + message.size());
    out_[0] = static_cast<uint8_t>(message.size() >> 8);
    out_[1] = static_cast<uint8_t>(message.size());
    std::memcpy(out_.data() + kPrefix, message.data(), message.size());
    out_[2] = 0;  // RFC 9250 4.2.1: message ID 0
    out_[3] = 0;
    return base::Status::Ok();
  }

  base::Status OnStreamData(int64_t stream_id, base::ByteSpan data, bool fin) override {
    conn_.ExtendStreamWindow(stream_id, data.size());
    if (stream_id != stream_id_) {
      Fail(base::Unavailable(
          fmt::format("the server sent data on stream {}, which DoQ does not use", stream_id)));
      return base::Status::Ok();
    }
    if (in_.size() + data.size() > kPrefix + kDoqMaxMessage) {
      Fail(base::Unavailable("the server's response is longer than a DNS message can be"));
      return base::Status::Ok();
    }
    in_.insert(in_.end(), data.begin(), data.end());
    if (fin) Finish();
    return base::Status::Ok();
  }
  base::Status OnStreamAcked(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStreamClose(int64_t stream_id, uint64_t code) override {
    if (stream_id == stream_id_ && !done()) {
      Fail(base::Unavailable(
          fmt::format("the stream closed ({}) before a response", Describe(code))));
    }
    return base::Status::Ok();
  }
  base::Status OnStreamReset(int64_t stream_id, uint64_t code) override {
    if (stream_id == stream_id_) {
      Fail(base::Unavailable(
          fmt::format("the server reset the query stream with {}", Describe(code))));
    }
    return base::Status::Ok();
  }
  base::Status OnStopSending(int64_t stream_id, uint64_t code) override {
    // RFC 9250 4.3.3 lists STOP_SENDING to a client as a protocol error; report it as such.
    if (stream_id == stream_id_ && !done()) {
      Fail(base::Unavailable(
          fmt::format("the server stopped reading the query ({})", Describe(code))));
    }
    return base::Status::Ok();
  }
  void OnStreamWritable(int64_t) override { blocked_ = false; }
  base::Status NextChunk(StreamChunk* out) override {
    if (stream_id_ < 0 || fin_sent_ || blocked_) return base::Status::Ok();
    out->stream_id = stream_id_;
    out->fin = true;
    out->vecs[0] = {out_.data() + sent_, out_.size() - sent_};
    out->count = out_.size() > sent_ ? 1 : 0;
    return base::Status::Ok();
  }
  base::Status OnChunkWritten(int64_t, size_t bytes) override {
    sent_ = std::min(out_.size(), sent_ + bytes);
    if (sent_ == out_.size()) fin_sent_ = true;
    return base::Status::Ok();
  }
  void OnStreamBlocked(int64_t, bool write_shut) override {
    if (write_shut) {
      fin_sent_ = true;
    } else {
      blocked_ = true;
    }
  }

  bool done() const { return complete_ || !failure_.ok(); }
  const base::Status& failure() const { return failure_; }
  base::Bytes TakeResponse() { return base::Bytes(in_.begin() + kPrefix, in_.end()); }

 private:
  static std::string Describe(uint64_t code) {
    const std::string_view name = DoqErrorName(code);
    return name.empty() ? fmt::format("0x{:x}", code) : fmt::format("0x{:x} {}", code, name);
  }
  void Fail(base::Status why) {
    if (failure_.ok() && !complete_) failure_ = std::move(why);
  }
  void Finish() {
    if (in_.size() < kPrefix) {
      return Fail(base::Unavailable("the server ended the stream without a response"));
    }
    const size_t length = ReadU16(in_.data());
    if (in_.size() != kPrefix + length) {
      return Fail(base::Unavailable(fmt::format(
          "the server's response framing is wrong: the prefix says {} bytes, the stream "
          "carried {}",
          length, in_.size() - kPrefix)));
    }
    if (length < kDnsHeader) {
      return Fail(base::Unavailable(
          fmt::format("the server's response is {} bytes, shorter than a DNS header", length)));
    }
    if (ReadU16(in_.data() + kPrefix) != 0) {
      return Fail(base::Unavailable("the server's response has a message ID other than 0"));
    }
    complete_ = true;
  }

  Connection& conn_;
  int64_t stream_id_ = -1;
  base::Bytes out_;
  size_t sent_ = 0;
  bool fin_sent_ = false;
  bool blocked_ = false;
  base::Bytes in_;
  bool complete_ = false;
  base::Status failure_;
};

// The client's failure, with the DoQ name of an application close code.
base::Status DescribeFailure(Client& client, const base::Status& s) {
  ngtcp2_connection_close_error e;
  ngtcp2_conn_get_connection_close_error(client.connection().raw(), &e);
  if (e.type != NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION || e.error_code == 0) return s;
  const std::string_view name = DoqErrorName(e.error_code);
  std::string reason(reinterpret_cast<const char*>(e.reason), e.reasonlen);
  return base::Unavailable(fmt::format("the server closed the connection with 0x{:x}{}{}{}{}",
                                       e.error_code, name.empty() ? "" : " ", name,
                                       reason.empty() ? "" : ": ", reason));
}

}  // namespace

base::Result<base::Bytes> DoqQuery(ClientOptions options, base::ByteSpan query_message,
                                   std::chrono::milliseconds timeout) {
  if (query_message.size() < kDnsHeader || query_message.size() > kDoqMaxMessage) {
    return base::InvalidArgument(
        fmt::format("a DNS query is 12..65535 bytes; this one is {}", query_message.size()));
  }
  if (timeout.count() <= 0) return base::InvalidArgument("the timeout must be positive");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  options.alpns = {std::string(kAlpnDoq)};
  options.handshake_timeout = timeout;
  options.connection.handshake_timeout_ms = static_cast<uint64_t>(timeout.count());
  const std::string where = fmt::format("[{}]:{}", options.host, options.port);
  DoqClientApp* app = nullptr;  // owned by the connection, which the client owns
  bool other_alpn = false;      // the handshake completed without "doq"
  auto factory = [&app, &other_alpn](const std::string& alpn,
                                     Connection& conn) -> std::unique_ptr<Application> {
    if (alpn != kAlpnDoq) {
      other_alpn = true;
      return nullptr;
    }
    auto a = std::make_unique<DoqClientApp>(conn);
    app = a.get();
    return a;
  };
  auto client = Client::Connect(options, factory);
  if (!client.ok()) {
    if (other_alpn || client.status().message().find("alert 120") != std::string_view::npos) {
      // no_application_protocol: the node runs QUIC but does not offer "doq".
      return client.status().WithContext(
          fmt::format("{} does not offer DNS over QUIC (ALPN doq; is DNS enabled there?)", where));
    }
    if (client.status().code() != base::Code::kDeadlineExceeded) return client.status();
    return base::DeadlineExceeded(
        fmt::format("QUIC handshake with {} timed out after {} ms (no DoQ server on UDP port {}?)",
                    where, timeout.count(), options.port));
  }
  if (app == nullptr) return base::Internal("DoQ application missing after the handshake");
  base::Status s = app->Submit(query_message);
  if (s.ok()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    s = (*client)->RunUntil([app] { return app->done(); },
                            std::max(left, std::chrono::milliseconds(1)));
  }
  if (s.code() == base::Code::kDeadlineExceeded) {
    (*client)->Close(doq_error::kNoError);
    return base::DeadlineExceeded(
        fmt::format("no DoQ response from {} within {} ms", where, timeout.count()));
  }
  if (!s.ok()) return DescribeFailure(**client, s);
  (*client)->Close(doq_error::kNoError);
  HM_TRY(app->failure());
  return app->TakeResponse();
}

}  // namespace hm::stoq
