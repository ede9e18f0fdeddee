// The authoritative answer engine (docs/spec/dns.md "Authoritative answers").
//
// Two paths give the same bytes. The full path parses the query (ParseMessage), decides the
// reply (Decide) and serializes it (Encode). Publish runs that same path once per snapshot for
// the common questions about every owner and keeps the wire replies ("templates", ID 0, RD/CD
// clear, question in lower case) in a flat hash table. The fast path recognises the plain query
// shape (one question, class IN, no records but an optional OPT of version 0), looks the
// lower-cased (qtype, qname) up, copies the template and patches ID, RD, CD, the client's
// question case and the OPT; everything else takes the full path. Replies are built with the
// question in lower case and the client's question octets are copied over it afterwards, so
// compression never depends on the client's case and both paths agree byte for byte.
// Thread-safety: see authority.h; a Snapshot is immutable once published.
#include "trustchain/dns/authority.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/ascii.h"
#include "base/check.h"

namespace hm::trustchain::dns {
namespace {

using base::Bytes;
using base::ByteSpan;

constexpr size_t kUdpMinimum = 512;
// Bound on the pre-built answers' memory per snapshot; names beyond it use the full path.
constexpr size_t kTemplateBudget = 64u << 20;
// Besides the types an owner holds, these questions are pre-built for it (NODATA or a CNAME
// chain): the ones client resolvers ask about for every name.
constexpr uint16_t kCommonTypes[] = {rrtype::kA, rrtype::kAaaa, rrtype::kHttps};
// OPT with empty rdata: root owner, TYPE, CLASS, TTL, RDLENGTH.
constexpr size_t kOptSize = 11;

inline uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline void Put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline uint8_t LowerByte(uint8_t c) {
  return static_cast<uint8_t>(base::AsciiLower(static_cast<char>(c)));
}

uint64_t HashKey(const uint8_t* p, size_t n) {  // FNV-1a
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

// Types a query may not ask for: not zone data, or zone transfers (not offered).
bool IsRefusedQtype(uint16_t type) {
  return type == 0 || type == rrtype::kOpt || type == rrtype::kTkey || type == rrtype::kTsig ||
         type == rrtype::kIxfr || type == rrtype::kAxfr;
}

size_t SizeLimit(Transport transport, const OptRecord* edns, uint16_t max_udp_payload) {
  if (transport != Transport::kUdp) return kMaxMessageSize;
  if (edns == nullptr) return kUdpMinimum;
  return std::max<size_t>(kUdpMinimum, std::min(edns->udp_payload_size, max_udp_payload));
}

Name Lowered(const Name& name) {
  std::vector<std::string> labels = name.labels();
  for (auto& l : labels) {
    for (char& c : l) c = static_cast<char>(LowerByte(static_cast<uint8_t>(c)));
  }
  auto lowered = Name::FromLabels(std::move(labels));
  HM_CHECK(lowered.ok());
  return *std::move(lowered);
}

// The reply before encoding. reply.additional holds only the glue; glue_ends are the RRset
// boundaries in it, so glue is dropped whole RRsets at a time.
struct Draft {
  bool forward = false;
  uint16_t rcode = 0;  // full rcode; Encode splits it between the header and the OPT
  Message reply;
  std::vector<size_t> glue_ends;
};

Draft Decide(const ZoneSet& zones, const Message& query, bool forward_outside) {
  Draft d;
  Header& h = d.reply.header;
  h.id = query.header.id;
  h.qr = true;
  h.opcode = query.header.opcode;
  h.rd = query.header.rd;
  h.cd = query.header.cd;
  if (query.questions.size() != 1) {
    d.rcode = rcode::kFormErr;
    return d;
  }
  const Question& q = query.questions[0];
  d.reply.questions.push_back({Lowered(q.name), q.type, q.qclass});
  const OptRecord* edns = query.Edns();
  if (edns != nullptr && edns->version != 0) {
    d.rcode = rcode::kBadVers;
  } else if (query.header.opcode != 0) {
    d.rcode = rcode::kNotImp;
  } else if ((q.qclass != kClassIn && q.qclass != kClassAny) || IsRefusedQtype(q.type)) {
    d.rcode = rcode::kRefused;
  } else {
    LookupResult found = zones.Lookup(q.name, q.type);
    if (!found.in_zone) {
      d.forward = forward_outside;
      d.rcode = rcode::kRefused;
      return d;
    }
    h.aa = true;
    d.rcode = found.rcode;
    d.reply.answers = std::move(found.answers);
    d.reply.authority = std::move(found.authority);
    d.reply.additional = std::move(found.additional);
    const auto& glue = d.reply.additional;
    for (size_t i = 1; i <= glue.size(); ++i) {
      if (i == glue.size() || glue[i].type != glue[i - 1].type ||
          !(glue[i].name == glue[i - 1].name)) {
        d.glue_ends.push_back(i);
      }
    }
  }
  return d;
}

ResourceRecord OptRr(const OptRecord& opt) {
  ResourceRecord rr;
  rr.type = rrtype::kOpt;
  rr.rdata = opt;
  return rr;
}

// Serializes d within `limit`: the whole reply if it fits; else without the glue RRsets that do
// not fit (no TC: RFC 2181 §9); else header, question and OPT with TC so the client retries over
// TCP. Consumes d.reply.
Bytes Encode(Draft& d, const OptRecord* opt, size_t limit, bool* truncated) {
  Message& m = d.reply;
  m.header.rcode = static_cast<uint8_t>(d.rcode & 0x0F);
  const std::vector<ResourceRecord> glue = std::move(m.additional);
  auto attempt = [&](size_t glue_records, bool* tc) {
    m.additional.assign(glue.begin(), glue.begin() + static_cast<std::ptrdiff_t>(glue_records));
    if (opt != nullptr) m.additional.push_back(OptRr(*opt));
    return SerializeMessage(m, limit, tc);
  };
  bool tc = false;
  Bytes out = attempt(glue.size(), &tc);
  if (tc && !glue.empty()) {
    out = attempt(0, &tc);
    if (!tc) {
      // The largest prefix of whole glue RRsets that fits (fits(k) is monotone in k).
      size_t lo = 0, hi = d.glue_ends.size();  // glue_ends[lo-1] fits; [hi-1] (all) does not
      while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        bool mid_tc = false;
        (void)attempt(d.glue_ends[mid - 1], &mid_tc);
        (mid_tc ? hi : lo) = mid;
      }
      if (lo > 0) out = attempt(d.glue_ends[lo - 1], &tc);
    }
  }
  if (tc) {
    m.header.tc = true;
    m.answers.clear();
    m.authority.clear();
    m.additional.clear();
    if (opt != nullptr) m.additional.push_back(OptRr(*opt));
    out = SerializeMessage(m, limit, nullptr);
  }
  *truncated = tc;
  return out;
}

// FORMERR for a query ParseMessage rejected: the header alone, ID, opcode, RD and CD echoed.
AnswerResult HeaderOnlyFormErr(ByteSpan query, std::span<uint8_t> out) {
  out[0] = query[0];
  out[1] = query[1];
  out[2] = static_cast<uint8_t>(0x80 | (query[2] & 0x79));             // QR, opcode, RD
  out[3] = static_cast<uint8_t>((query[3] & 0x10) | rcode::kFormErr);  // CD
  std::memset(out.data() + 4, 0, 8);
  AnswerResult r;
  r.action = AnswerResult::Action::kReply;
  r.size = kHeaderSize;
  r.rcode = rcode::kFormErr;
  return r;
}

// Pre-built replies keyed by qtype (2 octets) + canonical qname, in one arena.
class TemplateTable {
 public:
  struct Entry {
    std::string key;
    Bytes reply;
  };

