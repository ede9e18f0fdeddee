// Presentation-format rdata (docs/spec/dns-presentation.md). Parsing runs in two steps: the text
// is split into fields (quotes, escapes, parentheses and comments resolved as in RFC 1035 §5.1,
// but each field keeps its raw text), then each type's parser decodes its fields, so that names
// and numbers can refuse quotes and escapes while strings and SvcParam values decode them.
// SvcParams are in rdata_text_svcb.cc. Pure functions, no I/O; thread-safe.
#include "trustchain/dns/registry/rdata_text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/ascii.h"
#include "base/bytes.h"
#include "base/check.h"
#include "trustchain/dns/registry/internal/svcb_text.h"

namespace hm::trustchain::dns {
namespace {

using base::Bytes;
using base::InvalidArgument;
using base::Result;
using base::Status;
using internal::AppendQuoted;
using internal::AppendSvcParam;
using internal::CheckSvcParams;
using internal::DecodeCharString;
using internal::In;
using internal::Ipv4Text;
using internal::Ipv6Text;
using internal::kMaxCharString;
using internal::kMaxRdataLength;
using internal::Mnemonic;
using internal::ParseDecimal;
using internal::ParseIpv4;
using internal::ParseIpv6;
using internal::ParseSvcParam;
using internal::PutU16;
using internal::Shown;

constexpr Mnemonic kTypeNames[] = {
    {rrtype::kA, "A"},     {rrtype::kNs, "NS"},     {rrtype::kCname, "CNAME"},
    {rrtype::kSoa, "SOA"}, {rrtype::kTxt, "TXT"},   {rrtype::kAaaa, "AAAA"},
    {rrtype::kSrv, "SRV"}, {rrtype::kSvcb, "SVCB"}, {rrtype::kHttps, "HTTPS"},
    {rrtype::kCaa, "CAA"},
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
using base::AsciiLower;
using base::EqualsIgnoreCase;

void AppendDdd(std::string& out, uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\%03u", static_cast<unsigned>(b));
  out += buf;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Lexical helpers shared with rdata_text_svcb.cc (declared in internal/svcb_text.h)

namespace internal {

std::string Shown(std::string_view raw) {
  constexpr size_t kMaxShown = 40;
  std::string out = "\"";
  for (size_t i = 0; i < raw.size() && i < kMaxShown; ++i) {
    auto b = static_cast<uint8_t>(raw[i]);
    if (b < 0x20 || b >= 0x7F) {
      AppendDdd(out, b);
    } else {
      out += raw[i];
    }
  }
  if (raw.size() > kMaxShown) out += "...";
  return out + "\"";
}

Result<std::string> DecodeCharString(std::string_view raw) {
  std::string out;
  bool quoted = !raw.empty() && raw.front() == '"';
  size_t i = quoted ? 1 : 0;
  while (i < raw.size()) {
    char c = raw[i];
    if (c == '\\') {
      if (i + 1 == raw.size()) return InvalidArgument("backslash at the end of a string");
      if (!IsDigit(raw[i + 1])) {
        out += raw[i + 1];
        i += 2;
        continue;
      }
      if (i + 3 >= raw.size() || !IsDigit(raw[i + 2]) || !IsDigit(raw[i + 3]))
        return InvalidArgument("escape " + Shown(raw.substr(i, 4)) +
                               " is not \\DDD (three digits)");
      int v = (raw[i + 1] - '0') * 100 + (raw[i + 2] - '0') * 10 + (raw[i + 3] - '0');
      if (v > 255) return InvalidArgument("escape " + Shown(raw.substr(i, 4)) + " is over \\255");
      out += static_cast<char>(v);
      i += 4;
      continue;
    }
    if (c == '"') {
      if (quoted && i + 1 == raw.size()) return out;
      return InvalidArgument(quoted ? "text after the closing quote"
                                    : "quote inside an unquoted string");
    }
    out += c;
    ++i;
  }
  if (quoted) return InvalidArgument("unterminated quoted string");
  return out;
}

Result<uint32_t> ParseDecimal(std::string_view s, uint32_t max) {
  if (s.empty()) return InvalidArgument("empty number");
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return InvalidArgument(Shown(s) + " is not a decimal number");
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > max) return InvalidArgument(Shown(s) + " is out of range 0.." + std::to_string(max));
  }
  return static_cast<uint32_t>(v);
}

Result<std::array<uint8_t, 4>> ParseIpv4(std::string_view s) {
  std::array<uint8_t, 4> out{};
  auto bad = [&] { return InvalidArgument(Shown(s) + " is not an IPv4 address (a.b.c.d)"); };
  size_t pos = 0;
  for (size_t k = 0; k < 4; ++k) {
    size_t end = k < 3 ? s.find('.', pos) : s.size();
    if (end == std::string_view::npos) return bad();
    std::string_view part = s.substr(pos, end - pos);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return bad();
    auto v = ParseDecimal(part, 255);
    if (!v.ok()) return bad();
    out[k] = static_cast<uint8_t>(*v);
    pos = end + 1;
  }
  return out;
}

Result<std::array<uint8_t, 16>> ParseIpv6(std::string_view s) {
  auto bad = [&] { return InvalidArgument(Shown(s) + " is not an IPv6 address"); };
  // Checked before inet_pton, which stops at a NUL and would accept a zone id nowhere.
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return bad();
  for (char c : s) {
    if (!IsDigit(c) && !(AsciiLower(c) >= 'a' && AsciiLower(c) <= 'f') && c != ':' && c != '.')
      return bad();
  }
  std::array<uint8_t, 16> out{};
  std::string z(s);
  if (inet_pton(AF_INET6, z.c_str(), out.data()) != 1) return bad();
  return out;
}

void PutU16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

void AppendQuoted(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    auto b = static_cast<uint8_t>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20 || b >= 0x7F) {
      AppendDdd(out, b);
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string Ipv4Text(const uint8_t* a) {
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
         std::to_string(a[3]);
}

std::string Ipv6Text(const std::array<uint8_t, 16>& a) {
  char buf[INET6_ADDRSTRLEN];
  HM_CHECK(inet_ntop(AF_INET6, a.data(), buf, sizeof(buf)) != nullptr);
  return buf;
}

}  // namespace internal

namespace {

// ---------------------------------------------------------------------------------------------
// Fields

// Splits rdata text into raw fields. Outside quotes, whitespace separates fields, `;` starts a
// comment to the end of the line and `(` `)` group lines (one level, balanced). A `"` opens a
// quoted section anywhere in a field, and a backslash always takes the next byte with it, so
// neither an escaped nor a quoted delimiter ends the field.
Result<std::vector<std::string_view>> SplitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  bool in_parens = false;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (IsSpace(c)) {
      ++i;
    } else if (c == ';') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '(') {
      if (in_parens) return InvalidArgument("nested '('");
      in_parens = true;
      ++i;
    } else if (c == ')') {
      if (!in_parens) return InvalidArgument("')' without '('");
      in_parens = false;
      ++i;
    } else {
      size_t start = i;
      bool quoted = false;
      while (i < text.size()) {
        char d = text[i];
        if (d == '\\') {
          if (i + 1 == text.size()) return InvalidArgument("backslash at the end of the input");
          i += 2;
        } else if (quoted) {
          if (d == '"') quoted = false;
          ++i;
        } else if (d == '"') {
          quoted = true;
          ++i;
        } else if (IsSpace(d) || d == ';' || d == '(' || d == ')') {
          break;
        } else {
          ++i;
        }
      }
      if (quoted) return InvalidArgument("unterminated quoted string");
      fields.push_back(text.substr(start, i - start));
    }
  }
  if (in_parens) return InvalidArgument("'(' without ')'");
  return fields;
}

class Fields {
 public:
  explicit Fields(std::vector<std::string_view> fields) : fields_(std::move(fields)) {}

