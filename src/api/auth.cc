// See auth.h.
#include "api/auth.h"

#include "base/bytes.h"

namespace hm::api {

base::Status CheckAdminToken(const Request& request, std::string_view expected) {
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view auth = request.Header("Authorization");
  if (auth.rfind(kBearer, 0) != 0) {
    return base::Unauthenticated("Authorization must be 'Bearer <admin token>'");
  }
  const std::string_view token = auth.substr(kBearer.size());
  const base::ByteSpan a(reinterpret_cast<const uint8_t*>(token.data()), token.size());
  const base::ByteSpan b(reinterpret_cast<const uint8_t*>(expected.data()), expected.size());
  if (expected.empty() || !base::ConstantTimeEqual(a, b)) {
    return base::PermissionDenied("the admin credential is not valid");
  }
  return base::Status::Ok();
}

}  // namespace hm::api
