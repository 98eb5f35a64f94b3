#include "data/d4rl_file.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "base/status_macros.h"
#include "data/hdf5_io.h"

namespace romi::data {
namespace {

std::vector<int64_t> Shape(const torch::Tensor& t) { return t.sizes().vec(); }

absl::Status CheckRank(const std::string& source, const std::string& key, const torch::Tensor& t,
                       int rank) {
  if (t.dim() != rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": key '", key, "' has shape ", ShapeString(Shape(t)), ", expected rank ", rank));
  }
  return absl::OkStatus();
}

absl::Status CheckRows(const std::string& source, const std::string& key, const torch::Tensor& t,
                       int64_t rows) {
  if (t.dim() == 0 || t.size(0) != rows) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": key '", key, "' has shape ",
                                                   ShapeString(Shape(t)),
                                                   " but 'observations' has ", rows, " rows"));
  }
  return absl::OkStatus();
}

absl::Status CheckFinite(const std::string& source, const std::string& key,
                         const torch::Tensor& t) {
  const torch::Tensor bad = torch::logical_not(torch::isfinite(t));
  if (bad.any().item<bool>()) {
    const int64_t row = bad.reshape({t.size(0), -1}).any(1).nonzero()[0][0].item<int64_t>();
    return absl::InvalidArgumentError(absl::StrCat(source, ": key '", key, "' ",
                                                   ShapeString(Shape(t)),
                                                   " holds NaN or Inf (first at row ", row, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckFlags(const std::string& source, const std::string& key, const torch::Tensor& t) {
  const torch::Tensor bad = torch::logical_and(t != 0, t != 1);
  if (bad.any().item<bool>()) {
    const int64_t row = bad.nonzero()[0][0].item<int64_t>();
    return absl::InvalidArgumentError(absl::StrCat(source, ": key '", key, "' ",
                                                   ShapeString(Shape(t)), " must hold 0/1 flags, ",
                                                   "row ", row, " is ", t[row].item<float>()));
  }
  return absl::OkStatus();
}

// Accepts [N] and [N, 1] (some files store rewards and flags as columns).
torch::Tensor Flatten1d(const torch::Tensor& t) {
  return t.dim() == 2 && t.size(1) == 1 ? t.reshape({-1}) : t;
}

}  // namespace

absl::Status ValidateD4rlFile(const D4rlFile& file, const std::string& source) {
  if (!file.observations.defined()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no 'observations'"));
  }
  ROMI_RETURN_IF_ERROR(CheckRank(source, "observations", file.observations, 2));
  const int64_t rows = file.observations.size(0);
  if (rows == 0 || file.observations.size(1) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": key 'observations' has shape ",
                                                   ShapeString(Shape(file.observations)),
                                                   ": the dataset is empty"));
  }
  struct Column {
    const char* key;
    const torch::Tensor& tensor;
    int rank;
    bool flags;
    bool required;
  };
  const Column columns[] = {
      {"observations", file.observations, 2, false, true},
      {"actions", file.actions, 2, false, true},
      {"rewards", file.rewards, 1, false, true},
      {"terminals", file.terminals, 1, true, true},
      {"timeouts", file.timeouts, 1, true, false},
      {"next_observations", file.next_observations, 2, false, false},
  };
  for (const Column& column : columns) {
    if (!column.tensor.defined()) {
      if (column.required) {
        return absl::InvalidArgumentError(absl::StrCat(source, ": no '", column.key, "'"));
      }
      continue;
    }
    ROMI_RETURN_IF_ERROR(CheckRank(source, column.key, column.tensor, column.rank));
    ROMI_RETURN_IF_ERROR(CheckRows(source, column.key, column.tensor, rows));
    ROMI_RETURN_IF_ERROR(CheckFinite(source, column.key, column.tensor));
    if (column.flags) ROMI_RETURN_IF_ERROR(CheckFlags(source, column.key, column.tensor));
  }
  if (file.actions.size(1) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": key 'actions' has shape ",
                                                   ShapeString(Shape(file.actions)),
                                                   ": no action dims"));
  }
  if (file.next_observations.defined() &&
      file.next_observations.size(1) != file.observations.size(1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": key 'next_observations' has shape ", ShapeString(Shape(file.next_observations)),
        " but 'observations' has shape ", ShapeString(Shape(file.observations))));
  }
  for (const auto& [name, tensor] : file.infos) {
    ROMI_RETURN_IF_ERROR(CheckRows(source, "infos/" + name, tensor, rows));
  }
  return absl::OkStatus();
}