  bool Done() const { return next_ == fields_.size(); }
  Result<std::string_view> Next(std::string_view what) {
    if (Done()) return InvalidArgument("missing " + std::string(what));
    return fields_[next_++];
  }
  Status Finish() const {
    if (!Done()) return InvalidArgument("unexpected " + Shown(fields_[next_]) + " after the rdata");
    return Status::Ok();
  }

 private:
  std::vector<std::string_view> fields_;
  size_t next_ = 0;
};

// Numbers, addresses and names are written bare: no quotes, no escapes.
Result<std::string_view> Bare(std::string_view raw) {
  if (raw.find_first_of("\"\\") != std::string_view::npos)
    return InvalidArgument(Shown(raw) + ": quotes and escapes are not allowed here");
  return raw;
}

// A 32-bit number or a BIND-style duration such as 1w2d3h4m5s (SOA timers).
Result<uint32_t> ParseDuration(std::string_view s) {
  if (s.empty() || IsDigit(s.back())) return ParseDecimal(s, UINT32_MAX);
  uint64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start || i == s.size())
      return InvalidArgument(Shown(s) + " is not a number or a duration like 1w2d3h4m5s");
    HM_ASSIGN_OR_RETURN(uint32_t n, ParseDecimal(s.substr(start, i - start), UINT32_MAX));
    constexpr std::string_view kUnits = "smhdw";
    constexpr uint32_t kUnitSeconds[] = {1, 60, 3600, 86400, 604800};
    size_t unit = kUnits.find(AsciiLower(s[i]));
    if (unit == std::string_view::npos)
      return InvalidArgument(Shown(s) + ": unknown duration unit (use s, m, h, d or w)");
    ++i;
    total += uint64_t{n} * kUnitSeconds[unit];
    if (total > UINT32_MAX) return InvalidArgument(Shown(s) + " is over 4294967295 seconds");
  }
  return static_cast<uint32_t>(total);
}

