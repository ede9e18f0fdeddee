// libFuzzer target: untrusted request parts through ParseRequestTarget, Router::Dispatch and
// ParseJsonBody. Input: "METHOD\nTARGET\nCONTENT-TYPE\nBODY..." (missing parts are empty).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "api/errors.h"
#include "api/router.h"
#include "base/check.h"

namespace {

using hm::api::Request;
using hm::api::Response;

hm::api::Response JsonHandler(const Request& request) {
  auto body = hm::api::ParseJsonBody(request);
  if (!body.ok()) return hm::api::ErrorResponse(body.status());
  return Response::Json(200, *body);
}

const hm::api::Router& TheRouter() {
  static const hm::api::Router* router = [] {
    auto* r = new hm::api::Router();
    auto echo = [](const Request& req) {
      nlohmann::json j{{"path", req.path}, {"params", req.path_params}, {"query", req.query}};
      return Response::Json(200, j);
    };
    HM_CHECK_OK(r->Add("GET", "/healthz", echo));
    HM_CHECK_OK(r->Add("GET", "/api/v1/certificates/{serial}", echo));
    HM_CHECK_OK(r->Add("GET", "/api/v1/certificates/latest", echo));
    HM_CHECK_OK(r->Add("DELETE", "/a/{x}/b/{y}", echo));
    HM_CHECK_OK(r->Add("GET", "/ct/v1/get-entries", echo));
    HM_CHECK_OK(r->Add("POST", "/api/v1/certificates", JsonHandler));
    return r;
  }();
  return *router;
}

std::string_view NextLine(std::string_view* in) {
  const size_t nl = in->find('\n');
  std::string_view line = in->substr(0, nl);
  *in = nl == std::string_view::npos ? std::string_view() : in->substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Request request;
  request.method = std::string(NextLine(&in));
  const std::string_view target = NextLine(&in);
  const std::string_view content_type = NextLine(&in);
  if (!content_type.empty()) request.headers.emplace("Content-Type", std::string(content_type));
  request.body = std::string(in);

  // The JSON parser on its own, whatever the target.
  auto json = hm::api::ParseJsonBody(request);
  if (json.ok())
    HM_CHECK(json->is_object());
  else
    (void)hm::api::ErrorResponse(json.status());

  if (!hm::api::ParseRequestTarget(target, &request).ok()) return 0;
  const Response response = TheRouter().Dispatch(request);
  HM_CHECK(response.status >= 200 && response.status <= 599);
  HM_CHECK(!response.content_type.empty());
  if (response.status == 405) HM_CHECK(!response.Header("Allow").empty());
  return 0;
}
