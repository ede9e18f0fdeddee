#include "stoq/rpc/frame_reader.h"

#include <fmt/format.h>

#include <algorithm>

namespace hm::stoq::rpc {

using base::InvalidArgument;
using base::Status;

FrameReader::FrameReader(size_t max_frame_bytes, size_t max_frames)
    : max_frame_bytes_(max_frame_bytes), max_frames_(max_frames) {}

Status FrameReader::Fail(Status status) {
  error_ = std::move(status);
  partial_.clear();
  partial_.shrink_to_fit();
  ready_.clear();
  return error_;
}

Status FrameReader::Feed(ByteSpan data) {
  if (!error_.ok()) return error_;
  if (finished_) return Fail(InvalidArgument("rpc: bytes after FIN"));
  while (!data.empty()) {
    if (frames_seen_ == max_frames_) {
      return Fail(InvalidArgument(
          fmt::format("rpc: {} bytes after the last frame of the stream", data.size())));
    }
    if (partial_need_ == 0) {
      // Still collecting the 4-byte length prefix.
      const size_t take = std::min(kFrameHeaderBytes - partial_.size(), data.size());
      partial_.insert(partial_.end(), data.begin(), data.begin() + take);
      data = data.subspan(take);
      if (partial_.size() < kFrameHeaderBytes) break;
      const uint32_t len = (uint32_t{partial_[0]} << 24) | (uint32_t{partial_[1]} << 16) |
                           (uint32_t{partial_[2]} << 8) | uint32_t{partial_[3]};
      if (len > max_frame_bytes_) {
        return Fail(base::ResourceExhausted(
            fmt::format("rpc: frame of {} bytes exceeds the limit of {}", len, max_frame_bytes_)));
      }
      partial_need_ = kFrameHeaderBytes + len;
    }
    // Grow with the data actually received, never by the announced length: a peer that announces
    // 16 MiB and sends nothing holds only what it sent.
    const size_t take = std::min(partial_need_ - partial_.size(), data.size());
    partial_.insert(partial_.end(), data.begin(), data.begin() + take);
    data = data.subspan(take);
    if (partial_.size() == partial_need_) {
      ready_.push_back(std::move(partial_));
      partial_ = Bytes();
      partial_need_ = 0;
      ++frames_seen_;
    }
  }
  return Status::Ok();
}

std::optional<Bytes> FrameReader::Next() {
  if (ready_.empty()) return std::nullopt;
  Bytes out = std::move(ready_.front());
  ready_.pop_front();
  return out;
}

Status FrameReader::Finish() {
  if (!error_.ok()) return error_;
  finished_ = true;
  if (!partial_.empty()) {
    return Fail(InvalidArgument(
        fmt::format("rpc: stream ended inside a frame ({} bytes of it)", partial_.size())));
  }
  if (frames_seen_ == 0) return Fail(InvalidArgument("rpc: stream ended without a frame"));
  return Status::Ok();
}

}  // namespace hm::stoq::rpc
