// DNS wire codec (docs/spec/dns.md): RFC 1035 messages with name compression, EDNS(0) (RFC 6891)
// and typed rdata for A, AAAA, NS, SOA, CNAME, TXT, SRV, CAA, SVCB/HTTPS (RFC 9460) and OPT.
// Pure functions over value types, no I/O; thread-safe. ParseMessage is strict and is the parser
// of untrusted packets: every rejection is kInvalidArgument with a reason (the server's FORMERR).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::trustchain::dns {

inline constexpr size_t kMaxLabelLength = 63;
inline constexpr size_t kMaxNameWireLength = 255;  // including length octets and the root
inline constexpr size_t kMaxMessageSize = 65535;   // larger inputs are rejected unread
inline constexpr size_t kHeaderSize = 12;

// RR TYPE values used here. Anything else is carried as opaque rdata.
namespace rrtype {
inline constexpr uint16_t kA = 1;
inline constexpr uint16_t kNs = 2;
inline constexpr uint16_t kCname = 5;
inline constexpr uint16_t kSoa = 6;
inline constexpr uint16_t kTxt = 16;
inline constexpr uint16_t kAaaa = 28;
inline constexpr uint16_t kSrv = 33;
inline constexpr uint16_t kOpt = 41;
inline constexpr uint16_t kSvcb = 64;
inline constexpr uint16_t kHttps = 65;
inline constexpr uint16_t kCaa = 257;
// Query-only (meta) types.
inline constexpr uint16_t kTkey = 249;
inline constexpr uint16_t kTsig = 250;
inline constexpr uint16_t kIxfr = 251;
inline constexpr uint16_t kAxfr = 252;
inline constexpr uint16_t kAny = 255;
}  // namespace rrtype

inline constexpr uint16_t kClassIn = 1;
inline constexpr uint16_t kClassAny = 255;

// RCODE values (RFC 1035 §4.1.1, RFC 6891 §9). Values above 15 need EDNS: the upper 8 bits go
// in OptRecord::extended_rcode.
namespace rcode {
inline constexpr uint8_t kNoError = 0;
inline constexpr uint8_t kFormErr = 1;
inline constexpr uint8_t kServFail = 2;
inline constexpr uint8_t kNxDomain = 3;
inline constexpr uint8_t kNotImp = 4;
inline constexpr uint8_t kRefused = 5;
inline constexpr uint8_t kBadVers = 16;
}  // namespace rcode

// A domain name as a sequence of labels (root = no labels). Case is preserved; equality is
// ASCII case-insensitive. The factories enforce label 1..63 octets and wire length <= 255, so
// every Name is encodable.
class Name {
 public:
  Name() = default;  // the root
  static base::Result<Name> FromLabels(std::vector<std::string> labels);
  // Dotted text ("trust.hypermesh", trailing dot optional, "." = root). No escapes.
  static base::Result<Name> FromText(std::string_view text);

  const std::vector<std::string>& labels() const { return labels_; }
  bool IsRoot() const { return labels_.empty(); }
  // Uncompressed wire length (sum of label lengths + one length octet each + the root octet).
  size_t WireLength() const;
  // Dotted text with trailing dot; "." for the root.
  std::string ToText() const;

  bool operator==(const Name& other) const;

 private:
  std::vector<std::string> labels_;
};

struct Header {
  uint16_t id = 0;
  bool qr = false;
  uint8_t opcode = 0;  // 4 bits
  bool aa = false;
  bool tc = false;
  bool rd = false;
  bool ra = false;
  bool ad = false;
  bool cd = false;
  uint8_t rcode = 0;  // low 4 bits; EDNS extends it through Opt::extended_rcode
  bool operator==(const Header&) const = default;
};

struct Question {
  Name name;
  uint16_t type = 0;
  uint16_t qclass = kClassIn;
  bool operator==(const Question&) const = default;
};

struct ARecord {
  std::array<uint8_t, 4> address{};
  bool operator==(const ARecord&) const = default;
};
struct AaaaRecord {
  std::array<uint8_t, 16> address{};
  bool operator==(const AaaaRecord&) const = default;
};
struct NsRecord {
  Name host;
  bool operator==(const NsRecord&) const = default;
};
struct CnameRecord {
  Name target;
  bool operator==(const CnameRecord&) const = default;
};
struct SoaRecord {
  Name mname;
  Name rname;
  uint32_t serial = 0;
  uint32_t refresh = 0;
  uint32_t retry = 0;
  uint32_t expire = 0;
  uint32_t minimum = 0;
  bool operator==(const SoaRecord&) const = default;
};
// One or more character-strings, each at most 255 octets.
struct TxtRecord {
  std::vector<std::string> strings;
  bool operator==(const TxtRecord&) const = default;
};
struct SrvRecord {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  Name target;
  bool operator==(const SrvRecord&) const = default;
};
// RFC 8659: tag is 1..15 octets.
struct CaaRecord {
  uint8_t flags = 0;
  std::string tag;
  base::Bytes value;
  bool operator==(const CaaRecord&) const = default;
};

// SvcParamKeys parsed into typed values; every other key keeps its value opaque.
namespace svckey {
inline constexpr uint16_t kMandatory = 0;
inline constexpr uint16_t kAlpn = 1;
inline constexpr uint16_t kNoDefaultAlpn = 2;
inline constexpr uint16_t kPort = 3;
inline constexpr uint16_t kIpv4Hint = 4;
inline constexpr uint16_t kEch = 5;
inline constexpr uint16_t kIpv6Hint = 6;
}  // namespace svckey