  void Build(std::vector<Entry> entries) {
    size_t capacity = 16;
    while (capacity < entries.size() * 2) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (const Entry& e : entries) {
      HM_CHECK(!e.key.empty() && e.key.size() <= 0xFFFF && e.reply.size() <= 0xFFFF);
      Slot s;
      s.hash = HashKey(reinterpret_cast<const uint8_t*>(e.key.data()), e.key.size());
      s.key_off = static_cast<uint32_t>(arena_.size());
      s.key_len = static_cast<uint16_t>(e.key.size());
      arena_.insert(arena_.end(), e.key.begin(), e.key.end());
      s.reply_off = static_cast<uint32_t>(arena_.size());
      s.reply_len = static_cast<uint16_t>(e.reply.size());
      arena_.insert(arena_.end(), e.reply.begin(), e.reply.end());
      size_t i = s.hash & mask_;
      while (slots_[i].key_len != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
    count_ = entries.size();
  }

  // The reply for key, or an empty span.
  ByteSpan Find(const uint8_t* key, size_t len) const {
    uint64_t h = HashKey(key, len);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key_len == 0) return {};
      if (s.hash == h && s.key_len == len &&
          std::memcmp(arena_.data() + s.key_off, key, len) == 0) {
        return ByteSpan(arena_.data() + s.reply_off, s.reply_len);
      }
    }
  }