Result<Name> ParseName(std::string_view raw) {
  if (raw.find('\\') != std::string_view::npos)
    return InvalidArgument(Shown(raw) + ": escapes in names are not supported");
  if (raw.find('"') != std::string_view::npos)
    return InvalidArgument(Shown(raw) + ": names are not quoted");
  if (raw == "@")
    return InvalidArgument("'@' (the zone origin) is not supported: write the full name");
  for (char c : raw) {
    auto b = static_cast<uint8_t>(c);
    if (b <= 0x20 || b >= 0x7F) return InvalidArgument(Shown(raw) + ": names are printable ASCII");
  }
  auto name = Name::FromText(raw);
  if (!name.ok()) return InvalidArgument(Shown(raw) + ": " + std::string(name.status().message()));
  return name;
}

Result<uint32_t> NumberField(Fields& f, std::string_view what, uint32_t max) {
  HM_ASSIGN_OR_RETURN(std::string_view raw, f.Next(what));
  HM_ASSIGN_OR_RETURN(raw, In(what, Bare(raw)));
  return In(what, ParseDecimal(raw, max));
}

Result<Name> NameField(Fields& f, std::string_view what) {
  HM_ASSIGN_OR_RETURN(std::string_view raw, f.Next(what));
  return In(what, ParseName(raw));
}

// ---------------------------------------------------------------------------------------------
// Typed rdata

Result<Rdata> ParseSoa(Fields& f) {
  SoaRecord soa;
  HM_ASSIGN_OR_RETURN(soa.mname, NameField(f, "mname"));
  HM_ASSIGN_OR_RETURN(soa.rname, NameField(f, "rname"));
  HM_ASSIGN_OR_RETURN(soa.serial, NumberField(f, "serial", UINT32_MAX));
  std::pair<const char*, uint32_t*> timers[] = {{"refresh", &soa.refresh},
                                                {"retry", &soa.retry},
                                                {"expire", &soa.expire},
                                                {"minimum", &soa.minimum}};
  for (auto [what, out] : timers) {
    HM_ASSIGN_OR_RETURN(std::string_view raw, f.Next(what));
    HM_ASSIGN_OR_RETURN(raw, In(what, Bare(raw)));
    HM_ASSIGN_OR_RETURN(*out, In(what, ParseDuration(raw)));
  }
  return Rdata(std::move(soa));
}

Result<Rdata> ParseTxt(Fields& f) {
  TxtRecord txt;
  size_t wire = 0;
  while (!f.Done()) {
    std::string what = "string " + std::to_string(txt.strings.size() + 1);
    HM_ASSIGN_OR_RETURN(std::string_view raw, f.Next(what));
    HM_ASSIGN_OR_RETURN(std::string s, In(what, DecodeCharString(raw)));
    if (s.size() > kMaxCharString) {
      return InvalidArgument(what + " is " + std::to_string(s.size()) +
                             " octets; at most 255 per string (split it into several strings)");
    }
    wire += 1 + s.size();
    if (wire > kMaxRdataLength) return InvalidArgument("rdata over 65535 octets");
    txt.strings.push_back(std::move(s));
  }
  return Rdata(std::move(txt));
}

