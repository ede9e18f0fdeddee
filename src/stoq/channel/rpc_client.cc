#include "stoq/channel/rpc_client.h"

#include <fmt/format.h>

#include "stoq/server.h"
#include "stoq/tls.h"

namespace hm::stoq::channel {

ClientChannel::ClientChannel(Connection& conn, std::shared_ptr<const ChannelConfig> config,
                             size_t max_frame_bytes)
    : ChannelBase(conn, std::move(config)), max_frame_bytes_(max_frame_bytes) {}

uint64_t ClientChannel::Start(base::Bytes request_frame, Timestamp deadline, CallDone done) {
  Call call;
  call.id = next_id_++;
  call.frame = std::move(request_frame);
  call.deadline = deadline;
  call.done = std::move(done);
  if (deadline != kNever) deadlines_.insert({deadline, call.id});
  by_id_[call.id] = -1;
  const uint64_t id = call.id;
  queued_.push_back(std::move(call));
  OpenQueued();
  return id;
}

void ClientChannel::OpenQueued() {
  if (!secure()) return;
  while (!queued_.empty() && ngtcp2_conn_get_streams_bidi_left(conn_.raw()) > 0) {
    auto stream = conn_.OpenBidiStream();
    if (!stream.ok()) return;
    Call call = std::move(queued_.front());
    queued_.pop_front();
    by_id_[call.id] = *stream;
    call.reader = std::make_unique<rpc::FrameReader>(max_frame_bytes_, 1);
    out_.Queue(*stream, std::move(call.frame), true);
    call.frame = {};
    calls_.emplace(*stream, std::move(call));
  }
}

void ClientChannel::Complete(int64_t stream_id, base::Result<rpc::Response> result) {
  auto it = calls_.find(stream_id);
  if (it == calls_.end()) return;
  Call call = std::move(it->second);
  calls_.erase(it);
  by_id_.erase(call.id);
  if (call.deadline != kNever) deadlines_.erase({call.deadline, call.id});
  config_->stats->calls.fetch_add(1, std::memory_order_relaxed);
  if (!result.ok() || result->code != rpc::RpcCode::kOk) {
    config_->stats->call_errors.fetch_add(1, std::memory_order_relaxed);
  }
  call.done(std::move(result));
}

void ClientChannel::Cancel(uint64_t call_id) {
  auto it = by_id_.find(call_id);
  if (it == by_id_.end()) return;
  const int64_t stream_id = it->second;
  if (stream_id >= 0) {
    conn_.ShutdownStream(stream_id, rpc::kRpcCancelled);
    out_.Forget(stream_id);
    Complete(stream_id, base::Aborted("the call was cancelled"));
    return;
  }
  for (auto q = queued_.begin(); q != queued_.end(); ++q) {
    if (q->id != call_id) continue;
    Call call = std::move(*q);
    queued_.erase(q);
    by_id_.erase(call_id);
    if (call.deadline != kNever) deadlines_.erase({call.deadline, call_id});
    call.done(base::Aborted("the call was cancelled"));
    return;
  }
}

void ClientChannel::FailAll(const base::Status& why) {
  std::vector<CallDone> done;
  for (auto& q : queued_) done.push_back(std::move(q.done));
  for (auto& [stream, call] : calls_) done.push_back(std::move(call.done));
  queued_.clear();
  calls_.clear();
  by_id_.clear();
  deadlines_.clear();
  for (auto& d : done) d(why);
}

base::Status ClientChannel::OnRpcData(int64_t stream_id, base::ByteSpan data, bool fin) {
  conn_.ExtendStreamWindow(stream_id, data.size());
  auto it = calls_.find(stream_id);
  if (it == calls_.end()) return base::Status::Ok();  // cancelled: late bytes are dropped
  rpc::FrameReader& reader = *it->second.reader;
  base::Status s = reader.Feed(data);
  if (s.ok() && fin) s = reader.Finish();
  if (!s.ok()) {
    conn_.ShutdownStream(stream_id, rpc::kRpcProtocolError);
    Complete(stream_id, base::Unavailable("the server's response is malformed: " + std::string(s.message())));
    return base::Status::Ok();
  }
  if (!fin) return base::Status::Ok();
  std::optional<base::Bytes> frame = reader.Next();
  if (!frame) {
    Complete(stream_id, base::Unavailable("the server ended the call without a response"));
    return base::Status::Ok();
  }
  auto response = rpc::DecodeResponseFrame(*frame, max_frame_bytes_);
  if (!response.ok()) {
    Complete(stream_id,
             base::Unavailable("the server's response is malformed: " + std::string(response.status().message())));
  } else {
    Complete(stream_id, std::move(response).value());
  }
  return base::Status::Ok();
}

void ClientChannel::OnRpcStreamEnded(int64_t stream_id, uint64_t app_error_code, bool reset) {
  if (calls_.contains(stream_id)) {
    const char* name = app_error_code == rpc::kRpcProtocolError ? " (kRpcProtocolError)"
                       : app_error_code == rpc::kRpcCancelled   ? " (kRpcCancelled)"
                                                                : "";
    Complete(stream_id, base::Unavailable(fmt::format(
                            "the server {} the call with 0x{:x}{}", reset ? "reset" : "closed",
                            app_error_code, name)));
  }
  OpenQueued();
}

Timestamp ClientChannel::RpcDeadline() const {
  return deadlines_.empty() ? kNever : deadlines_.begin()->first;
}

base::Status ClientChannel::OnRpcDeadline(Timestamp now) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const uint64_t id = deadlines_.begin()->second;
    auto it = by_id_.find(id);
    const int64_t stream_id = it == by_id_.end() ? -1 : it->second;
    if (stream_id >= 0) {
      conn_.ShutdownStream(stream_id, rpc::kRpcCancelled);
      out_.Forget(stream_id);
      Complete(stream_id, base::DeadlineExceeded("the call's deadline passed"));
      continue;
    }
    deadlines_.erase(deadlines_.begin());
    for (auto q = queued_.begin(); q != queued_.end(); ++q) {
      if (q->id != id) continue;
      CallDone done = std::move(q->done);
      queued_.erase(q);
      by_id_.erase(id);
      done(base::DeadlineExceeded("the call's deadline passed before it could be sent"));
      break;
    }
  }
  return base::Status::Ok();
}

