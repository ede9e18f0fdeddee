// Mapping from base::Status to HTTP error responses with a JSON body
// {"code":"INVALID_ARGUMENT","message":"..."}, plus protocol-level errors (404, 405, 413, ...).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/http.h"
#include "base/status.h"

namespace hm::api {

// InvalidArgument/OutOfRange 400, Unauthenticated 401, PermissionDenied 403, NotFound 404,
// AlreadyExists/FailedPrecondition/Aborted 409, ResourceExhausted 429, Unimplemented 501,
// Unavailable 503, DeadlineExceeded 504, Internal/IoError/Corruption (and OK, a misuse) 500.
int HttpStatusForCode(base::Code code);

// The error response for `status`. 5xx bodies carry only the code ("INTERNAL" for every local
// failure, so storage details do not leak) and the message. A status made by
// UnsupportedMediaType() maps to 415.
Response ErrorResponse(const base::Status& status);

// A protocol-level error: `code` is the JSON "code" string, e.g. "METHOD_NOT_ALLOWED".
Response HttpError(int status, std::string code, std::string message);

// 413 PAYLOAD_TOO_LARGE naming the limit (distinct from ResourceExhausted's 429).
Response PayloadTooLarge(uint64_t limit_bytes);
// 405 METHOD_NOT_ALLOWED with an Allow header, e.g. allow = "GET, HEAD".
Response MethodNotAllowed(std::string_view method, std::string_view allow);
// 404 NOT_FOUND for a path that matches no route.
Response RouteNotFound(std::string_view path);
// 400 BAD_REQUEST for malformed HTTP or JSON.
Response BadRequest(std::string message);

// A kInvalidArgument status that ErrorResponse renders as 415 UNSUPPORTED_MEDIA_TYPE.
base::Status UnsupportedMediaType(std::string_view message);
bool IsUnsupportedMediaType(const base::Status& status);

}  // namespace hm::api
