#include "stoq/channel/server_channel.h"

#include <fmt/format.h>

#include "stoq/rpc/messages.h"

namespace hm::stoq::channel {

namespace {
bool IsClientBidi(int64_t stream_id) { return (stream_id & 0x3) == 0; }
}  // namespace

ServerChannel::ServerChannel(Connection& conn, ConnectionPoster& poster,
                             std::shared_ptr<const ChannelConfig> config,
                             std::shared_ptr<const rpc::Dispatcher> dispatcher)
    : ChannelBase(conn, std::move(config)),
      poster_(poster),
      dispatcher_(std::move(dispatcher)),
      quic_thread_(std::this_thread::get_id()) {}

base::Status ServerChannel::OnRpcData(int64_t stream_id, base::ByteSpan data, bool fin) {
  conn_.ExtendStreamWindow(stream_id, data.size());
  if (!IsClientBidi(stream_id)) {  // stoq/1 has no unidirectional streams
    conn_.ShutdownStreamRead(stream_id, rpc::kRpcProtocolError);
    return base::Status::Ok();
  }
  auto [it, fresh] = calls_.try_emplace(stream_id);
  if (fresh) it->second = std::make_unique<Call>(dispatcher_->max_frame_bytes());
  Call& call = *it->second;
  if (call.answered || call.handling) {
    // After an early answer the rest is discarded; bytes after a whole request are a violation.
    if (call.handling && !data.empty()) {
      Reject(stream_id, call, base::InvalidArgument("bytes after the request frame"));
    }
    return base::Status::Ok();
  }
  if (base::Status fed = call.reader.Feed(data); !fed.ok()) {
    Reject(stream_id, call, fed);
    return base::Status::Ok();
  }
  if (!fin) return base::Status::Ok();
  if (base::Status end = call.reader.Finish(); !end.ok()) {
    Reject(stream_id, call, end);
    return base::Status::Ok();
  }
  std::optional<base::Bytes> frame = call.reader.Next();
  if (!frame) {
    Reject(stream_id, call, base::InvalidArgument("the stream ended without a request"));
    return base::Status::Ok();
  }
  Dispatch(stream_id, call, *frame);
  return base::Status::Ok();
}

void ServerChannel::Dispatch(int64_t stream_id, Call& call, base::ByteSpan frame) {
  auto request = rpc::DecodeRequestFrame(frame, dispatcher_->max_frame_bytes());
  if (!request.ok()) return Answer(stream_id, call, dispatcher_->ErrorFrame(request.status()));
  if (shutting_down_) {
    return Answer(stream_id, call,
                  dispatcher_->ErrorFrame(base::Unavailable("the node is shutting down")));
  }
  call.handling = true;
  ++handling_;
  if (request->deadline_ms > 0) {
    call.deadline = conn_.now() + uint64_t{request->deadline_ms} * kMillisecond;
    deadlines_.insert({call.deadline, stream_id});
  }
  ConnectionPoster* poster = &poster_;
  const uint64_t conn_id = conn_.id();
  const std::thread::id quic_thread = quic_thread_;
  ServerChannel* self = this;
  std::weak_ptr<bool> alive = alive_;
  dispatching_ = stream_id;
  dispatcher_->HandleRequest(*request, [=](base::Bytes response) mutable {
    // Answered inside the handler call: deliver at once. Otherwise go through the poster, which
    // finds the connection only if it still exists. (Only the QUIC thread destroys channels, so
    // `alive` cannot expire between the check and the call there.)
    if (std::this_thread::get_id() == quic_thread && !alive.expired() &&
        self->dispatching_ == stream_id) {
      self->Deliver(stream_id, std::move(response));
      return;
    }
    poster->PostToConnection(conn_id, [stream_id, r = std::move(response)](Connection& c) mutable {
      if (auto* channel = dynamic_cast<ServerChannel*>(c.application())) {
        channel->Deliver(stream_id, std::move(r));
      }
    });
  });
  dispatching_ = -1;
}

void ServerChannel::Deliver(int64_t stream_id, base::Bytes response_frame) {
  auto it = calls_.find(stream_id);
  if (it == calls_.end() || !it->second->handling) return;  // cancelled or timed out meanwhile
  Answer(stream_id, *it->second, std::move(response_frame));
}

void ServerChannel::Answer(int64_t stream_id, Call& call, base::Bytes frame) {
  if (call.answered) return;
  if (call.handling) {
    call.handling = false;
    --handling_;
  }
  if (call.deadline != kNever) deadlines_.erase({call.deadline, stream_id});
  call.answered = true;
  config_->stats->calls.fetch_add(1, std::memory_order_relaxed);
  if (rpc::PeekResponseCode(frame) != rpc::RpcCode::kOk) {
    config_->stats->call_errors.fetch_add(1, std::memory_order_relaxed);
  }
  out_.Queue(stream_id, std::move(frame), true);
}

void ServerChannel::Reject(int64_t stream_id, Call& call, const base::Status& why) {
  Answer(stream_id, call, dispatcher_->ErrorFrame(why));
  conn_.ShutdownStreamRead(stream_id, rpc::kRpcProtocolError);
}

void ServerChannel::OnRpcStreamEnded(int64_t stream_id, uint64_t, bool reset) {
  auto it = calls_.find(stream_id);
  if (it == calls_.end()) return;
  Call& call = *it->second;
  if (call.handling) --handling_;
  if (call.deadline != kNever) deadlines_.erase({call.deadline, stream_id});
  // A reset by the client cancels the call: drop the work and write nothing more.
  if (reset && !call.answered) conn_.ShutdownStream(stream_id, rpc::kRpcCancelled);
  calls_.erase(it);
}

Timestamp ServerChannel::RpcDeadline() const {
  return deadlines_.empty() ? kNever : deadlines_.begin()->first;
}

base::Status ServerChannel::OnRpcDeadline(Timestamp now) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const int64_t stream_id = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    auto it = calls_.find(stream_id);
    if (it == calls_.end()) continue;
    it->second->deadline = kNever;
    Answer(stream_id, *it->second,
           dispatcher_->ErrorFrame(base::DeadlineExceeded("the call's deadline passed")));
  }
  return base::Status::Ok();
}

ServerApplicationFactory ServerChannelFactory(std::shared_ptr<const ChannelConfig> config,
                                              std::shared_ptr<const rpc::Dispatcher> dispatcher) {
  return [config = std::move(config), dispatcher = std::move(dispatcher)](
             Connection& conn, ConnectionPoster& poster) -> std::unique_ptr<Application> {
    return std::make_unique<ServerChannel>(conn, poster, config, dispatcher);
  };
}

}  // namespace hm::stoq::channel
