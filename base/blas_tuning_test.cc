#include "base/blas_tuning.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace romi {
namespace {

TEST(BlasTuningTest, PreferredCoreMatchesTheInstructionSet) {
  const std::string core = PreferredOpenBlasCore();
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
    EXPECT_EQ(core, "SkylakeX");
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_EQ(core, "Haswell");
  } else {
    EXPECT_EQ(core, "");
  }
}

TEST(BlasTuningTest, WithoutOpenBlasLoadedItChangesNothing) {
  // This test binary does not link OpenBLAS: there is nothing to re-execute for, so the call must
  // return here without touching the environment.
  unsetenv("OPENBLAS_CORETYPE");
  char name[] = "blas_tuning_test";
  char* argv[] = {name, nullptr};
  UseBestOpenBlasKernels(argv);
  EXPECT_EQ(std::getenv("OPENBLAS_CORETYPE"), nullptr);
}

TEST(BlasTuningTest, CoreNameIsEmptyWithoutOpenBlas) { EXPECT_EQ(OpenBlasCoreName(), ""); }

}  // namespace
}  // namespace romi
