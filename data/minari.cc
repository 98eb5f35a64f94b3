#include "data/minari.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/atomic_file.h"
#include "base/status_macros.h"
#include "data/hdf5_io.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace romi::data {
namespace {

namespace fs = std::filesystem;
using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kMetadataFile[] = "metadata.json";
constexpr char kMainDataFile[] = "main_data.hdf5";
constexpr char kEpisodePrefix[] = "episode_";
// The layout we write is Minari 0.5.3's.
constexpr char kWrittenMinariVersion[] = "0.5.3";
// Spaces nest; a file that nests deeper than this is not a dataset anyone collected.
constexpr int kMaxSpaceDepth = 16;

std::string ReadWholeFile(const std::string& path, absl::Status* status) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    *status = FileSystemError("cannot open", path, errno);
    return "";
  }
  std::string contents;
  char buffer[1 << 16];
  size_t read;
  while ((read = std::fread(buffer, 1, sizeof(buffer), file)) > 0) contents.append(buffer, read);
  std::fclose(file);
  return contents;
}

// Python's json module writes the non-standard constants NaN, Infinity and -Infinity (Minari's
// Box bounds are often infinite); protobuf's JSON parser wants them as strings.
std::string QuotePythonJsonConstants(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const char* constant : {"-Infinity", "Infinity", "NaN"}) {
      const size_t length = std::char_traits<char>::length(constant);
      if (text.compare(i, length, constant) == 0) {
        absl::StrAppend(&out, "\"", constant, "\"");
        i += length - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(c);
  }
  return out;
}

absl::StatusOr<Struct> ParseJsonObject(const std::string& text, const std::string& where) {
  Struct parsed;
  const auto status =
      google::protobuf::util::JsonStringToMessage(QuotePythonJsonConstants(text), &parsed);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": not a JSON object (", std::string(status.message()), ")"));
  }
  return parsed;
}

const Value* Field(const Struct& object, const std::string& key) {
  const auto found = object.fields().find(key);
  return found == object.fields().end() ? nullptr : &found->second;
}

// Where the metadata holds a whole number (JSON has only doubles).
absl::StatusOr<int64_t> IntField(const Struct& object, const std::string& key,
                                 const std::string& where) {
  const Value* value = Field(object, key);
  if (value == nullptr || value->kind_case() != Value::kNumberValue ||
      value->number_value() != std::floor(value->number_value()) ||
      std::abs(value->number_value()) > 1e15) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": '", key, "' is missing or not a whole number"));
  }
  return static_cast<int64_t>(value->number_value());
}

absl::StatusOr<std::string> StringField(const Struct& object, const std::string& key,
                                        const std::string& where) {
  const Value* value = Field(object, key);
  if (value == nullptr || value->kind_case() != Value::kStringValue) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": '", key, "' is missing or not a string"));
  }
  return value->string_value();
}

// A gymnasium space as Minari serializes it, reduced to what flattening needs.
struct Space {
  enum class Kind { kBox, kDict, kTuple };
  Kind kind = Kind::kBox;
  std::vector<int64_t> shape;                           // Box
  std::vector<std::pair<std::string, Space>> children;  // Dict (sorted keys) or Tuple (_index_i)

  int64_t FlatSize() const {
    if (kind == Kind::kBox) {
      return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
    }
    int64_t size = 0;
    for (const auto& [name, child] : children) size += child.FlatSize();
    return size;
  }
};

