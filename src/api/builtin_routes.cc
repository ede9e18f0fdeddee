#include "api/builtin_routes.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "api/errors.h"
#include "stoq/rpc/builtins.h"

namespace hm::api {

base::Status RegisterBuiltinRoutes(Router& router, const base::MetricsRegistry& metrics,
                                   StatusProvider status) {
  HM_TRY(router.Add("GET", "/healthz", [](const Request&) {
    return Response::Json(200, nlohmann::json{{"status", "ok"}});
  }));
  HM_TRY(router.Add("GET", "/metrics", [&metrics](const Request&) {
    return Response::Text(200, metrics.RenderPrometheus(), kPrometheusContentType);
  }));
  HM_TRY(router.Add("GET", "/api/v1/status", [status = std::move(status)](const Request&) {
    return Response::Json(200, status ? status() : nlohmann::json::object());
  }));
  return base::Status::Ok();
}

namespace {

// n bytes of the stoq.bulk pattern (byte i = i mod 251), served from one shared block of whole
// periods instead of being built per request: a 256 MiB answer costs no memory and no time
// before its first byte.
BodySource PatternBody(uint64_t n) {
  static const std::vector<uint8_t>* const block = [] {
    auto* b = new std::vector<uint8_t>(stoq::rpc::kPatternPeriod * 4096);
    stoq::rpc::FillPattern(0, *b);
    return b;
  }();
  return BodySource{n, [](uint64_t offset) {
                      const size_t start = static_cast<size_t>(offset % stoq::rpc::kPatternPeriod);
                      return std::span<const uint8_t>(*block).subspan(start);
                    }};
}

}  // namespace

base::Status RegisterBenchRoutes(Router& router, uint64_t max_bytes) {
  return router.Add("GET", "/api/v1/bench/bytes/{n}", [max_bytes](const Request& req) {
    const std::string_view text = req.PathParam("n");
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return BadRequest(fmt::format("bytes: \"{}\" is not a byte count", text));
    }
    if (n > max_bytes) {
      return BadRequest(fmt::format("bytes: {} is above this node's limit of {}", n, max_bytes));
    }
    Response response = Response::Text(200, "", "application/octet-stream");
    response.source = PatternBody(n);
    return response;
  });
}

}  // namespace hm::api
