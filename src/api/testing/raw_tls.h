// Test-only: a bare TLS client on [::1] for sending bytes a real HTTP client would never produce
// (half requests, hand-made HTTP/2 frames). Optional ALPN; a 5 s receive timeout so a missing
// answer fails the test instead of hanging it. Thread-safety: one thread per object.
#pragma once

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <string>
#include <string_view>

namespace hm::api::testing {

class RawTlsClient {
 public:
  RawTlsClient()
      : ctx_(boost::asio::ssl::context::tls_client), stream_(io_, ctx_) {}

  // `alpn` in wire form (length-prefixed ids, e.g. "\x02h2"); empty offers none.
  bool Connect(uint16_t port, std::string_view alpn = {}) {
    namespace asio = boost::asio;
    boost::system::error_code ec;
    auto& sock = stream_.next_layer();
    sock.open(asio::ip::tcp::v6(), ec);
    sock.set_option(asio::ip::v6_only(true), ec);
    timeval tv{5, 0};
    setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (!alpn.empty()) {
      SSL_set_alpn_protos(stream_.native_handle(),
                          reinterpret_cast<const unsigned char*>(alpn.data()),
                          static_cast<unsigned>(alpn.size()));
    }
    sock.connect(asio::ip::tcp::endpoint(asio::ip::make_address("::1"), port), ec);
    if (!ec) stream_.handshake(asio::ssl::stream_base::client, ec);
    return !ec;
  }
  // The protocol the server selected ("" when none).
  std::string Alpn() {
    const unsigned char* p = nullptr;
    unsigned int n = 0;
    SSL_get0_alpn_selected(stream_.native_handle(), &p, &n);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  bool Write(std::string_view bytes) {
    boost::system::error_code ec;
    boost::asio::write(stream_, boost::asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }
  // Reads until the server closes the connection (or the receive timeout).
  std::string ReadToEnd() {
    std::string out;
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      const size_t n = stream_.read_some(boost::asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) return out;
    }
  }
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket>& stream() { return stream_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ssl::context ctx_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
};

}  // namespace hm::api::testing