absl::StatusOr<Space> ParseSpace(const Struct& object, const std::string& where, int depth) {
  if (depth > kMaxSpaceDepth) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": spaces nested too deeply"));
  }
  ROMI_ASSIGN_OR_RETURN(const std::string type, StringField(object, "type", where));
  Space space;
  if (type == "Box") {
    const Value* shape = Field(object, "shape");
    if (shape == nullptr || shape->kind_case() != Value::kListValue) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": Box without a 'shape' list"));
    }
    for (const Value& size : shape->list_value().values()) {
      if (size.kind_case() != Value::kNumberValue || size.number_value() < 0 ||
          size.number_value() > 1e9 || size.number_value() != std::floor(size.number_value())) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": Box shape entries must be sizes"));
      }
      space.shape.push_back(static_cast<int64_t>(size.number_value()));
    }
    if (space.FlatSize() > (int64_t{1} << 20)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": Box of ", space.FlatSize(),
                                                     " numbers per step is not a state vector"));
    }
    return space;
  }
  const Value* subspaces = Field(object, "subspaces");
  if (type == "Dict") {
    if (subspaces == nullptr || subspaces->kind_case() != Value::kStructValue) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": Dict without 'subspaces'"));
    }
    space.kind = Space::Kind::kDict;
    // Sorted: the order of gymnasium's Dict and of h5py's group listing.
    const std::map<std::string, Value> sorted(subspaces->struct_value().fields().begin(),
                                              subspaces->struct_value().fields().end());
    for (const auto& [key, value] : sorted) {
      const std::string child_where = absl::StrCat(where, "/", key);
      if (value.kind_case() != Value::kStructValue) {
        return absl::InvalidArgumentError(absl::StrCat(child_where, ": not a space"));
      }
      ROMI_ASSIGN_OR_RETURN(Space child, ParseSpace(value.struct_value(), child_where, depth + 1));
      space.children.emplace_back(key, std::move(child));
    }
    return space;
  }
  if (type == "Tuple") {
    if (subspaces == nullptr || subspaces->kind_case() != Value::kListValue) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": Tuple without 'subspaces'"));
    }
    space.kind = Space::Kind::kTuple;
    for (int i = 0; i < subspaces->list_value().values_size(); ++i) {
      const std::string key = absl::StrCat("_index_", i);
      const std::string child_where = absl::StrCat(where, "/", key);
      const Value& value = subspaces->list_value().values(i);
      if (value.kind_case() != Value::kStructValue) {
        return absl::InvalidArgumentError(absl::StrCat(child_where, ": not a space"));
      }
      ROMI_ASSIGN_OR_RETURN(Space child, ParseSpace(value.struct_value(), child_where, depth + 1));
      space.children.emplace_back(key, std::move(child));
    }
    return space;
  }
  return absl::UnimplementedError(
      absl::StrCat(where, ": space type '", type,
                   "' cannot be read (supported: Box, and Dict or Tuple of them)"));
}

absl::StatusOr<Space> SpaceField(const Struct& metadata, const std::string& key,
                                 const std::string& where) {
  ROMI_ASSIGN_OR_RETURN(const std::string serialized, StringField(metadata, key, where));
  const std::string space_where = absl::StrCat(where, ": ", key);
  ROMI_ASSIGN_OR_RETURN(const Struct object, ParseJsonObject(serialized, space_where));
  return ParseSpace(object, space_where, 0);
}

// Keeps only `keys` of a Dict observation space, in that order.
absl::StatusOr<Space> SelectKeys(const Space& space, const std::vector<std::string>& keys,
                                 const std::string& where) {
  if (keys.empty()) return space;
  if (space.kind != Space::Kind::kDict) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": observation keys were asked for, but the space is not a Dict"));
  }
  Space selected;
  selected.kind = Space::Kind::kDict;
  for (const std::string& key : keys) {
    const auto found = std::find_if(space.children.begin(), space.children.end(),
                                    [&key](const auto& child) { return child.first == key; });
    if (found == space.children.end()) {
      std::vector<std::string> present;
      for (const auto& [name, child] : space.children) present.push_back(name);
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": no observation key '", key, "' (keys: ", absl::StrJoin(present, ", "), ")"));
    }
    selected.children.push_back(*found);
  }
  return selected;
}

