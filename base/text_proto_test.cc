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

// A config is written once, then checked: what `comparable` clears may change (and the file then
// records it); anything else is refused naming the file. CheckConfig checks without writing.
TEST(WriteOrCheckConfigTest, WritesOnceThenRefusesOtherSettingsButNotWhatComparableClears) {
  const std::string path = ::testing::TempDir() + "/config.textproto";
  std::remove(path.c_str());
  const auto ignore_package = [](google::protobuf::Message* message) {
    static_cast<google::protobuf::FileOptions*>(message)->clear_java_package();
  };
  google::protobuf::FileOptions options;
  options.set_java_package("a");
  options.set_cc_enable_arenas(true);
  EXPECT_TRUE(CheckConfig(options, path, ignore_package).ok());  // nothing there yet
  EXPECT_FALSE(std::ifstream(path).good()) << "CheckConfig wrote a file";
  ASSERT_TRUE(WriteOrCheckConfig(options, path, ignore_package).ok());

  options.set_java_package("b");  // cleared by `comparable`: accepted, and recorded
  EXPECT_TRUE(CheckConfig(options, path, ignore_package).ok());
  ASSERT_TRUE(WriteOrCheckConfig(options, path, ignore_package).ok());
  google::protobuf::FileOptions written;
  ASSERT_TRUE(ReadTextProto(path, &written).ok());
  EXPECT_EQ(written.java_package(), "b");

  options.set_cc_enable_arenas(false);
  for (const absl::Status& status : {CheckConfig(options, path, ignore_package),
                                     WriteOrCheckConfig(options, path, ignore_package)}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(status.message().find(path), std::string::npos) << status;
    EXPECT_NE(status.message().find("cc_enable_arenas: true"), std::string::npos) << status;
  }
  ASSERT_TRUE(ReadTextProto(path, &written).ok());
  EXPECT_TRUE(written.cc_enable_arenas()) << "a refused config was written";
}

}  // namespace
}  // namespace romi
