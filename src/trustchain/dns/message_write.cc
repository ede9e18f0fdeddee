// DNS wire codec, serializing half: the compressing message writer, EncodeRdata and
// ValidateRdata (docs/spec/dns.md). The parser is in message.cc. Pure functions; thread-safe.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "base/check.h"
#include "trustchain/dns/message.h"

namespace hm::trustchain::dns {
namespace {

using base::Bytes;
using base::InvalidArgument;
using base::Status;

class Writer {
 public:
  Writer() = default;
  // compress=false: every name is written in full (rdata in uncompressed canonical layout).
  explicit Writer(bool compress) : compress_(compress) {}

  Bytes& out() { return out_; }
  size_t size() const { return out_.size(); }

  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v >> 8));
    out_.push_back(static_cast<uint8_t>(v));
  }
  void U32(uint32_t v) {
    U16(static_cast<uint16_t>(v >> 16));
    U16(static_cast<uint16_t>(v));
  }
  void Append(const uint8_t* p, size_t n) { out_.insert(out_.end(), p, p + n); }
  void Append(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
  void Put16At(size_t at, uint16_t v) {
    out_[at] = static_cast<uint8_t>(v >> 8);
    out_[at + 1] = static_cast<uint8_t>(v);
  }

  // Compressed names point at earlier suffixes that match byte for byte (case-sensitively, so
  // the reader sees exactly the case we were given). Only suffixes written by a compressible
  // name are remembered, and only offsets that fit in 14 bits.
  void WriteName(const Name& name, bool compress) {
    compress = compress && compress_;
    const auto& labels = name.labels();
    for (size_t i = 0; i < labels.size(); ++i) {
      std::string key = SuffixKey(labels, i);
      if (compress) {
        auto it = suffixes_.find(key);
        if (it != suffixes_.end()) {
          U16(static_cast<uint16_t>(0xC000u | it->second));
          return;
        }
        if (out_.size() < 0x4000) {
          suffixes_.emplace(key, static_cast<uint16_t>(out_.size()));
          added_.push_back(std::move(key));
        }
      }
      U8(static_cast<uint8_t>(labels[i].size()));
      Append(labels[i]);
    }
    U8(0);
  }

  // Forgets everything written at or after `mark` (a record that did not fit).
  void Rollback(size_t mark) {
    out_.resize(mark);
    while (!added_.empty() && suffixes_.at(added_.back()) >= mark) {
      suffixes_.erase(added_.back());
      added_.pop_back();
    }
  }

 private:
  static std::string SuffixKey(const std::vector<std::string>& labels, size_t from) {
    std::string key;
    for (size_t i = from; i < labels.size(); ++i) {
      key.push_back(static_cast<char>(labels[i].size()));
      key += labels[i];
    }
    return key;
  }

  bool compress_ = true;
  Bytes out_;
  std::map<std::string, uint16_t> suffixes_;
  std::vector<std::string> added_;  // insertion order, for Rollback
};

void WriteSvcParam(Writer& w, const SvcParam& p) {
  w.U16(p.key);
  size_t len_at = w.size();
  w.U16(0);
  if (const auto* alpn = std::get_if<SvcAlpn>(&p.value)) {
    HM_CHECK(p.key == svckey::kAlpn);
    for (const auto& id : alpn->ids) {
      HM_CHECK(!id.empty() && id.size() <= 255);
      w.U8(static_cast<uint8_t>(id.size()));
      w.Append(id);
    }
  } else if (const auto* port = std::get_if<SvcPort>(&p.value)) {
    HM_CHECK(p.key == svckey::kPort);
    w.U16(port->port);
  } else if (const auto* hint = std::get_if<SvcIpv6Hint>(&p.value)) {
    HM_CHECK(p.key == svckey::kIpv6Hint);
    for (const auto& a : hint->addresses) w.Append(a.data(), a.size());
  } else {
    // Typed keys must use their typed alternative, or the bytes would be re-parsed differently.
    HM_CHECK(p.key != svckey::kAlpn && p.key != svckey::kPort && p.key != svckey::kIpv6Hint);
    const auto& raw = std::get<Bytes>(p.value);
    w.Append(raw.data(), raw.size());
  }
  size_t len = w.size() - len_at - 2;
  HM_CHECK(len <= 0xFFFF);
  w.Put16At(len_at, static_cast<uint16_t>(len));
}