struct SvcAlpn {  // non-empty list of non-empty protocol ids, each <= 255 octets
  std::vector<std::string> ids;
  bool operator==(const SvcAlpn&) const = default;
};
struct SvcPort {
  uint16_t port = 0;
  bool operator==(const SvcPort&) const = default;
};
struct SvcIpv6Hint {  // non-empty
  std::vector<std::array<uint8_t, 16>> addresses;
  bool operator==(const SvcIpv6Hint&) const = default;
};
struct SvcParam {
  uint16_t key = 0;
  // The typed alternative must match the key (alpn/port/ipv6hint); Bytes for every other key.
  std::variant<base::Bytes, SvcAlpn, SvcPort, SvcIpv6Hint> value;
  bool operator==(const SvcParam&) const = default;
};
// SVCB (type 64) and HTTPS (type 65) share this layout. Params must have strictly increasing
// keys. The target is never compressed (RFC 9460 §2.2).
struct SvcbRecord {
  uint16_t priority = 0;  // 0 = AliasMode
  Name target;
  std::vector<SvcParam> params;
  bool operator==(const SvcbRecord&) const = default;
};

struct EdnsOption {
  uint16_t code = 0;
  base::Bytes data;
  bool operator==(const EdnsOption&) const = default;
};
// EDNS(0) OPT pseudo-record (RFC 6891). Its owner is the root, and on the wire CLASS carries
// udp_payload_size and TTL carries extended_rcode, version and the flags. ParseMessage also leaves
// those raw values in the ResourceRecord's rclass/ttl; SerializeMessage ignores them for an OPT.
struct OptRecord {
  uint16_t udp_payload_size = 1232;
  uint8_t extended_rcode = 0;  // upper 8 bits of the 12-bit rcode
  uint8_t version = 0;
  bool dnssec_ok = false;
  uint16_t other_flags = 0;  // the 15 Z bits besides DO, kept for round trips
  std::vector<EdnsOption> options;
  bool operator==(const OptRecord&) const = default;
};

// Any other type: rdata kept verbatim (never decompressed, never compressed).
struct OpaqueRecord {
  base::Bytes data;
  bool operator==(const OpaqueRecord&) const = default;
};

using Rdata = std::variant<ARecord, AaaaRecord, NsRecord, CnameRecord, SoaRecord, TxtRecord,
                           SrvRecord, CaaRecord, SvcbRecord, OptRecord, OpaqueRecord>;

// The rdata alternative must match type: SvcbRecord for SVCB and HTTPS, OpaqueRecord for types
// without a typed alternative. SerializeMessage HM_CHECKs this.
struct ResourceRecord {
  Name name;
  uint16_t type = 0;
  uint16_t rclass = kClassIn;
  uint32_t ttl = 0;
  Rdata rdata;
  bool operator==(const ResourceRecord&) const = default;
};

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authority;
  std::vector<ResourceRecord> additional;
  bool operator==(const Message&) const = default;

  // The OPT record in the additional section, or nullptr.
  const OptRecord* Edns() const;
};

// Strict parse of one DNS message (as carried in a UDP datagram or one TCP frame without its
// length prefix). Errors (all kInvalidArgument, with a reason): input over 64 KiB, truncation
// anywhere, section counts that do not match the data, trailing bytes, labels over 63 octets,
// names over 255 octets, reserved label types, compression pointers that do not point strictly
// backwards (which rules out loops) or into the header, rdata whose length does not match its
// type's layout, malformed SVCB params (unsorted/duplicate keys, bad alpn/port/ipv6hint), and
// OPT records that are duplicated, outside the additional section or not owned by the root.
base::Result<Message> ParseMessage(base::ByteSpan packet);

// Encodes `message` with name compression (owner names and NS/CNAME/SOA rdata names; never
// SRV or SVCB/HTTPS targets). If the result would exceed max_size (>= kHeaderSize), whole
// records are dropped from the end, TC is set and *truncated (if non-null) becomes true; an OPT
// record is kept in the truncated message when it fits. Header counts come from the vectors.
base::Bytes SerializeMessage(const Message& message, size_t max_size, bool* truncated);

// The canonical form of a name (RFC 4034 §6.2): uncompressed wire octets with ASCII letters in
// lower case. Equal names (case-insensitively) have equal keys; usable as a hash-map key.
std::string CanonicalName(const Name& name);

// Checks that `rdata` is a valid value for `type`: the variant alternative matches the type, the
// fields respect the wire limits (TXT strings <= 255 octets and at least one, CAA tag 1..15, SVCB
// keys strictly increasing with typed values for alpn/port/ipv6hint, rdata <= 65535 octets),
// and the encoding parses back to the same value. OPT is not zone data and is rejected. Errors
// are kInvalidArgument with a reason. Call this before EncodeRdata on untrusted values.
base::Status ValidateRdata(uint16_t type, const Rdata& rdata);

// The rdata of rr in uncompressed wire form (names written in full, as in RFC 4034 §6.2 but
// keeping their case), e.g. for storage. HM_CHECKs what ValidateRdata(rr.type, rr.rdata) checks.
base::Bytes EncodeRdata(const ResourceRecord& rr);

// Parses uncompressed rdata of `type` as EncodeRdata writes it; compression pointers are
// rejected (there is no message to point into). Same strictness as ParseMessage.
base::Result<Rdata> ParseRdata(uint16_t type, base::ByteSpan rdata);

}  // namespace hm::trustchain::dns