// Reads the leaves of `space` under `key` as [rows, flat] float32 pieces, in flattening order.
absl::Status ReadLeaves(const Hdf5Reader& reader, const std::string& key, const Space& space,
                        std::vector<torch::Tensor>* leaves) {
  if (space.kind != Space::Kind::kBox) {
    for (const auto& [name, child] : space.children) {
      ROMI_RETURN_IF_ERROR(ReadLeaves(reader, absl::StrCat(key, "/", name), child, leaves));
    }
    return absl::OkStatus();
  }
  ROMI_ASSIGN_OR_RETURN(const Hdf5KeyInfo info, reader.Info(key));
  const std::vector<int64_t> expected_tail = space.shape;
  if (info.shape.empty() || !std::equal(info.shape.begin() + 1, info.shape.end(),
                                        expected_tail.begin(), expected_tail.end())) {
    return absl::InvalidArgumentError(absl::StrCat(
        reader.path(), ": key '", key, "' has shape ", ShapeString(info.shape),
        ", expected [steps, ", absl::StrJoin(expected_tail, ", "), "] as the space says"));
  }
  ROMI_ASSIGN_OR_RETURN(torch::Tensor values, reader.ReadFloat(key));
  leaves->push_back(values.reshape({info.shape[0], space.FlatSize()}));
  return absl::OkStatus();
}

// One episode's observations flattened to [rows, FlatSize()].
absl::StatusOr<torch::Tensor> ReadFlattened(const Hdf5Reader& reader, const std::string& key,
                                            const Space& space) {
  std::vector<torch::Tensor> leaves;
  ROMI_RETURN_IF_ERROR(ReadLeaves(reader, key, space, &leaves));
  if (leaves.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(reader.path(), ": '", key, "' has no values"));
  }
  for (const torch::Tensor& leaf : leaves) {
    if (leaf.size(0) != leaves[0].size(0)) {
      return absl::InvalidArgumentError(absl::StrCat(reader.path(), ": the entries of '", key,
                                                     "' have different lengths (ragged episode)"));
    }
  }
  return leaves.size() == 1 ? leaves[0] : torch::cat(leaves, 1);
}

absl::StatusOr<torch::Tensor> ReadSteps(const Hdf5Reader& reader, const std::string& key,
                                        int64_t steps, int rank) {
  ROMI_ASSIGN_OR_RETURN(const Hdf5KeyInfo info, reader.Info(key));
  const bool column = rank == 1 && info.shape.size() == 2 && info.shape[1] == 1;
  if (info.shape.empty() || info.shape[0] != steps ||
      (static_cast<int>(info.shape.size()) != rank && !column)) {
    return absl::InvalidArgumentError(absl::StrCat(
        reader.path(), ": key '", key, "' has shape ", ShapeString(info.shape), ", expected ",
        rank == 1 ? absl::StrCat("[", steps, "]") : absl::StrCat("[", steps, ", dims]"),
        " like the episode's rewards (ragged episode)"));
  }
  ROMI_ASSIGN_OR_RETURN(torch::Tensor values, reader.ReadFloat(key));
  return rank == 1 ? values.reshape({steps}) : values;
}

struct EpisodeKeys {
  std::set<std::string> infos;  // numeric info datasets, relative to "<episode>/infos/"
};

// The episode groups of the file, by index, with the datasets each holds.
absl::StatusOr<std::map<int64_t, EpisodeKeys>> ListEpisodes(const Hdf5Reader& reader) {
  std::map<int64_t, EpisodeKeys> episodes;
  for (const Hdf5KeyInfo& info : reader.keys()) {
    const std::vector<std::string> parts = absl::StrSplit(info.key, absl::MaxSplits('/', 1));
    int64_t index;
    if (parts.size() != 2 || !absl::StartsWith(parts[0], kEpisodePrefix) ||
        !absl::SimpleAtoi(parts[0].substr(std::strlen(kEpisodePrefix)), &index) || index < 0) {
      continue;  // not an episode's dataset: Minari writes nothing else, others may
    }
    EpisodeKeys& episode = episodes[index];
    if (absl::StartsWith(parts[1], "infos/") && info.dtype != "string" && info.dtype != "enum" &&
        info.dtype != "unsupported") {
      episode.infos.insert(parts[1].substr(6));
    }
  }
  int64_t expected = 0;
  for (const auto& [index, keys] : episodes) {
    if (index != expected) {
      return absl::InvalidArgumentError(absl::StrCat(reader.path(), ": group '", kEpisodePrefix,
                                                     expected, "' is missing (episode ids must be ",
                                                     "sequential from 0)"));
    }
    ++expected;
  }
  if (episodes.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(reader.path(), ": no '", kEpisodePrefix, "<i>' groups: the dataset is empty"));
  }
  return episodes;
}

