// SvcParams of SVCB/HTTPS rdata in presentation format (RFC 9460 §2.1, §7, §8; see
// docs/spec/dns-presentation.md): parsing, the consistency checks and formatting, for
// rdata_text.cc. Pure functions, no I/O; thread-safe.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/check.h"
#include "trustchain/dns/registry/internal/svcb_text.h"

namespace hm::trustchain::dns::internal {
namespace {

using base::Bytes;
using base::InvalidArgument;
using base::Result;
using base::Status;

using SvcValue = decltype(SvcParam::value);

constexpr Mnemonic kSvcKeyNames[] = {
    {svckey::kMandatory, "mandatory"},
    {svckey::kAlpn, "alpn"},
    {svckey::kNoDefaultAlpn, "no-default-alpn"},
    {svckey::kPort, "port"},
    {svckey::kIpv4Hint, "ipv4hint"},
    {svckey::kEch, "ech"},
    {svckey::kIpv6Hint, "ipv6hint"},
};

std::string SvcKeyName(uint16_t key) {
  for (const auto& k : kSvcKeyNames) {
    if (k.value == key) return std::string(k.name);
  }
  return "key" + std::to_string(key);
}

Result<uint16_t> ParseSvcKey(std::string_view text) {
  for (const auto& k : kSvcKeyNames) {
    if (text == k.name) return k.value;
  }
  std::string_view digits = text.substr(std::min<size_t>(3, text.size()));
  if (text.substr(0, 3) != "key" || digits.empty() || (digits.size() > 1 && digits[0] == '0'))
    return InvalidArgument("unknown SvcParamKey " + Shown(text));
  auto v = ParseDecimal(digits, 65535);
  if (!v.ok()) return InvalidArgument("unknown SvcParamKey " + Shown(text));
  if (*v == 65535) return InvalidArgument("SvcParamKey key65535 is reserved");
  return static_cast<uint16_t>(*v);
}

// RFC 9460 Appendix A.1: a value list is split at commas; "\," and "\\" (after the
// character-string decoding) stand for a literal comma and backslash inside an item.
Result<std::vector<std::string>> SplitValueList(std::string_view value) {
  if (value.empty()) return InvalidArgument("empty value (a list of one or more items)");
  std::vector<std::string> items(1);
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\') {
      if (i + 1 == value.size() || (value[i + 1] != ',' && value[i + 1] != '\\'))
        return InvalidArgument("only \\, and \\\\ may be escaped inside a list item");
      items.back() += value[++i];
    } else if (c == ',') {
      if (items.back().empty()) return InvalidArgument("empty list item");
      items.emplace_back();
    } else {
      items.back() += c;
    }
  }
  if (items.back().empty()) return InvalidArgument("empty list item");
  return items;
}

// Decodes a mandatory value: strictly increasing keys, none of them "mandatory" (RFC 9460 §8).
bool DecodeMandatory(const Bytes& b, std::vector<uint16_t>* keys) {
  if (b.empty() || b.size() % 2 != 0) return false;
  for (size_t i = 0; i < b.size(); i += 2) {
    auto k = static_cast<uint16_t>(b[i] << 8 | b[i + 1]);
    if (k == svckey::kMandatory || (!keys->empty() && k <= keys->back())) return false;
    keys->push_back(k);
  }
  return true;
}

