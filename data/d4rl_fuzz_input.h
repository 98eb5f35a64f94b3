// The input format of d4rl_file_fuzzer: a list of arrays that is written as a well-formed HDF5 file
// (keys, dtypes, shapes, storage and bytes all chosen by the input), so that the fuzzer explores
// our reader, its validation and the Dataset built from it instead of libhdf5's parser, which is
// not safe against corrupt files (hdf5_io_fuzzer feeds it raw bytes; see tools/fuzz.sh).
//
// Each array, until the input ends:
//   byte   key: kFuzzKeys[byte % size] (the D4RL keys, infos/ and metadata/ keys, others)
//   byte   dtype: FuzzDtype(byte % kFuzzDtypes)
//   byte   storage: 0 contiguous, 1 chunked + deflate, 2 never written (HDF5 reads fill values)
//   byte   rank, mod 4
//   rank x 2 bytes  dims, little-endian; a written array of more than kMaxWrittenElements
//          elements is not written instead
//   written arrays: strings: 1 byte length, then that many bytes (every element that string);
//          numbers: elements x element size bytes, missing bytes zero
// An array HDF5 refuses (a key taken, a group where a dataset is) is skipped.
#ifndef ROMI_DATA_D4RL_FUZZ_INPUT_H_
#define ROMI_DATA_D4RL_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/d4rl_file.h"

namespace romi::data {

enum FuzzDtype : uint8_t {
  kFuzzFloat32,
  kFuzzFloat64,
  kFuzzInt8,
  kFuzzUInt8,
  kFuzzInt32,
  kFuzzInt64,
  kFuzzUInt64,
  kFuzzBool,         // h5py's int8 enum {FALSE, TRUE}
  kFuzzEnum,         // another enum
  kFuzzFixedString,  // fixed length, NUL padded
  kFuzzString,       // variable-length UTF-8, as h5py writes str
  kFuzzCompound,     // a type the reader does not support
  kFuzzDtypes,
};

inline constexpr int64_t kMaxWrittenElements = 4096;

// Writes the arrays that `data` describes to a new HDF5 file at `path`. False only when the file
// cannot be created at all.
bool WriteD4rlFuzzInput(const uint8_t* data, size_t size, const std::string& path);

// The same format over another key table (keys[byte % keys.size()]), at most `max_arrays`
// arrays: what the Minari fuzzer writes its episodes with.
bool WriteFuzzArrays(const uint8_t* data, size_t size, const std::string& path,
                     const std::vector<std::string>& keys, int max_arrays);
// Appends one array in that format (float32, or bool when `flags`); a key not in `keys` becomes
// the table's last.
void EncodeFuzzArray(std::string& out, const std::vector<std::string>& keys, const std::string& key,
                     const torch::Tensor& tensor, bool flags);

// `file` in that format (float32 arrays, bool flags, variable-length metadata strings): the seeds.
std::string EncodeD4rlFuzzInput(const D4rlFile& file);

}  // namespace romi::data

#endif  // ROMI_DATA_D4RL_FUZZ_INPUT_H_
