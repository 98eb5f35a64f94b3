#include "base/text_proto.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"

namespace romi {
namespace {

TEST(FillDefaultsTest, SetsEverySingularFieldToItsDefaultAndLeavesRepeatedOnes) {
  google::protobuf::FileDescriptorProto file;
  file.set_name("a.proto");
  FillDefaults(&file);
  EXPECT_EQ(file.name(), "a.proto");  // a set field keeps its value
  ASSERT_TRUE(file.has_options());    // sub-messages are resolved too
  EXPECT_TRUE(file.options().has_optimize_for());
  EXPECT_EQ(file.options().optimize_for(), google::protobuf::FileOptions::SPEED);
  EXPECT_TRUE(file.options().has_java_multiple_files());
  EXPECT_EQ(file.message_type_size(), 0);
  EXPECT_EQ(file.dependency_size(), 0);
}

TEST(ReadTextProtoTest, NamesTheFileWhenItIsMissingOrMalformed) {
  google::protobuf::FileOptions options;
  const std::string missing = ::testing::TempDir() + "/no_such.textproto";
  EXPECT_EQ(ReadTextProto(missing, &options).code(), absl::StatusCode::kNotFound);
  const std::string bad = ::testing::TempDir() + "/bad.textproto";
  std::ofstream(bad) << "no_such_field: 3";
  const absl::Status status = ReadTextProto(bad, &options, absl::StatusCode::kDataLoss);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find(bad), std::string::npos) << status;
  std::ofstream(bad) << "java_package: \"x\"";
  ASSERT_TRUE(ReadTextProto(bad, &options).ok());
  EXPECT_EQ(options.java_package(), "x");
}

}  // namespace
}  // namespace romi
