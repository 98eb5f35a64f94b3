#include "eval/methods.h"

#include <filesystem>
#include <set>

#include "absl/status/status.h"
#include "envs/registry.h"
#include "gtest/gtest.h"

namespace romi::eval {
namespace {

// The paper's 24 tasks: each has a config naming a registered task.
const std::vector<std::string>& PaperTasks() {
  static const auto* tasks = new std::vector<std::string>{"maze2d-umaze-v1",
                                                          "maze2d-medium-v1",
                                                          "maze2d-large-v1",
                                                          "maze2d-umaze-dense-v1",
                                                          "maze2d-medium-dense-v1",
                                                          "maze2d-large-dense-v1",
                                                          "antmaze-umaze-v0",
                                                          "antmaze-medium-play-v0",
                                                          "antmaze-large-play-v0",
                                                          "antmaze-umaze-diverse-v0",
                                                          "antmaze-medium-diverse-v0",
                                                          "antmaze-large-diverse-v0",
                                                          "hopper-random-v2",
                                                          "hopper-medium-v2",
                                                          "hopper-medium-replay-v2",
                                                          "hopper-medium-expert-v2",
                                                          "walker2d-random-v2",
                                                          "walker2d-medium-v2",
                                                          "walker2d-medium-replay-v2",
                                                          "walker2d-medium-expert-v2",
                                                          "halfcheetah-random-v2",
                                                          "halfcheetah-medium-v2",
                                                          "halfcheetah-medium-replay-v2",
                                                          "halfcheetah-medium-expert-v2"};
  return *tasks;
}

TEST(TaskConfigTest, EveryPaperTaskHasTheTable7Settings) {
  for (const std::string& task : PaperTasks()) {
    absl::StatusOr<TaskConfig> config = LoadTaskConfig("eval/configs", task);
    ASSERT_TRUE(config.ok()) << config.status();
    const bool maze2d = task.rfind("maze2d", 0) == 0;
    const bool antmaze = task.rfind("antmaze", 0) == 0;
    const bool hopper = task.rfind("hopper", 0) == 0;
    EXPECT_EQ(config->return_priority(), !maze2d) << task;
    // Table 7, one row per robot: h = 5 and the uniform policy for maze2d and hopper; h = 5 and
    // the CVAE for antmaze; h = 1 and the CVAE for walker2d and halfcheetah.
    EXPECT_EQ(config->rollout_length(), maze2d || antmaze || hopper ? 5 : 1) << task;
    EXPECT_EQ(config->rollout_policy(), maze2d || hopper ? "uniform" : "cvae") << task;
    // ROMI_SPEC.md: terminal rows train the models in antmaze only.
    EXPECT_EQ(config->models_use_terminals(), antmaze) << task;
    EXPECT_GT(config->model_fraction(), 0) << task;
    EXPECT_LT(config->model_fraction(), 1) << task;
    EXPECT_GE(config->rollout_length(), 1) << task;
    EXPECT_TRUE(envs::FindSpec(task).ok()) << task;
  }
  // The paper's eta for maze2d: 0.7 / 0.5 / 0.3; the uniform policy there.
  EXPECT_DOUBLE_EQ(LoadTaskConfig("eval/configs", "maze2d-umaze-v1")->model_fraction(), 0.7);
  EXPECT_DOUBLE_EQ(LoadTaskConfig("eval/configs", "maze2d-medium-v1")->model_fraction(), 0.5);
  EXPECT_DOUBLE_EQ(LoadTaskConfig("eval/configs", "maze2d-large-v1")->model_fraction(), 0.3);
  EXPECT_EQ(LoadTaskConfig("eval/configs", "maze2d-umaze-v1")->rollout_policy(), "uniform");
  EXPECT_EQ(LoadTaskConfig("eval/configs", "walker2d-medium-v2")->rollout_policy(), "cvae");
}

TEST(TaskConfigTest, MissingAndMismatchedConfigsAreErrorsNamingTheFile) {
  const absl::Status missing = LoadTaskConfig("eval/configs", "maze2d-huge-v1").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("maze2d-huge-v1.textproto"), absl::string_view::npos);
}

TEST(PaperScoresTest, CoverTheDefaultSuiteCells) {
  absl::StatusOr<PaperScores> paper = LoadPaperScores("eval/paper_scores.textproto");
  ASSERT_TRUE(paper.ok()) << paper.status();
  std::set<std::pair<std::string, std::string>> cells;
  for (const PaperScore& score : paper->score()) {
    EXPECT_TRUE(cells.insert({score.task(), score.method()}).second)
        << "duplicate " << score.task() << " " << score.method();
    // A registered method, or one with another rollout length (romi-bcq@h10: Tables 10, 11).
    EXPECT_TRUE(MethodRunConfig(score.method(), TaskConfig(), Budget(), 0).ok()) << score.method();
    EXPECT_NE(std::find(PaperTasks().begin(), PaperTasks().end(), score.task()), PaperTasks().end())
        << score.task();
  }
  for (const char* method : {"romi-bcq", "fomi-bcq", "bcq"}) {
    EXPECT_TRUE(cells.count({"maze2d-umaze-v1", method})) << method;
  }
  // Table 1 / 3: ROMI-BCQ on sparse maze2d-umaze.
  for (const PaperScore& score : paper->score()) {
    if (score.task() == "maze2d-umaze-v1" && score.method() == "romi-bcq") {
      EXPECT_DOUBLE_EQ(score.mean(), 139.5);
    }
  }
}

TEST(MethodRunConfigTest, BuildsThePapersRuns) {
  const TaskConfig task = *LoadTaskConfig("eval/configs", "maze2d-umaze-v1");
  const Budget paper;
  const RunConfig romi = *MethodRunConfig("romi-bcq", task, paper, 3);
  EXPECT_TRUE(romi.use_model());
  EXPECT_EQ(romi.dynamics().direction(), REVERSE);
  EXPECT_EQ(romi.rollout_policy().name(), "uniform");
  EXPECT_EQ(romi.imagination().rollout_length(), 5);
  EXPECT_DOUBLE_EQ(romi.model_fraction(), 0.7);
  EXPECT_EQ(romi.learner().algorithm(), "bcq");
  EXPECT_EQ(romi.batch_size(), 100);
  EXPECT_EQ(romi.learner_steps(), 1000000);
  EXPECT_EQ(romi.seed(), 3u);

  const RunConfig fomi = *MethodRunConfig("fomi-bcq", task, paper, 3);
  EXPECT_EQ(fomi.dynamics().direction(), FORWARD);
  EXPECT_DOUBLE_EQ(fomi.model_fraction(), 0.7);

  const RunConfig bcq = *MethodRunConfig("bcq", task, paper, 3);
  EXPECT_FALSE(bcq.use_model());
  EXPECT_DOUBLE_EQ(bcq.model_fraction(), 0);

  const RunConfig cql = *MethodRunConfig("romi-cql", task, paper, 3);
  EXPECT_EQ(cql.batch_size(), 256);
  EXPECT_EQ(cql.learner_steps(), 1500000);

  EXPECT_EQ(MethodRunConfig("romi-sac", task, paper, 3).status().code(),
            absl::StatusCode::kNotFound);

  // Both models skip terminal rows but in antmaze (the task config's models_use_terminals).
  EXPECT_TRUE(romi.dynamics().skip_terminals());
  EXPECT_TRUE(romi.rollout_policy().skip_terminals());
  const TaskConfig antmaze = *LoadTaskConfig("eval/configs", "antmaze-umaze-v0");
  const RunConfig romi_antmaze = *MethodRunConfig("romi-bcq", antmaze, paper, 3);
  EXPECT_FALSE(romi_antmaze.dynamics().skip_terminals());
  EXPECT_FALSE(romi_antmaze.rollout_policy().skip_terminals());
  EXPECT_TRUE(romi.imagination().skip_terminal_starts());
  EXPECT_FALSE(romi_antmaze.imagination().skip_terminal_starts());
}

TEST(MethodRunConfigTest, AblationsChangeOneSettingOfTheirMethod) {
  const TaskConfig task = *LoadTaskConfig("eval/configs", "hopper-medium-v2");
  const Budget smoke = *LoadBudget("eval/configs/budget_smoke.textproto");
  const RunConfig romi = *MethodRunConfig("romi-bcq", task, smoke, 1);
  EXPECT_EQ(romi.rollout_policy().name(), task.rollout_policy());

  RunConfig rbc = *MethodRunConfig("romi-rbc-bcq", task, smoke, 1);
  EXPECT_EQ(rbc.rollout_policy().name(), "reverse-bc");
  rbc.mutable_rollout_policy()->set_name(task.rollout_policy());
  EXPECT_EQ(rbc.DebugString(), romi.DebugString());

  RunConfig h10 = *MethodRunConfig("romi-bcq@h10", task, smoke, 1);
  EXPECT_EQ(h10.imagination().rollout_length(), 10);
  h10.mutable_imagination()->set_rollout_length(romi.imagination().rollout_length());
  EXPECT_EQ(h10.DebugString(), romi.DebugString());
  EXPECT_EQ(MethodRunConfig("fomi-cql@h1", task, smoke, 1)->imagination().rollout_length(), 1);

  for (const char* bad : {"bcq@h5", "romi-bcq@h0", "romi-bcq@hx", "romi-bcq@h"}) {
    EXPECT_EQ(MethodRunConfig(bad, task, smoke, 1).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(MethodRunConfig("romi-sac@h5", task, smoke, 1).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(MethodRunConfigTest, BudgetsApplyToEveryMethodAndLearnerParametersOnlyToTheirLearner) {
  const TaskConfig task = *LoadTaskConfig("eval/configs", "maze2d-umaze-v1");
  const Budget smoke = *LoadBudget("eval/configs/budget_smoke.textproto");
  for (const std::string& method : MethodNames()) {
    const RunConfig config = *MethodRunConfig(method, task, smoke, 0);
    EXPECT_EQ(config.learner_steps(), 20) << method;
    EXPECT_EQ(config.learner().algorithm() == "bcq", config.learner().has_bcq()) << method;
    EXPECT_EQ(config.learner().algorithm() == "cql", config.learner().has_cql()) << method;
  }
  EXPECT_TRUE(LoadBudget("eval/configs/budget_quick.textproto").ok());
  EXPECT_TRUE(LoadBudget("eval/configs/budget_paper.textproto").ok());
}

TEST(MethodRunConfigTest, APrecisionAppliesToEveryLearnerAndNamesTheBudget) {
  const TaskConfig task = *LoadTaskConfig("eval/configs", "maze2d-umaze-v1");
  Budget smoke = *LoadBudget("eval/configs/budget_smoke.textproto");
  // A budget file's own per-learner precision loses to the flag.
  smoke.add_learners()->set_algorithm("bcq");
  smoke.mutable_learners(smoke.learners_size() - 1)->set_precision(learners::FP32);
  const Budget bf16 = *WithLearnerPrecision(smoke, "bf16");
  EXPECT_EQ(bf16.name(), "smoke-bf16");
  EXPECT_NE(bf16.note().find("bfloat16"), std::string::npos) << bf16.note();
  for (const std::string& method : MethodNames()) {
    EXPECT_EQ(MethodRunConfig(method, task, bf16, 0)->learner().precision(), learners::BF16)
        << method;
    EXPECT_EQ(MethodRunConfig(method, task, smoke, 0)->learner().precision(), learners::FP32)
        << method;
  }
  const Budget fp32 = *WithLearnerPrecision(bf16, "fp32");
  EXPECT_EQ(MethodRunConfig("romi-bcq", task, fp32, 0)->learner().precision(), learners::FP32);
  EXPECT_EQ(WithLearnerPrecision(smoke, "fp32")->name(), "smoke");
  const Budget mixed = *WithLearnerPrecision(smoke, "bf16-policy");
  EXPECT_EQ(mixed.name(), "smoke-bf16-policy");
  EXPECT_NE(mixed.note().find("critics in fp32"), std::string::npos) << mixed.note();
  EXPECT_EQ(MethodRunConfig("romi-cql", task, mixed, 0)->learner().precision(),
            learners::BF16_POLICY);
  const absl::StatusOr<Budget> bad = WithLearnerPrecision(smoke, "fp16");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("'fp16' is none of fp32, bf16, bf16-policy"),
            std::string::npos)
      << bad.status();
}

}  // namespace
}  // namespace romi::eval
