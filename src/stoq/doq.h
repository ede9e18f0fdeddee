// DNS over QUIC (RFC 9250, ALPN "doq"; docs/spec/stoq.md "DNS over QUIC"): the server
// application, which answers each query stream through an answer function (so stoq knows nothing
// about DNS beyond the message ID), and DoqQuery, a blocking one-query client for `hm`.
// Thread-safety: a DoqApplication lives on its connection's thread and calls the answer function
// there (it must be fast and safe to call from that thread); DoqQuery is reentrant, each call
// owning its socket and connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "stoq/client.h"
#include "stoq/connection.h"
#include "stoq/server.h"

namespace hm::stoq {

// RFC 9250 section 4.3 application error codes (streams and connections).
namespace doq_error {
inline constexpr uint64_t kNoError = 0x0;
inline constexpr uint64_t kInternalError = 0x1;
inline constexpr uint64_t kProtocolError = 0x2;
inline constexpr uint64_t kRequestCancelled = 0x3;
inline constexpr uint64_t kExcessiveLoad = 0x4;
inline constexpr uint64_t kUnspecifiedError = 0x5;
inline constexpr uint64_t kErrorReserved = 0xd098ea5e;
}  // namespace doq_error

// "DOQ_PROTOCOL_ERROR" for 0x2; "" for codes RFC 9250 does not define.
std::string_view DoqErrorName(uint64_t code);

// The largest DNS message; each DoQ message is this at most plus its 2-octet length prefix.
inline constexpr size_t kDoqMaxMessage = 65535;

// What the answer function did with one query.
struct DoqAnswer {
  enum class Action {
    kReply,   // send out[0, size) (1..kDoqMaxMessage bytes) as the response
    kDrop,    // no response: the stream is reset with DOQ_INTERNAL_ERROR (RFC 9250 4.3.2)
    kReject,  // the query breaks RFC 9250 (e.g. edns-tcp-keepalive): close the connection with
              // DOQ_PROTOCOL_ERROR and `reason`
  } action = Action::kDrop;
  size_t size = 0;
  std::string_view reason;  // for kReject; must point at static text
};

// Answers one query: a whole DNS message without its length prefix, message ID 0. `out` holds
// kDoqMaxMessage bytes. The response's ID is forced to 0 before it is sent.
using DoqAnswerFn = std::function<DoqAnswer(base::ByteSpan query, std::span<uint8_t> out)>;

// What a DoqApplication needs from its connection: a seam so the stream logic can be tested and
// fuzzed without QUIC. The Connection-backed one is built by the Connection& constructor.
class DoqStreamControl {
 public:
  virtual ~DoqStreamControl() = default;
  virtual void ExtendStreamWindow(int64_t stream_id, size_t bytes) = 0;
  // RESET_STREAM (and STOP_SENDING while the peer may still send) with `code`.
  virtual void ResetStream(int64_t stream_id, uint64_t code) = 0;
  // Records the application error the connection closes with once a callback fails.
  virtual void SetApplicationError(uint64_t code, std::string reason) = 0;
};

// The server side of one DoQ connection. Rules (RFC 9250 section 4.2, 4.3):
//  - a query comes on a client-initiated bidirectional stream as a 2-octet length and the message;
//    it is answered once it is complete, as a 2-octet length, the response and FIN;
//  - connection errors (DOQ_PROTOCOL_ERROR, the callback returns an error): a client-initiated
//    unidirectional stream; a length of 0 or under a DNS header (12); a message ID other than 0;
//    any byte after the message; FIN before the whole message;
//  - the answer function's kDrop resets the stream with DOQ_INTERNAL_ERROR;
//  - STOP_SENDING from the client (cancellation) abandons the response; RESET_STREAM before the
//    query was complete forgets it.
// A stream holds at most 65537 bytes of query and one response; the number of concurrent streams
// is the transport's (ConnectionOptions::max_streams_bidi).
class DoqApplication final : public Application {
 public:
  DoqApplication(Connection& conn, DoqAnswerFn answer);
  // For tests and fuzzing: `control` must outlive the application.
  DoqApplication(DoqStreamControl& control, DoqAnswerFn answer);
  ~DoqApplication() override;

  base::Status OnStreamData(int64_t stream_id, base::ByteSpan data, bool fin) override;
  base::Status OnStreamAcked(int64_t stream_id, uint64_t bytes) override;
  base::Status OnStreamClose(int64_t stream_id, uint64_t app_error_code) override;
  base::Status OnStreamReset(int64_t stream_id, uint64_t app_error_code) override;
  base::Status OnStopSending(int64_t stream_id, uint64_t app_error_code) override;
  void OnStreamWritable(int64_t stream_id) override;
  base::Status NextChunk(StreamChunk* out) override;
  base::Status OnChunkWritten(int64_t stream_id, size_t bytes) override;
  void OnStreamBlocked(int64_t stream_id, bool write_shut) override;
  bool Busy() const override { return unsent_ > 0; }

  size_t open_streams() const { return streams_.size(); }
  uint64_t queries_answered() const { return answered_; }

 private:
  struct Stream {
    base::Bytes in;         // length prefix and query, as received
    uint64_t received = 0;  // bytes the peer sent on the stream
    bool answered = false;  // the query was complete and handled
    base::Bytes out;        // length prefix and response; kept until the stream closes
    size_t sent = 0;        // bytes of `out` handed to QUIC
    bool sending = false;   // `out` still has bytes (or its FIN) to hand over
    bool blocked = false;   // flow control: wait for OnStreamWritable
  };

  base::Status ProtocolError(std::string reason);
  base::Status Answer(int64_t stream_id, Stream& s);
  void StopSending(Stream& s);

  std::unique_ptr<DoqStreamControl> owned_control_;
  DoqStreamControl& control_;
  DoqAnswerFn answer_;
  std::map<int64_t, Stream> streams_;
  size_t unsent_ = 0;  // streams whose response is not fully handed to QUIC
  uint64_t answered_ = 0;
};

// A StoqServer factory for ALPN "doq" answering with `answer`.
ServerApplicationFactory DoqServerFactory(DoqAnswerFn answer);

// Sends one query over a new DoQ connection and returns the response message (without its
// length prefix). `query_message` is a whole DNS message (12..65535 bytes); its ID is sent as 0,
// as RFC 9250 requires. options.alpns is replaced by {"doq"}. Errors: kInvalidArgument (query
// size, options), kUnavailable (name does not resolve; handshake failed, naming the TLS alert or
// the server's close reason; the server reset the stream or closed the connection, naming the
// DoQ error code; a malformed response), kDeadlineExceeded (no response within `timeout`, the
// handshake included).
base::Result<base::Bytes> DoqQuery(ClientOptions options, base::ByteSpan query_message,
                                   std::chrono::milliseconds timeout);

}  // namespace hm::stoq
