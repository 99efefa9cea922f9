// tinyq/status.h - error values used across tinyq.
//
// Every failure caused by input (model, data, arguments) is reported as a Status whose message
// starts with the place it came from, e.g. "model.onnx: node 'conv3' (Conv): kernel shape ...".
// Nothing in tinyq asserts or aborts on input data.
#ifndef TINYQ_STATUS_H_
#define TINYQ_STATUS_H_

#include <string>
#include <utility>
#include <variant>

namespace tinyq {

// Closed set of error kinds. The CLI maps them to exit codes (ExitCodeFor), Python to exception
// classes (tinyq.InvalidModelError, ...).
enum class StatusCode {
  kOk = 0,
  kInvalidModel,        // the model file is malformed or inconsistent
  kUnsupported,         // valid model, but uses something tinyq does not implement
  kInvalidArgument,     // bad user argument or data (shape, dtype, NaN, range)
  kFailedPrecondition,  // operation not valid in the current state (e.g. int8 run of float model)
  kNotFound,            // named file/input/output/board does not exist
  kIoError,             // reading or writing a file failed
  kInternal,            // a bug in tinyq
  kCheckFailed,         // a budget or accuracy gate failed (not an error of tinyq itself)
};

const char* StatusCodeName(StatusCode code);

// CLI exit codes: 0 ok, 1 check failed, 2 usage, 3 invalid model, 4 unsupported,
// 5 invalid argument/precondition, 6 I/O (and not found), 70 internal.
int ExitCodeFor(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidModel: model.onnx: ..." (or "OK").
  std::string ToString() const;
  // Returns a copy whose message is `prefix + message()`; used to add the file/node location.
  Status WithPrefix(const std::string& prefix) const;
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidModel(std::string m) { return Status(StatusCode::kInvalidModel, std::move(m)); }
inline Status Unsupported(std::string m) { return Status(StatusCode::kUnsupported, std::move(m)); }
inline Status InvalidArgument(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status FailedPrecondition(std::string m) {
  return Status(StatusCode::kFailedPrecondition, std::move(m));
}
inline Status NotFound(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status IoError(std::string m) { return Status(StatusCode::kIoError, std::move(m)); }
inline Status Internal(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status s) : v_(std::move(s)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) v_ = Status(StatusCode::kInternal, "StatusOr built from OK");
  }
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace tinyq

#define TQ_CONCAT_INNER_(a, b) a##b
#define TQ_CONCAT_(a, b) TQ_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define TQ_RETURN_IF_ERROR(expr)                \
  do {                                          \
    ::tinyq::Status tq_status_ = (expr);        \
    if (!tq_status_.ok()) return tq_status_;    \
  } while (0)

// `TQ_ASSIGN_OR_RETURN(auto x, F());` declares x from a StatusOr or returns its error.
#define TQ_ASSIGN_OR_RETURN(lhs, expr) \
  TQ_ASSIGN_OR_RETURN_IMPL_(TQ_CONCAT_(tq_statusor_, __LINE__), lhs, expr)
#define TQ_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#endif  // TINYQ_STATUS_H_