std::string JsonQuote(const std::string& text) {
  std::string out = "\"";
  for (const unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

// A number as Python's json writes it (Infinity for unbounded Box limits).
std::string JsonNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return absl::StrFormat("%.9g", value);
}

std::string BoxJson(const std::vector<double>& low, const std::vector<double>& high) {
  std::vector<std::string> lows, highs;
  for (double v : low) lows.push_back(JsonNumber(v));
  for (double v : high) highs.push_back(JsonNumber(v));
  return absl::StrCat(R"({"type": "Box", "dtype": "float32", "shape": [)", low.size(),
                      R"(], "low": [)", absl::StrJoin(lows, ", "), R"(], "high": [)",
                      absl::StrJoin(highs, ", "), "]}");
}

}  // namespace

const std::vector<std::string>& SupportedMinariVersions() {
  static const std::vector<std::string>* versions = new std::vector<std::string>{
      "0.4.0", "0.4.1", "0.4.2", "0.4.3", "0.5.0", "0.5.1", "0.5.2", "0.5.3"};
  return *versions;
}

std::string MinariRoot(const std::string& minari_dir) {
  if (!minari_dir.empty()) return minari_dir;
  if (const char* path = std::getenv("MINARI_DATASETS_PATH"); path != nullptr && *path != '\0') {
    return path;
  }
  const char* home = std::getenv("HOME");
  return (fs::path(home == nullptr ? "." : home) / ".minari" / "datasets").string();
}

std::string MinariDataDir(const std::string& root, const std::string& dataset_id) {
  return (fs::path(root) / dataset_id / "data").string();
}