Result<Rdata> ParseSrv(Fields& f) {
  SrvRecord srv;
  HM_ASSIGN_OR_RETURN(srv.priority, NumberField(f, "priority", 65535));
  HM_ASSIGN_OR_RETURN(srv.weight, NumberField(f, "weight", 65535));
  HM_ASSIGN_OR_RETURN(srv.port, NumberField(f, "port", 65535));
  HM_ASSIGN_OR_RETURN(srv.target, NameField(f, "target"));
  return Rdata(std::move(srv));
}

Result<Rdata> ParseCaa(Fields& f) {
  CaaRecord caa;
  HM_ASSIGN_OR_RETURN(caa.flags, NumberField(f, "flags", 255));
  HM_ASSIGN_OR_RETURN(std::string_view tag, f.Next("tag"));
  if (tag.empty() || tag.size() > 15 || !std::all_of(tag.begin(), tag.end(), IsAlnum))
    return InvalidArgument("tag: " + Shown(tag) + " is not 1..15 ASCII letters and digits");
  caa.tag = std::string(tag);
  HM_ASSIGN_OR_RETURN(std::string_view raw, f.Next("value"));
  HM_ASSIGN_OR_RETURN(std::string value, In("value", DecodeCharString(raw)));
  if (2 + tag.size() + value.size() > kMaxRdataLength)
    return InvalidArgument("value: rdata over 65535 octets");
  caa.value = base::ToBytes(value);
  return Rdata(std::move(caa));
}

Result<Rdata> ParseSvcb(Fields& f) {
  SvcbRecord svcb;
  HM_ASSIGN_OR_RETURN(svcb.priority, NumberField(f, "priority", 65535));
  HM_ASSIGN_OR_RETURN(svcb.target, NameField(f, "target"));
  while (!f.Done()) {
    HM_ASSIGN_OR_RETURN(std::string_view raw, f.Next("SvcParam"));
    HM_ASSIGN_OR_RETURN(auto param, ParseSvcParam(raw));
    svcb.params.push_back(std::move(param));
  }
  if (svcb.priority == 0 && !svcb.params.empty())
    return InvalidArgument("AliasMode (priority 0) takes no SvcParams");
  HM_TRY(CheckSvcParams(2 + svcb.target.WireLength(), svcb.params));
  return Rdata(std::move(svcb));
}

// RFC 3597 §5: \# <length> <hex>, the hex in one or more fields.
Result<Rdata> ParseGeneric(Fields& f) {
  HM_ASSIGN_OR_RETURN(std::string_view marker, f.Next("\\#"));
  HM_CHECK(marker == "\\#");
  HM_ASSIGN_OR_RETURN(uint32_t length, NumberField(f, "length", 65535));
  std::string hex;
  while (!f.Done()) {
    HM_ASSIGN_OR_RETURN(std::string_view raw, f.Next("hex"));
    HM_ASSIGN_OR_RETURN(raw, In("hex", Bare(raw)));
    hex += raw;
    if (hex.size() > 2 * kMaxRdataLength) break;  // the length check below rejects it
  }
  auto data = base::HexDecode(hex);
  if (!data.ok()) return InvalidArgument("hex: " + std::string(data.status().message()));
  if (data->size() != length) {
    return InvalidArgument("hex: " + std::to_string(data->size()) + " octets, length says " +
                           std::to_string(length));
  }
  return Rdata(OpaqueRecord{std::move(*data)});
}

bool IsTypedType(uint16_t type) {
  return std::any_of(std::begin(kTypeNames), std::end(kTypeNames),
                     [&](const Mnemonic& m) { return m.value == type; });
}

// RFC 6895 §3.1: 0 and 65535 are reserved, 128..255 are QTYPEs and meta-types, OPT is a
// pseudo-record. None of them can be zone data.
bool IsNoDataType(uint16_t type) {
  return type == 0 || type == rrtype::kOpt || (type >= 128 && type <= 255) || type == 65535;
}

