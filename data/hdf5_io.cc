#include "data/hdf5_io.h"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"

namespace romi::data {
namespace {

// HDF5 prints its error stack to stderr by default; we report errors through absl::Status instead.
void SilenceHdf5Errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

// Owns one HDF5 identifier and closes it with the matching H5?close function.
class ScopedId {
 public:
  ScopedId(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ScopedId(const ScopedId&) = delete;
  ScopedId& operator=(const ScopedId&) = delete;
  ~ScopedId() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

std::string DescribeType(hid_t type) {
  const size_t size = H5Tget_size(type);
  switch (H5Tget_class(type)) {
    case H5T_FLOAT:
      return absl::StrCat("float", 8 * size);
    case H5T_INTEGER:
      return absl::StrCat(H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int", 8 * size);
    case H5T_ENUM: {
      // h5py stores bool as an int8 enum with exactly the members FALSE and TRUE.
      char name[8] = {0};
      int8_t value = 1;
      if (H5Tget_nmembers(type) == 2 && size == 1 &&
          H5Tenum_nameof(type, &value, name, sizeof(name)) >= 0 && std::strcmp(name, "TRUE") == 0) {
        return "bool";
      }
      return "enum";
    }
    case H5T_STRING:
      return "string";
    default:
      return "unsupported";
  }
}

// h5py's boolean: an int8 enum {FALSE = 0, TRUE = 1}.
hid_t MakeBoolType() {
  const hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
  const int8_t false_value = 0;
  const int8_t true_value = 1;
  H5Tenum_insert(type, "FALSE", &false_value);
  H5Tenum_insert(type, "TRUE", &true_value);
  return type;
}

// Reading an array allocates (and for chunks never written, fills) all of its declared size before
// HDF5 finds out whether the file holds the data, so a corrupt header of a few bytes could ask for
// terabytes. An array must be stored in the file: deflate (the filter d4rl's files use) expands
// data at most ~1032:1, so an array of more than kMaxExpansion times its stored bytes (beyond a
// small slack, e.g. for a short array never written) is refused, as is a shape whose size
// overflows.
constexpr uint64_t kMaxExpansion = 1100;
constexpr uint64_t kUncheckedBytes = uint64_t{1} << 16;

absl::Status CheckStoredSize(hid_t dataset, const std::vector<int64_t>& shape,
                             const std::string& where) {
  ScopedId type(H5Dget_type(dataset), H5Tclose);
  if (!type.ok()) return absl::DataLossError(absl::StrCat(where, ": cannot read the dtype"));
  uint64_t bytes = H5Tget_size(type.get());  // in the file, before any conversion
  for (const int64_t dim : shape) {
    if (dim < 0 ||
        (dim > 0 && bytes > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / dim))) {
      return absl::DataLossError(
          absl::StrCat(where, ": the shape's size overflows (corrupt file)"));
    }
    bytes *= dim;
  }
  const uint64_t stored = H5Dget_storage_size(dataset);
  if (bytes > kUncheckedBytes && bytes / kMaxExpansion > stored) {
    return absl::DataLossError(absl::StrCat(where, " holds ", bytes, " bytes but the file stores ",
                                            stored, " for it (truncated or corrupt file)"));
  }
  return absl::OkStatus();
}

struct VisitState {
  std::vector<Hdf5KeyInfo>* keys;
};

herr_t CollectDataset(hid_t group, const char* name, const H5L_info_t* info, void* data) {
  if (info->type != H5L_TYPE_HARD) return 0;
  ScopedId object(H5Oopen(group, name, H5P_DEFAULT), H5Oclose);
  if (!object.ok() || H5Iget_type(object.get()) != H5I_DATASET) return 0;
  Hdf5KeyInfo key_info;
  key_info.key = name;
  ScopedId space(H5Dget_space(object.get()), H5Sclose);
  ScopedId type(H5Dget_type(object.get()), H5Tclose);
  if (!space.ok() || !type.ok()) return -1;
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) return -1;
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  key_info.shape.assign(dims.begin(), dims.end());
  key_info.dtype = DescribeType(type.get());
  static_cast<VisitState*>(data)->keys->push_back(std::move(key_info));
  return 0;
}

}  // namespace

std::string ShapeString(const std::vector<int64_t>& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

// ---------------------------------------------------------------------------------------------
// Reader

Hdf5Reader::Hdf5Reader(std::string path, int64_t file_id, std::vector<Hdf5KeyInfo> keys)
    : path_(std::move(path)), file_id_(file_id), keys_(std::move(keys)) {}

Hdf5Reader::~Hdf5Reader() { H5Fclose(file_id_); }

absl::StatusOr<std::unique_ptr<Hdf5Reader>> Hdf5Reader::Open(const std::string& path) {
  SilenceHdf5Errors();
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    return absl::DataLossError(
        absl::StrCat(path, ": not an HDF5 file (corrupt or another format)"));
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) {
    return absl::DataLossError(
        absl::StrCat(path, ": HDF5 cannot open the file (truncated or corrupt)"));
  }
  std::vector<Hdf5KeyInfo> keys;
  VisitState state{&keys};
  if (H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, CollectDataset, &state) < 0) {
    H5Fclose(file);
    return absl::DataLossError(
        absl::StrCat(path, ": cannot list the datasets in the file (corrupt metadata)"));
  }
  std::sort(keys.begin(), keys.end(),
            [](const Hdf5KeyInfo& a, const Hdf5KeyInfo& b) { return a.key < b.key; });
  return std::unique_ptr<Hdf5Reader>(new Hdf5Reader(path, file, std::move(keys)));
}

bool Hdf5Reader::Has(const std::string& key) const { return Info(key).ok(); }

absl::StatusOr<Hdf5KeyInfo> Hdf5Reader::Info(const std::string& key) const {
  // keys_ is sorted: a Minari file lists ~10 datasets per episode for 1e4 episodes.
  const auto found = std::lower_bound(
      keys_.begin(), keys_.end(), key,
      [](const Hdf5KeyInfo& info, const std::string& wanted) { return info.key < wanted; });
  if (found != keys_.end() && found->key == key) return *found;
  // A Minari file holds ~1e5 keys: name the first few.
  constexpr size_t kListed = 12;
  std::vector<std::string> present;
  for (size_t i = 0; i < keys_.size() && i < kListed; ++i) present.push_back(keys_[i].key);
  const std::string more =
      keys_.size() > kListed ? absl::StrCat(" and ", keys_.size() - kListed, " more") : "";
  return absl::NotFoundError(absl::StrCat(
      path_, ": missing key '", key,
      "' (keys present: ", present.empty() ? "none" : absl::StrJoin(present, ", "), more, ")"));
}

absl::StatusOr<torch::Tensor> Hdf5Reader::ReadFloat(const std::string& key) const {
  ROMI_ASSIGN_OR_RETURN(const Hdf5KeyInfo info, Info(key));
  const std::string where = absl::StrCat(path_, ": key '", key, "' ", ShapeString(info.shape));
  if (info.dtype == "string" || info.dtype == "enum" || info.dtype == "unsupported") {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " has dtype ", info.dtype, ", expected a number or bool"));
  }
  ScopedId dataset(H5Dopen2(file_id_, key.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dataset.ok()) return absl::DataLossError(absl::StrCat(where, ": cannot open dataset"));
  ROMI_RETURN_IF_ERROR(CheckStoredSize(dataset.get(), info.shape, where));

  torch::Tensor out = torch::empty(info.shape, torch::kFloat32);
  herr_t read_status;
  if (info.dtype == "bool") {
    // HDF5 converts no enum to a number: read the raw int8 codes, then widen.
    ScopedId file_type(H5Dget_type(dataset.get()), H5Tclose);
    ScopedId memory_type(H5Tget_native_type(file_type.get(), H5T_DIR_ASCEND), H5Tclose);
    torch::Tensor codes = torch::empty(info.shape, torch::kInt8);
    read_status =
        H5Dread(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, codes.data_ptr());
    out.copy_(codes);
  } else {
    // HDF5 converts float64 and integers to float32 while reading.
    read_status =
        H5Dread(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data_ptr());
  }
  if (read_status < 0) {
    return absl::DataLossError(
        absl::StrCat(where, ": reading the data failed (truncated or corrupt file)"));
  }
  return out;
}

