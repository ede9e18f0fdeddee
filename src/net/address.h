// Listen and peer addresses. HyperMesh is IPv6-only: IPv4 literals, including IPv4-mapped IPv6
// addresses, are rejected with a message that says so.
// Thread-safety: pure functions over values.
#pragma once

#include <boost/asio/ip/address_v6.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"

namespace hm::net {

struct Endpoint {
  boost::asio::ip::address_v6 address;
  uint16_t port = 0;

  // "[::1]:8443".
  std::string ToString() const;
  bool operator==(const Endpoint& other) const = default;
};

// Parses an IPv6 literal, with or without brackets ("::1", "[::]", "fe80::1%lo").
// Errors (kInvalidArgument): empty host, IPv4 or IPv4-mapped literal, host names, garbage.
base::Result<Endpoint> ParseListenAddress(std::string_view host, uint16_t port);

// Splits "[::1]:8443" (or "name:8443") into host without brackets and port. The host is not
// validated beyond being non-empty; an unbracketed IPv6 literal is rejected as ambiguous.
base::Result<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view host_port);

// SplitHostPort followed by ParseListenAddress.
base::Result<Endpoint> ParseHostPort(std::string_view host_port);

// True if `host` is an IPv4 dotted-quad literal.
bool IsIpv4Literal(std::string_view host);

// The standard rejection for an IPv4 literal: names the address and the remedy.
base::Status Ipv4NotSupported(std::string_view host);

// "[host]:port" when host contains ':', else "host:port".
std::string FormatHostPort(std::string_view host, uint16_t port);

}  // namespace hm::net
