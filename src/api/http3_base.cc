#include "api/http3_base.h"

#include <fmt/format.h>

#include "base/page_heap.h"

namespace hm::api::internal {
// nghttp3 allocates through the page heap: its per-connection stream pool (a 44 KB block of
// which an idle connection uses a few streams) then costs only the pages it writes.
const nghttp3_mem* Http3Application::Memory() {
  static const nghttp3_mem mem{nullptr, base::PageHeap::MallocCallback,
                               base::PageHeap::FreeCallback, base::PageHeap::CallocCallback,
                               base::PageHeap::ReallocCallback};
  return &mem;
}

// nghttp3 callbacks about stream flow, forwarded to the QUIC connection.
struct Http3StreamCallbacks {
  static stoq::Connection& Conn(void* ud) { return static_cast<Http3Application*>(ud)->conn_; }

  static int DeferredConsume(nghttp3_conn*, int64_t stream_id, size_t consumed, void* ud, void*) {
    Conn(ud).ExtendStreamWindow(stream_id, consumed);
    return 0;
  }
  static int StopSending(nghttp3_conn*, int64_t stream_id, uint64_t code, void* ud, void*) {
    Conn(ud).ShutdownStreamRead(stream_id, code);
    return 0;
  }
  static int ResetStream(nghttp3_conn*, int64_t stream_id, uint64_t code, void* ud, void*) {
    Conn(ud).ShutdownStreamWrite(stream_id, code);
    return 0;
  }
};

Http3Application::~Http3Application() {
  if (h3_ != nullptr) nghttp3_conn_del(h3_);
}

nghttp3_settings Http3Application::Settings(uint64_t max_field_section_size) {
  nghttp3_settings settings;
  nghttp3_settings_default(&settings);
  settings.max_field_section_size = max_field_section_size;
  settings.qpack_max_dtable_capacity = 4096;
  settings.qpack_blocked_streams = 100;
  return settings;
}

void Http3Application::AddStreamCallbacks(nghttp3_callbacks* cb) {
  cb->deferred_consume = Http3StreamCallbacks::DeferredConsume;
  cb->stop_sending = Http3StreamCallbacks::StopSending;
  cb->reset_stream = Http3StreamCallbacks::ResetStream;
}

base::Status Http3Application::BindCriticalStreams() {
  HM_ASSIGN_OR_RETURN(int64_t control, conn_.OpenUniStream());
  HM_ASSIGN_OR_RETURN(int64_t qenc, conn_.OpenUniStream());
  HM_ASSIGN_OR_RETURN(int64_t qdec, conn_.OpenUniStream());
  int rv = nghttp3_conn_bind_control_stream(h3_, control);
  if (rv == 0) rv = nghttp3_conn_bind_qpack_streams(h3_, qenc, qdec);
  return Check(rv, "binding streams");
}

base::Status Http3Application::H3Error(int rv, std::string_view what) {
  conn_.SetApplicationError(nghttp3_err_infer_quic_app_error_code(rv), std::string(what));
  return base::Status(error_code_, fmt::format("HTTP/3 {}: {}", what, nghttp3_strerror(rv)));
}

base::Status Http3Application::OnStreamData(int64_t stream_id, base::ByteSpan data, bool fin) {
  if (h3_ == nullptr) return base::FailedPrecondition("stream data before the handshake");
  nghttp3_ssize n = nghttp3_conn_read_stream(h3_, stream_id, data.data(), data.size(), fin);
  if (n < 0) return H3Error(static_cast<int>(n), "reading a stream");
  conn_.ExtendStreamWindow(stream_id, static_cast<size_t>(n));
  return base::Status::Ok();
}

base::Status Http3Application::OnStreamAcked(int64_t stream_id, uint64_t bytes) {
  if (h3_ == nullptr) return base::Status::Ok();
  return Check(nghttp3_conn_add_ack_offset(h3_, stream_id, bytes), "acknowledging data");
}

base::Status Http3Application::OnStreamClose(int64_t stream_id, uint64_t app_error_code) {
  if (h3_ == nullptr) return base::Status::Ok();
  int rv = nghttp3_conn_close_stream(h3_, stream_id,
                                     app_error_code == 0 ? kH3NoError : app_error_code);
  if (rv != 0 && rv != NGHTTP3_ERR_STREAM_NOT_FOUND) return H3Error(rv, "closing a stream");
  return base::Status::Ok();
}

base::Status Http3Application::OnStreamReset(int64_t stream_id, uint64_t app_error_code) {
  if (h3_ == nullptr) return base::Status::Ok();
  OnPeerReset(stream_id, app_error_code);
  return Check(nghttp3_conn_shutdown_stream_read(h3_, stream_id), "resetting a stream");
}

base::Status Http3Application::OnStopSending(int64_t stream_id, uint64_t) {
  // The peer no longer reads; the response may still complete (RFC 9114 section 4.1).
  if (h3_ == nullptr) return base::Status::Ok();
  return Check(nghttp3_conn_shutdown_stream_read(h3_, stream_id), "stopping a stream");
}

void Http3Application::OnStreamWritable(int64_t stream_id) {
  if (h3_ != nullptr) (void)nghttp3_conn_unblock_stream(h3_, stream_id);
}

base::Status Http3Application::NextChunk(stoq::StreamChunk* out) {
  if (h3_ == nullptr) return base::Status::Ok();
  nghttp3_vec vec[16];
  int fin = 0;
  int64_t stream_id = -1;
  nghttp3_ssize n = nghttp3_conn_writev_stream(h3_, &stream_id, &fin, vec, 16);
  if (n < 0) return H3Error(static_cast<int>(n), "writing a stream");
  out->stream_id = stream_id;
  out->fin = fin != 0;
  out->count = static_cast<size_t>(n);
  for (size_t i = 0; i < out->count; ++i) out->vecs[i] = {vec[i].base, vec[i].len};
  return base::Status::Ok();
}

base::Status Http3Application::OnChunkWritten(int64_t stream_id, size_t bytes) {
  if (h3_ == nullptr || stream_id < 0) return base::Status::Ok();
  return Check(nghttp3_conn_add_write_offset(h3_, stream_id, bytes), "advancing a stream");
}

void Http3Application::OnStreamBlocked(int64_t stream_id, bool write_shut) {
  if (h3_ == nullptr) return;
  if (write_shut) {
    nghttp3_conn_shutdown_stream_write(h3_, stream_id);
  } else {
    nghttp3_conn_block_stream(h3_, stream_id);
  }
}

std::string_view View(nghttp3_rcbuf* buf) {
  const nghttp3_vec v = nghttp3_rcbuf_get_buf(buf);
  return {reinterpret_cast<const char*>(v.base), v.len};
}

nghttp3_nv Nv(const std::string& name, const std::string& value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP3_NV_FLAG_NONE};
}

}  // namespace hm::api::internal
