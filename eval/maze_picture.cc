#include "eval/maze_picture.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/atomic_file.h"
#include "base/status_macros.h"
#include "envs/ant_maze_env.h"
#include "envs/maze2d_env.h"
#include "envs/registry.h"
#include "eval/report.h"

namespace romi::eval {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKinds[] = {"data", "imagined", "rollout", "final"};
constexpr int kBlocksPerPanel = sizeof(kKinds) / sizeof(kKinds[0]);

// Adds a points file's rows to `blocks` by kind; each kind's episodes (paths) are kept apart with
// blank lines. A missing file adds nothing.
void ReadPoints(const std::string& path, std::map<std::string, std::string>& blocks) {
  std::map<std::string, std::string> last_episode;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (cells.size() != 4) continue;
    std::string& block = blocks[cells[0]];
    const auto [last, first] = last_episode.try_emplace(cells[0], cells[1]);
    if (!first && last->second != cells[1]) {
      block += "\n";
      last->second = cells[1];
    }
    absl::StrAppend(&block, cells[2], " ", cells[3], "\n");
  }
}

}  // namespace

bool IsMazeDomain(const std::string& domain) { return domain == "maze2d" || domain == "antmaze"; }

absl::StatusOr<std::vector<std::array<double, 4>>> MazeWallBoxes(const std::string& task) {
  ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(task));
  std::vector<std::array<double, 4>> boxes;
  if (spec.domain == "maze2d") {
    ROMI_ASSIGN_OR_RETURN(const std::unique_ptr<envs::Maze2dEnv> env, envs::MakeMaze2dEnv(task));
    const envs::MazeLayout& layout = env->layout();
    for (int i = 0; i < layout.rows(); ++i) {
      for (int j = 0; j < layout.cols(); ++j) {
        if (!layout.IsWall({i, j})) continue;
        // The unit wall box of cell (i, j) is centred at qpos (i - 0.2, j - 0.2) (maze_layout.h).
        boxes.push_back({i - 0.7, j - 0.7, i + 0.3, j + 0.3});
      }
    }
    return boxes;
  }
  if (spec.domain == "antmaze") {
    ROMI_ASSIGN_OR_RETURN(const std::unique_ptr<envs::AntMazeEnv> env, envs::MakeAntMazeEnv(task));
    const envs::MazeLayout& layout = env->maze().layout();
    const double half = envs::AntMazeGeometry::kCellSize / 2;
    for (int i = 0; i < layout.rows(); ++i) {
      for (int j = 0; j < layout.cols(); ++j) {
        if (!layout.IsWall({i, j})) continue;
        const std::array<double, 2> centre = env->maze().CellCenter({i, j});
        boxes.push_back({centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half});
      }
    }
    return boxes;
  }
  return absl::NotFoundError(absl::StrCat(task, " is not a maze task"));
}

absl::Status DrawMazePictures(const SuiteResults& results, const std::vector<std::string>& methods,
                              const std::string& out_dir) {
  std::vector<std::string> tasks;
  for (const RunResult& run : results.run()) {
    if (std::find(tasks.begin(), tasks.end(), run.task()) == tasks.end()) {
      tasks.push_back(run.task());
    }
  }
  const bool have_gnuplot = GnuplotAvailable();
  for (const std::string& task : tasks) {
    const absl::StatusOr<std::vector<std::array<double, 4>>> walls = MazeWallBoxes(task);
    if (!walls.ok()) continue;
    // Per method, the points of its first seed that has them.
    std::vector<std::pair<std::string, std::map<std::string, std::string>>> panels;
    for (const std::string& method : methods) {
      const RunResult* first = nullptr;
      for (const RunResult& run : results.run()) {
        if (run.task() != task || run.method() != method) continue;
        if (!fs::exists(fs::path(run.run_dir()) / "maze_points.csv")) continue;
        if (first == nullptr || run.seed() < first->seed()) first = &run;
      }
      if (first == nullptr) continue;
      std::map<std::string, std::string> blocks;
      ReadPoints((fs::path(first->run_dir()) / "maze_points.csv").string(), blocks);
      ReadPoints((fs::path(first->run_dir()) / "final_paths.csv").string(), blocks);
      panels.emplace_back(absl::StrCat(method, " seed ", first->seed()), std::move(blocks));
    }
    if (panels.empty()) continue;
    // Blocks: for panel p, index 4p + k holds kind kKinds[k] (empty blocks hold one NaN point).
    std::string data;
    for (const auto& [title, blocks] : panels) {
      for (const char* kind : kKinds) {
        const auto found = blocks.find(kind);
        absl::StrAppend(&data, "# ", title, ": ", kind, "\n",
                        found == blocks.end() ? "NaN NaN\n" : found->second, "\n\n");
      }
    }
    const std::string stem = absl::StrCat(out_dir, "/maze_", task);
    ROMI_RETURN_IF_ERROR(WriteStringAtomically(stem + ".dat", data));
    if (!have_gnuplot) continue;
    double x_min = 1e9, y_min = 1e9, x_max = -1e9, y_max = -1e9;
    std::string objects;
    for (size_t b = 0; b < walls->size(); ++b) {
      const auto& box = (*walls)[b];
      x_min = std::min(x_min, box[0]);
      y_min = std::min(y_min, box[1]);
      x_max = std::max(x_max, box[2]);
      y_max = std::max(y_max, box[3]);
      absl::StrAppendFormat(&objects,
                            "set object %d rect from %.3f,%.3f to %.3f,%.3f fc rgb '#505050' "
                            "fs solid 1.0 noborder behind\n",
                            b + 1, box[0], box[1], box[2], box[3]);
    }
    const int columns = static_cast<int>(panels.size());
    std::string script = absl::StrFormat(
        "set terminal pngcairo size %d,520 noenhanced\nset output '%s.png'\n"
        "set multiplot layout 1,%d title \"%s\\ngrey: dataset states, light blue: imagined "
        "states, blue: imagined rollouts (black dot: their dataset end), red: final policy "
        "paths\"\n"
        "set size ratio -1\nset xrange [%.3f:%.3f]\n"
        "set yrange [%.3f:%.3f]\nunset key\nset tics font ',8'\n%s",
        360 * columns + 40, stem, columns, task, x_min, x_max, y_min, y_max, objects);
    for (int p = 0; p < columns; ++p) {
      absl::StrAppendFormat(
          &script,
          "set title '%s'\nplot '%s.dat' index %d with dots lc rgb '#b0b0b0', '' index %d with "
          "points pt 7 ps 0.2 lc rgb '#9ab8e0', '' index %d with linespoints pt 7 ps 0.3 lw 1 "
          "lc rgb '#1f4fa0', '' index %d every ::0::0 with points pt 7 ps 0.6 lc rgb 'black', "
          "'' index %d with lines lw 1.5 lc rgb '#d62020'\n",
          panels[p].first, stem, kBlocksPerPanel * p, kBlocksPerPanel * p + 1,
          kBlocksPerPanel * p + 2, kBlocksPerPanel * p + 2, kBlocksPerPanel * p + 3);
    }
    script += "unset multiplot\n";
    ROMI_RETURN_IF_ERROR(RunGnuplot(stem + ".gp", std::move(script)));
  }
  return absl::OkStatus();
}

}  // namespace romi::eval
