#include "romi/base/blas_tuning.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace romi {

std::string PreferredOpenBlasCore() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
    return "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return "";
}

void UseBestOpenBlasKernels(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr || std::getenv("ROMI_KEEP_BLAS_CORE") != nullptr) {
    return;
  }
  // Looked up at run time: the binary reaches OpenBLAS only through LibTorch's libblas.so.3.
  using CoreNameFn = char* (*)();
  const auto core_name = reinterpret_cast<CoreNameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const std::string preferred = PreferredOpenBlasCore();
  if (core_name == nullptr || preferred.empty()) return;
  const std::string detected = core_name();
  if (strcasecmp(detected.c_str(), preferred.c_str()) == 0) return;
  // Only upgrade from the generic fallbacks; a specific detection (e.g. a newer core) is kept.
  static const char* const kGeneric[] = {"Prescott", "Core2", "Nehalem", "Sandybridge", "Katmai",
                                         "Northwood", "Penryn", "Dunnington", "Atom"};
  // AVX2-only kernels on a CPU with AVX-512 are a misdetection too: OpenBLAS 0.3.21 reports
  // AMD's Zen 4/5 (AVX-512) as "Haswell" or "Zen", and sgemm runs ~2x slower than with SkylakeX
  // kernels there (39 vs 81 GFLOP/s per core measured on a Zen 5 EPYC).
  static const char* const kAvx2Only[] = {"Haswell", "Zen"};
  bool generic = false;
  for (const char* name : kGeneric) generic = generic || strcasecmp(detected.c_str(), name) == 0;
  if (preferred == "SkylakeX") {
    for (const char* name : kAvx2Only) generic = generic || strcasecmp(detected.c_str(), name) == 0;
  }
  if (!generic) return;
  setenv("OPENBLAS_CORETYPE", preferred.c_str(), /*overwrite=*/1);
  std::fprintf(stderr, "[romi] OpenBLAS detected a '%s' CPU; restarting with its %s kernels\n",
               detected.c_str(), preferred.c_str());
  execv("/proc/self/exe", argv);
  std::perror("[romi] re-executing with OPENBLAS_CORETYPE failed; continuing");
}

}  // namespace romi