void WriteRdata(Writer& w, const ResourceRecord& rr) {
  auto expect = [&](uint16_t t) { HM_CHECK_MSG(rr.type == t, "rdata does not match RR type"); };
  std::visit(
      [&](const auto& d) {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, ARecord>) {
          expect(rrtype::kA);
          w.Append(d.address.data(), d.address.size());
        } else if constexpr (std::is_same_v<T, AaaaRecord>) {
          expect(rrtype::kAaaa);
          w.Append(d.address.data(), d.address.size());
        } else if constexpr (std::is_same_v<T, NsRecord>) {
          expect(rrtype::kNs);
          w.WriteName(d.host, true);
        } else if constexpr (std::is_same_v<T, CnameRecord>) {
          expect(rrtype::kCname);
          w.WriteName(d.target, true);
        } else if constexpr (std::is_same_v<T, SoaRecord>) {
          expect(rrtype::kSoa);
          w.WriteName(d.mname, true);
          w.WriteName(d.rname, true);
          for (uint32_t v : {d.serial, d.refresh, d.retry, d.expire, d.minimum}) w.U32(v);
        } else if constexpr (std::is_same_v<T, TxtRecord>) {
          expect(rrtype::kTxt);
          HM_CHECK(!d.strings.empty());
          for (const auto& s : d.strings) {
            HM_CHECK(s.size() <= 255);
            w.U8(static_cast<uint8_t>(s.size()));
            w.Append(s);
          }
        } else if constexpr (std::is_same_v<T, SrvRecord>) {
          expect(rrtype::kSrv);
          w.U16(d.priority);
          w.U16(d.weight);
          w.U16(d.port);
          w.WriteName(d.target, false);  // RFC 2782: not compressed
        } else if constexpr (std::is_same_v<T, CaaRecord>) {
          expect(rrtype::kCaa);
          HM_CHECK(!d.tag.empty() && d.tag.size() <= 15);
          w.U8(d.flags);
          w.U8(static_cast<uint8_t>(d.tag.size()));
          w.Append(d.tag);
          w.Append(d.value.data(), d.value.size());
        } else if constexpr (std::is_same_v<T, SvcbRecord>) {
          HM_CHECK_MSG(rr.type == rrtype::kSvcb || rr.type == rrtype::kHttps,
                       "rdata does not match RR type");
          w.U16(d.priority);
          w.WriteName(d.target, false);  // RFC 9460 §2.2: not compressed
          for (size_t i = 0; i < d.params.size(); ++i) {
            HM_CHECK_MSG(i == 0 || d.params[i - 1].key < d.params[i].key,
                         "svc params not strictly increasing");
            WriteSvcParam(w, d.params[i]);
          }
        } else if constexpr (std::is_same_v<T, OptRecord>) {
          expect(rrtype::kOpt);
          for (const auto& o : d.options) {
            HM_CHECK(o.data.size() <= 0xFFFF);
            w.U16(o.code);
            w.U16(static_cast<uint16_t>(o.data.size()));
            w.Append(o.data.data(), o.data.size());
          }
        } else {
          static_assert(std::is_same_v<T, OpaqueRecord>);
          w.Append(d.data.data(), d.data.size());
        }
      },
      rr.rdata);
}

void WriteRecord(Writer& w, const ResourceRecord& rr) {
  if (const auto* opt = std::get_if<OptRecord>(&rr.rdata)) {
    w.WriteName(Name(), false);
    w.U16(rrtype::kOpt);
    w.U16(opt->udp_payload_size);
    w.U32((uint32_t{opt->extended_rcode} << 24) | (uint32_t{opt->version} << 16) |
          (opt->dnssec_ok ? 0x8000u : 0u) | (opt->other_flags & 0x7FFFu));
  } else {
    w.WriteName(rr.name, true);
    w.U16(rr.type);
    w.U16(rr.rclass);
    w.U32(rr.ttl);
  }
  size_t len_at = w.size();
  w.U16(0);
  WriteRdata(w, rr);
  size_t len = w.size() - len_at - 2;
  HM_CHECK_MSG(len <= 0xFFFF, "rdata longer than 65535 octets");
  w.Put16At(len_at, static_cast<uint16_t>(len));
}

void WriteHeader(Writer& w, const Header& h, bool tc, const std::array<size_t, 4>& counts) {
  w.U16(h.id);
  w.U8(static_cast<uint8_t>((h.qr ? 0x80 : 0) | ((h.opcode & 0x0F) << 3) | (h.aa ? 0x04 : 0) |
                            (tc ? 0x02 : 0) | (h.rd ? 0x01 : 0)));
  w.U8(static_cast<uint8_t>((h.ra ? 0x80 : 0) | (h.ad ? 0x20 : 0) | (h.cd ? 0x10 : 0) |
                            (h.rcode & 0x0F)));
  for (size_t c : counts) w.U16(static_cast<uint16_t>(c));
}

