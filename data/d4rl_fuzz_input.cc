#include "data/d4rl_fuzz_input.h"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <vector>

namespace romi::data {
namespace {

constexpr const char* kFuzzKeys[] = {
    "observations",
    "actions",
    "rewards",
    "terminals",
    "timeouts",
    "next_observations",
    "infos/qpos",
    "infos/goal",
    "metadata/algorithm",
    "metadata/policy/fc0/weight",
    "metadata/seed",
    "observations/nested",
    "unrelated",
};
const std::vector<std::string>& D4rlKeys() {
  static const std::vector<std::string>* keys =
      new std::vector<std::string>(std::begin(kFuzzKeys), std::end(kFuzzKeys));
  return *keys;
}

int KeyIndex(const std::vector<std::string>& keys, const std::string& key) {
  for (size_t i = 0; i < keys.size(); ++i) {
    if (key == keys[i]) return static_cast<int>(i);
  }
  return static_cast<int>(keys.size()) - 1;
}

// Reads bytes from the input; past its end, zeros.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return offset_ >= size_; }
  uint8_t Byte() { return offset_ < size_ ? data_[offset_++] : 0; }
  void Bytes(void* out, size_t n) {
    const size_t available = offset_ < size_ ? std::min(n, size_ - offset_) : 0;
    if (available > 0) std::memcpy(out, data_ + offset_, available);
    std::memset(static_cast<uint8_t*>(out) + available, 0, n - available);
    offset_ += available;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

// Owns an HDF5 identifier.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Id() {
    if (id >= 0) close(id);
  }
};

hid_t MakeType(FuzzDtype dtype, size_t string_length) {
  switch (dtype) {
    case kFuzzFloat32:
      return H5Tcopy(H5T_IEEE_F32LE);
    case kFuzzFloat64:
      return H5Tcopy(H5T_IEEE_F64LE);
    case kFuzzInt8:
      return H5Tcopy(H5T_STD_I8LE);
    case kFuzzUInt8:
      return H5Tcopy(H5T_STD_U8LE);
    case kFuzzInt32:
      return H5Tcopy(H5T_STD_I32LE);
    case kFuzzInt64:
      return H5Tcopy(H5T_STD_I64LE);
    case kFuzzUInt64:
      return H5Tcopy(H5T_STD_U64LE);
    case kFuzzBool:
    case kFuzzEnum: {
      const hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
      const int8_t values[] = {0, 1, 2};
      H5Tenum_insert(type, "FALSE", &values[0]);
      H5Tenum_insert(type, "TRUE", &values[1]);
      if (dtype == kFuzzEnum) H5Tenum_insert(type, "MAYBE", &values[2]);
      return type;
    }
    case kFuzzFixedString: {
      const hid_t type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, std::max<size_t>(1, string_length));
      return type;
    }
    case kFuzzString: {
      const hid_t type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, H5T_VARIABLE);
      H5Tset_cset(type, H5T_CSET_UTF8);
      return type;
    }
    default: {
      const hid_t type = H5Tcreate(H5T_COMPOUND, 8);
      H5Tinsert(type, "a", 0, H5T_NATIVE_FLOAT);
      H5Tinsert(type, "b", 4, H5T_NATIVE_FLOAT);
      return type;
    }
  }
}

