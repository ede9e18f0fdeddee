// Invariant checks. HM_CHECK is on in every build; HM_DCHECK only in debug builds.
// Never use either on external input: untrusted bytes get a Status, not an abort.
#pragma once

#include <string_view>

namespace hm::base {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr, std::string_view msg);
}  // namespace hm::base

#define HM_CHECK(cond)                                                    \
  do {                                                                    \
    if (!(cond)) [[unlikely]]                                             \
      ::hm::base::CheckFailed(__FILE__, __LINE__, #cond, "");             \
  } while (0)

#define HM_CHECK_MSG(cond, msg)                                           \
  do {                                                                    \
    if (!(cond)) [[unlikely]]                                             \
      ::hm::base::CheckFailed(__FILE__, __LINE__, #cond, (msg));          \
  } while (0)

#define HM_CHECK_OK(status_expr)                                                   \
  do {                                                                             \
    const auto& hm_check_status_ = (status_expr);                                  \
    if (!hm_check_status_.ok()) [[unlikely]]                                       \
      ::hm::base::CheckFailed(__FILE__, __LINE__, #status_expr,                    \
                              hm_check_status_.ToString());                        \
  } while (0)

#ifdef NDEBUG
#define HM_DCHECK(cond) \
  do {                  \
    (void)sizeof(cond); \
  } while (0)
#else
#define HM_DCHECK(cond) HM_CHECK(cond)
#endif
