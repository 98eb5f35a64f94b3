#include "data/progress_bar.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace romi::data {
namespace {

constexpr int kWidth = 20;

}  // namespace

ProgressBar::ProgressBar(std::string label, int64_t total, std::FILE* out)
    : label_(std::move(label)), total_(std::max<int64_t>(total, 1)), out_(out),
      start_(absl::Now()) {}

std::string ProgressBar::Line(const std::string& label, int64_t done, int64_t total,
                              absl::Duration elapsed) {
  const double fraction = std::clamp(double(done) / double(std::max<int64_t>(total, 1)), 0.0, 1.0);
  const int filled = static_cast<int>(fraction * kWidth);
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double rate = seconds > 0 ? done / seconds : 0.0;
  const std::string eta =
      rate > 0 ? absl::StrFormat("ETA %.0fs", (total - done) / rate) : std::string("ETA ?");
  return absl::StrFormat("%s [%s%s] %5.1f%%  %d/%d  %.0f/s  %s", label, std::string(filled, '#'),
                         std::string(kWidth - filled, '.'), 100.0 * fraction, done, total, rate,
                         done >= total ? absl::StrFormat("%.1fs", seconds) : eta);
}

void ProgressBar::Update(int64_t done) {
  done_ = done;
  const absl::Time now = absl::Now();
  if (now - last_draw_ < absl::Milliseconds(200) && done < total_) return;
  last_draw_ = now;
  drawn_complete_ = done >= total_;
  std::fprintf(out_, "\r%s\033[K", Line(label_, done, total_, now - start_).c_str());
  std::fflush(out_);
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (drawn_complete_) {
    std::fputc('\n', out_);
  } else {
    std::fprintf(out_, "\r%s\033[K\n", Line(label_, done_, total_, absl::Now() - start_).c_str());
  }
  std::fflush(out_);
}

}  // namespace romi::data
