// Router: maps (method, path pattern) to handlers for every front end (HTTP/1.1 and HTTP/3).
// Patterns are literal segments and "{name}" parameters: "/api/v1/certificates/{serial}".
// Thread-safety: Add() only during setup, before any front end serves; Match/Dispatch are const
// and safe from any number of threads afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.h"
#include "base/status.h"

namespace hm::api {

// Handlers may block briefly; front ends run them off the I/O threads.
using Handler = std::function<Response(const Request&)>;

// Delivers a response; call it exactly once, from any thread, at any later time.
using Responder = std::function<void(Response)>;
// An asynchronous handler answers through `respond`, e.g. once a transaction's block commits, so
// no thread waits meanwhile. The request is destroyed when the handler returns: copy what the
// answer needs.
using AsyncHandler = std::function<void(const Request&, Responder respond)>;

// A route's handler: exactly one of the two is set.
struct Endpoint {
  Handler sync;
  AsyncHandler async;
};

struct RouteOptions {
  uint64_t max_body_bytes = 0;  // 0: the front end's default limit
};

// Metrics label for requests that match no route.
inline constexpr std::string_view kUnmatchedRoute = "unmatched";

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  // The route's pattern (bounded cardinality for metrics), or kUnmatchedRoute.
  std::string label = std::string(kUnmatchedRoute);
  std::string allow;  // for kMethodNotAllowed: "GET, HEAD, POST"
  RouteOptions options;
  std::map<std::string, std::string> params;
  const Endpoint* endpoint = nullptr;  // kFound only; owned by the Router
};

class Router {
 public:
  Router() = default;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Errors: kInvalidArgument (bad method token or pattern, or a null handler), kAlreadyExists
  // (same method on an equivalent pattern). HEAD is served by GET routes automatically.
  base::Status Add(std::string_view method, std::string_view pattern, Handler handler,
                   RouteOptions options = {});
  base::Status AddAsync(std::string_view method, std::string_view pattern, AsyncHandler handler,
                        RouteOptions options = {});

  // Resolves without running anything (front ends use it to pick the body limit before reading
  // the body). Literal segments beat parameters; among patterns matching the path, the most
  // specific one that has the method wins.
  RouteMatch Match(std::string_view method, std::string_view path) const;

  // Match + run: 404/405 JSON for no route; fills request.path_params. A handler that throws
  // gets a 500 (the exception is logged, never shown).
  // Waits for asynchronous handlers (tests and tools; front ends use DispatchAsync).
  Response Dispatch(Request& request) const;
  Response Dispatch(Request& request, const RouteMatch& match) const;
  // Runs the handler; `respond` is called exactly once, possibly later and on another thread.
  void DispatchAsync(Request& request, const RouteMatch& match, Responder respond) const;

  size_t size() const;

 private:
  struct Segment {
    bool is_param;
    std::string text;  // literal text or parameter name
  };
  base::Status AddEndpoint(std::string_view method, std::string_view pattern, Endpoint endpoint,
                           RouteOptions options);
  using MethodEntry = std::pair<std::shared_ptr<Endpoint>, RouteOptions>;
  struct Route {
    std::string pattern;
    std::vector<Segment> segments;
    std::map<std::string, MethodEntry> methods;
  };

  static bool MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                            std::map<std::string, std::string>* params);
  static bool MoreSpecific(const Route& a, const Route& b);
  // The entry serving `method`; HEAD falls back to GET.
  static const MethodEntry* FindMethod(const Route& route, std::string_view method);

  std::vector<Route> routes_;
};

// Parses a request body that must be a JSON object. Rejections (kInvalidArgument -> 400): empty
// body, malformed JSON (the parser's message), nesting deeper than 64, a non-object. A
// Content-Type other than application/json gives UnsupportedMediaType() (-> 415); an absent
// Content-Type is accepted.
base::Result<nlohmann::json> ParseJsonBody(const Request& request);

}  // namespace hm::api
