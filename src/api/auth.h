// The admin credential: `Authorization: Bearer <token>` compared in constant time with the
// node's admin token (keys/admin.token). Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "api/http.h"
#include "base/status.h"

namespace hm::api {

// Ok when the request carries `Authorization: Bearer <expected>`. Unauthenticated when the
// header is malformed (not "Bearer ..."); PermissionDenied when the token is wrong or admin
// access is disabled (`expected` empty). Call only when the request has an Authorization header.
base::Status CheckAdminToken(const Request& request, std::string_view expected);

}  // namespace hm::api
