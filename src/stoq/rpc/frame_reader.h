// Incremental reader of RPC frames from one stream's bytes (docs/spec/stoq-rpc.md "Frame").
// Fed whatever the transport delivers; yields whole frames (length prefix included, ready for
// DecodeRequestFrame / DecodeResponseFrame). After the first error every call fails the same way.
// Thread-safety: none; one reader per stream, used by the thread that owns the stream.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>

#include "base/bytes.h"
#include "base/status.h"
#include "stoq/rpc/messages.h"

namespace hm::stoq::rpc {

class FrameReader {
 public:
  // `max_frames` is how many frames the stream may carry: 1 for an RPC stream (one call = one
  // frame per direction). The caller validates `max_frame_bytes` (ValidateMaxFrameBytes).
  explicit FrameReader(size_t max_frame_bytes = kDefaultMaxFrameBytes, size_t max_frames = 1);

  // Appends stream bytes. Errors: kResourceExhausted for a length prefix over the limit (found
  // as soon as its 4 bytes are in, before any body byte is kept); kInvalidArgument for bytes after
  // the last allowed frame or bytes fed after Finish().
  base::Status Feed(ByteSpan data);
  // The next complete frame, if any.
  std::optional<Bytes> Next();
  // The peer sent FIN. kInvalidArgument if a partial frame remains or the stream carried no frame.
  base::Status Finish();

  size_t frames_seen() const { return frames_seen_; }

 private:
  base::Status Fail(base::Status status);

  const size_t max_frame_bytes_;
  const size_t max_frames_;
  Bytes partial_;            // the frame being assembled (prefix included)
  size_t partial_need_ = 0;  // full size of that frame once its prefix is known, else 0
  std::deque<Bytes> ready_;
  size_t frames_seen_ = 0;
  bool finished_ = false;
  base::Status error_;
};

}  // namespace hm::stoq::rpc
