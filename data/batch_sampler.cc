#include "data/batch_sampler.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace romi::data {

int64_t BatchSampler::RealRows(int64_t batch_size, double eta) {
  return static_cast<int64_t>(batch_size * (1.0 - eta) + 0.1);
}

int64_t BatchSampler::ModelRows(int64_t batch_size, double eta) {
  return static_cast<int64_t>(batch_size * eta + 0.1);
}

absl::StatusOr<BatchSampler> BatchSampler::Uniform(Transitions table, int64_t batch_size) {
  const int64_t rows = table.size();
  std::vector<std::pair<RowSource, int64_t>> parts;
  parts.push_back({RowSource{std::move(table), IndexDistribution::Uniform(rows)}, batch_size});
  return FromParts(std::move(parts));
}

absl::StatusOr<BatchSampler> BatchSampler::Mixed(RowSource real, RowSource model,
                                                 int64_t batch_size, double eta) {
  if (!(eta >= 0.0 && eta <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("eta (model data share) must be in [0, 1], got ", eta));
  }
  std::vector<std::pair<RowSource, int64_t>> parts;
  if (const int64_t rows = RealRows(batch_size, eta); rows > 0) {
    parts.push_back({std::move(real), rows});
  }
  if (const int64_t rows = ModelRows(batch_size, eta); rows > 0) {
    parts.push_back({std::move(model), rows});
  }
  return FromParts(std::move(parts));
}

absl::StatusOr<BatchSampler> BatchSampler::FromParts(
    std::vector<std::pair<RowSource, int64_t>> parts) {
  if (parts.empty()) return absl::InvalidArgumentError("a batch needs at least one row");
  BatchSampler sampler;
  int64_t total = 0;
  for (auto& [source, rows] : parts) {
    if (rows <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("batch part has ", rows, " rows"));
    }
    if (source.table.size() == 0) {
      return absl::InvalidArgumentError("cannot draw a batch from an empty transition table");
    }
    if (source.table.size() != source.distribution.rows()) {
      return absl::InvalidArgumentError(absl::StrCat("table has ", source.table.size(),
                                                     " rows but its distribution covers ",
                                                     source.distribution.rows()));
    }
    if (!sampler.parts_.empty()) {
      const Transitions& first = sampler.parts_.front().source.table;
      if (source.table.obs_dim() != first.obs_dim() || source.table.act_dim() != first.act_dim()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tables disagree on dimensions: obs ", source.table.obs_dim(), " vs ", first.obs_dim(),
            ", act ", source.table.act_dim(), " vs ", first.act_dim()));
      }
    }
    total += rows;
    sampler.parts_.push_back(Part{std::move(source), torch::empty({rows}, torch::kInt64),
                                  torch::empty({rows}, torch::kFloat64)});
  }
  const Transitions& first = sampler.parts_.front().source.table;
  sampler.batch_ = Transitions::Zeros(total, first.obs_dim(), first.act_dim());
  return sampler;
}

const Batch& BatchSampler::Next(torch::Generator& generator) {
  int64_t offset = 0;
  for (Part& part : parts_) {
    part.source.distribution.SampleInto(generator, part.indices, part.scratch);
    part.source.table.SelectInto(part.indices, &batch_, offset);
    offset += part.indices.size(0);
  }
  return batch_;
}

std::vector<int64_t> BatchSampler::part_rows() const {
  std::vector<int64_t> rows;
  for (const Part& part : parts_) rows.push_back(part.indices.size(0));
  return rows;
}

}  // namespace romi::data
