// Served zones as an immutable, validated snapshot, and the RFC 1034 §4.3.2 lookup over it
// (exact match, empty non-terminals, CNAME chains, RFC 4592 wildcards, RFC 8482 ANY, glue).
// docs/spec/dns.md "Authoritative answers". No I/O. A built ZoneSet is immutable, so any number
// of threads may call its const methods at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "trustchain/dns/message.h"

namespace hm::trustchain::dns {

// Records of one owner and type. Build takes owner, type, ttl and rdatas; class is IN.
struct RRset {
  Name owner;
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::vector<Rdata> rdatas;
};

// One served zone; its SOA is synthesised from these fields and the snapshot serial.
struct ZoneConfig {
  Name apex;                      // e.g. "hypermesh."
  Name primary_ns;                // SOA MNAME
  Name hostmaster;                // SOA RNAME
  std::vector<Name> nameservers;  // apex NS RRset when the data has none (empty: primary_ns)
  uint32_t refresh = 3600, retry = 600, expire = 604800, minimum = 60, soa_ttl = 3600,
           ns_ttl = 3600;
};

// What the zone data says about one question. Owners in the sections are in lower case.
struct LookupResult {
  bool in_zone = false;  // false: the name is outside every served zone; nothing else is set
  uint8_t rcode = rcode::kNoError;  // kNoError or kNxDomain
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authority;   // the SOA for NXDOMAIN and NODATA
  std::vector<ResourceRecord> additional;  // AAAA/A of in-zone NS, SRV, SVCB/HTTPS targets
};

class ZoneSet {
 public:
  // The longest CNAME chain followed inside our zones (CNAME records in one answer).
  static constexpr int kMaxCnameChain = 8;
  // At most this many RRsets are offered for the additional section.
  static constexpr size_t kMaxAdditionalRRsets = 16;

  // Validates and indexes. InvalidArgument for: zones nested in (or equal to) each other, an
  // RRset with no rdata, a meta type (0, OPT, TKEY, TSIG, IXFR, AXFR, ANY), any SOA RRset (the
  // SOA comes from ZoneConfig), NS anywhere but a zone apex, invalid rdata (ValidateRdata), the
  // same owner and type twice, a CNAME beside other data or at an apex, a CNAME RRset with more
  // than one record. RRsets outside every zone are ignored and counted (skipped()). Duplicate
  // rdatas inside one RRset are merged. Owner names are stored in lower case.
  static base::Result<std::shared_ptr<const ZoneSet>> Build(std::vector<ZoneConfig> zones,
                                                            std::vector<RRset> rrsets,
                                                            uint32_t serial);

  uint32_t serial() const { return serial_; }
  size_t skipped() const { return skipped_; }
  size_t zone_count() const { return zones_.size(); }

  // The zone whose apex is name or an ancestor of it, or nullptr.
  const ZoneConfig* FindZone(const Name& name) const;

  // RFC 1034 §4.3.2 without referrals (there is no delegation), for class IN. qtype ANY answers
  // one RRset (RFC 8482: the smallest on the wire). qtype must not be a meta type other than ANY.
  LookupResult Lookup(const Name& qname, uint16_t qtype) const;

  // Every owner with data (not empty non-terminals, not wildcard owners) and the types it holds;
  // used to pre-build the common answers.
  struct OwnerTypes {
    Name owner;
    std::vector<uint16_t> types;
  };
  std::vector<OwnerTypes> Owners() const;

 private:
  struct Set {
    uint16_t type = 0;
    uint32_t ttl = 0;
    size_t wire_size = 0;  // uncompressed rdata octets, for the ANY choice
    std::vector<Rdata> rdatas;
  };
  // A name that exists: it owns RRsets, or it is an empty non-terminal (no sets), or an apex.
  struct Node {
    Name owner;             // lower case
    std::vector<Set> sets;  // sorted by type
    const Set* Find(uint16_t type) const;
  };
  struct Zone {
    ZoneConfig config;
    std::string apex_key;         // CanonicalName(apex)
    ResourceRecord negative_soa;  // TTL min(soa_ttl, minimum)
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct KeyEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };
  using NodeMap = std::unordered_map<std::string, Node, KeyHash, KeyEq>;

  ZoneSet() = default;
  base::Status AddZones(std::vector<ZoneConfig> zones);
  base::Status AddRRset(RRset rrset);
  void Finish();  // apex SOA/NS, empty non-terminals, sorting

  const Zone* ZoneOfKey(std::string_view key) const;
  const Node* FindNode(std::string_view key) const;
  void AddGlue(const ResourceRecord& rr, LookupResult* out) const;

  uint32_t serial_ = 0;
  size_t skipped_ = 0;
  std::vector<Zone> zones_;
  NodeMap nodes_;  // key: CanonicalName(owner)
};

}  // namespace hm::trustchain::dns
