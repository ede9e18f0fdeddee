// Status and Result<T>: errors as values. Every fallible call in HyperMesh returns one of these.
// Thread-safety: value types; a const instance may be shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hm::base {

// Codes separate rejections of untrusted input (kInvalidArgument, kPermissionDenied, ...) from local
// failures (kIoError, kCorruption, kInternal). api/ maps each to an HTTP status.
enum class Code : uint8_t {
  kOk = 0,
  kInvalidArgument,    // malformed or out-of-policy input (the caller's fault)
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,   // authenticated but not allowed
  kUnauthenticated,    // signature or credential missing or wrong
  kFailedPrecondition, // valid input, wrong state
  kOutOfRange,
  kResourceExhausted,  // limits: sizes, queues, connection caps
  kUnavailable,        // shutting down, busy port, peer unreachable
  kDeadlineExceeded,
  kAborted,
  kCorruption,         // stored data fails its own checks
  kIoError,            // local I/O failure
  kInternal,           // a bug; never caused by input
  kUnimplemented,
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : ""; }
  // "CODE: message", or "OK".
  std::string ToString() const;
  // Same code, message prefixed with "context: ".
  Status WithContext(std::string_view context) const;

  bool operator==(const Status& other) const {
    return code() == other.code() && message() == other.message();
  }

 private:
  struct Rep {
    Code code;
    std::string message;
  };
  std::shared_ptr<const Rep> rep_;  // null when OK; shared so copies are cheap
};

Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status AlreadyExists(std::string message);
Status PermissionDenied(std::string message);
Status Unauthenticated(std::string message);
Status FailedPrecondition(std::string message);
Status OutOfRange(std::string message);
Status ResourceExhausted(std::string message);
Status Unavailable(std::string message);
Status DeadlineExceeded(std::string message);
Status Aborted(std::string message);
Status Corruption(std::string message);
Status IoError(std::string message);
Status Internal(std::string message);
Status Unimplemented(std::string message);

// Result<T> holds a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = Status(Code::kInternal, "Result built from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace hm::base

#define HM_STATUS_CONCAT_INNER(a, b) a##b
#define HM_STATUS_CONCAT(a, b) HM_STATUS_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define HM_TRY(expr)                                  \
  do {                                                \
    ::hm::base::Status hm_try_status_ = (expr);       \
    if (!hm_try_status_.ok()) return hm_try_status_;  \
  } while (0)

// HM_ASSIGN_OR_RETURN(auto x, MakeX()); returns the error Status if MakeX() failed.
#define HM_ASSIGN_OR_RETURN(lhs, expr) \
  HM_ASSIGN_OR_RETURN_IMPL(HM_STATUS_CONCAT(hm_result_, __LINE__), lhs, expr)
#define HM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
