// `hm dns set|add|rm|get`: client of the TrustChain DNS registration and resolve API
// (docs/spec/dns-registry.md); `hm dns query`: one query over DNS over QUIC (RFC 9250). A change
// is authorised by a TrustChain certificate whose key signs it (--cert --key) or by the node's
// admin token. The body builder, the request target, the query builder and the answer formatters
// are exposed for unit tests. Exit codes: 0 success (for `get` and `query` also NXDOMAIN and
// REFUSED, which are answers), 1 the node was unreachable or refused, 2 usage error (bad flag,
// type or record, unreadable or mismatched file). Thread-safety: single-threaded CLI.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/status.h"
#include "cli/cert_support.h"
#include "cli/node_client.h"
#include "trustchain/dns/registry/dns_service.h"

namespace hm::cli {

void AddDnsCommands(CLI::App& app, GlobalFlags& flags, int& exit_code);

// The certificate that authorises a change (authority 1) and the signing time.
struct ChangeSigner {
  const LeafKey& key;
  const LeafCert& cert;  // its serial goes into the change; the key must be the certificate's
  uint64_t timestamp_ms = 0;
};

// The JSON body of POST /api/v1/dns/records for `request`: {op, name, type, ttl, records} and,
// with `signer`, {timestamp_ms, serial (hex), signature (base64)}. The change is built with
// trustchain::dns::BuildChange, as the node will rebuild it from these same fields, and the
// signature covers its SigningMessage() with authority 1, `signer->timestamp_ms` and the
// certificate's serial. Without `signer` (admin token in the header) no credentials are added.
// InvalidArgument when the request is not a valid change (naming the field); Internal when
// signing fails.
base::Result<nlohmann::json> BuildChangeBody(const trustchain::dns::ChangeRequest& request,
                                             const ChangeSigner* signer);

// The node's answer to a change, for the terminal: name, type, ttl, one record per line, zone
// serial and block height ("-" or "(none)" for what the answer lacks).
std::string FormatChangeAnswer(const nlohmann::json& answer);
// The resolve answer, dig-like: a ";;" line with name, type, rcode, authoritative and zone
// serial, then one "name ttl type data" line per answer, then ";; authority" and its records.
std::string FormatResolveAnswer(const nlohmann::json& answer);

// "/api/v1/dns/resolve/<name percent-encoded>?type=<type>".
std::string ResolveTarget(std::string_view name, std::string_view type);

// The wire query of `hm dns query`: message ID 0 (RFC 9250), RD clear (the node is
// authoritative), one question NAME TYPE IN and an EDNS(0) OPT. InvalidArgument for a bad name.
base::Result<base::Bytes> BuildDnsQuery(std::string_view name, uint16_t type);
// A response, dig-like: header line (opcode, status, id), flags and counts, the EDNS line, then
// the question, answer, authority and additional sections (records as "name ttl class type
// data", data in presentation format). With `short_form` only the answers' data, one per line.
std::string FormatDnsMessage(const trustchain::dns::Message& message, bool short_form);

}  // namespace hm::cli
