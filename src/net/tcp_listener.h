// TcpListener: a listening TCP acceptor on an IPv6 endpoint, always AF_INET6 with IPV6_V6ONLY=1
// and SO_REUSEADDR. The acceptor runs on its own strand of the given io_context.
// Thread-safety: Open is thread-safe; use acceptor() and Close() only on the acceptor's executor.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "base/status.h"
#include "net/address.h"

namespace hm::net {

class TcpListener {
 public:
  static constexpr int kDefaultBacklog = 1024;

  // Opens, binds and listens. Port 0 picks a free port (see port()). Errors name the address:
  // kUnavailable "address [::1]:8443 is already in use", kPermissionDenied (privileged port),
  // kInvalidArgument (address not local), kIoError (anything else).
  static base::Result<std::unique_ptr<TcpListener>> Open(boost::asio::io_context& io,
                                                         const Endpoint& endpoint,
                                                         int backlog = kDefaultBacklog);

  boost::asio::ip::tcp::acceptor& acceptor() { return acceptor_; }
  // The bound address and port (the real port when opened with port 0).
  const Endpoint& local_endpoint() const { return local_; }
  uint16_t port() const { return local_.port; }
  // Stops accepting; pending accepts complete with operation_aborted.
  void Close();

 private:
  TcpListener(boost::asio::ip::tcp::acceptor acceptor, Endpoint local)
      : acceptor_(std::move(acceptor)), local_(local) {}

  boost::asio::ip::tcp::acceptor acceptor_;
  Endpoint local_;
};

}  // namespace hm::net
