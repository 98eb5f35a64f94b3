// Reading a Protobuf message in text format from a file, with errors that name the file.
#ifndef ROMI_BASE_TEXT_PROTO_H_
#define ROMI_BASE_TEXT_PROTO_H_

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace romi {

// NotFound when `path` cannot be opened; `parse_error` (e.g. InvalidArgument for a user's config,
// DataLoss for a file the program wrote itself) when it is not a `message` in text format.
absl::Status ReadTextProto(const std::string& path, google::protobuf::Message* message,
                           absl::StatusCode parse_error = absl::StatusCode::kInvalidArgument);

}  // namespace romi

#endif  // ROMI_BASE_TEXT_PROTO_H_
