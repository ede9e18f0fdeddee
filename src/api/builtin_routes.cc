#include "api/builtin_routes.h"

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

}  // namespace hm::api