RpcClient::~RpcClient() {
  if (client_ && channel_ != nullptr) channel_->FailAll(base::Aborted("the client was destroyed"));
}

base::Result<std::unique_ptr<RpcClient>> RpcClient::Connect(RpcClientOptions options) {
  if (!options.channel) return base::InvalidArgument("stoq/1 needs a channel configuration");
  HM_TRY(rpc::ValidateMaxFrameBytes(options.max_frame_bytes));
  options.transport.alpns = {std::string(kAlpnStoq)};
  std::unique_ptr<RpcClient> self(new RpcClient());
  auto config = options.channel;
  const size_t max_frame = options.max_frame_bytes;
  ClientChannel** slot = &self->channel_;
  auto client = Client::Connect(options.transport,
                                [config, max_frame, slot](const std::string& alpn,
                                                          Connection& conn)
                                    -> std::unique_ptr<Application> {
                                  if (alpn != kAlpnStoq) return nullptr;
                                  auto app = std::make_unique<ClientChannel>(conn, config, max_frame);
                                  *slot = app.get();
                                  return app;
                                });
  if (!client.ok()) {
    self->channel_ = nullptr;  // died with the connection
    return client.status();
  }
  self->client_ = std::move(client).value();
  if (self->channel_ == nullptr) return base::Internal("stoq/1 application missing");
  ClientChannel* channel = self->channel_;
  Connection* conn = &self->client_->connection();
  // Until the server answers under the mixed keys: this client runs its loop only inside calls,
  // and a server that never saw the move would close the channel at its pq_timeout.
  base::Status s = self->client_->RunUntil(
      [channel, conn] {
        return (channel->secure() && conn->peer_uses_mixed_keys()) || channel->failure_code() != 0;
      },
      config->pq_timeout + std::chrono::milliseconds(500));
  if (s.ok() && channel->failure_code() != 0) {
    s = base::PermissionDenied(fmt::format("the post-quantum channel failed: {}",
                                           pq::AppErrorName(channel->failure_code())));
  }
  if (!s.ok()) {
    const std::string peer = self->client_->PeerCloseReason();
    if (s.code() == base::Code::kUnavailable && peer.find("0x51") != std::string::npos) {
      return base::PermissionDenied("the server refused the post-quantum channel: " + peer);
    }
    return s;
  }
  return self;
}

base::Result<uint64_t> RpcClient::Start(const rpc::Request& request, CallDone done) {
  HM_ASSIGN_OR_RETURN(base::Bytes frame,
                      rpc::EncodeRequestFrame(request, channel_->max_frame_bytes()));
  if (connection().closing() || connection().draining()) {
    return base::FailedPrecondition("the stoq/1 connection is closed");
  }
  const Timestamp deadline =
      request.deadline_ms == 0 ? kNever
                               : MonotonicNow() + uint64_t{request.deadline_ms} * kMillisecond;
  return channel_->Start(std::move(frame), deadline, std::move(done));
}

void RpcClient::Cancel(uint64_t call_id) { channel_->Cancel(call_id); }

base::Status RpcClient::RunUntil(const std::function<bool()>& done,
                                 std::chrono::microseconds timeout) {
  ClientChannel* channel = channel_;
  base::Status s = client_->RunUntil(
      [&] {
        channel->OpenQueued();
        return done();
      },
      timeout);
  if (!s.ok() && s.code() != base::Code::kDeadlineExceeded) channel->FailAll(s);
  return s;
}

base::Result<rpc::Response> RpcClient::Call(rpc::Request request,
                                            std::chrono::milliseconds timeout) {
  if (request.deadline_ms == 0) request.deadline_ms = static_cast<uint32_t>(timeout.count());
  std::optional<base::Result<rpc::Response>> result;
  HM_TRY(Start(request, [&result](base::Result<rpc::Response> r) { result = std::move(r); })
             .status());
  base::Status s = RunUntil([&result] { return result.has_value(); },
                            timeout + std::chrono::milliseconds(100));
  if (!result) return s.ok() ? base::Internal("call finished without a result") : s;
  return std::move(*result);
}

size_t RpcClient::in_flight() const { return channel_->in_flight(); }

void RpcClient::Close() {
  channel_->FailAll(base::Aborted("the connection was closed"));
  client_->Close(0);
}

}  // namespace hm::stoq::channel
