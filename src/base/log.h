// The logging facade: every line carries a component tag ("chain", "api", ...) and a level.
// Backed by spdlog; callers never see spdlog. Never log key material.
// Thread-safety: all functions are thread-safe.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

#include "base/status.h"

namespace hm::base {

enum class LogLevel { kTrace = 0, kDebug, kInfo, kWarn, kError, kOff };

Result<LogLevel> ParseLogLevel(std::string_view name);
std::string_view LogLevelName(LogLevel level);

struct LogOptions {
  LogLevel level = LogLevel::kInfo;
  bool json = false;  // one JSON object per line instead of human-readable text
};

// Configures the process-wide sink (stderr). Safe to call again to change the level.
void InitLogging(const LogOptions& options);
bool ShouldLog(LogLevel level);
void LogMessage(LogLevel level, std::string_view component, std::string_view message);

// Allows at most `per_second` events per second per call site; counts what it suppresses.
class LogRateLimiter {
 public:
  explicit LogRateLimiter(int per_second) : per_second_(per_second) {}
  // True if this event may be logged. `suppressed` receives how many were dropped since the last
  // allowed event.
  bool Allow(uint64_t* suppressed);

 private:
  const int per_second_;
  std::atomic<int64_t> window_start_ms_{0};
  std::atomic<int> in_window_{0};
  std::atomic<uint64_t> suppressed_{0};
};

}  // namespace hm::base

#define HM_LOG(level, component, ...)                                                    \
  do {                                                                                   \
    if (::hm::base::ShouldLog(level))                                                    \
      ::hm::base::LogMessage(level, component, ::fmt::format(__VA_ARGS__));              \
  } while (0)
#define HM_LOG_DEBUG(component, ...) HM_LOG(::hm::base::LogLevel::kDebug, component, __VA_ARGS__)
#define HM_LOG_INFO(component, ...) HM_LOG(::hm::base::LogLevel::kInfo, component, __VA_ARGS__)
#define HM_LOG_WARN(component, ...) HM_LOG(::hm::base::LogLevel::kWarn, component, __VA_ARGS__)
#define HM_LOG_ERROR(component, ...) HM_LOG(::hm::base::LogLevel::kError, component, __VA_ARGS__)

// For anything a remote peer can trigger: at most `per_sec` lines per second from this call site.
#define HM_LOG_RATELIMITED(level, per_sec, component, ...)                               \
  do {                                                                                   \
    static ::hm::base::LogRateLimiter hm_log_limiter_(per_sec);                          \
    uint64_t hm_log_suppressed_ = 0;                                                     \
    if (::hm::base::ShouldLog(level) && hm_log_limiter_.Allow(&hm_log_suppressed_)) {    \
      std::string hm_log_msg_ = ::fmt::format(__VA_ARGS__);                              \
      if (hm_log_suppressed_ > 0)                                                        \
        hm_log_msg_ += ::fmt::format(" ({} similar suppressed)", hm_log_suppressed_);    \
      ::hm::base::LogMessage(level, component, hm_log_msg_);                             \
    }                                                                                    \
  } while (0)
