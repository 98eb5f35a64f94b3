#include "learners/nn/archive_io.h"

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/atomic_file.h"
#include "caffe2/serialize/inline_container.h"

namespace romi::learners {

namespace {

// An archive that OutputArchive writes holds no code, only declarations of its entries in
// TorchScript's class syntax (code/__torch__.py, and code/__torch__/___torch_mangle_<n>.py for
// sub-archives), e.g.
//   class Module(Module):
//     __parameters__ = ["observations", "actions", ]
//     __buffers__ = []
//     observations : Tensor
//     betas : Tuple[float, float]
//     __annotations__["weights/net.linear0.weight"] = Tensor
//     __annotations__["optimizer"] = __torch__.___torch_mangle_3.Module
// Loading compiles that source, and TorchScript's compiler is not safe against corrupt source
// (archive fuzzing found a SEGV in ScriptTypeParser::parseClassConstant): source of any other
// form is refused before it gets there.
bool Consume(absl::string_view& text, absl::string_view prefix) {
  if (!absl::StartsWith(text, prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

absl::string_view ConsumeWord(absl::string_view& text) {
  size_t n = 0;
  while (n < text.size() && IsWordChar(text[n])) ++n;
  const absl::string_view word = text.substr(0, n);
  text.remove_prefix(n);
  return word;
}

// "name": any characters but quotes and backslashes.
bool ConsumeQuoted(absl::string_view& text) {
  if (!Consume(text, "\"")) return false;
  const size_t end = text.find_first_of("\"\\");
  if (end == absl::string_view::npos || text[end] != '"') return false;
  text.remove_prefix(end + 1);
  return true;
}

// Tensor, int, float, bool, str, __torch__.<...>.Module, or Tuple/List/Optional/Dict of those.
bool ConsumeType(absl::string_view& text, int depth) {
  const absl::string_view word = ConsumeWord(text);
  if (word == "Tensor" || word == "int" || word == "float" || word == "bool" || word == "str") {
    return true;
  }
  if (word == "__torch__") {
    absl::string_view last = word;
    while (Consume(text, ".")) last = ConsumeWord(text);
    return last == "Module";
  }
  if (depth > 4 || (word != "Tuple" && word != "List" && word != "Optional" && word != "Dict") ||
      !Consume(text, "[")) {
    return false;
  }
  do {
    if (!ConsumeType(text, depth + 1)) return false;
  } while (Consume(text, ", "));
  return Consume(text, "]");
}

bool IsDeclaration(absl::string_view line) {
  if (line == "class Module(Module):") return true;
  if (!Consume(line, "  ")) return false;
  if (Consume(line, "__parameters__ = [") || Consume(line, "__buffers__ = [")) {
    while (ConsumeQuoted(line)) {
      if (!Consume(line, ", ")) return false;
    }
    return line == "]";
  }
  if (line == "__annotations__ = []") return true;
  if (Consume(line, "__annotations__[")) {
    return ConsumeQuoted(line) && Consume(line, "] = ") && ConsumeType(line, 0) && line.empty();
  }
  return !ConsumeWord(line).empty() && Consume(line, " : ") && ConsumeType(line, 0) && line.empty();
}

// The pickles of an archive (data.pkl, constants.pkl) are read by LibTorch's unpickler, which
// trusts the numbers it reads: a memo index (BINPUT/LONG_BINPUT) makes it reserve a table of that
// many entries (16 bytes each: a 4-byte index asks for up to 64 GiB), and a string or bytes length
// makes it allocate and zero-fill that many bytes before it finds the pickle shorter. Fuzzing
// found both from archives of a few KB. So every opcode is walked first: each length must fit in
// what is left of the pickle, each memo index must be one the pickle could have made (below its
// length: every memoized object takes at least one opcode), and an opcode outside the pickle
// protocol is refused.
constexpr char kUnknown = 0;
constexpr char kNoArgument = 1;
constexpr char kLine = 2;  // an argument ending at a newline (text opcodes: INT, GLOBAL's two, ...)

// What follows an opcode.
struct OpcodeArgument {
  char kind = kUnknown;  // kUnknown, kNoArgument, kLine, 'f' (fixed), 'l' (length-prefixed)
  int bytes = 0;         // 'f': the argument's size; 'l': the length prefix's; kLine: lines
  bool memo_index = false;
};

OpcodeArgument ArgumentOf(unsigned char op) {
  switch (op) {
    // No argument.
    case '(':
    case '.':
    case '0':
    case '1':
    case '2':
    case 'N':
    case 'Q':
    case 'R':
    case 'a':
    case 'b':
    case 'd':
    case '}':
    case 'e':
    case 'l':
    case ']':
    case 'o':
    case 's':
    case 't':
    case ')':
    case 'u':
    case 0x81:
    case 0x85:
    case 0x86:
    case 0x87:
    case 0x88:
    case 0x89:
    case 0x8f:
    case 0x90:
    case 0x91:
    case 0x92:
    case 0x93:
    case 0x94:
      return {kNoArgument, 0, false};
    // Fixed-size arguments.
    case 'K':
      return {'f', 1, false};
    case 'M':
      return {'f', 2, false};
    case 'J':
      return {'f', 4, false};
    case 'G':
      return {'f', 8, false};
    case 0x80:
      return {'f', 1, false};  // PROTO
    case 0x82:
      return {'f', 1, false};  // EXT1
    case 0x83:
      return {'f', 2, false};  // EXT2
    case 0x84:
      return {'f', 4, false};  // EXT4
    case 0x95:
      return {'f', 8, false};  // FRAME
    case 'h':
      return {'f', 1, true};  // BINGET
    case 'q':
      return {'f', 1, true};  // BINPUT
    case 'j':
      return {'f', 4, true};  // LONG_BINGET
    case 'r':
      return {'f', 4, true};  // LONG_BINPUT
    // Length-prefixed.
    case 'U':
    case 'C':
    case 0x8c:
    case 0x8a:
      return {'l', 1, false};
    case 'T':
    case 'X':
    case 'B':
    case 0x8b:
      return {'l', 4, false};
    case 0x8d:
    case 0x8e:
      return {'l', 8, false};
    // Text lines.
    case 'F':
    case 'I':
    case 'L':
    case 'P':
    case 'S':
    case 'V':
    case 'g':
    case 'p':
      return {kLine, 1, false};
    case 'c':
    case 'i':
      return {kLine, 2, false};
    default:
      return {kUnknown, 0, false};
  }
}

uint64_t LittleEndian(absl::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;)
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

}  // namespace

absl::Status CheckPickle(absl::string_view pickle, const std::string& path,
                         const std::string& record) {
  const auto refuse = [&](size_t at, const std::string& what) {
    return absl::DataLossError(
        absl::StrCat(path, ": not a readable archive: ", record, " at byte ", at, ": ", what));
  };
  size_t at = 0;
  while (at < pickle.size()) {
    const size_t op_at = at;
    const unsigned char op = static_cast<unsigned char>(pickle[at++]);
    const OpcodeArgument argument = ArgumentOf(op);
    const size_t left = pickle.size() - at;
    switch (argument.kind) {
      case kUnknown:
        return refuse(
            op_at, absl::StrCat("opcode ", static_cast<int>(op), " is not in the pickle protocol"));
      case kNoArgument:
        if (op == '.') return absl::OkStatus();  // STOP
        break;
      case kLine:
        for (int line = 0; line < argument.bytes; ++line) {
          const size_t end = pickle.find('\n', at);
          if (end == absl::string_view::npos) return refuse(op_at, "a text argument never ends");
          at = end + 1;
        }
        break;
      case 'f': {
        if (left < static_cast<size_t>(argument.bytes)) return refuse(op_at, "the pickle ends");
        const uint64_t value = LittleEndian(pickle.substr(at, argument.bytes));
        if (argument.memo_index && value >= pickle.size()) {
          return refuse(op_at, absl::StrCat("memo index ", value, " in a pickle of ", pickle.size(),
                                            " bytes"));
        }
        at += argument.bytes;
        break;
      }
      case 'l': {
        if (left < static_cast<size_t>(argument.bytes)) return refuse(op_at, "the pickle ends");
        const uint64_t length = LittleEndian(pickle.substr(at, argument.bytes));
        at += argument.bytes;
        if (length > pickle.size() - at) {
          return refuse(op_at, absl::StrCat("an argument of ", length, " bytes with ",
                                            pickle.size() - at, " left"));
        }
        at += length;
        break;
      }
    }
  }
  return absl::DataLossError(
      absl::StrCat(path, ": not a readable archive: ", record, " ends without STOP"));
}

namespace {

// OK when every source file of the archive at `path` only declares entries and every pickle in it
// is well formed (CheckPickle). Throws c10::Error when `path` is not an archive.
absl::Status CheckDeclarationsOnly(const std::string& path) {
  caffe2::serialize::PyTorchStreamReader reader(path);
  // LibTorch's writer stores records uncompressed, so each lies within the file; a zip directory
  // that declares more (fuzzing found a code/*.py of 3.5 GB in a 4 KB file) is corrupt, and
  // reading what it declares would scan gigabytes.
  std::error_code error;
  const uintmax_t file_size = std::filesystem::file_size(path, error);
  for (const std::string& record : reader.getAllRecords()) {
    const bool pickle_record = absl::EndsWith(record, ".pkl");
    const bool source_record = absl::StartsWith(record, "code/") && absl::EndsWith(record, ".py");
    if (!pickle_record && !source_record) continue;
    const auto [data, size] = reader.getRecord(record);
    if (error || size > file_size) {
      return absl::DataLossError(absl::StrCat(path, ": not a readable archive: ", record,
                                              " declares ", size, " bytes in a file of ",
                                              error ? 0 : file_size));
    }
    if (pickle_record) {
      const absl::Status pickle =
          CheckPickle(absl::string_view(static_cast<const char*>(data.get()), size), path, record);
      if (!pickle.ok()) return pickle;
      continue;
    }
    const absl::string_view source(static_cast<const char*>(data.get()), size);
    for (size_t start = 0; start < source.size();) {
      const size_t end = std::min(source.find('\n', start), source.size());
      if (!IsDeclaration(source.substr(start, end - start))) {
        return absl::DataLossError(absl::StrCat(path, ": not a readable archive: ", record,
                                                " holds more than entry declarations"));
      }
      start = end + 1;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SaveArchive(torch::serialize::OutputArchive& archive, const std::string& path) {
  return WriteFileAtomically(path, [&](const std::string& temporary) -> absl::Status {
    const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return FileSystemError("cannot create", temporary, errno);
    // LibTorch's writer finishes the archive in its destructor and throws from there when a write
    // comes up short (a full disk), which terminates the process. So it is told every write
    // succeeded, and the first failure is kept and reported once the archive is done.
    int write_error = 0;
    const auto write = [&](const void* data, size_t size) -> size_t {
      if (write_error == 0) write_error = WriteAll(fd, data, size);
      return size;
    };
    try {
      archive.save_to(write);
    } catch (const c10::Error& error) {
      close(fd);
      return absl::InternalError(absl::StrCat(temporary, ": ", error.what_without_backtrace()));
    }
    if (close(fd) != 0 && write_error == 0) write_error = errno;
    if (write_error != 0) return FileSystemError("cannot write", temporary, write_error);
    return absl::OkStatus();
  });
}

absl::Status LoadArchive(const std::string& path, torch::serialize::InputArchive& archive) {
  try {
    if (absl::Status status = CheckDeclarationsOnly(path); !status.ok()) return status;
    archive.load_from(path);
  } catch (const c10::Error& error) {
    return absl::DataLossError(
        absl::StrCat(path, ": not a readable archive: ", error.what_without_backtrace()));
  } catch (const std::exception& error) {
    // An archive holds TorchScript source that loading compiles; its parser reports errors as
    // torch::jit::ErrorReport (a std::exception, not a c10::Error).
    return absl::DataLossError(absl::StrCat(path, ": not a readable archive: ", error.what()));
  }
  return absl::OkStatus();
}

void WriteTransitions(torch::serialize::OutputArchive& archive, const data::Transitions& table) {
  archive.write("observations", table.observations);
  archive.write("actions", table.actions);
  archive.write("rewards", table.rewards);
  archive.write("next_observations", table.next_observations);
  archive.write("terminals", table.terminals);
}

absl::Status ReadTensor(torch::serialize::InputArchive& archive, const std::string& key,
                        const std::string& path, torch::Tensor& tensor) {
  const std::string where = absl::StrCat(path, ": entry '", key, "'");
  try {
    archive.read(key, tensor);
  } catch (const c10::Error& error) {
    return absl::DataLossError(absl::StrCat(where, ": ", error.what_without_backtrace()));
  }
  return CheckStoredTensor(tensor, where);
}

namespace {

// LibTorch 1.13's loader sizes a storage by the element count the archive's pickle declares, and
// fills it with the bytes of the record the pickle names, however few they are: an archive whose
// tensor names a smaller record (one changed byte, found by learner_checkpoint_fuzzer) gives a
// storage that claims more bytes than its buffer has. The loader's buffers are plain CPU
// allocations (c10::alloc_cpu: the data pointer is the allocation and its own context), so the
// allocator says how large each really is.
bool BufferHoldsStorage(const c10::Storage& storage) {
  const c10::DataPtr& data = storage.data_ptr();
  if (data.get() == nullptr) return storage.nbytes() == 0;
  if (data.get_context() != data.get()) return false;  // not a buffer the loader allocated
  return malloc_usable_size(data.get()) >= storage.nbytes();
}

}  // namespace

absl::Status CheckStoredTensor(const torch::Tensor& tensor, const std::string& where) {
  if (!tensor.defined() || tensor.layout() != torch::kStrided || !tensor.device().is_cpu() ||
      tensor.is_quantized()) {
    return absl::DataLossError(absl::StrCat(where, " is not a dense CPU tensor"));
  }
  if (tensor.numel() == 0) return absl::OkStatus();
  // The last element's offset in the storage, in elements, then in bytes.
  int64_t last = tensor.storage_offset();
  bool ok = tensor.has_storage() && last >= 0;
  for (int64_t d = 0; ok && d < tensor.dim(); ++d) {
    int64_t step = 0;
    ok = tensor.stride(d) >= 0 &&
         !__builtin_mul_overflow(tensor.size(d) - 1, tensor.stride(d), &step) &&
         !__builtin_add_overflow(last, step, &last);
  }
  int64_t bytes = 0;
  ok = ok && !__builtin_mul_overflow(last + 1, static_cast<int64_t>(tensor.element_size()), &bytes);
  if (!ok || static_cast<uint64_t>(bytes) > tensor.storage().nbytes() ||
      !BufferHoldsStorage(tensor.storage())) {
    return absl::DataLossError(absl::StrCat(where, ": shape ", c10::str(tensor.sizes()),
                                            " and offset ", tensor.storage_offset(),
                                            " lie outside its stored data (corrupt file)"));
  }
  return absl::OkStatus();
}

absl::Status ReadTransitions(torch::serialize::InputArchive& archive, const std::string& path,
                             data::Transitions& table) {
  const std::pair<const char*, torch::Tensor*> columns[] = {
      {"observations", &table.observations}, {"actions", &table.actions},
      {"rewards", &table.rewards},           {"next_observations", &table.next_observations},
      {"terminals", &table.terminals},
  };
  for (const auto& [key, column] : columns) {
    if (absl::Status status = ReadTensor(archive, key, path, *column); !status.ok()) return status;
  }
  // Users index rows and widths without further checks (data/transitions.h).
  const int64_t rows = table.observations.dim() == 2 ? table.observations.size(0) : -1;
  const bool layout_ok = rows >= 0 &&
                         table.next_observations.sizes() == table.observations.sizes() &&
                         table.actions.dim() == 2 && table.actions.size(0) == rows &&
                         table.rewards.dim() == 1 && table.rewards.size(0) == rows &&
                         table.terminals.dim() == 1 && table.terminals.size(0) == rows;
  bool float32 = true;
  for (const auto& [key, column] : columns) {
    float32 = float32 && column->scalar_type() == torch::kFloat32;
  }
  if (!layout_ok || !float32) {
    return absl::DataLossError(absl::StrCat(path, ": not a float32 transition table: observations ",
                                            c10::str(table.observations.sizes()), ", actions ",
                                            c10::str(table.actions.sizes()), ", rewards ",
                                            c10::str(table.rewards.sizes()), ", next_observations ",
                                            c10::str(table.next_observations.sizes()),
                                            ", terminals ", c10::str(table.terminals.sizes())));
  }
  return absl::OkStatus();
}

}  // namespace romi::learners
