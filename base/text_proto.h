// Reading a Protobuf message in text format from a file, with errors that name the file, and
// resolving a message's defaults so that its text form records every setting.
#ifndef ROMI_BASE_TEXT_PROTO_H_
#define ROMI_BASE_TEXT_PROTO_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace romi {

// NotFound when `path` cannot be opened; `parse_error` (e.g. InvalidArgument for a user's config,
// DataLoss for a file the program wrote itself) when it is not a `message` in text format.
absl::Status ReadTextProto(const std::string& path, google::protobuf::Message* message,
                           absl::StatusCode parse_error = absl::StatusCode::kInvalidArgument);

// Sets every unset singular field of `message` (and of its set or unset sub-messages; of a oneof,
// only the member that is set) to its default, so that its text form prints every setting: the
// resolved config a run writes beside its outputs. Repeated fields are left as they are.
void FillDefaults(google::protobuf::Message* message);

// A run directory's resolved config in `path`: written when there is none; otherwise the config
// there must agree with `resolved` once both are passed through `comparable` (which resolves
// defaults and clears what may change between resumes, e.g. a horizon), and the file is rewritten
// to `resolved` when it differs. FailedPrecondition naming the file and showing the settings it
// was started with when they disagree; DataLoss for a file that does not parse.
absl::Status WriteOrCheckConfig(const google::protobuf::Message& resolved, const std::string& path,
                                const std::function<void(google::protobuf::Message*)>& comparable);

// The check of WriteOrCheckConfig alone, writing nothing: OK when `path` does not exist or agrees
// with `resolved`; the same errors otherwise. For results read back without training (a finished
// run must have been made with the settings asked for now).
absl::Status CheckConfig(const google::protobuf::Message& resolved, const std::string& path,
                         const std::function<void(google::protobuf::Message*)>& comparable);

}  // namespace romi

#endif  // ROMI_BASE_TEXT_PROTO_H_