absl::StatusOr<D4rlFile> ReadMinariDataset(const std::string& data_dir,
                                           const MinariReadOptions& options) {
  const std::string metadata_path = (fs::path(data_dir) / kMetadataFile).string();
  const std::string data_path = (fs::path(data_dir) / kMainDataFile).string();
  std::error_code error;
  if (!fs::is_directory(data_dir, error)) {
    return absl::NotFoundError(
        absl::StrCat("Minari dataset directory ", data_dir, " does not exist"));
  }
  absl::Status read_status;
  const std::string metadata_text = ReadWholeFile(metadata_path, &read_status);
  ROMI_RETURN_IF_ERROR(read_status);
  ROMI_ASSIGN_OR_RETURN(const Struct metadata, ParseJsonObject(metadata_text, metadata_path));

  if (const Value* version = Field(metadata, "minari_version"); version != nullptr) {
    const std::vector<std::string>& supported = SupportedMinariVersions();
    if (version->kind_case() != Value::kStringValue ||
        std::find(supported.begin(), supported.end(), version->string_value()) == supported.end()) {
      return absl::UnimplementedError(
          absl::StrCat(metadata_path, ": minari_version '",
                       version->kind_case() == Value::kStringValue ? version->string_value() : "?",
                       "' is not one whose layout we know (", absl::StrJoin(supported, ", "), ")"));
    }
  }
  const Value* format = Field(metadata, "data_format");
  const std::string data_format = format != nullptr && format->kind_case() == Value::kStringValue
                                      ? format->string_value()
                                      : "hdf5";
  if (data_format != "hdf5") {
    return absl::UnimplementedError(absl::StrCat(metadata_path, ": data_format '", data_format,
                                                 "' cannot be read (only Minari's 'hdf5')"));
  }
  if (Field(metadata, "observation_space") == nullptr ||
      Field(metadata, "action_space") == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(metadata_path,
                     ": no observation_space or action_space (Minari would build the "
                     "gymnasium env from env_spec to find them, which we cannot)"));
  }
  ROMI_ASSIGN_OR_RETURN(const Space full_observation_space,
                        SpaceField(metadata, "observation_space", metadata_path));
  ROMI_ASSIGN_OR_RETURN(
      const Space observation_space,
      SelectKeys(full_observation_space, options.observation_keys, metadata_path));
  ROMI_ASSIGN_OR_RETURN(const Space action_space,
                        SpaceField(metadata, "action_space", metadata_path));
  if (action_space.kind != Space::Kind::kBox) {
    return absl::UnimplementedError(
        absl::StrCat(metadata_path, ": action_space must be a Box (continuous control)"));
  }

  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<Hdf5Reader> reader, Hdf5Reader::Open(data_path));
  ROMI_ASSIGN_OR_RETURN(const auto episodes, ListEpisodes(*reader));
  const std::set<std::string>& info_keys = episodes.begin()->second.infos;

  std::vector<torch::Tensor> observations, next_observations, actions, rewards, terminals, timeouts;
  std::map<std::string, std::vector<torch::Tensor>> infos;
  int64_t total_steps = 0;
  for (const auto& [index, keys] : episodes) {
    const std::string group = absl::StrCat(kEpisodePrefix, index);
    const std::string where = absl::StrCat(data_path, ": episode ", index);
    if (keys.infos != info_keys) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, " has infos {", absl::StrJoin(keys.infos, ", "), "}, episode 0 has {",
                       absl::StrJoin(info_keys, ", "), "}"));
    }
    ROMI_ASSIGN_OR_RETURN(const Hdf5KeyInfo reward_info, reader->Info(group + "/rewards"));
    if (reward_info.shape.empty() || reward_info.shape[0] == 0) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": 'rewards' has shape ",
                                                     ShapeString(reward_info.shape),
                                                     ", expected one entry per step"));
    }
    const int64_t steps = reward_info.shape[0];
    if (const absl::StatusOr<int64_t> stored = reader->ReadIntAttribute(group, "total_steps");
        stored.ok() && *stored != steps) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": attribute total_steps is ", *stored,
                                                     " but it holds ", steps, " rewards"));
    }
    ROMI_ASSIGN_OR_RETURN(const torch::Tensor episode_observations,
                          ReadFlattened(*reader, group + "/observations", observation_space));
    if (episode_observations.size(0) != steps + 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": 'observations' has ", episode_observations.size(0), " rows for ", steps,
          " steps; Minari stores T + 1 (the reset observation and one after each action)"));
    }
    ROMI_ASSIGN_OR_RETURN(torch::Tensor episode_actions,
                          ReadSteps(*reader, group + "/actions", steps, 2));
    if (episode_actions.size(1) != action_space.FlatSize()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": 'actions' has ", episode_actions.size(1),
                       " columns, the action space ", action_space.FlatSize()));
    }
    ROMI_ASSIGN_OR_RETURN(torch::Tensor episode_rewards,
                          ReadSteps(*reader, group + "/rewards", steps, 1));
    ROMI_ASSIGN_OR_RETURN(torch::Tensor episode_terminals,
                          ReadSteps(*reader, group + "/terminations", steps, 1));
    ROMI_ASSIGN_OR_RETURN(torch::Tensor episode_timeouts,
                          ReadSteps(*reader, group + "/truncations", steps, 1));
    const bool last_episode = index + 1 == static_cast<int64_t>(episodes.size());
    if (!last_episode && episode_terminals[steps - 1].item<float>() == 0.0f &&
        episode_timeouts[steps - 1].item<float>() == 0.0f) {
      // The next episode starts from a reset: its first state is not this one's successor.
      episode_timeouts = episode_timeouts.clone();
      episode_timeouts[steps - 1] = 1.0f;
    }
    for (const std::string& info : info_keys) {
      const std::string key = absl::StrCat(group, "/infos/", info);
      ROMI_ASSIGN_OR_RETURN(const Hdf5KeyInfo shape, reader->Info(key));
      if (shape.shape.empty() || shape.shape[0] < steps) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": info '", info, "' has shape ",
                                                       ShapeString(shape.shape), " for ", steps,
                                                       " steps"));
      }
      ROMI_ASSIGN_OR_RETURN(torch::Tensor values, reader->ReadFloat(key));
      infos[info].push_back(values.narrow(0, 0, steps));
    }
    observations.push_back(episode_observations.narrow(0, 0, steps));
    next_observations.push_back(episode_observations.narrow(0, 1, steps));
    actions.push_back(std::move(episode_actions));
    rewards.push_back(std::move(episode_rewards));
    terminals.push_back(std::move(episode_terminals));
    timeouts.push_back(std::move(episode_timeouts));
    total_steps += steps;
  }

  for (const auto& [key, count] : {std::pair<const char*, int64_t>{"total_steps", total_steps},
                                   {"total_episodes", static_cast<int64_t>(episodes.size())}}) {
    if (Field(metadata, key) == nullptr) continue;
    ROMI_ASSIGN_OR_RETURN(const int64_t stored, IntField(metadata, key, metadata_path));
    if (stored != count) {
      return absl::InvalidArgumentError(absl::StrCat(metadata_path, ": ", key, " is ", stored,
                                                     " but ", data_path, " holds ", count));
    }
  }

  D4rlFile file;
  file.observations = torch::cat(observations);
  file.next_observations = torch::cat(next_observations);
  file.actions = torch::cat(actions);
  file.rewards = torch::cat(rewards);
  file.terminals = torch::cat(terminals);
  file.timeouts = torch::cat(timeouts);
  for (auto& [key, pieces] : infos) {
    const int64_t tail = pieces[0].dim();
    for (const torch::Tensor& piece : pieces) {
      if (piece.dim() != tail || piece.sizes().slice(1) != pieces[0].sizes().slice(1)) {
        return absl::InvalidArgumentError(absl::StrCat(
            data_path, ": info '", key, "' has different shapes in different episodes"));
      }
    }
    file.infos[key] = torch::cat(pieces);
  }
  if (const absl::StatusOr<std::string> id = StringField(metadata, "dataset_id", metadata_path);
      id.ok()) {
    file.metadata_strings["minari_dataset_id"] = *id;
  }
  ROMI_RETURN_IF_ERROR(ValidateD4rlFile(file, data_path));
  return file;
}