Result<SvcValue> ParseSvcValue(uint16_t key, std::string_view value) {
  if (key > svckey::kIpv6Hint) return SvcValue(base::ToBytes(value));  // opaque, may be empty
  if (key == svckey::kNoDefaultAlpn) {
    if (!value.empty()) return InvalidArgument("takes no value");
    return SvcValue(Bytes{});
  }
  if (value.empty()) return InvalidArgument("needs a value");
  switch (key) {
    case svckey::kMandatory: {
      HM_ASSIGN_OR_RETURN(auto items, SplitValueList(value));
      std::vector<uint16_t> keys;
      for (const auto& item : items) {
        HM_ASSIGN_OR_RETURN(uint16_t k, ParseSvcKey(item));
        if (k == svckey::kMandatory) return InvalidArgument("must not list itself");
        keys.push_back(k);
      }
      std::sort(keys.begin(), keys.end());
      Bytes b;
      for (size_t i = 0; i < keys.size(); ++i) {
        if (i > 0 && keys[i] == keys[i - 1])
          return InvalidArgument("lists " + SvcKeyName(keys[i]) + " twice");
        PutU16(b, keys[i]);
      }
      return SvcValue(std::move(b));
    }
    case svckey::kAlpn: {
      HM_ASSIGN_OR_RETURN(auto ids, SplitValueList(value));
      for (const auto& id : ids) {
        if (id.size() > kMaxCharString)
          return InvalidArgument("protocol id longer than 255 octets");
      }
      return SvcValue(SvcAlpn{std::move(ids)});
    }
    case svckey::kPort: {
      HM_ASSIGN_OR_RETURN(uint32_t port, ParseDecimal(value, 65535));
      return SvcValue(SvcPort{static_cast<uint16_t>(port)});
    }
    case svckey::kIpv4Hint: {
      HM_ASSIGN_OR_RETURN(auto items, SplitValueList(value));
      Bytes b;
      for (const auto& item : items) {
        HM_ASSIGN_OR_RETURN(auto a, ParseIpv4(item));
        b.insert(b.end(), a.begin(), a.end());
      }
      return SvcValue(std::move(b));
    }
    case svckey::kEch: {
      auto b = base::Base64Decode(value);
      if (!b.ok() || b->empty()) return InvalidArgument("is not non-empty base64");
      return SvcValue(std::move(*b));
    }
    case svckey::kIpv6Hint: {
      HM_ASSIGN_OR_RETURN(auto items, SplitValueList(value));
      SvcIpv6Hint hint;
      for (const auto& item : items) {
        HM_ASSIGN_OR_RETURN(auto a, ParseIpv6(item));
        hint.addresses.push_back(a);
      }
      return SvcValue(std::move(hint));
    }
    default:
      HM_CHECK(false);  // every key up to kIpv6Hint has a case, the rest returned above
      return SvcValue(Bytes{});
  }
}

Bytes SvcValueBytes(const SvcParam& p) {
  Bytes b;
  if (const auto* alpn = std::get_if<SvcAlpn>(&p.value)) {
    for (const auto& id : alpn->ids) {
      b.push_back(static_cast<uint8_t>(id.size()));
      b.insert(b.end(), id.begin(), id.end());
    }
  } else if (const auto* port = std::get_if<SvcPort>(&p.value)) {
    PutU16(b, port->port);
  } else if (const auto* hint = std::get_if<SvcIpv6Hint>(&p.value)) {
    for (const auto& a : hint->addresses) b.insert(b.end(), a.begin(), a.end());
  } else {
    b = std::get<Bytes>(p.value);
  }
  return b;
}

