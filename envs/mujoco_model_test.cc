#include "envs/mujoco_model.h"

#include <mujoco/mujoco.h>

#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace romi::envs {
namespace {

constexpr char kBallMjcf[] = R"(
<mujoco>
  <worldbody>
    <body name="ball" pos="0 0 1">
      <freejoint/>
      <geom type="sphere" size="0.1"/>
    </body>
  </worldbody>
</mujoco>)";

TEST(CompileMjcfTest, CompilesFromMemory) {
  absl::StatusOr<MjModelPtr> model = CompileMjcf(kBallMjcf);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ((*model)->nbody, 2);
  EXPECT_EQ((*model)->nq, 7);
}

TEST(CompileMjcfTest, ReportsMujocoErrorMessage) {
  absl::StatusOr<MjModelPtr> model =
      CompileMjcf("<mujoco><worldbody><geom type=\"sphere\" size=\"abc\"/></worldbody></mujoco>");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(model.status().message().find("MuJoCo could not compile MJCF"),
            absl::string_view::npos);
  // MuJoCo's own text names the offending attribute.
  EXPECT_NE(model.status().message().find("size"), absl::string_view::npos) << model.status();
}

TEST(SharedModelTest, BuildsOncePerKeyAcrossThreads) {
  int builds = 0;
  auto build = [&builds]() {
    ++builds;  // Serialized by SharedModel's lock.
    return CompileMjcf(kBallMjcf);
  };
  std::vector<std::shared_ptr<const mjModel>> models(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back(
        [&, t] { models[t] = SharedModel("mujoco_model_test:ball", build).value(); });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(builds, 1);
  for (const auto& model : models) EXPECT_EQ(model.get(), models[0].get());
}

TEST(SharedModelTest, CachesErrors) {
  auto status = SharedModel("mujoco_model_test:bad", [] { return CompileMjcf("<mujoco>"); });
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(SharedModel("mujoco_model_test:bad", [] { return CompileMjcf(kBallMjcf); }).ok());
}

TEST(CheckNoWarningsTest, ReportsWarnings) {
  MjModelPtr model = CompileMjcf(kBallMjcf).value();
  MjDataPtr data = MakeData(*model).value();
  mj_step(model.get(), data.get());
  EXPECT_TRUE(CheckNoWarnings(*data).ok());
  data->qvel[0] = 1e300 * 1e10;  // inf: MuJoCo flags a bad qvel and resets.
  mj_step(model.get(), data.get());
  const absl::Status status = CheckNoWarnings(*data);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_NE(status.message().find("bad number in qvel"), absl::string_view::npos) << status;
}

}  // namespace
}  // namespace romi::envs
