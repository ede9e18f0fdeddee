// Node wiring of TrustChain DNS: the UDP/TCP server (bound first, so a busy port fails before
// anything is written), the registry service on the chain, the node's own records, and the
// answer function of DNS over QUIC.
#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>

#include "base/log.h"
#include "net/address.h"
#include "node/node.h"
#include "stoq/doq.h"

namespace hm::node {

namespace dns = trustchain::dns;
using base::Status;

namespace {

// RFC 7828 edns-tcp-keepalive: RFC 9250 section 4.3.3 makes it a protocol error in DoQ.
constexpr uint16_t kEdnsTcpKeepalive = 11;
static_assert(stoq::kDoqMaxMessage >= dns::Authority::kMaxResponse);

// A response with the query's header and question and `rcode`, written to `out`; 0 when the
// query does not parse.
size_t ErrorReply(base::ByteSpan query, uint8_t rcode, std::span<uint8_t> out) {
  auto msg = dns::ParseMessage(query);
  if (!msg.ok()) return 0;
  dns::Message reply;
  reply.header = msg->header;
  reply.header.qr = true;
  reply.header.aa = false;
  reply.header.rcode = rcode;
  reply.questions = msg->questions;
  const base::Bytes b = dns::SerializeMessage(reply, out.size(), nullptr);
  std::copy(b.begin(), b.end(), out.begin());
  return b.size();
}

bool HasTcpKeepalive(base::ByteSpan query) {
  // Only a query with an additional record can carry an OPT; skip the parse otherwise.
  if (query.size() < dns::kHeaderSize || (query[10] == 0 && query[11] == 0)) return false;
  auto msg = dns::ParseMessage(query);
  if (!msg.ok()) return false;  // the authority answers FORMERR
  const dns::OptRecord* opt = msg->Edns();
  if (opt == nullptr) return false;
  return std::any_of(opt->options.begin(), opt->options.end(),
                     [](const dns::EdnsOption& o) { return o.code == kEdnsTcpKeepalive; });
}

base::Result<dns::ZoneConfig> ZoneFor(const std::string& zone, const std::string& node_label) {
  dns::ZoneConfig z;
  HM_ASSIGN_OR_RETURN(z.apex, dns::Name::FromText(zone));
  // The node that answers is the zone's name server; its AAAA is one of the node's own records.
  HM_ASSIGN_OR_RETURN(z.primary_ns, dns::Name::FromText(node_label + "." + zone));
  HM_ASSIGN_OR_RETURN(z.hostmaster, dns::Name::FromText("hostmaster." + zone));
  z.nameservers = {z.primary_ns};
  return z;
}

}  // namespace

Status Node::StartDnsServer() {
  if (!options_.dns.enabled) return Status::Ok();
  const auto& o = options_.dns;
  dns::DnsServerOptions s;
  HM_ASSIGN_OR_RETURN(s.listen, net::ParseListenAddress(o.listen, o.port));
  s.udp_workers = static_cast<unsigned>(o.udp_workers);
  s.tcp_max_connections = static_cast<size_t>(o.tcp_max_connections);
  s.tcp_idle_timeout = std::chrono::seconds(o.tcp_idle_timeout_s);
  s.rrl.responses_per_second = static_cast<uint32_t>(o.rrl_responses_per_second);
  s.rrl.slip = static_cast<uint32_t>(o.rrl_slip);
  for (const auto& u : o.forward_upstreams) {
    HM_ASSIGN_OR_RETURN(auto ep, net::ParseHostPort(u));
    s.upstreams.push_back(ep);
  }
  s.metrics = &metrics_;
  // Until the registry is loaded (a few ms into Start) queries are dropped; clients retry.
  auto handler = [this](base::ByteSpan query, bool tcp, std::span<uint8_t> out) {
    dns::HandlerResult h;
    const dns::DnsService* service = dns_ready_.load(std::memory_order_acquire);
    if (service == nullptr) return h;
    const dns::AnswerResult r = service->authority().Answer(
        query, tcp ? dns::Transport::kTcp : dns::Transport::kUdp, out);
    switch (r.action) {
      case dns::AnswerResult::Action::kReply:
        h.action = dns::HandlerResult::Action::kReply;
        h.size = r.size;
        break;
      case dns::AnswerResult::Action::kForward:
        h.action = dns::HandlerResult::Action::kForward;
        break;
      case dns::AnswerResult::Action::kDrop:
        break;
    }
    return h;
  };
  auto server = dns::DnsServer::Start(std::move(s), std::move(handler));
  if (!server.ok()) return server.status().WithContext("dns.port");
  dns_server_ = std::move(server).value();
  return Status::Ok();
}

// DNS over QUIC answers on the QUIC thread: Authority::Answer takes no lock. Names outside the
// zones get REFUSED even with forwarding on (the forwarder is the UDP/TCP server's), and a query
// before the zones are loaded gets SERVFAIL (RFC 9250 section 4.3.2 prefers a DNS error to a
// stream reset); what the authority drops (not a query) resets the stream.
stoq::ServerApplicationFactory Node::DoqFactory() {
  return stoq::DoqServerFactory([this](base::ByteSpan query, std::span<uint8_t> out) {
    stoq::DoqAnswer a;
    if (HasTcpKeepalive(query)) {
      a.action = stoq::DoqAnswer::Action::kReject;
      a.reason = "the query carries edns-tcp-keepalive, which DoQ forbids";
      return a;
    }
    const dns::DnsService* service = dns_ready_.load(std::memory_order_acquire);
    if (service == nullptr) {
      a.size = ErrorReply(query, dns::rcode::kServFail, out);
      if (a.size > 0) a.action = stoq::DoqAnswer::Action::kReply;
      return a;
    }
    const dns::AnswerResult r = service->authority().Answer(query, dns::Transport::kStream, out);
    switch (r.action) {
      case dns::AnswerResult::Action::kReply:
        a.action = stoq::DoqAnswer::Action::kReply;
        a.size = r.size;
        break;
      case dns::AnswerResult::Action::kForward:
        a.size = ErrorReply(query, dns::rcode::kRefused, out);
        if (a.size > 0) a.action = stoq::DoqAnswer::Action::kReply;
        break;
      case dns::AnswerResult::Action::kDrop:
        break;
    }
    return a;
  });
}

Status Node::StartDnsService() {
  if (!options_.dns.enabled) return Status::Ok();
  const auto& o = options_.dns;
  const std::string label = node_id_hex().substr(0, 16);
  dns::DnsServiceOptions d;
  for (const auto& zone : o.zones) {
    auto z = ZoneFor(zone, label);
    if (!z.ok()) return z.status().WithContext("dns.zones");
    d.zones.push_back(std::move(z).value());
  }
  d.answer.forward_outside_zones = !o.forward_upstreams.empty();
  d.answer.max_udp_payload = static_cast<uint16_t>(o.max_udp_payload);
  d.admin_token = admin_token_;
  d.clock = &clock_;
  const trustchain::service::TrustChainService* tc = trustchain_.get();
  d.issuing_ca_signer = [tc](base::ByteSpan m) { return tc->issuing().key().Sign(m); };
  HM_ASSIGN_OR_RETURN(dns_, dns::DnsService::Create(*chain_, *sequencer_, std::move(d)));
  dns_ready_.store(dns_.get(), std::memory_order_release);

  // The node's own records: its API address (loopback when it listens on every address).
  const std::string host = options_.api.listen == "::" ? "::1" : options_.api.listen;
  std::array<uint8_t, 16> address{};
  if (::inet_pton(AF_INET6, host.c_str(), address.data()) != 1) {
    return base::InvalidArgument(fmt::format("api.listen: '{}' is not an IPv6 address", host));
  }
  HM_TRY(dns_->RegisterNode(label, address, port_).WithContext("registering the node in DNS"));
  HM_LOG_INFO("dns", "serving {} on [{}]:{} (UDP, TCP), zone serial {}",
              fmt::join(o.zones, ", "), o.listen, dns_server_ ? dns_server_->port() : 0,
              dns_->serial());
  return Status::Ok();
}

}  // namespace hm::node
