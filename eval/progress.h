// A one-line progress bar with an ETA on stderr, for the suite's stages.
//
// On a terminal the line is redrawn in place (at most every 0.2 s); otherwise (CI logs, files) a
// line is printed at every 10 % so logs stay short. Where the total is unknown (model training
// stops early) it shows the count and the elapsed time only.
#ifndef ROMI_EVAL_PROGRESS_H_
#define ROMI_EVAL_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace romi::eval {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  // Starts a new stage: resets the clock when the label changes.
  void Update(const std::string& stage, int64_t done, int64_t total);
  // Ends the current line (on a terminal).
  void Finish();

  // "1h02m", "3m05s", "12s".
  static std::string FormatSeconds(double seconds);
  // The bar text for `done` of `total` after `elapsed` seconds, e.g.
  // "[hopper romi-bcq] learner  [#####-----]  50% 500/1000  3m05s, ETA 3m05s".
  static std::string Render(const std::string& label, const std::string& stage, int64_t done,
                            int64_t total, double elapsed);

 private:
  std::string label_;
  std::string stage_;
  std::chrono::steady_clock::time_point stage_start_;
  std::chrono::steady_clock::time_point last_draw_;
  int last_decile_ = -1;
  bool tty_;
  bool line_open_ = false;
};

}  // namespace romi::eval

#endif  // ROMI_EVAL_PROGRESS_H_
