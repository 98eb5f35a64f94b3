// A one-line progress bar with rate and ETA for long loops (dataset generation), redrawn in place
// on a terminal stream:
//   maze2d-umaze-v1 [##########..........]  50.0%  500000/1000000  61234/s  ETA 8s
// Redraws at most every 0.2 s; Finish() draws 100% and ends the line.
#ifndef ROMI_DATA_PROGRESS_BAR_H_
#define ROMI_DATA_PROGRESS_BAR_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/time/time.h"

namespace romi::data {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::FILE* out = stderr);
  ~ProgressBar() { Finish(); }

  void Update(int64_t done);
  void Finish();

  // The line drawn for `done` of `total` after `elapsed` (exposed for tests).
  static std::string Line(const std::string& label, int64_t done, int64_t total,
                          absl::Duration elapsed);

 private:
  std::string label_;
  int64_t total_;
  std::FILE* out_;
  absl::Time start_;
  absl::Time last_draw_ = absl::InfinitePast();
  int64_t done_ = 0;
  bool drawn_complete_ = false;
  bool finished_ = false;
};

}  // namespace romi::data

#endif  // ROMI_DATA_PROGRESS_BAR_H_
