#include "net/tcp_listener.h"

#include <fmt/format.h>

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/error_code.hpp>

namespace hm::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

base::Status BindError(const Endpoint& endpoint, std::string_view step,
                       const boost::system::error_code& ec) {
  const std::string where = endpoint.ToString();
  if (ec == asio::error::address_in_use) {
    return base::Unavailable(fmt::format("address {} is already in use", where));
  }
  if (ec == asio::error::access_denied) {
    return base::PermissionDenied(
        fmt::format("cannot {} address {}: {}", step, where, ec.message()));
  }
  if (ec == boost::system::errc::address_not_available) {
    return base::InvalidArgument(
        fmt::format("address {} is not a local address: {}", where, ec.message()));
  }
  return base::IoError(fmt::format("cannot {} address {}: {}", step, where, ec.message()));
}

}  // namespace

base::Result<std::unique_ptr<TcpListener>> TcpListener::Open(asio::io_context& io,
                                                             const Endpoint& endpoint,
                                                             int backlog) {
  tcp::acceptor acceptor(asio::make_strand(io));
  boost::system::error_code ec;
  acceptor.open(tcp::v6(), ec);
  if (ec) return BindError(endpoint, "open a socket for", ec);
  acceptor.set_option(asio::ip::v6_only(true), ec);
  if (ec) return BindError(endpoint, "set IPV6_V6ONLY on", ec);
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return BindError(endpoint, "set SO_REUSEADDR on", ec);
  acceptor.bind(tcp::endpoint(endpoint.address, endpoint.port), ec);
  if (ec) return BindError(endpoint, "bind", ec);
  acceptor.listen(backlog, ec);
  if (ec) return BindError(endpoint, "listen on", ec);
  const tcp::endpoint bound = acceptor.local_endpoint(ec);
  if (ec) return BindError(endpoint, "read the bound port of", ec);
  if (!bound.address().is_v6()) return base::Internal("listener bound a non-IPv6 address");
  Endpoint local{bound.address().to_v6(), bound.port()};
  return std::unique_ptr<TcpListener>(new TcpListener(std::move(acceptor), local));
}

void TcpListener::Close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

}  // namespace hm::net
