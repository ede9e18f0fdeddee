// One UDP worker: a thread's epoll loop over its own SO_REUSEPORT socket, reading and answering
// datagrams in recvmmsg/sendmmsg batches with preallocated, reused buffers (no heap allocation
// per packet), applying RRL, and relaying forwarded queries through its own Forwarder.
// Thread-safety: Run() is called on one thread; everything else only before that.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <memory>

#include "base/status.h"
#include "trustchain/dns/server/internal/context.h"
#include "trustchain/dns/server/internal/forwarder.h"
#include "trustchain/dns/server/internal/socket.h"

namespace hm::trustchain::dns::internal {

class UdpWorker final : public ReplySink {
 public:
  static constexpr int kBatch = 64;

  // `local_unspecified`: the socket is bound to [::], so each reply must carry the address the
  // query was sent to (IPV6_PKTINFO) or a multi-homed host would answer from the wrong one.
  static base::Result<std::unique_ptr<UdpWorker>> Create(Fd socket, bool local_unspecified,
                                                         const ServerContext& context, int stop_fd);
  ~UdpWorker() override;

  // Serves until the stop eventfd becomes readable.
  void Run();

  void Deliver(const Origin& origin, base::ByteSpan reply) override;

 private:
  struct Counts;
  struct Slots;

  UdpWorker(Fd socket, bool pktinfo, const ServerContext& context);
  void DrainSocket();
  void ProcessBatch(int received);
  // RRL for one reply in `buf` (`*size` octets) answering `source`; may turn it into a TC=1
  // slip. False: drop it.
  bool Admit(const sockaddr_in6& client, base::ByteSpan source, uint8_t* buf, size_t* size,
             Counts& counts);
  void Queue(int slot, int rx_index, size_t size);
  void Flush(int queued, Counts& counts);
  void AddCounts(const Counts& counts);

  Fd socket_;
  Fd epoll_;
  const bool pktinfo_;
  const ServerContext context_;
  std::unique_ptr<Forwarder> forwarder_;
  std::unique_ptr<Slots> slots_;
  int64_t now_ms_ = 0;
};

}  // namespace hm::trustchain::dns::internal
