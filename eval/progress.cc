#include "eval/progress.h"

#include <unistd.h>

#include <cstdio>
#include <utility>

#include "absl/strings/str_format.h"

namespace romi::eval {

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), tty_(isatty(fileno(stderr)) != 0) {}

std::string ProgressBar::FormatSeconds(double seconds) {
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, (s % 3600) / 60);
  if (s >= 60) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%ds", s);
}

std::string ProgressBar::Render(const std::string& label, const std::string& stage, int64_t done,
                                int64_t total, double elapsed) {
  if (total <= 0) {
    return absl::StrFormat("[%s] %-14s %d  %s", label, stage, done, FormatSeconds(elapsed));
  }
  constexpr int kWidth = 20;
  const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const int filled = static_cast<int>(fraction * kWidth);
  std::string eta = "ETA --";
  if (done > 0) eta = "ETA " + FormatSeconds(elapsed / fraction - elapsed);
  return absl::StrFormat("[%s] %-14s [%s%s] %3d%% %d/%d  %s, %s", label, stage,
                         std::string(filled, '#'), std::string(kWidth - filled, '-'),
                         static_cast<int>(fraction * 100), done, total, FormatSeconds(elapsed),
                         eta);
}

void ProgressBar::Update(const std::string& stage, int64_t done, int64_t total) {
  const auto now = std::chrono::steady_clock::now();
  if (stage != stage_) {
    Finish();
    stage_ = stage;
    stage_start_ = now;
    last_decile_ = -1;
    last_draw_ = {};
  }
  const double elapsed = std::chrono::duration<double>(now - stage_start_).count();
  const bool complete = total > 0 && done >= total;
  if (tty_) {
    if (!complete && now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    std::fprintf(stderr, "\r\033[K%s", Render(label_, stage, done, total, elapsed).c_str());
    line_open_ = true;
    if (complete) Finish();
    return;
  }
  const int decile = total > 0 ? static_cast<int>(10 * done / total) : static_cast<int>(done);
  if (decile == last_decile_) return;
  last_decile_ = decile;
  std::fprintf(stderr, "%s\n", Render(label_, stage, done, total, elapsed).c_str());
}

void ProgressBar::Finish() {
  if (line_open_) std::fputc('\n', stderr);
  line_open_ = false;
}

}  // namespace romi::eval
