#include "api/http.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/ascii.h"
#include "base/check.h"

namespace hm::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsAllowedTargetChar(unsigned char c) { return c > 0x20 && c < 0x7f && c != '#'; }

base::Status ParseQuery(std::string_view query, Request* request) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    if (!key.ok()) return key.status().WithContext("query");
    std::string value;
    if (eq != std::string_view::npos) {
      auto v = PercentDecode(pair.substr(eq + 1), true);
      if (!v.ok()) return v.status().WithContext("query");
      value = std::move(*v);
    }
    request->query[std::move(*key)] = std::move(value);
  }
  return base::Status::Ok();
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const char x = base::AsciiLower(a[i]);
    const char y = base::AsciiLower(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
  }
  return a.size() < b.size();
}

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::string_view Request::PathParam(std::string_view name) const {
  auto it = path_params.find(std::string(name));
  return it == path_params.end() ? std::string_view() : std::string_view(it->second);
}

base::Result<std::string> PercentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      const int hi = i + 2 < in.size() ? HexValue(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? HexValue(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return base::InvalidArgument(fmt::format("malformed percent-escape at offset {}", i));
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

base::Status ParseRequestTarget(std::string_view target, Request* request) {
  if (target.empty() || target.front() != '/') {
    return base::InvalidArgument("request target must start with '/'");
  }
  for (unsigned char c : target) {
    if (!IsAllowedTargetChar(c)) {
      return base::InvalidArgument(
          fmt::format("request target contains an invalid character 0x{:02x}", c));
    }
  }
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  auto decoded = PercentDecode(path, false);  // validates escapes; routing uses the raw path
  if (!decoded.ok()) return decoded.status().WithContext("path");
  request->path = std::string(path);
  request->query.clear();
  if (q != std::string_view::npos) HM_TRY(ParseQuery(target.substr(q + 1), request));
  return base::Status::Ok();
}

Response Response::Json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response& Response::AddHeader(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::string Response::TakeBody() {
  if (!source) return std::exchange(body, std::string());
  BodyCursor cursor(*this);
  std::string out;
  out.reserve(cursor.size());
  while (!cursor.done()) {
    const std::span<const uint8_t> piece = cursor.Next();
    out.append(reinterpret_cast<const char*>(piece.data()), piece.size());
  }
  return out;
}

BodyCursor::BodyCursor(Response& response)
    : held_(response.source ? std::string() : std::exchange(response.body, std::string())),
      source_(std::exchange(response.source, std::nullopt)),
      size_(source_ ? source_->size : held_.size()) {}

std::span<const uint8_t> BodyCursor::Next(size_t max) {
  const uint64_t left = size_ - offset_;
  std::span<const uint8_t> piece;
  if (source_) {
    if (left > 0) piece = source_->read(offset_);
  } else {
    piece = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(held_.data()) + offset_,
                                     static_cast<size_t>(left));
  }
  // A source returning nothing would stall the stream (more than is left is cut below).
  HM_CHECK_MSG(left == 0 || !piece.empty(), "BodySource::read returned an empty piece");
  piece = piece.first(static_cast<size_t>(std::min<uint64_t>({piece.size(), left, max})));
  offset_ += piece.size();
  return piece;
}

std::string_view Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

}  // namespace hm::api