Result<Rdata> ParseFields(uint16_t type, Fields& f) {
  switch (type) {
    case rrtype::kA: {
      HM_ASSIGN_OR_RETURN(std::string_view raw, f.Next("address"));
      HM_ASSIGN_OR_RETURN(raw, In("address", Bare(raw)));
      HM_ASSIGN_OR_RETURN(auto a, In("address", ParseIpv4(raw)));
      return Rdata(ARecord{a});
    }
    case rrtype::kAaaa: {
      HM_ASSIGN_OR_RETURN(std::string_view raw, f.Next("address"));
      HM_ASSIGN_OR_RETURN(raw, In("address", Bare(raw)));
      HM_ASSIGN_OR_RETURN(auto a, In("address", ParseIpv6(raw)));
      return Rdata(AaaaRecord{a});
    }
    case rrtype::kNs: {
      HM_ASSIGN_OR_RETURN(auto host, NameField(f, "host"));
      return Rdata(NsRecord{std::move(host)});
    }
    case rrtype::kCname: {
      HM_ASSIGN_OR_RETURN(auto target, NameField(f, "target"));
      return Rdata(CnameRecord{std::move(target)});
    }
    case rrtype::kSoa:
      return ParseSoa(f);
    case rrtype::kTxt:
      return ParseTxt(f);
    case rrtype::kSrv:
      return ParseSrv(f);
    case rrtype::kCaa:
      return ParseCaa(f);
    case rrtype::kSvcb:
    case rrtype::kHttps:
      return ParseSvcb(f);
    default:
      return ParseGeneric(f);
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

// Names from ParseRdataText print verbatim. Other bytes (possible only in names from the wire)
// get RFC 1035 escapes so that the output still means the same name to other tools.
void AppendName(std::string& out, const Name& name) {
  if (name.IsRoot()) {
    out += '.';
    return;
  }
  for (const auto& label : name.labels()) {
    for (char c : label) {
      auto b = static_cast<uint8_t>(c);
      if (b <= 0x20 || b >= 0x7F) {
        AppendDdd(out, b);
      } else if (c == '.' || c == '"' || c == '\\' || c == '(' || c == ')' || c == ';') {
        out += '\\';
        out += c;
      } else {
        out += c;
      }
    }
    out += '.';
  }
}

void AppendGeneric(std::string& out, const Bytes& data) {
  out += "\\# " + std::to_string(data.size());
  if (!data.empty()) out += " " + base::HexEncode(data);
}

// Used by a debug check only, hence maybe_unused.
[[maybe_unused]] bool RdataMatchesType(uint16_t type, const Rdata& rdata) {
  return std::visit(
      [&](const auto& d) {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, ARecord>) {
          return type == rrtype::kA;
        } else if constexpr (std::is_same_v<T, AaaaRecord>) {
          return type == rrtype::kAaaa;
        } else if constexpr (std::is_same_v<T, NsRecord>) {
          return type == rrtype::kNs;
        } else if constexpr (std::is_same_v<T, CnameRecord>) {
          return type == rrtype::kCname;
        } else if constexpr (std::is_same_v<T, SoaRecord>) {
          return type == rrtype::kSoa;
        } else if constexpr (std::is_same_v<T, TxtRecord>) {
          return type == rrtype::kTxt;
        } else if constexpr (std::is_same_v<T, SrvRecord>) {
          return type == rrtype::kSrv;
        } else if constexpr (std::is_same_v<T, CaaRecord>) {
          return type == rrtype::kCaa;
        } else if constexpr (std::is_same_v<T, SvcbRecord>) {
          return type == rrtype::kSvcb || type == rrtype::kHttps;
        } else if constexpr (std::is_same_v<T, OptRecord>) {
          return type == rrtype::kOpt;
        } else {
          static_assert(std::is_same_v<T, OpaqueRecord>);
          return !IsTypedType(type) && type != rrtype::kOpt;
        }
      },
      rdata);
}

}  // namespace

