#include "net/address.h"

#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>
#include <charconv>

namespace hm::net {
namespace {

std::string_view StripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

// ::a.b.c.d (deprecated IPv4-compatible form); :: and ::1 are not in this class.
bool IsV4Compatible(const boost::asio::ip::address_v6& a) {
  const auto b = a.to_bytes();
  for (int i = 0; i < 12; ++i) {
    if (b[i] != 0) return false;
  }
  return !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1));
}

}  // namespace

std::string Endpoint::ToString() const { return FormatHostPort(address.to_string(), port); }

bool IsIpv4Literal(std::string_view host) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address_v4(std::string(host), ec);
  return !ec;
}

base::Status Ipv4NotSupported(std::string_view host) {
  return base::InvalidArgument(fmt::format(
      "IPv4 address '{}' is not supported: HyperMesh is IPv6-only; use ::1 or ::", host));
}

std::string FormatHostPort(std::string_view host, uint16_t port) {
  if (host.find(':') != std::string_view::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

base::Result<Endpoint> ParseListenAddress(std::string_view host, uint16_t port) {
  const std::string_view bare = StripBrackets(host);
  if (bare.empty()) return base::InvalidArgument("listen address is empty: use ::1 or ::");
  if (IsIpv4Literal(bare)) return Ipv4NotSupported(bare);
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address_v6(std::string(bare), ec);
  if (ec) {
    return base::InvalidArgument(
        fmt::format("listen address '{}' is not an IPv6 literal: use ::1 or ::", host));
  }
  if (addr.is_v4_mapped() || IsV4Compatible(addr)) {
    return base::InvalidArgument(fmt::format(
        "IPv4-mapped address '{}' is not supported: HyperMesh is IPv6-only; use ::1 or ::", bare));
  }
  return Endpoint{addr, port};
}

base::Result<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view host_port) {
  std::string_view host;
  std::string_view port_text;
  if (!host_port.empty() && host_port.front() == '[') {
    const size_t close = host_port.find(']');
    if (close == std::string_view::npos) {
      return base::InvalidArgument(fmt::format("address '{}' has no closing ']'", host_port));
    }
    host = host_port.substr(1, close - 1);
    const std::string_view rest = host_port.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      return base::InvalidArgument(
          fmt::format("address '{}' has no port: expected [host]:port", host_port));
    }
    port_text = rest.substr(1);
  } else {
    const size_t colon = host_port.find(':');
    if (colon == std::string_view::npos) {
      return base::InvalidArgument(
          fmt::format("address '{}' has no port: expected [host]:port", host_port));
    }
    if (host_port.find(':', colon + 1) != std::string_view::npos) {
      return base::InvalidArgument(
          fmt::format("address '{}' is ambiguous: put an IPv6 address in brackets, e.g. [::1]:8443",
                      host_port));
    }
    host = host_port.substr(0, colon);
    port_text = host_port.substr(colon + 1);
  }
  if (host.empty()) {
    return base::InvalidArgument(fmt::format("address '{}' has an empty host", host_port));
  }
  unsigned value = 0;
  const char* end = port_text.data() + port_text.size();
  const auto [ptr, err] = std::from_chars(port_text.data(), end, value);
  if (port_text.empty() || port_text.size() > 5 || err != std::errc() || ptr != end ||
      value > 65535) {
    return base::InvalidArgument(
        fmt::format("address '{}' has an invalid port '{}'", host_port, port_text));
  }
  return std::pair<std::string, uint16_t>(std::string(host), static_cast<uint16_t>(value));
}

base::Result<Endpoint> ParseHostPort(std::string_view host_port) {
  HM_ASSIGN_OR_RETURN(auto split, SplitHostPort(host_port));
  return ParseListenAddress(split.first, split.second);
}

}  // namespace hm::net
