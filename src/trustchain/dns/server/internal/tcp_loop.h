// DNS over TCP (RFC 1035 §4.2.2, RFC 7766): one thread's epoll loop over the listener and every
// connection. Each message carries a 2-octet length prefix; pipelined queries are answered in
// order (forwarded ones when the upstream answers). Non-blocking sockets throughout, so a slow
// or partial client never holds up the others.
// Thread-safety: Run() is called on one thread; everything else only before that.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "trustchain/dns/server/internal/context.h"
#include "trustchain/dns/server/internal/forwarder.h"
#include "trustchain/dns/server/internal/socket.h"

namespace hm::trustchain::dns::internal {

class TcpLoop final : public ReplySink {
 public:
  // Stop accepting new queries on a connection while this much output is unsent.
  static constexpr size_t kMaxPendingOutput = size_t{256} * 1024;
  // How long Stop() lets already computed answers drain.
  static constexpr int64_t kShutdownDrainMs = 250;

  static base::Result<std::unique_ptr<TcpLoop>> Create(Fd listener, const ServerContext& context,
                                                       int stop_fd);
  ~TcpLoop() override;

  // Serves until the stop eventfd becomes readable, then drains and closes every connection.
  void Run();

  void Deliver(const Origin& origin, base::ByteSpan reply) override;

 private:
  struct Conn;

  TcpLoop(Fd listener, const ServerContext& context, int stop_fd);
  void Accept();
  void OnConnEvent(Conn& conn, uint32_t events);
  void ReadFrom(Conn& conn);
  void ProcessFrames(Conn& conn);
  void HandleQuery(Conn& conn, base::ByteSpan query);
  void AppendFrame(Conn& conn, base::ByteSpan message);
  void FlushOut(Conn& conn);
  void Touch(Conn& conn);
  // Re-arms epoll for what the connection waits on; closes it when it is finished.
  void Settle(Conn& conn);
  void Close(uint64_t id);
  void Sweep();
  int TimeoutMs() const;
  void Shutdown();

  Fd listener_;
  Fd epoll_;
  const ServerContext context_;
  const int stop_fd_;
  const int64_t idle_ms_;
  std::unique_ptr<Forwarder> forwarder_;
  std::unordered_map<uint64_t, std::unique_ptr<Conn>> conns_;
  uint64_t next_id_;
  std::vector<uint8_t> scratch_;  // the handler's `out`, kMaxMessageSize octets
  int64_t now_ms_ = 0;
  int64_t next_sweep_ms_ = INT64_MAX;
  int64_t accept_resume_ms_ = 0;  // accepting paused after EMFILE until then; 0 = not paused
  bool shutting_down_ = false;
};

}  // namespace hm::trustchain::dns::internal