base::Result<uint16_t> ParseRrType(std::string_view text) {
  for (const auto& m : kTypeNames) {
    if (EqualsIgnoreCase(text, m.name)) return m.value;
  }
  if (text.size() > 4 && EqualsIgnoreCase(text.substr(0, 4), "TYPE")) {
    std::string_view digits = text.substr(4);
    if (digits.size() == 1 || digits[0] != '0') {
      auto v = ParseDecimal(digits, 65535);
      if (v.ok()) return static_cast<uint16_t>(*v);
    }
  }
  return InvalidArgument("unknown record type " + Shown(text) +
                         " (A, AAAA, NS, CNAME, SOA, TXT, SRV, CAA, SVCB, HTTPS or TYPEnnn)");
}

std::string RrTypeName(uint16_t type) {
  for (const auto& m : kTypeNames) {
    if (m.value == type) return std::string(m.name);
  }
  return "TYPE" + std::to_string(type);
}

base::Result<Rdata> ParseRdataText(uint16_t type, std::string_view text) {
  const std::string type_name = RrTypeName(type);
  if (IsNoDataType(type))
    return InvalidArgument(type_name + " is a meta or pseudo type and holds no zone data");
  HM_ASSIGN_OR_RETURN(auto split, In(type_name, SplitFields(text)));
  if (split.empty()) return InvalidArgument(type_name + ": empty rdata");
  bool generic = split[0] == "\\#";
  if (generic && IsTypedType(type)) {
    return InvalidArgument(type_name + ": the generic \\# form is only for types without a " +
                           "presentation format here; write the " + type_name + " fields");
  }
  if (!generic && !IsTypedType(type)) {
    return InvalidArgument(type_name + ": only the RFC 3597 generic form \\# <length> <hex> " +
                           "is accepted for this type");
  }
  Fields fields(std::move(split));
  HM_ASSIGN_OR_RETURN(Rdata rdata, In(type_name, ParseFields(type, fields)));
  HM_TRY(fields.Finish().WithContext(type_name));
  return rdata;
}

std::string FormatRdataText(uint16_t type, const Rdata& rdata) {
  HM_DCHECK(RdataMatchesType(type, rdata));
  std::string out;
  std::visit(
      [&](const auto& d) {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, ARecord>) {
          out = Ipv4Text(d.address.data());
        } else if constexpr (std::is_same_v<T, AaaaRecord>) {
          out = Ipv6Text(d.address);
        } else if constexpr (std::is_same_v<T, NsRecord>) {
          AppendName(out, d.host);
        } else if constexpr (std::is_same_v<T, CnameRecord>) {
          AppendName(out, d.target);
        } else if constexpr (std::is_same_v<T, SoaRecord>) {
          AppendName(out, d.mname);
          out += ' ';
          AppendName(out, d.rname);
          for (uint32_t v : {d.serial, d.refresh, d.retry, d.expire, d.minimum})
            out += " " + std::to_string(v);
        } else if constexpr (std::is_same_v<T, TxtRecord>) {
          for (size_t i = 0; i < d.strings.size(); ++i) {
            if (i > 0) out += ' ';
            AppendQuoted(out, d.strings[i]);
          }
        } else if constexpr (std::is_same_v<T, SrvRecord>) {
          out = std::to_string(d.priority) + " " + std::to_string(d.weight) + " " +
                std::to_string(d.port) + " ";
          AppendName(out, d.target);
        } else if constexpr (std::is_same_v<T, CaaRecord>) {
          out = std::to_string(d.flags) + " " + d.tag + " ";
          AppendQuoted(out, base::AsString(d.value));
        } else if constexpr (std::is_same_v<T, SvcbRecord>) {
          out = std::to_string(d.priority) + " ";
          AppendName(out, d.target);
          for (const auto& p : d.params) {
            out += ' ';
            AppendSvcParam(out, p);
          }
        } else if constexpr (std::is_same_v<T, OptRecord>) {
          Bytes wire;  // OPT is not zone data; shown generically for diagnostics only
          for (const auto& o : d.options) {
            PutU16(wire, o.code);
            PutU16(wire, static_cast<uint16_t>(o.data.size()));
            wire.insert(wire.end(), o.data.begin(), o.data.end());
          }
          AppendGeneric(out, wire);
        } else {
          static_assert(std::is_same_v<T, OpaqueRecord>);
          AppendGeneric(out, d.data);
        }
      },
      rdata);
  return out;
}

}  // namespace hm::trustchain::dns