absl::StatusOr<D4rlFile> ReadD4rlFile(const std::string& path) {
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<Hdf5Reader> reader, Hdf5Reader::Open(path));
  D4rlFile file;
  ROMI_ASSIGN_OR_RETURN(file.observations, reader->ReadFloat("observations"));
  ROMI_ASSIGN_OR_RETURN(file.actions, reader->ReadFloat("actions"));
  ROMI_ASSIGN_OR_RETURN(torch::Tensor rewards, reader->ReadFloat("rewards"));
  file.rewards = Flatten1d(rewards);
  ROMI_ASSIGN_OR_RETURN(torch::Tensor terminals, reader->ReadFloat("terminals"));
  file.terminals = Flatten1d(terminals);
  if (reader->Has("timeouts")) {
    ROMI_ASSIGN_OR_RETURN(torch::Tensor timeouts, reader->ReadFloat("timeouts"));
    file.timeouts = Flatten1d(timeouts);
  }
  if (reader->Has("next_observations")) {
    ROMI_ASSIGN_OR_RETURN(file.next_observations, reader->ReadFloat("next_observations"));
  }
  for (const Hdf5KeyInfo& info : reader->keys()) {
    if (absl::StartsWith(info.key, "infos/")) {
      ROMI_ASSIGN_OR_RETURN(file.infos[info.key.substr(6)], reader->ReadFloat(info.key));
    } else if (absl::StartsWith(info.key, "metadata/")) {
      if (info.dtype == "string") {
        ROMI_ASSIGN_OR_RETURN(file.metadata_strings[info.key.substr(9)],
                              reader->ReadString(info.key));
      } else if (info.dtype != "enum" && info.dtype != "unsupported") {
        ROMI_ASSIGN_OR_RETURN(file.metadata[info.key.substr(9)], reader->ReadFloat(info.key));
      }
    }
  }
  ROMI_RETURN_IF_ERROR(ValidateD4rlFile(file, path));
  return file;
}

absl::Status WriteD4rlFile(const std::string& path, const D4rlFile& file) {
  ROMI_RETURN_IF_ERROR(ValidateD4rlFile(file, path));
  return WriteFileAtomically(path, [&](const std::string& temporary) -> absl::Status {
    ROMI_ASSIGN_OR_RETURN(std::unique_ptr<Hdf5Writer> writer, Hdf5Writer::Create(temporary));
    const auto f32 = [](const torch::Tensor& t) { return t.to(torch::kFloat32); };
    const auto flags = [](const torch::Tensor& t) { return t.to(torch::kBool); };
    ROMI_RETURN_IF_ERROR(writer->Write("observations", f32(file.observations)));
    ROMI_RETURN_IF_ERROR(writer->Write("actions", f32(file.actions)));
    ROMI_RETURN_IF_ERROR(writer->Write("rewards", f32(file.rewards)));
    ROMI_RETURN_IF_ERROR(writer->Write("terminals", flags(file.terminals)));
    ROMI_RETURN_IF_ERROR(writer->Write(
        "timeouts", file.timeouts.defined() ? flags(file.timeouts)
                                            : torch::zeros({file.size()}, torch::kBool)));
    if (file.next_observations.defined()) {
      ROMI_RETURN_IF_ERROR(writer->Write("next_observations", f32(file.next_observations)));
    }
    for (const auto& [name, tensor] : file.infos) {
      ROMI_RETURN_IF_ERROR(writer->Write("infos/" + name, tensor));
    }
    for (const auto& [name, tensor] : file.metadata) {
      ROMI_RETURN_IF_ERROR(writer->Write("metadata/" + name, tensor));
    }
    for (const auto& [name, value] : file.metadata_strings) {
      ROMI_RETURN_IF_ERROR(writer->WriteString("metadata/" + name, value));
    }
    return writer->Close();
  });
}

}  // namespace romi::data