absl::Status WriteMinariDataset(const std::string& data_dir, const D4rlFile& file,
                                const MinariWriteOptions& options) {
  ROMI_RETURN_IF_ERROR(ValidateD4rlFile(file, data_dir));
  if (options.dataset_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(data_dir, ": a Minari dataset needs an id"));
  }
  const int64_t act_dim = file.actions.size(1);
  std::vector<double> action_low = options.action_low, action_high = options.action_high;
  if (action_low.empty() && action_high.empty()) {
    action_low.assign(act_dim, -1.0);
    action_high.assign(act_dim, 1.0);
  }
  if (static_cast<int64_t>(action_low.size()) != act_dim ||
      static_cast<int64_t>(action_high.size()) != act_dim) {
    return absl::InvalidArgumentError(absl::StrCat(data_dir, ": action bounds for ",
                                                   action_low.size(), " dimensions, the data has ",
                                                   act_dim));
  }
  // Without stored next observations the rows are one stream: the last only closes an episode.
  const bool has_next = file.next_observations.defined();
  const int64_t rows = has_next ? file.size() : file.size() - 1;
  if (rows < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(data_dir, ": one row without next_observations makes no transition"));
  }
  const torch::Tensor ends =
      (file.terminals > 0)
          .logical_or(file.timeouts.defined() ? file.timeouts > 0
                                              : torch::zeros_like(file.terminals, torch::kBool));
  const torch::Tensor observations = file.observations.to(torch::kFloat32);
  const torch::Tensor final_source =
      has_next ? file.next_observations.to(torch::kFloat32) : observations.narrow(0, 1, rows);
  const auto ends_at = ends.accessor<bool, 1>();

  std::vector<std::pair<int64_t, int64_t>> episodes;  // [begin, end)
  int64_t begin = 0;
  for (int64_t row = 0; row < rows; ++row) {
    if (ends_at[row] || row + 1 == rows) {
      episodes.emplace_back(begin, row + 1);
      begin = row + 1;
    }
  }

  const fs::path target(data_dir);
  const fs::path temporary = target.string() + ".tmp-" + std::to_string(::getpid());
  std::error_code error;
  fs::remove_all(temporary, error);
  ROMI_RETURN_IF_ERROR(CreateDirectories(temporary.string()));
  const auto written = [&]() -> absl::Status {
    const std::string data_path = (temporary / kMainDataFile).string();
    ROMI_ASSIGN_OR_RETURN(std::unique_ptr<Hdf5Writer> writer, Hdf5Writer::Create(data_path));
    for (size_t e = 0; e < episodes.size(); ++e) {
      const auto [first, last] = episodes[e];
      const int64_t steps = last - first;
      const std::string group = absl::StrCat(kEpisodePrefix, e);
      ROMI_RETURN_IF_ERROR(writer->WriteIntAttribute(group, "id", static_cast<int64_t>(e)));
      ROMI_RETURN_IF_ERROR(writer->WriteIntAttribute(group, "total_steps", steps));
      ROMI_RETURN_IF_ERROR(writer->Write(
          group + "/observations",
          torch::cat({observations.narrow(0, first, steps), final_source.narrow(0, last - 1, 1)})));
      ROMI_RETURN_IF_ERROR(writer->Write(group + "/actions",
                                         file.actions.narrow(0, first, steps).to(torch::kFloat32)));
      ROMI_RETURN_IF_ERROR(writer->Write(group + "/rewards",
                                         file.rewards.narrow(0, first, steps).to(torch::kFloat32)));
      ROMI_RETURN_IF_ERROR(
          writer->Write(group + "/terminations", file.terminals.narrow(0, first, steps) > 0));
      ROMI_RETURN_IF_ERROR(
          writer->Write(group + "/truncations", file.timeouts.defined()
                                                    ? file.timeouts.narrow(0, first, steps) > 0
                                                    : torch::zeros({steps}, torch::kBool)));
      for (const auto& [key, values] : file.infos) {
        ROMI_RETURN_IF_ERROR(
            writer->Write(absl::StrCat(group, "/infos/", key), values.narrow(0, first, steps)));
      }
    }
    ROMI_RETURN_IF_ERROR(writer->Close());

    std::error_code size_error;
    const double megabytes =
        static_cast<double>(fs::file_size(data_path, size_error)) / (1024.0 * 1024.0);
    const int64_t obs_dim = file.observations.size(1);
    std::vector<std::string> fields = {
        absl::StrCat(R"("total_episodes": )", episodes.size()),
        absl::StrCat(R"("total_steps": )", rows),
        R"("data_format": "hdf5")",
        R"("jpeg_encoding": false)",
        absl::StrCat(R"("observation_space": )",
                     JsonQuote(BoxJson(std::vector<double>(obs_dim, -INFINITY),
                                       std::vector<double>(obs_dim, INFINITY)))),
        absl::StrCat(R"("action_space": )", JsonQuote(BoxJson(action_low, action_high))),
        absl::StrCat(R"("dataset_id": )", JsonQuote(options.dataset_id)),
        absl::StrCat(R"("algorithm_name": )", JsonQuote(options.algorithm_name)),
        R"("author": ["romi"])",
        R"("author_email": [])",
        R"("code_permalink": "")",
        absl::StrCat(R"("description": )", JsonQuote(options.description)),
        absl::StrCat(R"("minari_version": ")", kWrittenMinariVersion, R"(")"),
        R"("requirements": [])",
        absl::StrCat(R"("dataset_size": )", absl::StrFormat("%.1f", megabytes)),
    };
    if (options.ref_max_score != options.ref_min_score) {
      fields.push_back(absl::StrCat(R"("ref_min_score": )", JsonNumber(options.ref_min_score)));
      fields.push_back(absl::StrCat(R"("ref_max_score": )", JsonNumber(options.ref_max_score)));
    }
    return WriteStringAtomically((temporary / kMetadataFile).string(),
                                 absl::StrCat("{", absl::StrJoin(fields, ", "), "}\n"));
  }();
  if (!written.ok()) {
    fs::remove_all(temporary, error);
    return written;
  }
  // Swap the new directory in: a reader sees the old dataset or the new one, never a mix.
  const fs::path previous = target.string() + ".old-" + std::to_string(::getpid());
  fs::remove_all(previous, error);
  if (fs::exists(target, error)) {
    fs::rename(target, previous, error);
    if (error) return FileSystemError("cannot move aside", target.string(), error.value());
  }
  fs::rename(temporary, target, error);
  if (error) return FileSystemError("cannot rename into place", target.string(), error.value());
  fs::remove_all(previous, error);
  return absl::OkStatus();
}

}  // namespace romi::data
