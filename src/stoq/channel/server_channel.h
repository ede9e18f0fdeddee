// The server side of a stoq/1 connection: after the post-quantum channel, each client stream is
// one RPC call, decoded and handed to the rpc::Dispatcher; the answer (now, or later from any
// thread through the ConnectionPoster) goes back on the same stream with FIN.
// Handlers run on the QUIC thread; one that blocks must move its work elsewhere and answer
// through its reply callback, before the StoqServer is destroyed (answers after Shutdown are
// dropped).
// Thread-safety: a ServerChannel lives on the QUIC thread.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <thread>
#include <unordered_map>

#include "stoq/channel/channel.h"
#include "stoq/rpc/dispatcher.h"
#include "stoq/rpc/frame_reader.h"
#include "stoq/server.h"

namespace hm::stoq::channel {

class ServerChannel final : public ChannelBase {
 public:
  ServerChannel(Connection& conn, ConnectionPoster& poster,
                std::shared_ptr<const ChannelConfig> config,
                std::shared_ptr<const rpc::Dispatcher> dispatcher);

  void OnShutdownNotice() override { shutting_down_ = true; }
  bool Busy() const override { return handling_ > 0; }

  // A handler's encoded Response for the call on `stream_id` (on the QUIC thread).
  void Deliver(int64_t stream_id, base::Bytes response_frame);

 private:
  struct Call {
    explicit Call(size_t max_frame_bytes) : reader(max_frame_bytes, 1) {}
    rpc::FrameReader reader;
    bool handling = false;  // dispatched, no answer yet
    bool answered = false;
    Timestamp deadline = kNever;
  };

  base::Status OnRpcData(int64_t stream_id, base::ByteSpan data, bool fin) override;
  void OnRpcStreamEnded(int64_t stream_id, uint64_t app_error_code, bool reset) override;
  Timestamp RpcDeadline() const override;
  base::Status OnRpcDeadline(Timestamp now) override;

  void Dispatch(int64_t stream_id, Call& call, base::ByteSpan frame);
  // Answers with an error and stops reading the rest (a framing violation).
  void Reject(int64_t stream_id, Call& call, const base::Status& why);
  void Answer(int64_t stream_id, Call& call, base::Bytes frame);

  ConnectionPoster& poster_;
  const std::shared_ptr<const rpc::Dispatcher> dispatcher_;
  const std::thread::id quic_thread_;
  std::unordered_map<int64_t, std::unique_ptr<Call>> calls_;
  std::set<std::pair<Timestamp, int64_t>> deadlines_;
  int handling_ = 0;
  bool shutting_down_ = false;
  int64_t dispatching_ = -1;  // the stream whose handler runs right now (answers come directly)
  // Expires with the channel, so a late answer on the QUIC thread can tell it is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The factory StoqServer::RegisterAlpn takes for kAlpnStoq.
ServerApplicationFactory ServerChannelFactory(std::shared_ptr<const ChannelConfig> config,
                                              std::shared_ptr<const rpc::Dispatcher> dispatcher);

}  // namespace hm::stoq::channel
