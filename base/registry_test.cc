#include "base/registry.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace romi {
namespace {

TEST(RegistryTest, FindsRegisteredEntriesAndListsThemWhenOneIsUnknown) {
  Registry<int> registry("widget", "link //widgets:all");
  EXPECT_TRUE(registry.Register("b", 2));
  EXPECT_TRUE(registry.Register("a", 1));
  EXPECT_EQ(registry.Names(), (std::vector<std::string>{"a", "b"}));
  const absl::StatusOr<const int*> found = registry.Find("b");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(**found, 2);
  const absl::Status unknown = registry.Find("c").status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.message(), "unknown widget 'c'; registered: a, b");
}

TEST(RegistryTest, AnEmptyRegistrySaysWhatToLink) {
  const Registry<int> registry("widget", "link //widgets:all");
  EXPECT_EQ(registry.Find("a").status().message(),
            "unknown widget 'a'; registered: none (link //widgets:all)");
}

TEST(RegistryDeathTest, ANameRegisteredTwiceAborts) {
  Registry<int> registry("widget", "");
  registry.Register("a", 1);
  EXPECT_DEATH(registry.Register("a", 2), "widget 'a' registered twice");
}

}  // namespace
}  // namespace romi
