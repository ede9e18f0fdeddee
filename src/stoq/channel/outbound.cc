#include "stoq/channel/outbound.h"

#include "base/check.h"

namespace hm::stoq::channel {

bool OutboundStreams::HasWork(const Out& o) {
  return o.sent_pieces < o.pieces.size() || (o.fin && !o.fin_sent);
}

void OutboundStreams::Refresh(int64_t stream_id, const Out& o) {
  if (HasWork(o) && !o.blocked) {
    ready_.insert(stream_id);
  } else {
    ready_.erase(stream_id);
  }
}

void OutboundStreams::Queue(int64_t stream_id, base::Bytes bytes, bool fin) {
  Out& o = streams_[stream_id];
  HM_CHECK(!o.fin);  // nothing may follow a FIN
  if (!bytes.empty()) o.pieces.push_back(std::move(bytes));
  o.fin = fin;
  Refresh(stream_id, o);
}

void OutboundStreams::Next(StreamChunk* out) {
  out->stream_id = -1;
  out->count = 0;
  out->fin = false;
  if (ready_.empty()) return;
  const int64_t id = *ready_.begin();
  Out& o = streams_.at(id);
  out->stream_id = id;
  size_t i = o.sent_pieces;
  size_t offset = o.offset;
  for (; i < o.pieces.size() && out->count < out->vecs.size(); ++i, offset = 0) {
    base::Bytes& p = o.pieces[i];
    out->vecs[out->count++] = {p.data() + offset, p.size() - offset};
  }
  out->fin = o.fin && i == o.pieces.size();
  o.fin_offered = out->fin;
}

void OutboundStreams::Written(int64_t stream_id, size_t bytes) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return;
  Out& o = it->second;
  while (bytes > 0 && o.sent_pieces < o.pieces.size()) {
    const size_t left = o.pieces[o.sent_pieces].size() - o.offset;
    const size_t n = std::min(left, bytes);
    o.offset += n;
    bytes -= n;
    if (o.offset == o.pieces[o.sent_pieces].size()) {
      ++o.sent_pieces;
      o.offset = 0;
    }
  }
  // ngtcp2 adds the FIN to the frame that carries the last byte of a chunk offered with it.
  if (o.fin_offered && o.sent_pieces == o.pieces.size()) o.fin_sent = true;
  o.fin_offered = false;
  Refresh(stream_id, o);
}

void OutboundStreams::Blocked(int64_t stream_id) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return;
  it->second.blocked = true;
  it->second.fin_offered = false;
  ready_.erase(stream_id);
}

void OutboundStreams::Unblocked(int64_t stream_id) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return;
  it->second.blocked = false;
  Refresh(stream_id, it->second);
}

void OutboundStreams::Forget(int64_t stream_id) {
  streams_.erase(stream_id);
  ready_.erase(stream_id);
}

bool OutboundStreams::Pending(int64_t stream_id) const {
  auto it = streams_.find(stream_id);
  return it != streams_.end() && HasWork(it->second);
}

}  // namespace hm::stoq::channel
