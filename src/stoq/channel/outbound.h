// Bytes an application has queued for sending on its QUIC streams, handed to the connection
// without copying (StreamChunk vectors point into the queued buffers). Buffers stay until the
// stream is forgotten (closed or reset), which covers retransmission: a stream is closed only
// once everything on it was acknowledged.
// Thread-safety: none; owned by one connection's application.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>

#include "base/bytes.h"
#include "stoq/connection.h"

namespace hm::stoq::channel {

class OutboundStreams {
 public:
  // Appends `bytes` to what `stream_id` sends, and a FIN after them when `fin`.
  void Queue(int64_t stream_id, base::Bytes bytes, bool fin);
  // The oldest unblocked stream with something to send (stream_id -1 when none).
  void Next(StreamChunk* out);
  // `bytes` of the chunk last returned for `stream_id` went into packets.
  void Written(int64_t stream_id, size_t bytes);
  // Flow control stopped the stream / the peer raised its window.
  void Blocked(int64_t stream_id);
  void Unblocked(int64_t stream_id);
  // Drops everything about the stream (closed, reset, or its write side shut).
  void Forget(int64_t stream_id);
  // True while the stream has unsent bytes or an unsent FIN.
  bool Pending(int64_t stream_id) const;
  size_t streams() const { return streams_.size(); }

 private:
  struct Out {
    std::deque<base::Bytes> pieces;
    size_t offset = 0;  // into pieces.front(), which is the first with unsent bytes
    bool fin = false;
    bool fin_offered = false;  // the last chunk carried the FIN
    bool fin_sent = false;
    bool blocked = false;
    size_t sent_pieces = 0;  // pieces fully written, kept at the front for retransmission
  };
  void Refresh(int64_t stream_id, const Out& o);
  static bool HasWork(const Out& o);

  std::map<int64_t, Out> streams_;
  std::set<int64_t> ready_;  // unblocked streams with work, oldest id first
};

}  // namespace hm::stoq::channel