// One attempt at encoding: records in order, stopping at the first that would push the size
// past `budget`. `skip_opt` leaves OPT records out (the caller appends it after truncation).
// Returns the number of records (questions first, then the three sections) written.
size_t WriteBody(Writer& w, const Message& m, size_t budget, bool skip_opt,
                 std::array<size_t, 4>* counts) {
  size_t written = 0;
  for (const auto& q : m.questions) {
    size_t mark = w.size();
    w.WriteName(q.name, true);
    w.U16(q.type);
    w.U16(q.qclass);
    if (w.size() > budget || (*counts)[0] == 0xFFFF) {
      w.Rollback(mark);
      return written;
    }
    ++(*counts)[0];
    ++written;
  }
  const std::vector<ResourceRecord>* sections[3] = {&m.answers, &m.authority, &m.additional};
  for (size_t s = 0; s < 3; ++s) {
    for (const auto& rr : *sections[s]) {
      if (skip_opt && std::holds_alternative<OptRecord>(rr.rdata)) continue;
      size_t mark = w.size();
      WriteRecord(w, rr);
      if (w.size() > budget || (*counts)[s + 1] == 0xFFFF) {
        w.Rollback(mark);
        return written;
      }
      ++(*counts)[s + 1];
      ++written;
    }
  }
  return written;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SerializeMessage

Bytes SerializeMessage(const Message& message, size_t max_size, bool* truncated) {
  HM_CHECK(max_size >= kHeaderSize);
  max_size = std::min(max_size, kMaxMessageSize);
  size_t total = message.questions.size() + message.answers.size() + message.authority.size() +
                 message.additional.size();
  {
    Writer w;
    std::array<size_t, 4> counts{};
    WriteHeader(w, message.header, false, counts);  // counts unknown yet; rewritten below
    if (WriteBody(w, message, max_size, false, &counts) == total) {
      Bytes out = std::move(w.out());
      Writer hw;
      WriteHeader(hw, message.header, message.header.tc, counts);
      std::copy(hw.out().begin(), hw.out().end(), out.begin());
      if (truncated != nullptr) *truncated = false;
      return out;
    }
  }
  // Too big: encode again keeping room for the OPT record, so a truncated answer still carries
  // EDNS (RFC 6891 §7), then drop records from the end.
  const ResourceRecord* opt = nullptr;
  for (const auto& rr : message.additional) {
    if (std::holds_alternative<OptRecord>(rr.rdata)) opt = &rr;
  }
  size_t opt_size = 0;
  if (opt != nullptr) {
    Writer probe;
    WriteRecord(probe, *opt);
    opt_size = probe.size();
    if (kHeaderSize + opt_size > max_size) {
      opt = nullptr;
      opt_size = 0;
    }
  }
  Writer w;
  std::array<size_t, 4> counts{};
  WriteHeader(w, message.header, true, counts);
  (void)WriteBody(w, message, max_size - opt_size, true, &counts);
  if (opt != nullptr) {
    WriteRecord(w, *opt);
    ++counts[3];
  }
  Bytes out = std::move(w.out());
  Writer hw;
  WriteHeader(hw, message.header, true, counts);
  std::copy(hw.out().begin(), hw.out().end(), out.begin());
  if (truncated != nullptr) *truncated = true;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rdata on its own (zone storage)

namespace {

// Everything WriteRdata/WriteSvcParam HM_CHECK, as a Status, so EncodeRdata cannot abort after a
// successful check.
Status CheckEncodable(uint16_t type, const Rdata& rdata) {
  auto want = [&](uint16_t t) -> Status {
    if (type != t) return InvalidArgument("rdata does not match the record type");
    return Status::Ok();
  };
  return std::visit(
      [&](const auto& d) -> Status {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, ARecord>) {
          return want(rrtype::kA);
        } else if constexpr (std::is_same_v<T, AaaaRecord>) {
          return want(rrtype::kAaaa);
        } else if constexpr (std::is_same_v<T, NsRecord>) {
          return want(rrtype::kNs);
        } else if constexpr (std::is_same_v<T, CnameRecord>) {
          return want(rrtype::kCname);
        } else if constexpr (std::is_same_v<T, SoaRecord>) {
          return want(rrtype::kSoa);
        } else if constexpr (std::is_same_v<T, TxtRecord>) {
          HM_TRY(want(rrtype::kTxt));
          if (d.strings.empty()) return InvalidArgument("TXT has no strings");
          size_t total = 0;
          for (const auto& str : d.strings) {
            if (str.size() > 255) return InvalidArgument("TXT string longer than 255 octets");
            total += 1 + str.size();
          }
          if (total > 0xFFFF) return InvalidArgument("rdata longer than 65535 octets");
          return Status::Ok();
        } else if constexpr (std::is_same_v<T, SrvRecord>) {
          return want(rrtype::kSrv);
        } else if constexpr (std::is_same_v<T, CaaRecord>) {
          HM_TRY(want(rrtype::kCaa));
          if (d.tag.empty() || d.tag.size() > 15) {
            return InvalidArgument("CAA tag length not 1..15");
          }
          if (d.value.size() > 0xFFFF - 17) {
            return InvalidArgument("rdata longer than 65535 octets");
          }
          return Status::Ok();
        } else if constexpr (std::is_same_v<T, SvcbRecord>) {
          if (type != rrtype::kSvcb && type != rrtype::kHttps) {
            return InvalidArgument("rdata does not match the record type");
          }
          size_t total = 2 + d.target.WireLength();
          for (size_t i = 0; i < d.params.size(); ++i) {
            const SvcParam& p = d.params[i];
            if (i > 0 && d.params[i - 1].key >= p.key) {
              return InvalidArgument("svcb param keys not strictly increasing");
            }
            size_t len = 0;
            if (const auto* alpn = std::get_if<SvcAlpn>(&p.value)) {
              if (p.key != svckey::kAlpn) return InvalidArgument("alpn value under another key");
              for (const auto& id : alpn->ids) {
                if (id.empty() || id.size() > 255) return InvalidArgument("bad svcb alpn id");
                len += 1 + id.size();
              }
            } else if (std::holds_alternative<SvcPort>(p.value)) {
              if (p.key != svckey::kPort) return InvalidArgument("port value under another key");
              len = 2;
            } else if (const auto* hint = std::get_if<SvcIpv6Hint>(&p.value)) {
              if (p.key != svckey::kIpv6Hint) {
                return InvalidArgument("ipv6hint value under another key");
              }
              len = 16 * hint->addresses.size();
            } else {
              if (p.key == svckey::kAlpn || p.key == svckey::kPort || p.key == svckey::kIpv6Hint) {
                return InvalidArgument("svcb alpn/port/ipv6hint need their typed value");
              }
              len = std::get<Bytes>(p.value).size();
            }
            if (len > 0xFFFF) return InvalidArgument("svcb param longer than 65535 octets");
            total += 4 + len;
            if (total > 0xFFFF) return InvalidArgument("rdata longer than 65535 octets");
          }
          return Status::Ok();
        } else if constexpr (std::is_same_v<T, OptRecord>) {
          return InvalidArgument("OPT is not zone data");
        } else {
          static_assert(std::is_same_v<T, OpaqueRecord>);
          switch (type) {
            case rrtype::kA:
            case rrtype::kAaaa:
            case rrtype::kNs:
            case rrtype::kCname:
            case rrtype::kSoa:
            case rrtype::kTxt:
            case rrtype::kSrv:
            case rrtype::kCaa:
            case rrtype::kSvcb:
            case rrtype::kHttps:
            case rrtype::kOpt:
              return InvalidArgument("typed record given as opaque rdata");
            default:
              break;
          }
          if (d.data.size() > 0xFFFF) return InvalidArgument("rdata longer than 65535 octets");
          return Status::Ok();
        }
      },
      rdata);
}

}  // namespace

Status ValidateRdata(uint16_t type, const Rdata& rdata) {
  HM_TRY(CheckEncodable(type, rdata));
  ResourceRecord rr;
  rr.type = type;
  rr.rdata = rdata;
  Bytes wire = EncodeRdata(rr);
  if (wire.size() > 0xFFFF) return InvalidArgument("rdata longer than 65535 octets");
  // The parser enforces the rest (e.g. empty alpn or ipv6hint lists, SvcParamKey 65535).
  HM_ASSIGN_OR_RETURN(Rdata back, ParseRdata(type, wire));
  if (!(back == rdata)) return InvalidArgument("rdata does not survive its own encoding");
  return Status::Ok();
}

Bytes EncodeRdata(const ResourceRecord& rr) {
  Writer w(/*compress=*/false);
  WriteRdata(w, rr);
  return std::move(w.out());
}

}  // namespace hm::trustchain::dns