  size_t size() const { return count_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t key_off = 0;
    uint32_t reply_off = 0;
    uint16_t key_len = 0;  // 0 = empty slot
    uint16_t reply_len = 0;
  };
  std::vector<Slot> slots_ = std::vector<Slot>(1);
  size_t mask_ = 0;
  size_t count_ = 0;
  Bytes arena_;
};

}  // namespace

struct Authority::Snapshot {
  std::shared_ptr<const ZoneSet> zones;
  TemplateTable templates;
};

namespace {

std::shared_ptr<const ZoneSet> EmptyZones() {
  auto zones = ZoneSet::Build({}, {}, 0);
  HM_CHECK(zones.ok());
  return *zones;
}

// The full path's reply to a plain "qname qtype IN" query with ID 0 and no EDNS, over TCP.
std::vector<TemplateTable::Entry> PrebuildReplies(const ZoneSet& zones) {
  std::vector<TemplateTable::Entry> entries;
  size_t bytes = 0;
  for (const auto& owner : zones.Owners()) {
    std::vector<uint16_t> types = owner.types;
    for (uint16_t t : kCommonTypes) {
      if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
    }
    Message query;
    query.questions.push_back({owner.owner, 0, kClassIn});
    const std::string name = CanonicalName(owner.owner);
    for (uint16_t type : types) {
      if (IsRefusedQtype(type)) continue;
      query.questions[0].type = type;
      Draft d = Decide(zones, query, false);
      const size_t glue = d.reply.additional.size();
      bool tc = false;
      Bytes reply = Encode(d, nullptr, kMaxMessageSize, &tc);
      // Too big even for TCP (truncated, or glue left out): the full path decides per query.
      if (tc || Get16(reply.data() + 10) != glue) continue;
      bytes += reply.size() + name.size() + 2 + 32;
      if (bytes > kTemplateBudget) return entries;
      std::string key(2, '\0');
      Put16(reinterpret_cast<uint8_t*>(key.data()), type);
      key += name;
      entries.push_back({std::move(key), std::move(reply)});
    }
  }
  return entries;
}

}  // namespace

Authority::Authority(AnswerOptions options) : options_(options) {
  options_.max_udp_payload =
      static_cast<uint16_t>(std::max<size_t>(options_.max_udp_payload, kUdpMinimum));
  Publish(nullptr);
}

Authority::~Authority() = default;

void Authority::Publish(std::shared_ptr<const ZoneSet> zones) {
  auto snap = std::make_shared<Snapshot>();
  snap->zones = zones != nullptr ? std::move(zones) : EmptyZones();
  snap->templates.Build(PrebuildReplies(*snap->zones));
  snapshot_.store(std::move(snap), std::memory_order_release);
}

std::shared_ptr<const ZoneSet> Authority::Current() const {
  return snapshot_.load(std::memory_order_acquire)->zones;
}

size_t Authority::prebuilt_answers() const {
  return snapshot_.load(std::memory_order_acquire)->templates.size();
}

AnswerResult Authority::Answer(ByteSpan query, Transport transport, std::span<uint8_t> out) const {
  HM_CHECK(out.size() >= kMaxResponse);
  if (query.size() < kHeaderSize || (query[2] & 0x80) != 0) return {};  // kDrop
  std::shared_ptr<const Snapshot> snap = snapshot_.load(std::memory_order_acquire);
  AnswerResult result;
  if (Fast(*snap, query, transport, out, &result)) return result;
  return Slow(*snap, query, transport, out);
}

AnswerResult Authority::AnswerUncached(ByteSpan query, Transport transport,
                                       std::span<uint8_t> out) const {
  HM_CHECK(out.size() >= kMaxResponse);
  if (query.size() < kHeaderSize || (query[2] & 0x80) != 0) return {};
  std::shared_ptr<const Snapshot> snap = snapshot_.load(std::memory_order_acquire);
  return Slow(*snap, query, transport, out);
}

std::optional<AnswerResult> Authority::AnswerPrebuilt(ByteSpan query, Transport transport,
                                                      std::span<uint8_t> out) const {
  HM_CHECK(out.size() >= kMaxResponse);
  if (query.size() < kHeaderSize || (query[2] & 0x80) != 0) return std::nullopt;
  std::shared_ptr<const Snapshot> snap = snapshot_.load(std::memory_order_acquire);
  AnswerResult result;
  if (!Fast(*snap, query, transport, out, &result)) return std::nullopt;
  return result;
}

bool Authority::Fast(const Snapshot& snap, ByteSpan query, Transport transport,
                     std::span<uint8_t> out, AnswerResult* result) const {
  const uint8_t* p = query.data();
  const size_t n = query.size();
  // QR=0 was checked by the caller; opcode 0, QDCOUNT 1, ANCOUNT 0, NSCOUNT 0, ARCOUNT <= 1.
  if (n < kHeaderSize + 5 || (p[2] & 0x78) != 0 || Get16(p + 4) != 1 || Get16(p + 6) != 0 ||
      Get16(p + 8) != 0 || Get16(p + 10) > 1) {
    return false;
  }
  // The key: qtype, then the question name lower-cased. Labels are checked as ParseMessage
  // does; a pointer (impossible in a question anyway) or reserved label type goes the full way.
  uint8_t key[2 + kMaxNameWireLength];
  size_t k = 2;
  size_t pos = kHeaderSize;
  while (true) {
    if (pos >= n) return false;
    const uint8_t len = p[pos];
    if (len == 0) break;
    if (len > kMaxLabelLength || k - 2 + 1 + len + 1 > kMaxNameWireLength || n - pos - 1 < len) {
      return false;
    }
    key[k++] = len;
    for (size_t i = 1; i <= len; ++i) key[k++] = LowerByte(p[pos + i]);
    pos += 1 + size_t{len};
  }
  key[k++] = 0;
  ++pos;
  const size_t qname_len = pos - kHeaderSize;
  if (n - pos < 4 || Get16(p + pos + 2) != kClassIn) return false;
  key[0] = p[pos];
  key[1] = p[pos + 1];
  pos += 4;
  bool edns = false;
  bool dnssec_ok = false;
  uint16_t client_size = 0;
  if (Get16(p + 10) == 1) {
    // Only an OPT with the root owner written as one zero octet, version 0, options well-formed.
    if (n - pos < kOptSize || p[pos] != 0 || Get16(p + pos + 1) != rrtype::kOpt ||
        p[pos + 6] != 0 || Get16(p + pos + 9) != n - pos - kOptSize) {
      return false;
    }
    client_size = Get16(p + pos + 3);
    dnssec_ok = (p[pos + 7] & 0x80) != 0;
    for (size_t o = pos + kOptSize; o < n;) {
      if (n - o < 4 || n - o - 4 < Get16(p + o + 2)) return false;
      o += 4 + size_t{Get16(p + o + 2)};
    }
    edns = true;
  } else if (pos != n) {
    return false;
  }
  ByteSpan reply = snap.templates.Find(key, k);
  if (reply.empty()) return false;
  size_t size = reply.size() + (edns ? kOptSize : 0);
  size_t limit = kMaxMessageSize;
  if (transport == Transport::kUdp) {
    limit = edns ? std::max<size_t>(kUdpMinimum, std::min(client_size, options_.max_udp_payload))
                 : kUdpMinimum;
  }
  if (size > limit) return false;  // the full path drops glue or truncates

  uint8_t* o = out.data();
  std::memcpy(o, reply.data(), reply.size());
  o[0] = p[0];
  o[1] = p[1];
  o[2] = static_cast<uint8_t>(o[2] | (p[2] & 0x01));  // RD
  o[3] = static_cast<uint8_t>(o[3] | (p[3] & 0x10));  // CD
  std::memcpy(o + kHeaderSize, p + kHeaderSize, qname_len);
  if (edns) {
    Put16(o + 10, static_cast<uint16_t>(Get16(o + 10) + 1));
    uint8_t* opt = o + reply.size();
    opt[0] = 0;
    Put16(opt + 1, rrtype::kOpt);
    Put16(opt + 3, options_.max_udp_payload);
    opt[5] = 0;  // templates only hold rcodes below 16
    opt[6] = 0;
    opt[7] = dnssec_ok ? 0x80 : 0;
    opt[8] = 0;
    Put16(opt + 9, 0);
  }
  result->action = AnswerResult::Action::kReply;
  result->size = size;
  result->rcode = static_cast<uint8_t>(o[3] & 0x0F);
  result->truncated = false;
  return true;
}

AnswerResult Authority::Slow(const Snapshot& snap, ByteSpan query, Transport transport,
                             std::span<uint8_t> out) const {
  auto parsed = ParseMessage(query);
  if (!parsed.ok()) return HeaderOnlyFormErr(query, out);
  const Message& q = *parsed;
  Draft d = Decide(*snap.zones, q, options_.forward_outside_zones);
  AnswerResult result;
  result.rcode = static_cast<uint8_t>(d.rcode);
  if (d.forward) {
    result.action = AnswerResult::Action::kForward;
    return result;
  }
  const OptRecord* edns = q.Edns();
  OptRecord opt;
  if (edns != nullptr) {
    opt.udp_payload_size = options_.max_udp_payload;
    opt.extended_rcode = static_cast<uint8_t>(d.rcode >> 4);
    opt.dnssec_ok = edns->dnssec_ok;
  }
  const bool has_question = !d.reply.questions.empty();
  Bytes reply = Encode(d, edns != nullptr ? &opt : nullptr,
                       SizeLimit(transport, edns, options_.max_udp_payload), &result.truncated);
  HM_CHECK(reply.size() <= out.size());
  std::memcpy(out.data(), reply.data(), reply.size());
  if (has_question) {
    // The question name is never compressed (nothing precedes it), so the client's octets
    // replace the lower-case ones exactly.
    const size_t qname_len = q.questions[0].name.WireLength();
    HM_CHECK(reply.size() >= kHeaderSize + qname_len);
    std::memcpy(out.data() + kHeaderSize, query.data() + kHeaderSize, qname_len);
  }
  result.action = AnswerResult::Action::kReply;
  result.size = reply.size();
  return result;
}

base::Result<Message> Authority::Resolve(const Name& qname, uint16_t qtype) const {
  if (IsRefusedQtype(qtype)) {
    return base::InvalidArgument("query type " + std::to_string(qtype) + " is not answered");
  }
  std::shared_ptr<const Snapshot> snap = snapshot_.load(std::memory_order_acquire);
  Message query;
  query.questions.push_back({qname, qtype, kClassIn});
  Draft d = Decide(*snap->zones, query, false);
  d.reply.header.rcode = static_cast<uint8_t>(d.rcode);
  d.reply.questions[0].name = qname;
  return std::move(d.reply);
}

}  // namespace hm::trustchain::dns
