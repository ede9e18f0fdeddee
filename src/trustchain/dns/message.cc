// DNS wire codec, parsing half: the strict parser, Name and the rdata-only parser
// (docs/spec/dns.md). The serializer is in message_write.cc. Pure functions; thread-safe.
#include "trustchain/dns/message.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "base/ascii.h"

namespace hm::trustchain::dns {
namespace {

using base::Bytes;
using base::ByteSpan;
using base::InvalidArgument;
using base::Result;
using base::Status;

// More than enough for any legal name (at most 127 labels); bounds work on hostile input even
// though strictly-backward pointers already rule out loops.
constexpr int kMaxPointerJumps = 64;

using base::AsciiLower;

Status CheckLabels(const std::vector<std::string>& labels) {
  size_t wire = 1;
  for (const auto& l : labels) {
    if (l.empty()) return InvalidArgument("empty label");
    if (l.size() > kMaxLabelLength) return InvalidArgument("label longer than 63 octets");
    wire += 1 + l.size();
  }
  if (wire > kMaxNameWireLength) return InvalidArgument("name longer than 255 octets");
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Parsing

class Reader {
 public:
  explicit Reader(ByteSpan packet) : p_(packet) {}

  size_t pos() const { return pos_; }
  size_t size() const { return p_.size(); }
  size_t remaining() const { return p_.size() - pos_; }

  Status Need(size_t n, const char* what) const {
    if (remaining() < n) return InvalidArgument(std::string("truncated ") + what);
    return Status::Ok();
  }
  uint8_t U8() { return p_[pos_++]; }
  uint16_t U16() {
    uint16_t v = static_cast<uint16_t>((p_[pos_] << 8) | p_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint32_t U32() {
    uint32_t v = (uint32_t{p_[pos_]} << 24) | (uint32_t{p_[pos_ + 1]} << 16) |
                 (uint32_t{p_[pos_ + 2]} << 8) | uint32_t{p_[pos_ + 3]};
    pos_ += 4;
    return v;
  }
  void Copy(uint8_t* out, size_t n) {
    std::copy_n(p_.begin() + static_cast<std::ptrdiff_t>(pos_), n, out);
    pos_ += n;
  }
  std::string Str(size_t n) {
    std::string s(base::AsString(p_.subspan(pos_, n)));
    pos_ += n;
    return s;
  }
  Bytes Raw(size_t n) {
    Bytes b(p_.begin() + static_cast<std::ptrdiff_t>(pos_),
            p_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return b;
  }

  // Reads a name at pos(); the in-line part must end by `limit`. Pointers are followed only when
  // allow_pointers, and each must target an offset >= kHeaderSize and strictly before the start
  // of the label run that contains it, so every jump goes further back and none can loop.
  Result<Name> ReadName(size_t limit, bool allow_pointers) {
    std::vector<std::string> labels;
    size_t wire = 1;
    size_t cur = pos_;
    size_t run_start = pos_;
    size_t cur_limit = limit;
    bool jumped = false;
    int jumps = 0;
    while (true) {
      if (cur >= cur_limit) return InvalidArgument("truncated name");
      uint8_t len = p_[cur];
      if ((len & 0xC0) == 0xC0) {
        if (!allow_pointers) return InvalidArgument("compression pointer where none is allowed");
        if (cur + 1 >= cur_limit) return InvalidArgument("truncated compression pointer");
        size_t target = (size_t{len & 0x3Fu} << 8) | p_[cur + 1];
        if (target >= run_start) return InvalidArgument("compression pointer not backwards");
        if (target < kHeaderSize) return InvalidArgument("compression pointer into header");
        if (++jumps > kMaxPointerJumps) return InvalidArgument("too many compression pointers");
        if (!jumped) pos_ = cur + 2;
        jumped = true;
        cur = run_start = target;
        cur_limit = p_.size();
        continue;
      }
      // 0x40/0x80 prefixes (lengths 64..191) are the reserved/obsolete label types of RFC 6891
      // §5, so this is also the "label longer than 63 octets" check.
      if ((len & 0xC0) != 0) return InvalidArgument("label longer than 63 octets");
      if (len == 0) {
        if (!jumped) pos_ = cur + 1;
        break;
      }
      wire += 1 + size_t{len};
      if (wire > kMaxNameWireLength) return InvalidArgument("name longer than 255 octets");
      if (cur_limit - cur - 1 < len) return InvalidArgument("truncated label");
      labels.emplace_back(base::AsString(p_.subspan(cur + 1, len)));
      cur += 1 + size_t{len};
    }
    return Name::FromLabels(std::move(labels));
  }

 private:
  ByteSpan p_;
  size_t pos_ = 0;
};

Result<SvcParam> ParseSvcParamValue(uint16_t key, Reader& r, size_t len) {
  SvcParam param;
  param.key = key;
  size_t end = r.pos() + len;
  switch (key) {
    case svckey::kAlpn: {
      SvcAlpn alpn;
      if (len == 0) return InvalidArgument("svcb alpn is empty");
      while (r.pos() < end) {
        size_t n = r.U8();
        if (n == 0) return InvalidArgument("svcb alpn id is empty");
        if (end - r.pos() < n) return InvalidArgument("svcb alpn id overruns its param");
        alpn.ids.push_back(r.Str(n));
      }
      param.value = std::move(alpn);
      break;
    }
    case svckey::kPort:
      if (len != 2) return InvalidArgument("svcb port is not 2 octets");
      param.value = SvcPort{r.U16()};
      break;
    case svckey::kIpv6Hint: {
      if (len == 0 || len % 16 != 0) return InvalidArgument("svcb ipv6hint length not 16*n");
      SvcIpv6Hint hint;
      hint.addresses.resize(len / 16);
      for (auto& a : hint.addresses) r.Copy(a.data(), a.size());
      param.value = std::move(hint);
      break;
    }
    default:
      param.value = r.Raw(len);
  }
  return param;
}

Result<SvcbRecord> ParseSvcb(Reader& r, size_t end) {
  SvcbRecord rec;
  if (end - r.pos() < 2) return InvalidArgument("truncated svcb priority");
  rec.priority = r.U16();
  HM_ASSIGN_OR_RETURN(rec.target, r.ReadName(end, /*allow_pointers=*/false));
  bool first = true;
  uint16_t last_key = 0;
  while (r.pos() < end) {
    if (end - r.pos() < 4) return InvalidArgument("truncated svcb param");
    uint16_t key = r.U16();
    uint16_t len = r.U16();
    if (!first && key <= last_key)
      return InvalidArgument("svcb param keys not strictly increasing");
    if (key == 65535) return InvalidArgument("svcb param key 65535 is reserved");
    if (end - r.pos() < len) return InvalidArgument("svcb param overruns rdata");
    HM_ASSIGN_OR_RETURN(auto param, ParseSvcParamValue(key, r, len));
    rec.params.push_back(std::move(param));
    first = false;
    last_key = key;
  }
  return rec;
}

Result<OptRecord> ParseOpt(Reader& r, size_t end, uint16_t rclass, uint32_t ttl) {
  OptRecord opt;
  opt.udp_payload_size = rclass;
  opt.extended_rcode = static_cast<uint8_t>(ttl >> 24);
  opt.version = static_cast<uint8_t>(ttl >> 16);
  opt.dnssec_ok = (ttl & 0x8000u) != 0;
  opt.other_flags = static_cast<uint16_t>(ttl & 0x7FFFu);
  while (r.pos() < end) {
    if (end - r.pos() < 4) return InvalidArgument("truncated edns option");
    EdnsOption o;
    o.code = r.U16();
    uint16_t len = r.U16();
    if (end - r.pos() < len) return InvalidArgument("edns option overruns rdata");
    o.data = r.Raw(len);
    opt.options.push_back(std::move(o));
  }
  return opt;
}

Status FixedLength(size_t have, size_t want, const char* type) {
  if (have != want) return InvalidArgument(std::string(type) + " rdata has wrong length");
  return Status::Ok();
}

// Parses rdata occupying [r.pos(), r.pos()+rdlength) and checks it is consumed exactly.
// `pointers` allows compression pointers in the RFC 1035 rdata names (NS, CNAME, SOA, SRV).
Result<Rdata> ParseRdataAt(Reader& r, uint16_t type, uint16_t rclass, uint32_t ttl, size_t rdlength,
                           bool pointers) {
  const size_t end = r.pos() + rdlength;
  Rdata out;
  switch (type) {
    case rrtype::kA: {
      HM_TRY(FixedLength(rdlength, 4, "A"));
      ARecord a;
      r.Copy(a.address.data(), 4);
      out = a;
      break;
    }
    case rrtype::kAaaa: {
      HM_TRY(FixedLength(rdlength, 16, "AAAA"));
      AaaaRecord a;
      r.Copy(a.address.data(), 16);
      out = a;
      break;
    }
    case rrtype::kNs: {
      HM_ASSIGN_OR_RETURN(auto n, r.ReadName(end, pointers));
      out = NsRecord{std::move(n)};
      break;
    }
    case rrtype::kCname: {
      HM_ASSIGN_OR_RETURN(auto n, r.ReadName(end, pointers));
      out = CnameRecord{std::move(n)};
      break;
    }
    case rrtype::kSoa: {
      SoaRecord soa;
      HM_ASSIGN_OR_RETURN(soa.mname, r.ReadName(end, pointers));
      HM_ASSIGN_OR_RETURN(soa.rname, r.ReadName(end, pointers));
      HM_TRY(FixedLength(end - r.pos(), 20, "SOA"));
      soa.serial = r.U32();
      soa.refresh = r.U32();
      soa.retry = r.U32();
      soa.expire = r.U32();
      soa.minimum = r.U32();
      out = std::move(soa);
      break;
    }
    case rrtype::kTxt: {
      TxtRecord txt;
      if (rdlength == 0) return InvalidArgument("TXT rdata is empty");
      while (r.pos() < end) {
        size_t n = r.U8();
        if (end - r.pos() < n) return InvalidArgument("TXT string overruns rdata");
        txt.strings.push_back(r.Str(n));
      }
      out = std::move(txt);
      break;
    }
    case rrtype::kSrv: {
      if (rdlength < 7) return InvalidArgument("SRV rdata too short");
      SrvRecord srv;
      srv.priority = r.U16();
      srv.weight = r.U16();
      srv.port = r.U16();
      // RFC 2782 forbids compressing the target, but RFC 3597 §4 asks receivers to accept it.
      HM_ASSIGN_OR_RETURN(srv.target, r.ReadName(end, pointers));
      out = std::move(srv);
      break;
    }
    case rrtype::kCaa: {
      if (rdlength < 2) return InvalidArgument("CAA rdata too short");
      CaaRecord caa;
      caa.flags = r.U8();
      size_t tag_len = r.U8();
      if (tag_len == 0 || tag_len > 15) return InvalidArgument("CAA tag length not 1..15");
      if (end - r.pos() < tag_len) return InvalidArgument("CAA tag overruns rdata");
      caa.tag = r.Str(tag_len);
      caa.value = r.Raw(end - r.pos());
      out = std::move(caa);
      break;
    }
    case rrtype::kSvcb:
    case rrtype::kHttps: {
      HM_ASSIGN_OR_RETURN(auto svcb, ParseSvcb(r, end));
      out = std::move(svcb);
      break;
    }
    case rrtype::kOpt: {
      HM_ASSIGN_OR_RETURN(auto opt, ParseOpt(r, end, rclass, ttl));
      out = std::move(opt);
      break;
    }
    default:
      out = OpaqueRecord{r.Raw(rdlength)};
  }
  if (r.pos() != end) return InvalidArgument("rdata length does not match its contents");
  return out;
}

enum class Section { kAnswer, kAuthority, kAdditional };

Result<ResourceRecord> ParseRecord(Reader& r, Section section, bool* seen_opt) {
  ResourceRecord rr;
  HM_ASSIGN_OR_RETURN(rr.name, r.ReadName(r.size(), true));
  HM_TRY(r.Need(10, "resource record"));
  rr.type = r.U16();
  rr.rclass = r.U16();
  rr.ttl = r.U32();
  uint16_t rdlength = r.U16();
  HM_TRY(r.Need(rdlength, "rdata"));
  if (rr.type == rrtype::kOpt) {
    if (section != Section::kAdditional) return InvalidArgument("OPT outside additional section");
    if (*seen_opt) return InvalidArgument("more than one OPT record");
    if (!rr.name.IsRoot()) return InvalidArgument("OPT owner is not the root");
    *seen_opt = true;
  }
  HM_ASSIGN_OR_RETURN(rr.rdata, ParseRdataAt(r, rr.type, rr.rclass, rr.ttl, rdlength, true));
  return rr;
}

Status ParseSection(Reader& r, uint16_t count, Section section, bool* seen_opt,
                    std::vector<ResourceRecord>* out) {
  for (uint16_t i = 0; i < count; ++i) {
    if (r.remaining() == 0) return InvalidArgument("record count exceeds the data");
    HM_ASSIGN_OR_RETURN(auto rr, ParseRecord(r, section, seen_opt));
    out->push_back(std::move(rr));
  }
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Name

Result<Name> Name::FromLabels(std::vector<std::string> labels) {
  HM_TRY(CheckLabels(labels));
  Name n;
  n.labels_ = std::move(labels);
  return n;
}

Result<Name> Name::FromText(std::string_view text) {
  if (text == ".") return Name();
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.empty()) return InvalidArgument("empty name");
  std::vector<std::string> labels;
  size_t start = 0;
  while (true) {
    size_t dot = text.find('.', start);
    labels.emplace_back(
        text.substr(start, dot == std::string_view::npos ? text.npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return FromLabels(std::move(labels));
}

size_t Name::WireLength() const {
  size_t n = 1;
  for (const auto& l : labels_) n += 1 + l.size();
  return n;
}

std::string Name::ToText() const {
  if (labels_.empty()) return ".";
  std::string s;
  for (const auto& l : labels_) {
    s += l;
    s += '.';
  }
  return s;
}

bool Name::operator==(const Name& other) const {
  if (labels_.size() != other.labels_.size()) return false;
  for (size_t i = 0; i < labels_.size(); ++i) {
    const auto& a = labels_[i];
    const auto& b = other.labels_[i];
    if (a.size() != b.size()) return false;
    for (size_t j = 0; j < a.size(); ++j) {
      if (AsciiLower(a[j]) != AsciiLower(b[j])) return false;
    }
  }
  return true;
}

const OptRecord* Message::Edns() const {
  for (const auto& rr : additional) {
    if (const auto* opt = std::get_if<OptRecord>(&rr.rdata)) return opt;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// ParseMessage

Result<Message> ParseMessage(ByteSpan packet) {
  if (packet.size() > kMaxMessageSize) return InvalidArgument("message larger than 65535 octets");
  Reader r(packet);
  HM_TRY(r.Need(kHeaderSize, "header"));
  Message m;
  Header& h = m.header;
  h.id = r.U16();
  uint8_t b2 = r.U8();
  uint8_t b3 = r.U8();
  h.qr = (b2 & 0x80) != 0;
  h.opcode = static_cast<uint8_t>((b2 >> 3) & 0x0F);
  h.aa = (b2 & 0x04) != 0;
  h.tc = (b2 & 0x02) != 0;
  h.rd = (b2 & 0x01) != 0;
  h.ra = (b3 & 0x80) != 0;
  h.ad = (b3 & 0x20) != 0;
  h.cd = (b3 & 0x10) != 0;
  h.rcode = b3 & 0x0F;
  uint16_t qd = r.U16(), an = r.U16(), ns = r.U16(), ar = r.U16();
  // Cheap early bound before any allocation: a question takes >= 5 octets, a record >= 11.
  if (size_t{qd} * 5 + (size_t{an} + ns + ar) * 11 > r.remaining()) {
    return InvalidArgument("section counts exceed the data");
  }
  for (uint16_t i = 0; i < qd; ++i) {
    if (r.remaining() == 0) return InvalidArgument("question count exceeds the data");
    Question q;
    HM_ASSIGN_OR_RETURN(q.name, r.ReadName(r.size(), true));
    HM_TRY(r.Need(4, "question"));
    q.type = r.U16();
    q.qclass = r.U16();
    m.questions.push_back(std::move(q));
  }
  bool seen_opt = false;
  HM_TRY(ParseSection(r, an, Section::kAnswer, &seen_opt, &m.answers));
  HM_TRY(ParseSection(r, ns, Section::kAuthority, &seen_opt, &m.authority));
  HM_TRY(ParseSection(r, ar, Section::kAdditional, &seen_opt, &m.additional));
  if (r.remaining() != 0) return InvalidArgument("trailing bytes after the last record");
  return m;
}

// ---------------------------------------------------------------------------------------------
// Rdata on its own (zone storage)

std::string CanonicalName(const Name& name) {
  std::string key;
  key.reserve(name.WireLength());
  for (const auto& l : name.labels()) {
    key.push_back(static_cast<char>(l.size()));
    for (char c : l) key.push_back(AsciiLower(c));
  }
  key.push_back('\0');
  return key;
}

Result<Rdata> ParseRdata(uint16_t type, ByteSpan rdata) {
  if (rdata.size() > 0xFFFF) return InvalidArgument("rdata longer than 65535 octets");
  Reader r(rdata);
  return ParseRdataAt(r, type, kClassIn, 0, rdata.size(), /*pointers=*/false);
}

}  // namespace hm::trustchain::dns
