// Routes every node serves: GET /healthz, GET /metrics (Prometheus text 0.0.4) and
// GET /api/v1/status (JSON from a provider supplied by node/).
// Thread-safety: the registered handlers are thread-safe if the StatusProvider is.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>

#include "api/router.h"
#include "base/metrics.h"
#include "base/status.h"

namespace hm::api {

using StatusProvider = std::function<nlohmann::json()>;

inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// `metrics` and whatever `status` captures must outlive the router. Fails only if a route is
// already registered.
base::Status RegisterBuiltinRoutes(Router& router, const base::MetricsRegistry& metrics,
                                   StatusProvider status);

// GET /api/v1/bench/bytes/{n}: n bytes of the pattern byte[p] = p mod 251 (docs/spec/stoq-rpc.md),
// for transfer benchmarks and byte-exact interop checks over every front end. n above
// `max_bytes` gets 400. Only registered where configured (dev nodes, benchmarks).
base::Status RegisterBenchRoutes(Router& router, uint64_t max_bytes);

}  // namespace hm::api
