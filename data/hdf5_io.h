// Reading and writing HDF5 files as named tensors, the way h5py lays them out.
//
// This is the thin, error-checked layer under the D4RL file format (d4rl_file.h): every failure of
// the HDF5 library comes back as an absl::Status that names the file and the key at fault, never as
// a crash or as HDF5's own stack dump on stderr.
//
// Types, as h5py writes them:
//   float32/float64/int32/int64/uint8 tensors <-> the native HDF5 types;
//   bool tensors <-> an int8 enum {FALSE = 0, TRUE = 1} (h5py's boolean);
//   strings <-> scalar variable-length UTF-8 strings.
// Keys are slash-separated paths ("infos/qpos"); groups on the way are created on write.
#ifndef ROMI_DATA_HDF5_IO_H_
#define ROMI_DATA_HDF5_IO_H_

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace romi::data {

// What a dataset in a file holds, without reading it.
struct Hdf5KeyInfo {
  std::string key;             // e.g. "infos/qpos"
  std::vector<int64_t> shape;  // empty for scalars
  std::string dtype;           // "float32", "float64", "bool", "uint8", "int64", "string", ...
};

// Formats a shape as "[100, 11]" for messages.
std::string ShapeString(const std::vector<int64_t>& shape);

class Hdf5Reader {
 public:
  // Opens `path` read-only. NotFound if it does not exist; DataLoss if it is not a readable HDF5
  // file (corrupt, truncated or another format).
  static absl::StatusOr<std::unique_ptr<Hdf5Reader>> Open(const std::string& path);
  ~Hdf5Reader();

  const std::string& path() const { return path_; }

  // Every dataset in the file, depth first, sorted by key.
  const std::vector<Hdf5KeyInfo>& keys() const { return keys_; }
  bool Has(const std::string& key) const;
  // NotFound (listing the keys present) when `key` is not a dataset of the file.
  absl::StatusOr<Hdf5KeyInfo> Info(const std::string& key) const;

  // Reads a numeric or boolean dataset, converted to float32, with the file's shape.
  absl::StatusOr<torch::Tensor> ReadFloat(const std::string& key) const;
  // Reads a scalar string dataset.
  absl::StatusOr<std::string> ReadString(const std::string& key) const;
  // Reads a scalar integer attribute of the group or dataset at `object` ("episode_3"; "" or "/"
  // for the root). NotFound when the object or the attribute is absent; InvalidArgument when the
  // attribute is not a scalar integer.
  absl::StatusOr<int64_t> ReadIntAttribute(const std::string& object,
                                           const std::string& name) const;

 private:
  Hdf5Reader(std::string path, int64_t file_id, std::vector<Hdf5KeyInfo> keys);

  std::string path_;
  int64_t file_id_;  // hid_t
  std::vector<Hdf5KeyInfo> keys_;
};

class Hdf5Writer {
 public:
  // Creates (truncates) `path`. The caller makes the write atomic (write a temporary, then rename).
  static absl::StatusOr<std::unique_ptr<Hdf5Writer>> Create(const std::string& path);
  ~Hdf5Writer();

  // Writes a CPU tensor of dtype float32, float64, int32, int64, uint8 or bool under `key`.
  absl::Status Write(const std::string& key, const torch::Tensor& tensor);
  absl::Status WriteString(const std::string& key, const std::string& value);
  // Sets a scalar int64 attribute (h5py's for a Python int) on the group `group`, creating the
  // group and those above it if needed.
  absl::Status WriteIntAttribute(const std::string& group, const std::string& name, int64_t value);
  // Flushes and closes the file; later writes fail. Also called by the destructor.
  absl::Status Close();

 private:
  Hdf5Writer(std::string path, int64_t file_id);
  // Opens the group that holds `key`, creating intermediate groups.
  absl::StatusOr<int64_t> ParentGroup(const std::string& key);
  // Opens the group at `path`, creating it and the groups above it.
  absl::StatusOr<int64_t> OpenOrCreateGroup(const std::string& path);

  std::string path_;
  int64_t file_id_;  // hid_t; negative once closed
};

}  // namespace romi::data

#endif  // ROMI_DATA_HDF5_IO_H_
