// DNS rdata in presentation format (docs/spec/dns-presentation.md): the RFC 1035 §5.1 zone-file
// syntax for one record's rdata, RFC 9460 §2.1 for SVCB/HTTPS and the RFC 3597 generic form,
// as taken by the registration API and `hm dns set` and printed by the resolve API.
// Pure functions, no I/O; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "trustchain/dns/message.h"

namespace hm::trustchain::dns {

// Record type mnemonic -> value: A, NS, CNAME, SOA, TXT, AAAA, SRV, SVCB, HTTPS, CAA (ASCII
// case-insensitive) or the RFC 3597 form TYPEnnn (0..65535, no leading zeros) for any type.
// Anything else is kInvalidArgument.
base::Result<uint16_t> ParseRrType(std::string_view text);
// The mnemonic for the types above, "TYPEnnn" for every other value.
std::string RrTypeName(uint16_t type);

// Parses one record's rdata for `type`. Typed types take their zone-file fields; every other
// data type takes only the generic form `\# <length> <hex>`. Rejects (kInvalidArgument, the
// message naming the type and field and saying why) empty input, missing or extra fields,
// out-of-range numbers, malformed addresses, names with escapes or over the RFC 1035 limits,
// TXT strings over 255 octets, malformed or inconsistent SvcParams, rdata over 65535 octets and
// the meta/pseudo types (0, OPT, 128..255, 65535), which hold no zone data. The alternative of
// the result always matches `type` as ResourceRecord requires.
base::Result<Rdata> ParseRdataText(uint16_t type, std::string_view text);

// Formats rdata on one line, in the canonical form the spec describes (names with a trailing
// dot, every TXT/CAA string quoted, SvcParams in wire order). For every rdata r that
// ParseRdataText accepted, ParseRdataText(type, FormatRdataText(type, r)) == r. Never fails:
// rdata from elsewhere that this syntax cannot carry (name bytes outside printable ASCII,
// SvcParam values that do not decode) is printed with RFC 1035 escapes or as keyNNNNN, which
// stays readable but which ParseRdataText rejects.
std::string FormatRdataText(uint16_t type, const Rdata& rdata);

}  // namespace hm::trustchain::dns
