// Early-return helpers for absl::Status and absl::StatusOr<T>.
//
// Debian's Abseil (20220623) ships no status macros, so the project defines this one small,
// prefixed pair (as MediaPipe does) instead of spelling out the same three lines at every call.
//
//   ROMI_RETURN_IF_ERROR(WriteFile(path));
//   ROMI_ASSIGN_OR_RETURN(Dataset data, LoadDataset(path));
#ifndef ROMI_BASE_STATUS_MACROS_H_
#define ROMI_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) and returns it from the enclosing function if it is not OK.
#define ROMI_RETURN_IF_ERROR(expr)                                 \
  do {                                                             \
    const ::absl::Status romi_status_internal_ = (expr);           \
    if (!romi_status_internal_.ok()) return romi_status_internal_; \
  } while (false)

#define ROMI_STATUS_MACROS_CONCAT_INNER_(a, b) a##b
#define ROMI_STATUS_MACROS_CONCAT_(a, b) ROMI_STATUS_MACROS_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, otherwise moves the value
// into `lhs`, which may be a declaration (`auto x`) or an existing variable.
#define ROMI_ASSIGN_OR_RETURN(lhs, rexpr) \
  ROMI_ASSIGN_OR_RETURN_IMPL_(ROMI_STATUS_MACROS_CONCAT_(romi_statusor_, __LINE__), lhs, rexpr)

#define ROMI_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)  \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // ROMI_BASE_STATUS_MACROS_H_
