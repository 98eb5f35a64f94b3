// A one-line progress bar with rate and ETA for long loops (dataset generation, the suite's
// training stages):
//   maze2d-umaze-v1 [##########..........]  50.0%  500000/1000000  61234/s  ETA 8s
// On a terminal the line is redrawn in place, at most every 0.2 s; on anything else (CI logs,
// files) a plain line is written at every tenth of the way, so logs stay short. With total <= 0
// (not known in advance, e.g. training that stops early) it shows the count, rate and elapsed time.
// Finish() (also run by the destructor) draws the final state and ends the line.
#ifndef ROMI_BASE_PROGRESS_BAR_H_
#define ROMI_BASE_PROGRESS_BAR_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/time/time.h"

namespace romi {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::FILE* out = stderr);
  ~ProgressBar() { Finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(int64_t done);
  void Finish();

  // The line drawn for `done` of `total` after `elapsed`, the rate counted from `first_done`
  // (where the bar started, e.g. a resumed run's step) (exposed for tests).
  static std::string Line(const std::string& label, int64_t done, int64_t total,
                          absl::Duration elapsed, int64_t first_done = 0);
  // "1h02m", "3m05s", "12s", "4.0s" (under 10 s).
  static std::string FormatDuration(absl::Duration duration);

 private:
  void Draw(absl::Time now);

  std::string label_;
  int64_t total_;
  std::FILE* out_;
  bool terminal_;
  absl::Time start_;
  absl::Time last_draw_ = absl::InfinitePast();
  int64_t done_ = 0;
  int64_t first_done_ = -1;       // the first value given to Update
  int64_t last_step_drawn_ = -1;  // off a terminal: the tenth (or count) last written
  bool drawn_complete_ = false;
  bool finished_ = false;
};

}  // namespace romi

#endif  // ROMI_BASE_PROGRESS_BAR_H_