absl::StatusOr<std::string> Hdf5Reader::ReadString(const std::string& key) const {
  ROMI_ASSIGN_OR_RETURN(const Hdf5KeyInfo info, Info(key));
  const std::string where = absl::StrCat(path_, ": key '", key, "' ", ShapeString(info.shape));
  if (info.dtype != "string" || !info.shape.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " has dtype ", info.dtype, ", expected a scalar string"));
  }
  ScopedId dataset(H5Dopen2(file_id_, key.c_str(), H5P_DEFAULT), H5Dclose);
  ScopedId file_type(H5Dget_type(dataset.get()), H5Tclose);
  if (!dataset.ok() || !file_type.ok()) {
    return absl::DataLossError(absl::StrCat(where, ": cannot open dataset"));
  }
  if (H5Tis_variable_str(file_type.get()) > 0) {
    ScopedId memory_type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memory_type.get(), H5T_VARIABLE);
    H5Tset_cset(memory_type.get(), H5Tget_cset(file_type.get()));
    char* value = nullptr;
    if (H5Dread(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) < 0) {
      return absl::DataLossError(absl::StrCat(where, ": reading the string failed"));
    }
    std::string result = value == nullptr ? "" : value;
    ScopedId space(H5Dget_space(dataset.get()), H5Sclose);
    H5Dvlen_reclaim(memory_type.get(), space.get(), H5P_DEFAULT, &value);
    return result;
  }
  ROMI_RETURN_IF_ERROR(CheckStoredSize(dataset.get(), {}, where));
  std::string buffer(H5Tget_size(file_type.get()), '\0');
  if (H5Dread(dataset.get(), file_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0) {
    return absl::DataLossError(absl::StrCat(where, ": reading the string failed"));
  }
  return std::string(buffer.c_str());  // fixed-length strings are NUL padded
}

