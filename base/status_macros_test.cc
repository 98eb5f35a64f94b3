#include "base/status_macros.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace romi {
namespace {

absl::Status FailIf(bool fail) {
  return fail ? absl::InvalidArgumentError("boom") : absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<int>> MakeInt(bool fail, int value) {
  if (fail) return absl::NotFoundError("no int");
  return std::make_unique<int>(value);
}

absl::Status ReturnIfError(bool fail, int* reached) {
  ROMI_RETURN_IF_ERROR(FailIf(fail));
  *reached = 1;
  return absl::OkStatus();
}

absl::StatusOr<int> AssignOrReturn(bool fail) {
  // Move-only values are moved out; two uses in one scope must not collide.
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<int> a, MakeInt(fail, 20));
  ROMI_ASSIGN_OR_RETURN(auto b, MakeInt(false, 22));
  return *a + *b;
}

TEST(StatusMacrosTest, ReturnIfErrorPropagatesErrorsAndContinuesOnOk) {
  int reached = 0;
  EXPECT_EQ(ReturnIfError(true, &reached).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reached, 0);
  EXPECT_TRUE(ReturnIfError(false, &reached).ok());
  EXPECT_EQ(reached, 1);
}

TEST(StatusMacrosTest, AssignOrReturnMovesValueOrPropagatesError) {
  absl::StatusOr<int> ok = AssignOrReturn(false);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 42);
  absl::StatusOr<int> failed = AssignOrReturn(true);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(failed.status().message(), "no int");
}

}  // namespace
}  // namespace romi
