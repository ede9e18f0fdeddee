#include "api/errors.h"

#include "base/log.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace hm::api {
namespace {

// UnsupportedMediaType() marks its status with this prefix; base::Code has no HTTP-only codes.
constexpr std::string_view kMediaTypePrefix = "unsupported media type: ";

}  // namespace

int HttpStatusForCode(base::Code code) {
  using base::Code;
  switch (code) {
    case Code::kInvalidArgument:
      return 400;
    case Code::kOutOfRange:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
      return 409;
    case Code::kFailedPrecondition:
      return 409;
    case Code::kAborted:
      return 409;
    case Code::kResourceExhausted:
      return 429;
    case Code::kUnimplemented:
      return 501;
    case Code::kUnavailable:
      return 503;
    case Code::kDeadlineExceeded:
      return 504;
    case Code::kOk:
    case Code::kInternal:
    case Code::kIoError:
    case Code::kCorruption:
      return 500;
  }
  return 500;
}

Response HttpError(int status, std::string code, std::string message) {
  return Response::Json(status,
                        nlohmann::json{{"code", std::move(code)}, {"message", std::move(message)}});
}

Response ErrorResponse(const base::Status& status) {
  if (IsUnsupportedMediaType(status)) {
    return HttpError(415, "UNSUPPORTED_MEDIA_TYPE", std::string(status.message()));
  }
  if (status.ok()) return HttpError(500, "INTERNAL", "error response built from an OK status");
  const int http = HttpStatusForCode(status.code());
  switch (status.code()) {
    case base::Code::kInternal:
    case base::Code::kIoError:
    case base::Code::kCorruption:
      // Local failures may name files or internals: log them, tell the client only the kind.
      HM_LOG_RATELIMITED(base::LogLevel::kError, 10, "api", "internal error: {}", status.ToString());
      return HttpError(http, "INTERNAL", "internal error; the node log has the details");
    default:
      return HttpError(http, std::string(base::CodeName(status.code())),
                       std::string(status.message()));
  }
}

Response PayloadTooLarge(uint64_t limit_bytes) {
  return HttpError(413, "PAYLOAD_TOO_LARGE",
                   fmt::format("request body exceeds the limit of {} bytes", limit_bytes));
}

Response MethodNotAllowed(std::string_view method, std::string_view allow) {
  Response r = HttpError(405, "METHOD_NOT_ALLOWED",
                         fmt::format("method {} is not allowed here; allowed: {}", method, allow));
  r.AddHeader("Allow", std::string(allow));
  return r;
}

Response RouteNotFound(std::string_view path) {
  return HttpError(404, "NOT_FOUND", fmt::format("no route for path '{}'", path));
}

Response BadRequest(std::string message) {
  return HttpError(400, "BAD_REQUEST", std::move(message));
}

base::Status UnsupportedMediaType(std::string_view message) {
  return base::InvalidArgument(std::string(kMediaTypePrefix) + std::string(message));
}

bool IsUnsupportedMediaType(const base::Status& status) {
  return status.code() == base::Code::kInvalidArgument &&
         status.message().substr(0, kMediaTypePrefix.size()) == kMediaTypePrefix;
}

}  // namespace hm::api
