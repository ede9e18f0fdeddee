#include "api/builtin_routes.h"

#include <fmt/format.h>

#include <charconv>
#include <span>

#include "api/errors.h"
#include "stoq/rpc/builtins.h"

#include <nlohmann/json.hpp>

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
    std::string body(n, '\0');
    stoq::rpc::FillPattern(0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(body.data()), n));
    return Response::Text(200, std::move(body), "application/octet-stream");
  });
}

}  // namespace hm::api
