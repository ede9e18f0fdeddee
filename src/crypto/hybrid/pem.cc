#include "crypto/hybrid/pem.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <vector>

namespace hm::crypto::hybrid {
namespace {

using base::InvalidArgument;

constexpr size_t kLineWidth = 64;
constexpr size_t kMaxPemText = size_t{4} << 20;

// Splits on '\n', dropping one '\r' before it. A final line without '\n' is kept.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    const size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string Boundary(std::string_view kind, std::string_view label) {
  return fmt::format("-----{} {}-----", kind, label);
}

void Wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

}  // namespace

std::string PemEncode(std::string_view label, base::ByteSpan der) {
  std::string b64 = base::Base64Encode(der);
  std::string out = Boundary("BEGIN", label) + "\n";
  for (size_t i = 0; i < b64.size(); i += kLineWidth) {
    out.append(b64, i, kLineWidth);
    out.push_back('\n');
  }
  out += Boundary("END", label) + "\n";
  Wipe(b64);  // may encode a private key
  return out;
}

std::string PemLabel(std::string_view text) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  if (text.substr(0, kBegin.size()) != kBegin) return {};
  const size_t end = text.find("-----", kBegin.size());
  if (end == std::string_view::npos || end - kBegin.size() > 64) return {};
  return std::string(text.substr(kBegin.size(), end - kBegin.size()));
}

base::Result<base::Bytes> PemDecode(std::string_view label, std::string_view text) {
  if (text.size() > kMaxPemText) return InvalidArgument("PEM text too large");
  const std::vector<std::string_view> lines = SplitLines(text);
  if (lines.empty() || lines[0] != Boundary("BEGIN", label)) {
    const std::string found = PemLabel(text);
    if (!found.empty()) {
      return InvalidArgument(fmt::format("PEM label is \"{}\", want \"{}\"", found, label));
    }
    return InvalidArgument(fmt::format("not a PEM \"{}\" block", label));
  }
  const std::string end = Boundary("END", label);
  size_t i = 1;
  std::string b64;
  bool short_line_seen = false;
  for (; i < lines.size() && lines[i] != end; ++i) {
    const std::string_view line = lines[i];
    if (line.find(':') != std::string_view::npos) {
      return InvalidArgument("PEM headers (e.g. encryption) are not supported");
    }
    if (line.empty() || line.size() > kLineWidth || short_line_seen) {
      return InvalidArgument("PEM body lines must be 64 base64 characters (the last shorter)");
    }
    short_line_seen = line.size() < kLineWidth;
    b64.append(line);
  }
  if (i == lines.size()) return InvalidArgument(fmt::format("PEM block has no \"{}\" line", end));
  for (size_t j = i + 1; j < lines.size(); ++j) {
    if (!lines[j].empty()) return InvalidArgument("unexpected text after the PEM block");
  }
  if (b64.empty()) return InvalidArgument("PEM block is empty");
  auto der = base::Base64Decode(b64);
  Wipe(b64);
  if (!der.ok()) {
    return InvalidArgument(fmt::format("PEM body is not valid base64: {}", der.status().message()));
  }
  return std::move(der).value();
}

}  // namespace hm::crypto::hybrid
