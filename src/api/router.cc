#include "api/router.h"

#include <atomic>
#include <future>

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>
#include <set>

#include "base/ascii.h"
#include "api/errors.h"
#include "base/log.h"

namespace hm::api {
namespace {

constexpr int kMaxJsonDepth = 64;

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsParamNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// "/a/b" -> {"a","b"}; "/" -> {}. Empty segments are kept so they never match.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.empty() || path == "/") return parts;
  size_t start = path.front() == '/' ? 1 : 0;
  while (true) {
    const size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

// The longest run of nested arrays/objects outside strings, found without parsing.
int JsonNestingDepth(std::string_view text) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

// "application/JSON; charset=utf-8" -> "application/json".
std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  return base::AsciiLowercase(t);
}

}  // namespace

base::Status Router::Add(std::string_view method, std::string_view pattern, Handler handler,
                         RouteOptions options) {
  if (!handler)
    return base::InvalidArgument(fmt::format("route {} {} has no handler", method, pattern));
  return AddEndpoint(method, pattern, Endpoint{std::move(handler), nullptr}, options);
}

base::Status Router::AddAsync(std::string_view method, std::string_view pattern,
                              AsyncHandler handler, RouteOptions options) {
  if (!handler)
    return base::InvalidArgument(fmt::format("route {} {} has no handler", method, pattern));
  return AddEndpoint(method, pattern, Endpoint{nullptr, std::move(handler)}, options);
}

base::Status Router::AddEndpoint(std::string_view method, std::string_view pattern,
                                 Endpoint endpoint, RouteOptions options) {
  if (method.empty() || !std::all_of(method.begin(), method.end(), IsTokenChar)) {
    return base::InvalidArgument(fmt::format("route method '{}' is not an HTTP token", method));
  }
  if (pattern.empty() || pattern.front() != '/') {
    return base::InvalidArgument(fmt::format("route pattern '{}' must start with '/'", pattern));
  }
  Route route;
  route.pattern = std::string(pattern);
  std::set<std::string> names;
  for (std::string_view part : SplitPath(pattern)) {
    const bool param = part.size() >= 2 && part.front() == '{' && part.back() == '}';
    const std::string_view text = param ? part.substr(1, part.size() - 2) : part;
    const bool valid = param
                           ? !text.empty() && std::all_of(text.begin(), text.end(), IsParamNameChar)
                           : !text.empty() && text.find_first_of("{}?#%") == text.npos;
    if (!valid || (param && !names.insert(std::string(text)).second)) {
      return base::InvalidArgument(
          fmt::format("route pattern '{}' has an invalid segment '{}'", pattern, part));
    }
    route.segments.push_back(Segment{param, std::string(text)});
  }
  // Patterns of the same shape ("/a/{x}" and "/a/{y}") share one entry.
  auto same_shape = [&](const Route& r) {
    if (r.segments.size() != route.segments.size()) return false;
    for (size_t i = 0; i < r.segments.size(); ++i) {
      const Segment& a = r.segments[i];
      const Segment& b = route.segments[i];
      if (a.is_param != b.is_param || (!a.is_param && a.text != b.text)) return false;
    }
    return true;
  };
  auto it = std::find_if(routes_.begin(), routes_.end(), same_shape);
  if (it == routes_.end()) it = routes_.insert(routes_.end(), std::move(route));
  const std::string m(method);
  if (it->methods.count(m) != 0) {
    return base::AlreadyExists(
        fmt::format("route {} {} conflicts with {} {}", method, pattern, method, it->pattern));
  }
  it->methods.emplace(m, std::make_pair(std::make_shared<Endpoint>(std::move(endpoint)), options));
  return base::Status::Ok();
}

bool Router::MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                           std::map<std::string, std::string>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Segment& seg = route.segments[i];
    if (seg.is_param) {
      if (parts[i].empty()) return false;
      auto decoded = PercentDecode(parts[i], false);
      if (!decoded.ok()) return false;
      (*params)[seg.text] = std::move(*decoded);
    } else if (seg.text != parts[i]) {
      return false;
    }
  }
  return true;
}

bool Router::MoreSpecific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
  }
  return false;
}

