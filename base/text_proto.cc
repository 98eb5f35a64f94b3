#include "base/text_proto.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"

namespace romi {

absl::Status ReadTextProto(const std::string& path, google::protobuf::Message* message,
                           absl::StatusCode parse_error) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream text;
  text << in.rdbuf();
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), message)) {
    return absl::Status(parse_error,
                        absl::StrCat(path, ": not a valid ", message->GetDescriptor()->full_name(),
                                     " in text format"));
  }
  return absl::OkStatus();
}

}  // namespace romi
