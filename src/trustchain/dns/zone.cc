// Served zones: validation, indexing and the authoritative lookup (docs/spec/dns.md
// "Authoritative answers"). A built ZoneSet is immutable; const methods are thread-safe.
#include "trustchain/dns/zone.h"

#include <algorithm>
#include <utility>

#include "base/ascii.h"
#include "base/check.h"

namespace hm::trustchain::dns {
namespace {

using base::InvalidArgument;
using base::Result;
using base::Status;

Name LowerName(const Name& name) {
  std::vector<std::string> labels = name.labels();
  for (auto& l : labels) {
    base::AsciiLowerInPlace(l);
  }
  auto lowered = Name::FromLabels(std::move(labels));
  HM_CHECK(lowered.ok());  // same lengths as a valid name
  return *std::move(lowered);
}

// Offset of the label after the first one in a canonical key ("" stays at its root octet).
size_t NextLabel(std::string_view key, size_t off) {
  return off + 1 + static_cast<uint8_t>(key[off]);
}

bool IsMetaType(uint16_t type) {
  return type == 0 || type == rrtype::kOpt || (type >= rrtype::kTkey && type <= rrtype::kAny);
}

ResourceRecord MakeRecord(const Name& owner, uint16_t type, uint32_t ttl, const Rdata& rdata) {
  ResourceRecord rr;
  rr.name = owner;
  rr.type = type;
  rr.rclass = kClassIn;
  rr.ttl = ttl;
  rr.rdata = rdata;
  return rr;
}

}  // namespace

const ZoneSet::Set* ZoneSet::Node::Find(uint16_t type) const {
  for (const auto& s : sets) {
    if (s.type == type) return &s;
  }
  return nullptr;
}

Result<std::shared_ptr<const ZoneSet>> ZoneSet::Build(std::vector<ZoneConfig> zones,
                                                      std::vector<RRset> rrsets, uint32_t serial) {
  std::shared_ptr<ZoneSet> set(new ZoneSet());
  set->serial_ = serial;
  HM_TRY(set->AddZones(std::move(zones)));
  for (auto& rrset : rrsets) HM_TRY(set->AddRRset(std::move(rrset)));
  set->Finish();
  // CNAME rules are checked once every RRset is in place.
  for (const auto& [key, node] : set->nodes_) {
    const Set* cname = node.Find(rrtype::kCname);
    if (cname == nullptr) continue;
    const std::string where = node.owner.ToText();
    if (node.sets.size() > 1) return InvalidArgument("CNAME beside other data at " + where);
    if (cname->rdatas.size() > 1) return InvalidArgument("more than one CNAME at " + where);
  }
  return std::shared_ptr<const ZoneSet>(std::move(set));
}

Status ZoneSet::AddZones(std::vector<ZoneConfig> zones) {
  for (auto& config : zones) {
    Zone zone;
    zone.apex_key = CanonicalName(config.apex);
    for (const Zone& other : zones_) {
      const std::string& a = zone.apex_key;
      const std::string& b = other.apex_key;
      const std::string& longer = a.size() >= b.size() ? a : b;
      const std::string& shorter = a.size() >= b.size() ? b : a;
      // Nested iff the shorter key is a suffix of the longer at a label boundary.
      for (size_t off = 0; off < longer.size(); off = NextLabel(longer, off)) {
        if (std::string_view(longer).substr(off) == shorter) {
          return InvalidArgument("zone " + config.apex.ToText() + " overlaps zone " +
                                 other.config.apex.ToText());
        }
      }
    }
    Name apex = LowerName(config.apex);
    SoaRecord soa{config.primary_ns, config.hostmaster, serial_,       config.refresh,
                  config.retry,      config.expire,     config.minimum};
    zone.negative_soa =
        MakeRecord(apex, rrtype::kSoa, std::min(config.soa_ttl, config.minimum), soa);
    Node& node = nodes_[zone.apex_key];
    node.owner = apex;
    zone.config = std::move(config);
    zones_.push_back(std::move(zone));
  }
  return Status::Ok();
}

Status ZoneSet::AddRRset(RRset rrset) {
  std::string key = CanonicalName(rrset.owner);
  const Zone* zone = ZoneOfKey(key);
  if (zone == nullptr) {
    ++skipped_;
    return Status::Ok();
  }
  const std::string where = rrset.owner.ToText();
  if (IsMetaType(rrset.type)) {
    return InvalidArgument("type " + std::to_string(rrset.type) + " is not zone data at " + where);
  }
  if (rrset.type == rrtype::kSoa) {
    return InvalidArgument("SOA comes from the zone configuration, not the data, at " + where);
  }
  if (rrset.type == rrtype::kNs && key != zone->apex_key) {
    return InvalidArgument("NS below the zone apex (no delegations) at " + where);
  }
  if (rrset.rdatas.empty()) return InvalidArgument("RRset without records at " + where);
  Set set;
  set.type = rrset.type;
  set.ttl = rrset.ttl;
  for (auto& rdata : rrset.rdatas) {
    Status valid = ValidateRdata(rrset.type, rdata);
    if (!valid.ok()) return valid.WithContext(where);
    if (std::find(set.rdatas.begin(), set.rdatas.end(), rdata) != set.rdatas.end()) continue;
    set.wire_size += EncodeRdata(MakeRecord(rrset.owner, rrset.type, 0, rdata)).size();
    set.rdatas.push_back(std::move(rdata));
  }
  Node& node = nodes_[key];
  if (node.owner.IsRoot()) node.owner = LowerName(rrset.owner);
  if (node.Find(rrset.type) != nullptr) {
    return InvalidArgument("two RRsets of type " + std::to_string(rrset.type) + " at " + where);
  }
  node.sets.push_back(std::move(set));
  return Status::Ok();
}

void ZoneSet::Finish() {
  for (const Zone& zone : zones_) {
    Node& apex = nodes_.at(zone.apex_key);
    const ZoneConfig& c = zone.config;
    if (apex.Find(rrtype::kNs) == nullptr) {
      Set ns{rrtype::kNs, c.ns_ttl, 0, {}};
      std::vector<Name> hosts = c.nameservers;
      if (hosts.empty()) hosts.push_back(c.primary_ns);
      for (const Name& host : hosts) {
        Rdata rdata = NsRecord{host};
        if (std::find(ns.rdatas.begin(), ns.rdatas.end(), rdata) != ns.rdatas.end()) continue;
        ns.wire_size += host.WireLength();
        ns.rdatas.push_back(std::move(rdata));
      }
      apex.sets.push_back(std::move(ns));
    }
    Set soa{rrtype::kSoa, c.soa_ttl, 0, {zone.negative_soa.rdata}};
    soa.wire_size = c.primary_ns.WireLength() + c.hostmaster.WireLength() + 20;
    apex.sets.push_back(std::move(soa));
  }
  // Empty non-terminals: every ancestor of an owner, up to its apex, exists.
  std::vector<std::string> keys;
  keys.reserve(nodes_.size());
  for (const auto& [key, node] : nodes_) keys.push_back(key);
  for (const std::string& key : keys) {
    const Zone* zone = ZoneOfKey(key);
    HM_CHECK(zone != nullptr);
    const Name owner = nodes_.at(key).owner;
    std::vector<std::string> labels = owner.labels();
    size_t off = 0;
    while (key.size() - off > zone->apex_key.size()) {
      off = NextLabel(key, off);
      labels.erase(labels.begin());
      auto [it, inserted] = nodes_.try_emplace(key.substr(off));
      if (!inserted) break;  // its ancestors were or will be added from it
      auto name = Name::FromLabels(labels);
      HM_CHECK(name.ok());
      it->second.owner = *std::move(name);
    }
  }
  for (auto& [key, node] : nodes_) {
    std::sort(node.sets.begin(), node.sets.end(),
              [](const Set& a, const Set& b) { return a.type < b.type; });
  }
}

const ZoneSet::Zone* ZoneSet::ZoneOfKey(std::string_view key) const {
  for (size_t off = 0; off < key.size(); off = NextLabel(key, off)) {
    std::string_view suffix = key.substr(off);
    for (const Zone& zone : zones_) {
      if (suffix == zone.apex_key) return &zone;
    }
  }
  return nullptr;
}

const ZoneSet::Node* ZoneSet::FindNode(std::string_view key) const {
  auto it = nodes_.find(key);
  return it == nodes_.end() ? nullptr : &it->second;
}

const ZoneConfig* ZoneSet::FindZone(const Name& name) const {
  const Zone* zone = ZoneOfKey(CanonicalName(name));
  return zone == nullptr ? nullptr : &zone->config;
}

void ZoneSet::AddGlue(const ResourceRecord& rr, LookupResult* out) const {
  const Name* target = nullptr;
  if (const auto* ns = std::get_if<NsRecord>(&rr.rdata)) {
    target = &ns->host;
  } else if (const auto* srv = std::get_if<SrvRecord>(&rr.rdata)) {
    target = &srv->target;
  } else if (const auto* svcb = std::get_if<SvcbRecord>(&rr.rdata)) {
    // RFC 9460 §2.5.2: in ServiceMode "." stands for the owner; in AliasMode for "no service".
    if (svcb->target.IsRoot() && svcb->priority == 0) return;
    target = svcb->target.IsRoot() ? &rr.name : &svcb->target;
  }
  if (target == nullptr || target->IsRoot()) return;
  const Node* node = FindNode(CanonicalName(*target));
  if (node == nullptr) return;
  for (uint16_t type : {rrtype::kAaaa, rrtype::kA}) {
    const Set* set = node->Find(type);
    if (set == nullptr) continue;
    auto same = [&](const ResourceRecord& r) { return r.type == type && r.name == node->owner; };
    if (std::any_of(out->answers.begin(), out->answers.end(), same) ||
        std::any_of(out->additional.begin(), out->additional.end(), same)) {
      continue;
    }
    size_t rrsets = 0;
    for (size_t i = 0; i < out->additional.size(); ++i) {
      if (i == 0 || out->additional[i].type != out->additional[i - 1].type ||
          !(out->additional[i].name == out->additional[i - 1].name)) {
        ++rrsets;
      }
    }
    if (rrsets >= kMaxAdditionalRRsets) return;
    for (const Rdata& rdata : set->rdatas) {
      out->additional.push_back(MakeRecord(node->owner, type, set->ttl, rdata));
    }
  }
}

LookupResult ZoneSet::Lookup(const Name& qname, uint16_t qtype) const {
  LookupResult out;
  Name current = LowerName(qname);
  std::string key = CanonicalName(current);
  const Zone* zone = ZoneOfKey(key);
  if (zone == nullptr) return out;
  out.in_zone = true;
  std::vector<std::string> visited;
  for (int cnames = 0;;) {
    const Node* node = FindNode(key);
    if (node == nullptr) {
      // RFC 4592 §3.3.1: the closest encloser is the longest existing ancestor (the apex always
      // exists); the source of synthesis is "*" below it.
      size_t off = NextLabel(key, 0);
      while (FindNode(std::string_view(key).substr(off)) == nullptr) off = NextLabel(key, off);
      std::string wildcard = "\x01*";
      wildcard.append(key, off);
      node = FindNode(wildcard);
      if (node == nullptr) {
        out.rcode = rcode::kNxDomain;
        out.authority.push_back(zone->negative_soa);
        return out;
      }
    }
    const Set* set = nullptr;
    if (qtype == rrtype::kAny) {
      for (const Set& s : node->sets) {
        if (set == nullptr || s.wire_size < set->wire_size) set = &s;
      }
    } else {
      set = node->Find(qtype);
    }
    if (set != nullptr) {
      for (const Rdata& rdata : set->rdatas) {
        out.answers.push_back(MakeRecord(current, set->type, set->ttl, rdata));
      }
      if (set->type == rrtype::kNs || set->type == rrtype::kSrv || set->type == rrtype::kSvcb ||
          set->type == rrtype::kHttps) {
        size_t first = out.answers.size() - set->rdatas.size();
        for (size_t i = first; i < out.answers.size(); ++i) AddGlue(out.answers[i], &out);
      }
      return out;
    }
    const Set* cname = node->Find(rrtype::kCname);
    if (cname == nullptr) {  // NODATA (also for empty non-terminals)
      out.authority.push_back(zone->negative_soa);
      return out;
    }
    const Rdata& rdata = cname->rdatas.front();
    out.answers.push_back(MakeRecord(current, rrtype::kCname, cname->ttl, rdata));
    if (++cnames >= kMaxCnameChain) return out;
    visited.push_back(std::move(key));
    current = LowerName(std::get<CnameRecord>(rdata).target);
    key = CanonicalName(current);
    if (std::find(visited.begin(), visited.end(), key) != visited.end()) return out;  // a loop
    zone = ZoneOfKey(key);
    if (zone == nullptr) return out;  // the chain leaves our zones: the resolver continues
  }
}

std::vector<ZoneSet::OwnerTypes> ZoneSet::Owners() const {
  std::vector<std::pair<std::string_view, const Node*>> sorted;
  for (const auto& [key, node] : nodes_) {
    if (node.sets.empty()) continue;
    if (!node.owner.IsRoot() && node.owner.labels().front() == "*") continue;
    sorted.emplace_back(key, &node);
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<OwnerTypes> out;
  out.reserve(sorted.size());
  for (const auto& [key, node] : sorted) {
    OwnerTypes entry{node->owner, {}};
    for (const Set& s : node->sets) entry.types.push_back(s.type);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace hm::trustchain::dns
