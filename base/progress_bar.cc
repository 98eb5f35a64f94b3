#include "base/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace romi {
namespace {

constexpr int kWidth = 20;

}  // namespace

ProgressBar::ProgressBar(std::string label, int64_t total, std::FILE* out)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      terminal_(isatty(fileno(out)) != 0),
      start_(absl::Now()) {}

std::string ProgressBar::FormatDuration(absl::Duration duration) {
  const double seconds = absl::ToDoubleSeconds(duration);
  if (seconds < 10) return absl::StrFormat("%.1fs", seconds);
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, (s % 3600) / 60);
  if (s >= 60) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%ds", s);
}

std::string ProgressBar::Line(const std::string& label, int64_t done, int64_t total,
                              absl::Duration elapsed, int64_t first_done) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double rate = seconds > 0 ? (done - first_done) / seconds : 0.0;
  if (total <= 0) {
    return absl::StrFormat("%s %d  %.3g/s  %s", label, done, rate, FormatDuration(elapsed));
  }
  const double fraction = std::clamp(double(done) / double(total), 0.0, 1.0);
  const int filled = static_cast<int>(fraction * kWidth);
  const std::string time = done >= total ? FormatDuration(elapsed)
                           : rate > 0
                               ? "ETA " + FormatDuration(absl::Seconds((total - done) / rate))
                               : std::string("ETA ?");
  return absl::StrFormat("%s [%s%s] %5.1f%%  %d/%d  %.3g/s  %s", label, std::string(filled, '#'),
                         std::string(kWidth - filled, '.'), 100.0 * fraction, done, total, rate,
                         time);
}

void ProgressBar::Draw(absl::Time now) {
  const std::string line =
      Line(label_, done_, total_, now - start_, std::max<int64_t>(first_done_, 0));
  if (terminal_) {
    std::fprintf(out_, "\r%s\033[K", line.c_str());
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
  drawn_complete_ = total_ > 0 && done_ >= total_;
}

void ProgressBar::Update(int64_t done) {
  if (first_done_ < 0) first_done_ = done;
  done_ = done;
  const absl::Time now = absl::Now();
  const bool complete = total_ > 0 && done >= total_;
  if (terminal_) {
    if (now - last_draw_ < absl::Milliseconds(200) && !complete) return;
  } else {
    const int64_t step = total_ > 0 ? 10 * done / total_ : done;
    if (step == last_step_drawn_) return;
    last_step_drawn_ = step;
  }
  last_draw_ = now;
  Draw(now);
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!drawn_complete_) Draw(absl::Now());
  if (terminal_) std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace romi
