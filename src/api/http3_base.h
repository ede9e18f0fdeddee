// Internal to the API front ends: what the HTTP/3 server session and the HTTP/3 client share —
// an nghttp3 connection and the glue that moves its stream data through a stoq::Connection
// (reads, window updates, zero-copy writes, acknowledgements, blocking and resets).
// Thread-safety: none; an instance lives on its connection's thread.
#pragma once

#include <nghttp3/nghttp3.h>

#include <string>
#include <string_view>

#include "base/status.h"
#include "stoq/connection.h"

namespace hm::api::internal {

inline constexpr uint64_t kH3NoError = 0x100;

class Http3Application : public stoq::Application {
 public:
  ~Http3Application() override;

  base::Status OnStreamData(int64_t stream_id, base::ByteSpan data, bool fin) final;
  base::Status OnStreamAcked(int64_t stream_id, uint64_t bytes) final;
  base::Status OnStreamClose(int64_t stream_id, uint64_t app_error_code) final;
  base::Status OnStreamReset(int64_t stream_id, uint64_t app_error_code) final;
  base::Status OnStopSending(int64_t stream_id, uint64_t app_error_code) final;
  void OnStreamWritable(int64_t stream_id) final;
  base::Status NextChunk(stoq::StreamChunk* out) final;
  base::Status OnChunkWritten(int64_t stream_id, size_t bytes) final;
  void OnStreamBlocked(int64_t stream_id, bool write_shut) final;

 protected:
  // `error_code`: the Status code nghttp3 failures are reported with (the server says the peer
  // sent something invalid; the client that the exchange failed).
  Http3Application(stoq::Connection& conn, base::Code error_code)
      : conn_(conn), error_code_(error_code) {}

  // nghttp3 settings both sides use, with the given header-section limit.
  static nghttp3_settings Settings(uint64_t max_field_section_size);
  // The allocator every nghttp3 connection uses (base::PageHeap).
  static const nghttp3_mem* Memory();
  // Adds the callbacks that only concern stream flow (deferred_consume, stop_sending,
  // reset_stream). nghttp3's user data must be user_data().
  static void AddStreamCallbacks(nghttp3_callbacks* cb);
  void* user_data() { return static_cast<Http3Application*>(this); }
  template <typename T>
  static T* FromUserData(void* ud) {
    return static_cast<T*>(static_cast<Http3Application*>(ud));
  }
  // After h3_ is created: opens the control and QPACK streams and binds them.
  base::Status BindCriticalStreams();

  // Records the QUIC application error nghttp3 infers from `rv` and returns a Status.
  base::Status H3Error(int rv, std::string_view what);
  base::Status Check(int rv, std::string_view what) {
    return rv == 0 ? base::Status::Ok() : H3Error(rv, what);
  }
  // The peer reset a stream (before nghttp3 is told).
  virtual void OnPeerReset(int64_t /*stream_id*/, uint64_t /*code*/) {}

  stoq::Connection& conn_;
  nghttp3_conn* h3_ = nullptr;

 private:
  friend struct Http3StreamCallbacks;
  const base::Code error_code_;
};

// The bytes of an nghttp3 reference-counted buffer.
std::string_view View(nghttp3_rcbuf* buf);
// A header field pointing at `name` and `value` (which must outlive the submit call).
nghttp3_nv Nv(const std::string& name, const std::string& value);

}  // namespace hm::api::internal
