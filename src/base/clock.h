// Injectable time. Protocol and state-machine code never reads a clock directly: it is handed a
// Clock (or a time value). SystemClock is the real one; ManualClock is for tests.
// Thread-safety: all implementations here are safe to call from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace hm::base {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time since the Unix epoch; may jump.
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic time for durations and timeouts.
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;

  int64_t NowUnixMillis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::now();
  }
  // Process-wide instance; stateless, so sharing it is not mutable global state.
  static SystemClock& Instance();
};

// A clock that moves only when told to. Wall and monotonic time advance together.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t unix_millis = 1'700'000'000'000) : millis_(unix_millis) {}
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(millis_.load()));
  }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(millis_.load()));
  }
  void Advance(std::chrono::milliseconds d) { millis_ += d.count(); }
  void SetUnixMillis(int64_t ms) { millis_ = ms; }

 private:
  std::atomic<int64_t> millis_;
};

// RFC 3339 UTC text with second precision: "2026-11-22T10:00:00Z".
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

}  // namespace hm::base
