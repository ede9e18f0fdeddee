// DnsService: TrustChain DNS as a node service (docs/spec/dns-registry.md). Keeps the answer
// engine's zone snapshot in step with the `dns` module's committed state, submits record changes
// (signed by the requester, or by the issuing CA for the admin and the node itself), registers
// the node's own records, and serves the registration API, the JSON resolver and DNS over HTTPS.
// The UDP/TCP transport (dns/server) is wired by the node and calls authority().
// Thread-safety: every method may be called from any thread after Create; Reload is serialised
// internally and runs on the sequencer thread after a block with a dns change commits.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/router.h"
#include "base/clock.h"
#include "base/status.h"
#include "chain/chain.h"
#include "chain/sequencer.h"
#include "trustchain/dns/authority.h"
#include "trustchain/dns/registry/dns_module.h"

namespace hm::trustchain::dns {

struct DnsServiceOptions {
  std::vector<ZoneConfig> zones;  // at least one
  AnswerOptions answer;
  std::string admin_token;  // empty: admin changes disabled
  // Signs with the issuing CA key (authority 2): admin changes and the node's own records.
  std::function<base::Bytes(base::ByteSpan message)> issuing_ca_signer;
  const base::Clock* clock = nullptr;  // must outlive the service
};

// One record change as a requester describes it (the API's JSON, `hm dns`).
struct ChangeRequest {
  ChangeOp op = ChangeOp::kReplace;
  std::string name;
  uint16_t type = 0;
  uint32_t ttl = 300;
  std::vector<std::string> records;  // presentation format
};

// Builds the unsigned change (canonical name, wire rdata) for `request`: InvalidArgument naming
// the field at fault. Shared by the API and the CLI so both sign the same bytes.
base::Result<RrsetChange> BuildChange(const ChangeRequest& request);

class DnsService {
 public:
  // `chain` and `sequencer` must outlive the service; the chain has the `dns` module, whose
  // change listener should call Reload().
  static base::Result<std::unique_ptr<DnsService>> Create(const chain::Chain& chain,
                                                          chain::Sequencer& sequencer,
                                                          DnsServiceOptions options);

  // Rebuilds the zone snapshot from committed state and publishes it to the answer engine.
  base::Status Reload();
  const Authority& authority() const { return *authority_; }
  // Serial of the published snapshot.
  uint32_t serial() const;

  // Ok if this node can serve `change`: its name lies in one of the served zones and it does not
  // put a CNAME at a zone apex (which holds the SOA and NS). InvalidArgument otherwise.
  base::Status CheckServable(const RrsetChange& change) const;

  // Signs `change` with the issuing CA (authority 2, timestamp from the clock) and waits until
  // it is durable and published. Returns the zone serial after it.
  base::Result<uint32_t> ChangeAsIssuingCa(RrsetChange change);
  // Publishes `<label>.<zone>` and `trust.<zone>` (first zone): AAAA `address` and HTTPS
  // alpn h3,stoq/1 port `port` ipv6hint `address`. Skips RRsets that are already so.
  base::Status RegisterNode(std::string_view label, const std::array<uint8_t, 16>& address,
                            uint16_t port);

  // POST /api/v1/dns/records, GET /api/v1/dns/resolve/{name}, GET|POST /dns-query.
  base::Status RegisterRoutes(api::Router& router);

 private:
  class Api;
  DnsService(const chain::Chain& chain, chain::Sequencer& sequencer, DnsServiceOptions options);
  // Signs `change` with the issuing CA at a time after the name's last change.
  base::Status SignAsIssuingCa(RrsetChange& change);
  // Submits and, once durable, reloads; `done` gets the zone serial.
  void Submit(const RrsetChange& change, std::function<void(base::Result<uint32_t>)> done);

  const chain::Chain& chain_;
  chain::Sequencer& sequencer_;
  const DnsServiceOptions options_;
  const DnsReader reader_;
  std::unique_ptr<Authority> authority_;
  std::mutex reload_mu_;  // serialises Reload
  std::atomic<uint64_t> next_nonce_;
  std::atomic<uint64_t> last_signed_ms_{0};  // issuing-CA changes get strictly increasing times
};

}  // namespace hm::trustchain::dns
