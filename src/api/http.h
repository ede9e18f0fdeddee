// Transport-neutral HTTP request and response values. The HTTP/1.1 (Beast) and HTTP/3 front ends
// both translate to and from these, so nothing here depends on a wire library.
// Thread-safety: plain values; a const instance may be shared.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/ascii.h"
#include "base/status.h"

namespace hm::api {

// ASCII case-insensitive ordering, for header names.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using base::EqualsIgnoreCase;

// Header name -> value; repeated fields are joined with ", " (RFC 9110 section 5.3).
using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;  // as received, e.g. "GET"
  std::string path;    // origin-form path without the query, still percent-encoded
  std::map<std::string, std::string> query;  // decoded; the last occurrence of a key wins
  HeaderMap headers;
  std::string body;
  std::string remote_address;                      // peer IP literal, e.g. "::1"
  std::map<std::string, std::string> path_params;  // decoded; filled by the Router

  // The header's value, or "" when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const { return headers.count(name) != 0; }
  std::optional<std::string_view> Query(std::string_view name) const;
  std::string_view PathParam(std::string_view name) const;
};

// Splits an origin-form target ("/a/b?x=1&y") into request->path and request->query.
// Rejects (kInvalidArgument) targets that do not start with '/', contain control characters,
// spaces or '#', or have malformed percent-escapes.
base::Status ParseRequestTarget(std::string_view target, Request* request);

// Decodes %XX escapes (and '+' as space when `plus_as_space`). kInvalidArgument on a bad escape.
base::Result<std::string> PercentDecode(std::string_view in, bool plus_as_space);

// A body read piece by piece instead of held in Response::body (large or generated bodies, sent
// without building them in memory): `size` bytes; read(offset), for offset < size, returns a
// non-empty view of the bytes from `offset` on, at most size - offset long, that stays valid for
// as long as this source (or a copy) lives. Called on the connection's thread; must not block.
struct BodySource {
  uint64_t size = 0;
  std::function<std::span<const uint8_t>(uint64_t offset)> read;
};

struct Response {
  int status = 200;
  std::string content_type;  // the server supplies a default when empty
  std::string body;
  std::optional<BodySource> source;  // when set, this is the body and `body` is ignored
  // Extra headers. Content-Length, Connection, Transfer-Encoding and Server are owned by the
  // front end and ignored here.
  std::vector<std::pair<std::string, std::string>> headers;

  // `body` serialised compactly; invalid UTF-8 in strings is replaced rather than thrown on.
  static Response Json(int status, const nlohmann::json& body);
  static Response Text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  Response& AddHeader(std::string name, std::string value);
  std::string_view Header(std::string_view name) const;
  uint64_t BodySize() const { return source ? source->size : body.size(); }
  // The whole body as one string (reading `source` out when set), leaving this body empty.
  std::string TakeBody();
};

// Reads a response body in order, from `body` or `source`, for the front ends that send it in
// pieces (HTTP/2 copies them into frames; HTTP/3 hands the views to the QUIC stack, which keeps
// pointing at them until they are acknowledged, so views stay valid while the cursor lives).
class BodyCursor {
 public:
  BodyCursor() = default;
  // Takes the body out of `response`.
  explicit BodyCursor(Response& response);
  uint64_t size() const { return size_; }
  bool done() const { return offset_ == size_; }
  // The next piece, at most `max` bytes (empty once done).
  std::span<const uint8_t> Next(size_t max = SIZE_MAX);

 private:
  std::string held_;
  std::optional<BodySource> source_;
  uint64_t size_ = 0;
  uint64_t offset_ = 0;
};

inline constexpr std::string_view kJsonContentType = "application/json";

}  // namespace hm::api
