// The four messages of the STOQ post-quantum channel and their stream framing
// (docs/spec/stoq-pq.md): strict encoders/decoders and an incremental MessageReader.
// Thread-safety: free functions are thread-safe; a MessageReader is owned by one thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::stoq::pq {

// Frame types double as the codec type tags of the bodies (STOQ range 0x40-0x4f).
enum class MessageType : uint8_t {
  kClientHello = 0x40,
  kServerHello = 0x41,
  kClientFinish = 0x42,
  kServerConfirm = 0x43,
};
std::string_view MessageTypeName(MessageType type);

inline constexpr size_t kFrameHeaderSize = 5;  // u8 type, u32 big-endian body length
inline constexpr size_t kMaxBodySize = 8192;
inline constexpr size_t kExporterSize = 32;
inline constexpr size_t kNonceSize = 32;
inline constexpr size_t kMacSize = 32;
inline constexpr size_t kKemKeySize = 1568;         // ML-KEM-1024 encapsulation key
inline constexpr size_t kKemCiphertextSize = 1568;  // ML-KEM-1024 ciphertext
inline constexpr size_t kSignatureSize = 1280;      // Falcon-1024, padded format

// Exact body sizes (codec header included).
inline constexpr size_t kClientHelloBodySize = 2 + kKemKeySize + kNonceSize;
inline constexpr size_t kServerHelloBodySize =
    2 + kKemKeySize + kKemCiphertextSize + kSignatureSize;
inline constexpr size_t kClientFinishBodySize = 2 + kKemCiphertextSize + kSignatureSize;
inline constexpr size_t kServerConfirmBodySize = 2 + kMacSize;

struct ClientHello {
  base::Bytes ek;  // kKemKeySize
  std::array<uint8_t, kNonceSize> nonce{};
};

struct ServerHello {
  base::Bytes ek;   // kKemKeySize
  base::Bytes ct;   // kKemCiphertextSize
  base::Bytes sig;  // kSignatureSize; always the last field (the transcript omits it)
};

struct ClientFinish {
  base::Bytes ct;   // kKemCiphertextSize
  base::Bytes sig;  // kSignatureSize
};

struct ServerConfirm {
  std::array<uint8_t, kMacSize> mac{};
};

// Encoders return the complete frame. Field sizes are the caller's invariant (HM_CHECK).
base::Bytes EncodeClientHello(const ClientHello& m);
base::Bytes EncodeServerHello(const ServerHello& m);
base::Bytes EncodeClientFinish(const ClientFinish& m);
base::Bytes EncodeServerConfirm(const ServerConfirm& m);

// Decoders take a frame body. InvalidArgument unless the body is exactly what the encoder
// produces for some message: size, type tag, version 1, no trailing bytes.
base::Result<ClientHello> DecodeClientHello(base::ByteSpan body);
base::Result<ServerHello> DecodeServerHello(base::ByteSpan body);
base::Result<ClientFinish> DecodeClientFinish(base::ByteSpan body);
base::Result<ServerConfirm> DecodeServerConfirm(base::ByteSpan body);

// One received frame.
struct Frame {
  MessageType type;
  base::Bytes bytes;  // the whole frame as received: header and body
  base::ByteSpan body() const { return base::ByteSpan(bytes).subspan(kFrameHeaderSize); }
};

// Splits stream bytes into frames. A frame header with an unknown type or a length above
// kMaxBodySize is rejected as soon as its 5 bytes are in, without waiting for the body.
class MessageReader {
 public:
  void Feed(base::ByteSpan data);
  // The next complete frame, nullopt if more bytes are needed, InvalidArgument on a bad header
  // (and on every call after that).
  base::Result<std::optional<Frame>> Next();
  // Bytes fed but not yet returned in a frame.
  size_t buffered() const { return buffer_.size(); }

 private:
  base::Bytes buffer_;
  base::Status error_;
};

}  // namespace hm::stoq::pq
