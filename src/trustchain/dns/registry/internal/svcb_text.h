// Internal to hm_trustchain_dns_registry: the seam between rdata_text.cc (fields, typed rdata,
// formatting) and rdata_text_svcb.cc (SvcParams in presentation format, RFC 9460 §2.1, §7, §8).
// Not part of the public API. Pure functions, no I/O; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "trustchain/dns/message.h"

namespace hm::trustchain::dns::internal {

inline constexpr size_t kMaxRdataLength = 65535;
inline constexpr size_t kMaxCharString = 255;

// A value and its presentation-format name (record types, SvcParamKeys).
struct Mnemonic {
  uint16_t value;
  std::string_view name;
};

// ---------------------------------------------------------------------------------------------
// Defined in rdata_text_svcb.cc, used by rdata_text.cc.

// Parses one `key[=value]` field into a typed SvcParam.
base::Result<SvcParam> ParseSvcParam(std::string_view raw);
// Sorts the params, then checks: no duplicate keys, the rdata (`fixed` octets of priority and
// target, then the params) within 65535 octets, and the self-consistency rules of RFC 9460
// §7.1.1 and §8.
base::Status CheckSvcParams(size_t fixed, std::vector<SvcParam>& params);
// Appends one param as `key[=value]`, or as keyNNNNN when the value does not decode.
void AppendSvcParam(std::string& out, const SvcParam& p);

// ---------------------------------------------------------------------------------------------
// Defined in rdata_text.cc, used by both files.

// Input echoed in an error message: quoted, bounded, non-printable bytes as \DDD.
std::string Shown(std::string_view raw);

// Prefixes an error with the field it concerns.
template <typename T>
base::Result<T> In(std::string_view what, base::Result<T> r) {
  if (!r.ok()) return r.status().WithContext(what);
  return r;
}

// A <character-string> (RFC 1035 §5.1): quoted or not, with \X and \DDD escapes decoded.
base::Result<std::string> DecodeCharString(std::string_view raw);
// Digits only (leading zeros allowed, as in zone files), value <= max.
base::Result<uint32_t> ParseDecimal(std::string_view s, uint32_t max);
// Strict dotted quad: four decimal octets, no leading zeros.
base::Result<std::array<uint8_t, 4>> ParseIpv4(std::string_view s);
base::Result<std::array<uint8_t, 16>> ParseIpv6(std::string_view s);

// Appends v big-endian.
void PutU16(base::Bytes& b, uint16_t v);
// A quoted <character-string>: " and \ escaped, bytes outside printable ASCII as \DDD.
void AppendQuoted(std::string& out, std::string_view s);
std::string Ipv4Text(const uint8_t* a);
std::string Ipv6Text(const std::array<uint8_t, 16>& a);

}  // namespace hm::trustchain::dns::internal