absl::StatusOr<int64_t> Hdf5Reader::ReadIntAttribute(const std::string& object,
                                                     const std::string& name) const {
  const std::string object_path = object.empty() ? "/" : object;
  const std::string where = absl::StrCat(path_, ": attribute '", name, "' of '", object_path, "'");
  if (object_path != "/" && H5Lexists(file_id_, object_path.c_str(), H5P_DEFAULT) <= 0) {
    return absl::NotFoundError(absl::StrCat(path_, ": no group or dataset '", object_path, "'"));
  }
  ScopedId holder(H5Oopen(file_id_, object_path.c_str(), H5P_DEFAULT), H5Oclose);
  if (!holder.ok()) return absl::DataLossError(absl::StrCat(where, ": cannot open its object"));
  if (H5Aexists(holder.get(), name.c_str()) <= 0) {
    return absl::NotFoundError(absl::StrCat(where, " is missing"));
  }
  ScopedId attribute(H5Aopen(holder.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  ScopedId type(H5Aget_type(attribute.get()), H5Tclose);
  ScopedId space(H5Aget_space(attribute.get()), H5Sclose);
  if (!attribute.ok() || !type.ok() || !space.ok()) {
    return absl::DataLossError(absl::StrCat(where, ": cannot open it (corrupt file)"));
  }
  if (H5Tget_class(type.get()) != H5T_INTEGER || H5Sget_simple_extent_npoints(space.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " has dtype ", DescribeType(type.get()), " and ",
                     H5Sget_simple_extent_npoints(space.get()), " values, expected one integer"));
  }
  int64_t value = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_INT64, &value) < 0) {
    return absl::DataLossError(absl::StrCat(where, ": reading it failed"));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Writer

Hdf5Writer::Hdf5Writer(std::string path, int64_t file_id)
    : path_(std::move(path)), file_id_(file_id) {}

Hdf5Writer::~Hdf5Writer() { Close().IgnoreError(); }

absl::StatusOr<std::unique_ptr<Hdf5Writer>> Hdf5Writer::Create(const std::string& path) {
  SilenceHdf5Errors();
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) {
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot create the HDF5 file"));
  }
  return std::unique_ptr<Hdf5Writer>(new Hdf5Writer(path, file));
}

absl::Status Hdf5Writer::Close() {
  if (file_id_ < 0) return absl::OkStatus();
  const herr_t status = H5Fclose(file_id_);
  file_id_ = -1;
  if (status < 0) return absl::DataLossError(absl::StrCat(path_, ": closing the file failed"));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Hdf5Writer::ParentGroup(const std::string& key) {
  std::vector<std::string> parts = absl::StrSplit(key, '/', absl::SkipEmpty());
  if (parts.empty()) return absl::InvalidArgumentError(absl::StrCat(path_, ": empty key"));
  parts.pop_back();
  return OpenOrCreateGroup(absl::StrJoin(parts, "/"));
}

absl::StatusOr<int64_t> Hdf5Writer::OpenOrCreateGroup(const std::string& path) {
  if (file_id_ < 0) return absl::FailedPreconditionError(absl::StrCat(path_, ": already closed"));
  const std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  hid_t group = H5Gopen2(file_id_, "/", H5P_DEFAULT);
  for (size_t i = 0; i < parts.size(); ++i) {
    const char* name = parts[i].c_str();
    const hid_t next = H5Lexists(group, name, H5P_DEFAULT) > 0
                           ? H5Gopen2(group, name, H5P_DEFAULT)
                           : H5Gcreate2(group, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(group);
    if (next < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path_, ": cannot create group '", parts[i], "' of '", path, "'"));
    }
    group = next;
  }
  return group;
}

