// The client side of stoq/1: RpcClient::Connect dials a node (QUIC + TLS with a client
// certificate), runs the post-quantum exchange and the two key updates, and then carries RPC
// calls, one per stream (docs/spec/stoq-rpc.md). Calls may overlap: Start() queues a call and
// its callback runs from RunUntil(); Call() is the blocking form.
// This is the API later waves (consensus, asset queries) build on.
// Thread-safety: none; an RpcClient is used from one thread, and callbacks run on it.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <unordered_map>

#include "stoq/channel/channel.h"
#include "stoq/client.h"
#include "stoq/rpc/frame_reader.h"
#include "stoq/rpc/messages.h"

namespace hm::stoq::channel {

struct RpcClientOptions {
  ClientOptions transport;  // host, port, server_name, credentials (must present a certificate)
  std::shared_ptr<const ChannelConfig> channel;
  size_t max_frame_bytes = rpc::kDefaultMaxFrameBytes;
};

using CallDone = std::function<void(base::Result<rpc::Response>)>;

class ClientChannel;

class RpcClient {
 public:
  ~RpcClient();
  // Connects and waits until the channel is secure (mixed keys in use). Errors: those of
  // stoq::Client::Connect; kPermissionDenied when either side refused the post-quantum
  // exchange (naming the code, e.g. "kPqBadSignature"); kDeadlineExceeded after pq_timeout.
  static base::Result<std::unique_ptr<RpcClient>> Connect(RpcClientOptions options);

  // Opens a stream for `request` (or queues it until the peer allows another stream) and sends
  // it. `done` runs from RunUntil/Call with the response or why there is none. A request whose
  // deadline_ms passes first is cancelled (kRpcCancelled) and completes with kDeadlineExceeded.
  // Errors: kInvalidArgument (the request does not encode or exceeds max_frame_bytes),
  // kFailedPrecondition (the connection failed).
  base::Result<uint64_t> Start(const rpc::Request& request, CallDone done);
  // Cancels a started call: its stream is reset and `done` gets kAborted.
  void Cancel(uint64_t call_id);
  // The blocking form. `timeout` bounds the wait (and is sent as the deadline when the request
  // has none).
  base::Result<rpc::Response> Call(rpc::Request request, std::chrono::milliseconds timeout);
  // Runs I/O until done() holds, the connection fails or `timeout` passes.
  base::Status RunUntil(const std::function<bool()>& done, std::chrono::microseconds timeout);

  size_t in_flight() const;
  Connection& connection() { return client_->connection(); }
  const ClientChannel& channel() const { return *channel_; }
  // Sends CONNECTION_CLOSE (NO_ERROR); calls still in flight complete with kAborted.
  void Close();

 private:
  RpcClient() = default;
  std::unique_ptr<Client> client_;
  ClientChannel* channel_ = nullptr;  // owned by the connection
};

// The stoq/1 application on the client connection.
class ClientChannel final : public ChannelBase {
 public:
  ClientChannel(Connection& conn, std::shared_ptr<const ChannelConfig> config,
                size_t max_frame_bytes);

  // `deadline`: when to cancel (kNever: no deadline).
  uint64_t Start(base::Bytes request_frame, Timestamp deadline, CallDone done);
  void Cancel(uint64_t call_id);
  // Opens streams for queued calls while the channel is secure and the peer allows them.
  void OpenQueued();
  // Completes every call with `why` (the connection is gone).
  void FailAll(const base::Status& why);
  size_t in_flight() const { return calls_.size() + queued_.size(); }
  size_t max_frame_bytes() const { return max_frame_bytes_; }

 private:
  struct Call {
    uint64_t id = 0;
    base::Bytes frame;  // until sent
    Timestamp deadline = kNever;
    CallDone done;
    std::unique_ptr<rpc::FrameReader> reader;
  };

  void OnPqEstablished() override { conn_.RequestKeyUpdates(kMixedGeneration); }
  void OnSecure() override { OpenQueued(); }
  base::Status OnRpcData(int64_t stream_id, base::ByteSpan data, bool fin) override;
  void OnRpcStreamEnded(int64_t stream_id, uint64_t app_error_code, bool reset) override;
  Timestamp RpcDeadline() const override;
  base::Status OnRpcDeadline(Timestamp now) override;

  void Complete(int64_t stream_id, base::Result<rpc::Response> result);

  const size_t max_frame_bytes_;
  uint64_t next_id_ = 1;
  std::deque<Call> queued_;                       // waiting for the channel or a stream
  std::unordered_map<int64_t, Call> calls_;       // by stream id
  std::unordered_map<uint64_t, int64_t> by_id_;   // call id -> stream id
  std::set<std::pair<Timestamp, uint64_t>> deadlines_;  // of queued and open calls
};

}  // namespace hm::stoq::channel
