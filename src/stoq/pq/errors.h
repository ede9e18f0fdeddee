// Application error codes of the STOQ post-quantum channel (docs/spec/stoq-pq.md), sent in a QUIC
// CONNECTION_CLOSE, and the Failure a handshake reports. Thread-safety: constants and value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hm::stoq::pq {

inline constexpr uint64_t kPqMalformed = 0x5101;
inline constexpr uint64_t kPqBadCertificate = 0x5102;
inline constexpr uint64_t kPqBadSignature = 0x5103;
inline constexpr uint64_t kPqBadConfirm = 0x5104;
inline constexpr uint64_t kPqTimeout = 0x5105;  // raised by the transport, which owns the clock
inline constexpr uint64_t kPqUnexpectedMessage = 0x5106;

// "kPqMalformed" etc., or "unknown" for other values (for logs).
std::string_view AppErrorName(uint64_t app_error_code);

// Why a handshake failed: the code to close the connection with, and a reason for the log. The
// reason is for our operators; it is not sent to the peer.
struct Failure {
  uint64_t app_error_code = 0;
  std::string reason;
};

}  // namespace hm::stoq::pq