const Router::MethodEntry* Router::FindMethod(const Route& route, std::string_view method) {
  auto it = route.methods.find(std::string(method));
  if (it == route.methods.end() && method == "HEAD") it = route.methods.find("GET");
  return it == route.methods.end() ? nullptr : &it->second;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  const std::vector<std::string_view> parts = SplitPath(path);
  const Route* best = nullptr;  // most specific route that has the method
  const MethodEntry* best_entry = nullptr;
  const Route* most_specific = nullptr;  // most specific route matching the path at all
  std::map<std::string, std::string> best_params;
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!MatchSegments(route, parts, &params)) continue;
    if (most_specific == nullptr || MoreSpecific(route, *most_specific)) most_specific = &route;
    for (const auto& entry : route.methods) allowed.insert(entry.first);
    const MethodEntry* entry = FindMethod(route, method);
    if (entry != nullptr && (best == nullptr || MoreSpecific(route, *best))) {
      best = &route;
      best_entry = entry;
      best_params = std::move(params);
    }
  }
  if (best != nullptr) {
    result.kind = RouteMatch::Kind::kFound;
    result.label = best->pattern;
    result.endpoint = best_entry->first.get();
    result.options = best_entry->second;
    result.params = std::move(best_params);
    return result;
  }
  if (most_specific == nullptr) return result;
  if (allowed.count("GET") != 0) allowed.insert("HEAD");
  result.kind = RouteMatch::Kind::kMethodNotAllowed;
  result.label = most_specific->pattern;
  for (const auto& m : allowed) result.allow += (result.allow.empty() ? "" : ", ") + m;
  return result;
}

Response Router::Dispatch(Request& request) const {
  return Dispatch(request, Match(request.method, request.path));
}

Response Router::Dispatch(Request& request, const RouteMatch& match) const {
  std::promise<Response> answer;
  std::future<Response> future = answer.get_future();
  DispatchAsync(request, match, [&answer](Response r) { answer.set_value(std::move(r)); });
  return future.get();
}

void Router::DispatchAsync(Request& request, const RouteMatch& match, Responder respond) const {
  switch (match.kind) {
    case RouteMatch::Kind::kNotFound:
      return respond(RouteNotFound(request.path));
    case RouteMatch::Kind::kMethodNotAllowed:
      return respond(MethodNotAllowed(request.method, match.allow));
    case RouteMatch::Kind::kFound:
      break;
  }
  request.path_params = match.params;
  // The responder may run at most once, whatever a handler does.
  auto once = std::make_shared<std::atomic<bool>>(false);
  Responder guarded = [once, respond = std::move(respond)](Response r) {
    if (!once->exchange(true)) respond(std::move(r));
  };
  // Handlers are project code and should not throw, but a stray library exception (say, a JSON
  // type error on unexpected input) must cost one request, not the process.
  try {
    if (match.endpoint->sync) {
      guarded(match.endpoint->sync(request));
    } else {
      match.endpoint->async(request, guarded);
    }
    return;
  } catch (const std::exception& e) {
    HM_LOG_RATELIMITED(base::LogLevel::kError, 5, "api", "handler for {} {} threw: {}",
                       request.method, match.label, e.what());
  } catch (...) {
    HM_LOG_RATELIMITED(base::LogLevel::kError, 5, "api", "handler for {} {} threw", request.method,
                       match.label);
  }
  guarded(HttpError(500, "INTERNAL", "internal error"));
}

size_t Router::size() const {
  size_t n = 0;
  for (const Route& r : routes_) n += r.methods.size();
  return n;
}

base::Result<nlohmann::json> ParseJsonBody(const Request& request) {
  const std::string_view content_type = request.Header("Content-Type");
  if (request.HasHeader("Content-Type") && MediaType(content_type) != kJsonContentType) {
    return UnsupportedMediaType(
        fmt::format("Content-Type '{}' is not application/json", content_type));
  }
  if (request.body.empty())
    return base::InvalidArgument("request body is empty: expected a JSON object");
  if (JsonNestingDepth(request.body) > kMaxJsonDepth) {
    return base::InvalidArgument(
        fmt::format("request body is nested deeper than {} levels", kMaxJsonDepth));
  }
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, ...".
    std::string_view what = e.what();
    const size_t bracket = what.find("] ");
    if (what.starts_with("[json.exception.") && bracket != std::string_view::npos) {
      what.remove_prefix(bracket + 2);
    }
    return base::InvalidArgument(fmt::format("malformed JSON body: {}", what));
  }
  if (!parsed.is_object()) {
    return base::InvalidArgument(
        fmt::format("request body must be a JSON object, not {}", parsed.type_name()));
  }
  return parsed;
}

}  // namespace hm::api