void WriteArray(hid_t file, Reader& in, const std::vector<std::string>& keys) {
  const char* key = keys[in.Byte() % keys.size()].c_str();
  const auto dtype = static_cast<FuzzDtype>(in.Byte() % kFuzzDtypes);
  int storage = in.Byte() % 3;
  const int rank = in.Byte() % 4;
  std::vector<hsize_t> dims(rank);
  hsize_t elements = 1;
  for (hsize_t& dim : dims) {
    dim = in.Byte();
    dim |= static_cast<hsize_t>(in.Byte()) << 8;
    elements *= dim;
  }
  if (elements > static_cast<hsize_t>(kMaxWrittenElements)) storage = 2;
  const bool is_string = dtype == kFuzzFixedString || dtype == kFuzzString;
  std::string text;
  if (is_string && storage != 2) {
    text.resize(in.Byte());
    in.Bytes(text.data(), text.size());
  }
  const Id type{MakeType(dtype, text.size()), H5Tclose};
  const Id space{rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims.data(), nullptr),
                 H5Sclose};
  const Id lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
  H5Pset_create_intermediate_group(lcpl.id, 1);
  const Id dcpl{H5Pcreate(H5P_DATASET_CREATE), H5Pclose};
  if (storage == 1 && rank > 0 && elements > 0) {
    std::vector<hsize_t> chunk(dims);
    for (hsize_t& c : chunk) c = std::max<hsize_t>(1, std::min<hsize_t>(c, 16));
    H5Pset_chunk(dcpl.id, rank, chunk.data());
    H5Pset_deflate(dcpl.id, 6);
  }
  if (type.id < 0 || space.id < 0) return;
  const Id dataset{H5Dcreate2(file, key, type.id, space.id, lcpl.id, dcpl.id, H5P_DEFAULT),
                   H5Dclose};
  if (dataset.id < 0 || storage == 2 || elements == 0) return;
  if (dtype == kFuzzString) {
    const std::vector<const char*> pointers(elements, text.c_str());
    H5Dwrite(dataset.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data());
  } else if (dtype == kFuzzFixedString) {
    std::string all;
    for (hsize_t i = 0; i < elements; ++i) all += text.empty() ? std::string(1, '\0') : text;
    H5Dwrite(dataset.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, all.data());
  } else {
    std::vector<uint8_t> bytes(elements * H5Tget_size(type.id));
    in.Bytes(bytes.data(), bytes.size());
    H5Dwrite(dataset.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
  }
}

void Append(std::string& out, const void* data, size_t size) {
  out.append(static_cast<const char*>(data), size);
}

}  // namespace

void EncodeFuzzArray(std::string& out, const std::vector<std::string>& keys, const std::string& key,
                     const torch::Tensor& tensor, bool flags) {
  const torch::Tensor t =
      flags ? tensor.to(torch::kInt8).contiguous() : tensor.to(torch::kFloat32).contiguous();
  out += static_cast<char>(KeyIndex(keys, key));
  out += static_cast<char>(flags ? kFuzzBool : kFuzzFloat32);
  out += static_cast<char>(0);
  out += static_cast<char>(t.dim());
  for (const int64_t dim : t.sizes()) {
    out += static_cast<char>(dim & 0xff);
    out += static_cast<char>((dim >> 8) & 0xff);
  }
  Append(out, t.data_ptr(), t.numel() * t.element_size());
}

bool WriteFuzzArrays(const uint8_t* data, size_t size, const std::string& path,
                     const std::vector<std::string>& keys, int max_arrays) {
  static const bool silenced = [] { return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0; }();
  (void)silenced;
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) return false;
  Reader in(data, size);
  for (int arrays = 0; !in.done() && arrays < max_arrays; ++arrays) WriteArray(file, in, keys);
  return H5Fclose(file) >= 0;
}

bool WriteD4rlFuzzInput(const uint8_t* data, size_t size, const std::string& path) {
  return WriteFuzzArrays(data, size, path, D4rlKeys(), 16);
}

std::string EncodeD4rlFuzzInput(const D4rlFile& file) {
  std::string out;
  const auto encode = [&out](const std::string& key, const torch::Tensor& t, bool flags) {
    if (t.defined()) EncodeFuzzArray(out, D4rlKeys(), key, t, flags);
  };
  encode("observations", file.observations, false);
  encode("actions", file.actions, false);
  encode("rewards", file.rewards, false);
  encode("terminals", file.terminals, true);
  encode("timeouts", file.timeouts, true);
  encode("next_observations", file.next_observations, false);
  for (const auto& [name, tensor] : file.infos) encode("infos/" + name, tensor, false);
  for (const auto& [name, tensor] : file.metadata) encode("metadata/" + name, tensor, false);
  for (const auto& [name, value] : file.metadata_strings) {
    out += static_cast<char>(KeyIndex(D4rlKeys(), "metadata/" + name));
    out += static_cast<char>(kFuzzString);
    out += static_cast<char>(0);
    out += static_cast<char>(0);  // a scalar
    out += static_cast<char>(std::min<size_t>(value.size(), 255));
    out += value.substr(0, 255);
  }
  return out;
}

}  // namespace romi::data
