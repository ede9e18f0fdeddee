// Test-only helpers: hand-built DNS queries, a trivial echo handler, and blocking UDP/TCP clients
// on [::1] with timeouts. Not part of the library.
// Thread-safety: each client is used by one thread.
#pragma once

#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "trustchain/dns/server/internal/socket.h"
#include "trustchain/dns/server/server.h"

namespace hm::trustchain::dns::test {

using namespace std::chrono_literals;

// A query with one question (`name` dotted, no trailing dot), RD set.
base::Bytes MakeQuery(uint16_t id, std::string_view name, uint16_t qtype = 28);
uint16_t IdOf(base::ByteSpan msg);
inline bool IsResponse(base::ByteSpan m) { return m.size() >= 12 && (m[2] & 0x80); }
inline bool IsTruncated(base::ByteSpan m) { return m.size() >= 12 && (m[2] & 0x02); }
inline int RcodeOf(base::ByteSpan m) { return m.size() >= 12 ? (m[3] & 0x0F) : -1; }

// Answers every query of at least 12 octets with a copy of it with QR=1 and four extra octets
// "\xAA\xBB\xCC\xDD" (an unparseable but recognisable "answer"); drops shorter ones.
HandlerResult EchoHandler(base::ByteSpan query, bool tcp, std::span<uint8_t> out);

class UdpClient {
 public:
  UdpClient();
  void SendTo(uint16_t port, base::ByteSpan data);
  // Next datagram within `timeout`, or nullopt. `from` receives the sender.
  std::optional<base::Bytes> Receive(std::chrono::milliseconds timeout = 2000ms,
                                     sockaddr_in6* from = nullptr);
  uint16_t port() const;
  int fd() const { return fd_.get(); }

 private:
  internal::Fd fd_;
};

class TcpClient {
 public:
  explicit TcpClient(uint16_t port);
  bool connected() const { return connected_; }
  void Write(base::ByteSpan data);
  void WriteFrame(base::ByteSpan message);
  void ShutdownWrite();  // send FIN
  // The next length-prefixed message within `timeout`, or nullopt (timeout or closed).
  std::optional<base::Bytes> ReadFrame(std::chrono::milliseconds timeout = 2000ms);
  // True if the server closes the connection (EOF or reset) within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout = 2000ms);

 private:
  bool ReadExact(uint8_t* out, size_t n, std::chrono::steady_clock::time_point deadline);
  internal::Fd fd_;
  bool connected_ = false;
};

}  // namespace hm::trustchain::dns::test
