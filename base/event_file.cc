#include "base/event_file.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "base/tensorboard_event.pb.h"

namespace romi {
namespace {

namespace fs = std::filesystem;

constexpr char kFileName[] = "events.out.tfevents.0.romi";
constexpr int64_t kHeaderBytes = 12;  // length and its CRC
constexpr int64_t kFooterBytes = 4;   // the data's CRC

const std::array<uint32_t, 256>& CrcTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t crc = i;
      for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0u);
      t[i] = crc;
    }
    return t;
  }();
  return table;
}

void PutLittleEndian(uint64_t value, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t GetLittleEndian(const char* data, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(data[i])) << (8 * i);
  }
  return value;
}

std::string Record(const std::string& data) {
  std::string record;
  PutLittleEndian(data.size(), 8, &record);
  PutLittleEndian(MaskedCrc32c(record), 4, &record);
  record += data;
  PutLittleEndian(MaskedCrc32c(data), 4, &record);
  return record;
}

}  // namespace

uint32_t Crc32c(absl::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const char c : data)
    crc = CrcTable()[(crc ^ static_cast<unsigned char>(c)) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint32_t MaskedCrc32c(absl::string_view data) {
  const uint32_t crc = Crc32c(data);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

absl::StatusOr<std::vector<ScalarEvent>> ReadEventFile(const std::string& path,
                                                       bool allow_torn_tail, int64_t* valid_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const int64_t size = static_cast<int64_t>(bytes.size());
  std::vector<ScalarEvent> events;
  int64_t offset = 0;
  while (offset < size) {
    const char* record = bytes.data() + offset;
    const int64_t length =
        size - offset >= kHeaderBytes ? static_cast<int64_t>(GetLittleEndian(record, 8)) : -1;
    if (length < 0 || size - offset - kHeaderBytes - kFooterBytes < length) {
      if (allow_torn_tail) break;
      return absl::DataLossError(
          absl::StrCat(path, ": a record cut off at byte ", offset, " of ", size));
    }
    if (GetLittleEndian(record + 8, 4) != MaskedCrc32c(absl::string_view(record, 8)) ||
        GetLittleEndian(record + kHeaderBytes + length, 4) !=
            MaskedCrc32c(absl::string_view(record + kHeaderBytes, length))) {
      return absl::DataLossError(absl::StrCat(path, ": bad CRC in the record at byte ", offset));
    }
    tensorboard::Event event;
    if (!event.ParseFromArray(record + kHeaderBytes, static_cast<int>(length))) {
      return absl::DataLossError(
          absl::StrCat(path, ": the record at byte ", offset, " is not an Event"));
    }
    for (const tensorboard::SummaryValue& value : event.summary().value()) {
      events.push_back({value.tag(), event.step(), value.simple_value(), event.wall_time()});
    }
    offset += kHeaderBytes + length + kFooterBytes;
  }
  if (valid_bytes != nullptr) *valid_bytes = offset;
  return events;
}

absl::StatusOr<EventFile> EventFile::Open(const std::string& dir) {
  EventFile file((fs::path(dir) / kFileName).string());
  if (fs::exists(file.path_)) {
    int64_t valid = 0;
    ROMI_ASSIGN_OR_RETURN(const std::vector<ScalarEvent> events,
                          ReadEventFile(file.path_, /*allow_torn_tail=*/true, &valid));
    std::error_code error;
    fs::resize_file(file.path_, static_cast<uintmax_t>(valid), error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("cannot cut the torn record off ", file.path_, ": ", error.message()));
    }
    for (const ScalarEvent& event : events) file.written_.insert({event.tag, event.step});
    if (valid > 0) return file;
  }
  tensorboard::Event version;
  version.set_wall_time(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  version.set_file_version("brain.Event:2");
  ROMI_RETURN_IF_ERROR(file.Append(version.SerializeAsString()));
  return file;
}

absl::Status EventFile::AddScalar(const std::string& tag, int64_t step, double value) {
  if (!written_.insert({tag, step}).second) return absl::OkStatus();
  tensorboard::Event event;
  event.set_wall_time(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  event.set_step(step);
  tensorboard::SummaryValue* scalar = event.mutable_summary()->add_value();
  scalar->set_tag(tag);
  scalar->set_simple_value(static_cast<float>(value));
  return Append(event.SerializeAsString());
}

absl::Status EventFile::Append(const std::string& event_bytes) {
  std::ofstream out(path_, std::ios::binary | std::ios::app);
  const std::string record = Record(event_bytes);
  out.write(record.data(), static_cast<std::streamsize>(record.size()));
  out.flush();
  if (!out) return absl::InternalError(absl::StrCat("cannot append to ", path_));
  return absl::OkStatus();
}

}  // namespace romi
