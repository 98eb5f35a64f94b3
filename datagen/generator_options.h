// What every dataset generator takes: how many rows, the seed, and a progress callback.
//
// Generators are deterministic in the seed: the same (task, rows, seed) gives bit-identical
// arrays, and a generator's first k rows do not depend on `rows` (a smaller dataset is a prefix of
// a larger one with the same seed).
#ifndef ROMI_DATAGEN_GENERATOR_OPTIONS_H_
#define ROMI_DATAGEN_GENERATOR_OPTIONS_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace romi::datagen {

struct GeneratorOptions {
  int64_t rows = 0;
  uint64_t seed = 0;
  // Called now and then (about every 1/1000 of the rows, and once at the end) with the rows
  // written so far. May be empty.
  std::function<void(int64_t rows_done)> progress;
};

// InvalidArgumentError naming the task unless options.rows > 0.
inline absl::Status CheckGeneratorOptions(absl::string_view task, const GeneratorOptions& options) {
  if (options.rows > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(task, ": cannot generate ", options.rows, " rows"));
}

// Called by a generator after writing row `t`: reports about every 1/1000 of the rows and at the
// last row.
inline void ReportProgress(const GeneratorOptions& options, int64_t t) {
  if (!options.progress) return;
  const int64_t every = options.rows >= 1000 ? options.rows / 1000 : 1;
  if ((t + 1) % every == 0 || t + 1 == options.rows) options.progress(t + 1);
}

}  // namespace romi::datagen

#endif  // ROMI_DATAGEN_GENERATOR_OPTIONS_H_