// The typed text of a param value, or false when the value does not decode (wire data only).
bool AppendSvcValue(std::string& out, const SvcParam& p) {
  const auto* raw = std::get_if<Bytes>(&p.value);
  switch (p.key) {
    case svckey::kMandatory: {
      std::vector<uint16_t> keys;
      if (raw == nullptr || !DecodeMandatory(*raw, &keys)) return false;
      for (size_t i = 0; i < keys.size(); ++i) out += (i ? "," : "=") + SvcKeyName(keys[i]);
      return true;
    }
    case svckey::kAlpn: {
      const auto* alpn = std::get_if<SvcAlpn>(&p.value);
      if (alpn == nullptr || alpn->ids.empty()) return false;
      std::string list;  // RFC 9460 A.1 list escaping, then quoted as a character-string
      for (const auto& id : alpn->ids) {
        if (id.empty() || id.size() > kMaxCharString) return false;
        if (!list.empty()) list += ',';
        for (char c : id) {
          if (c == ',' || c == '\\') list += '\\';
          list += c;
        }
      }
      out += '=';
      AppendQuoted(out, list);
      return true;
    }
    case svckey::kNoDefaultAlpn:
      return raw != nullptr && raw->empty();
    case svckey::kPort: {
      const auto* port = std::get_if<SvcPort>(&p.value);
      if (port == nullptr) return false;
      out += "=" + std::to_string(port->port);
      return true;
    }
    case svckey::kIpv4Hint:
      if (raw == nullptr || raw->empty() || raw->size() % 4 != 0) return false;
      for (size_t i = 0; i < raw->size(); i += 4) out += (i ? "," : "=") + Ipv4Text(&(*raw)[i]);
      return true;
    case svckey::kEch:
      if (raw == nullptr || raw->empty()) return false;
      out += "=" + base::Base64Encode(*raw);
      return true;
    case svckey::kIpv6Hint: {
      const auto* hint = std::get_if<SvcIpv6Hint>(&p.value);
      if (hint == nullptr || hint->addresses.empty()) return false;
      for (size_t i = 0; i < hint->addresses.size(); ++i)
        out += (i ? "," : "=") + Ipv6Text(hint->addresses[i]);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

Result<SvcParam> ParseSvcParam(std::string_view raw) {
  size_t eq = raw.find('=');
  std::string_view key_text = raw.substr(0, eq);
  if (key_text.empty()) return InvalidArgument(Shown(raw) + ": missing SvcParamKey before '='");
  HM_ASSIGN_OR_RETURN(uint16_t key, ParseSvcKey(key_text));
  std::string value;
  if (eq != std::string_view::npos) {
    HM_ASSIGN_OR_RETURN(value, In(SvcKeyName(key), DecodeCharString(raw.substr(eq + 1))));
  }
  HM_ASSIGN_OR_RETURN(auto typed, In(SvcKeyName(key), ParseSvcValue(key, value)));
  return SvcParam{key, std::move(typed)};
}

Status CheckSvcParams(size_t fixed, std::vector<SvcParam>& params) {
  std::sort(params.begin(), params.end(),
            [](const SvcParam& a, const SvcParam& b) { return a.key < b.key; });
  size_t wire = fixed;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0 && params[i].key == params[i - 1].key)
      return InvalidArgument("duplicate SvcParamKey " + SvcKeyName(params[i].key));
    wire += 4 + SvcValueBytes(params[i]).size();
  }
  if (wire > kMaxRdataLength) return InvalidArgument("rdata over 65535 octets");
  auto has = [&](uint16_t key) {
    return std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.key == key; });
  };
  if (has(svckey::kNoDefaultAlpn) && !has(svckey::kAlpn))
    return InvalidArgument("no-default-alpn needs alpn as well");
  if (!params.empty() && params[0].key == svckey::kMandatory) {
    std::vector<uint16_t> keys;
    bool decoded = DecodeMandatory(std::get<Bytes>(params[0].value), &keys);
    HM_CHECK(decoded);  // ParseSvcValue built it sorted and unique
    for (uint16_t k : keys) {
      if (!has(k)) return InvalidArgument("mandatory lists " + SvcKeyName(k) + ", which is absent");
    }
  }
  return Status::Ok();
}

void AppendSvcParam(std::string& out, const SvcParam& p) {
  std::string typed = SvcKeyName(p.key);
  if (AppendSvcValue(typed, p)) {
    out += typed;
    return;
  }
  // Unknown keys, and known keys whose value does not decode: opaque, empty value left out.
  out += "key" + std::to_string(p.key);
  Bytes value = SvcValueBytes(p);
  if (!value.empty()) {
    out += '=';
    AppendQuoted(out, base::AsString(value));
  }
}

}  // namespace hm::trustchain::dns::internal
