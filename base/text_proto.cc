#include "base/text_proto.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "base/status_macros.h"
#include "google/protobuf/descriptor.h"
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

void FillDefaults(google::protobuf::Message* message) {
  const google::protobuf::Descriptor* descriptor = message->GetDescriptor();
  const google::protobuf::Reflection* reflection = message->GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated()) continue;
    if (field->containing_oneof() != nullptr) {
      // Only the set member of a oneof is resolved; setting the others would clear it.
      if (reflection->HasField(*message, field) &&
          field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
        FillDefaults(reflection->MutableMessage(message, field));
      }
      continue;
    }
    switch (field->cpp_type()) {
      case google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE:
        FillDefaults(reflection->MutableMessage(message, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(message, field, reflection->GetInt32(*message, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_INT64:
        reflection->SetInt64(message, field, reflection->GetInt64(*message, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_UINT32:
        reflection->SetUInt32(message, field, reflection->GetUInt32(*message, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_UINT64:
        reflection->SetUInt64(message, field, reflection->GetUInt64(*message, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_DOUBLE:
        reflection->SetDouble(message, field, reflection->GetDouble(*message, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_FLOAT:
        reflection->SetFloat(message, field, reflection->GetFloat(*message, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_BOOL:
        reflection->SetBool(message, field, reflection->GetBool(*message, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_ENUM:
        reflection->SetEnum(message, field, reflection->GetEnum(*message, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(message, field, reflection->GetString(*message, field));
        break;
    }
  }
}

namespace {

std::string TextOf(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(message, &text);
  return text;
}

// Checks the config in the existing file `path` against `resolved` (both through `comparable`);
// returns the file's config as text as it stands, before `comparable`.
absl::StatusOr<std::string> CheckExistingConfig(
    const google::protobuf::Message& resolved, const std::string& path,
    const std::function<void(google::protobuf::Message*)>& comparable) {
  const std::unique_ptr<google::protobuf::Message> existing(resolved.New());
  ROMI_RETURN_IF_ERROR(ReadTextProto(path, existing.get(), absl::StatusCode::kDataLoss));
  const std::string existing_text = TextOf(*existing);
  comparable(existing.get());
  const std::unique_ptr<google::protobuf::Message> wanted(resolved.New());
  wanted->CopyFrom(resolved);
  comparable(wanted.get());
  if (TextOf(*existing) != TextOf(*wanted)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path,
        " holds a run with other settings; use a new directory, or the settings it was "
        "started with:\n",
        TextOf(*existing)));
  }
  return existing_text;
}

}  // namespace

absl::Status CheckConfig(const google::protobuf::Message& resolved, const std::string& path,
                         const std::function<void(google::protobuf::Message*)>& comparable) {
  if (!std::filesystem::exists(path)) return absl::OkStatus();
  return CheckExistingConfig(resolved, path, comparable).status();
}

absl::Status WriteOrCheckConfig(const google::protobuf::Message& resolved, const std::string& path,
                                const std::function<void(google::protobuf::Message*)>& comparable) {
  const std::string text = TextOf(resolved);
  if (!std::filesystem::exists(path)) return WriteStringAtomically(path, text);
  ROMI_ASSIGN_OR_RETURN(const std::string existing_text,
                        CheckExistingConfig(resolved, path, comparable));
  // The file may differ in what `comparable` clears (e.g. a horizon): it records the new value.
  return existing_text == text ? absl::OkStatus() : WriteStringAtomically(path, text);
}

}  // namespace romi