absl::Status Hdf5Writer::Write(const std::string& key, const torch::Tensor& tensor) {
  const std::string where = absl::StrCat(path_, ": key '", key, "'");
  if (!tensor.defined() || !tensor.device().is_cpu()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": expected a defined CPU tensor"));
  }
  const torch::Tensor data = tensor.contiguous();
  ScopedId bool_type(data.scalar_type() == torch::kBool ? MakeBoolType() : -1, H5Tclose);
  hid_t memory_type;
  hid_t file_type;
  switch (data.scalar_type()) {
    case torch::kFloat32:
      memory_type = H5T_NATIVE_FLOAT;
      file_type = H5T_IEEE_F32LE;
      break;
    case torch::kFloat64:
      memory_type = H5T_NATIVE_DOUBLE;
      file_type = H5T_IEEE_F64LE;
      break;
    case torch::kInt32:
      memory_type = H5T_NATIVE_INT32;
      file_type = H5T_STD_I32LE;
      break;
    case torch::kInt64:
      memory_type = H5T_NATIVE_INT64;
      file_type = H5T_STD_I64LE;
      break;
    case torch::kUInt8:
      memory_type = H5T_NATIVE_UINT8;
      file_type = H5T_STD_U8LE;
      break;
    case torch::kBool:  // torch stores bools as single 0/1 bytes, the enum's int8 codes
      memory_type = file_type = bool_type.get();
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": unsupported dtype ", std::string(c10::toString(data.scalar_type()))));
  }
  const std::vector<hsize_t> dims(data.sizes().begin(), data.sizes().end());
  ScopedId space(dims.empty()
                     ? H5Screate(H5S_SCALAR)
                     : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                 H5Sclose);
  ROMI_ASSIGN_OR_RETURN(const hid_t parent_id, ParentGroup(key));
  ScopedId parent(parent_id, H5Gclose);
  const std::string name = key.substr(key.find_last_of('/') + 1);
  ScopedId dataset(H5Dcreate2(parent.get(), name.c_str(), file_type, space.get(), H5P_DEFAULT,
                              H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose);
  if (!dataset.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": cannot create dataset (key taken?)"));
  }
  if (data.numel() > 0 &&
      H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data_ptr()) < 0) {
    return absl::DataLossError(absl::StrCat(where, ": writing the data failed"));
  }
  return absl::OkStatus();
}

absl::Status Hdf5Writer::WriteString(const std::string& key, const std::string& value) {
  const std::string where = absl::StrCat(path_, ": key '", key, "'");
  ScopedId type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  ScopedId space(H5Screate(H5S_SCALAR), H5Sclose);
  ROMI_ASSIGN_OR_RETURN(const hid_t parent_id, ParentGroup(key));
  ScopedId parent(parent_id, H5Gclose);
  const std::string name = key.substr(key.find_last_of('/') + 1);
  ScopedId dataset(H5Dcreate2(parent.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                              H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose);
  if (!dataset.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": cannot create dataset (key taken?)"));
  }
  const char* data = value.c_str();
  if (H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &data) < 0) {
    return absl::DataLossError(absl::StrCat(where, ": writing the string failed"));
  }
  return absl::OkStatus();
}

absl::Status Hdf5Writer::WriteIntAttribute(const std::string& group, const std::string& name,
                                           int64_t value) {
  const std::string where = absl::StrCat(path_, ": attribute '", name, "' of '", group, "'");
  ROMI_ASSIGN_OR_RETURN(const hid_t group_id, OpenOrCreateGroup(group));
  ScopedId holder(group_id, H5Gclose);
  ScopedId space(H5Screate(H5S_SCALAR), H5Sclose);
  ScopedId attribute(
      H5Acreate2(holder.get(), name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose);
  if (!attribute.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": cannot create it (name taken?)"));
  }
  if (H5Awrite(attribute.get(), H5T_NATIVE_INT64, &value) < 0) {
    return absl::DataLossError(absl::StrCat(where, ": writing it failed"));
  }
  return absl::OkStatus();
}

}  // namespace romi::data
