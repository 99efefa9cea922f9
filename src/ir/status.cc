#include "tinyq/status.h"

namespace tinyq {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidModel: return "InvalidModel";
    case StatusCode::kUnsupported: return "Unsupported";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kFailedPrecondition: return "FailedPrecondition";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kIoError: return "IoError";
    case StatusCode::kInternal: return "Internal";
    case StatusCode::kCheckFailed: return "CheckFailed";
  }
  return "Unknown";
}

int ExitCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 0;
    case StatusCode::kCheckFailed: return 1;
    case StatusCode::kInvalidModel: return 3;
    case StatusCode::kUnsupported: return 4;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition: return 5;
    case StatusCode::kNotFound:
    case StatusCode::kIoError: return 6;
    case StatusCode::kInternal: return 70;
  }
  return 70;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

Status Status::WithPrefix(const std::string& prefix) const {
  if (ok()) return *this;
  return Status(code_, prefix + message_);
}

}  // namespace tinyq
