#include "base/blas_tuning.h"

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

namespace {

// Looked up at run time: binaries reach OpenBLAS only through LibTorch's libblas.so.3.
using CoreNameFn = char* (*)();

CoreNameFn FindCoreNameFn() {
  return reinterpret_cast<CoreNameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
}

}  // namespace

std::string OpenBlasCoreName() {
  const CoreNameFn core_name = FindCoreNameFn();
  return core_name == nullptr ? "" : core_name();
}

void UseBestOpenBlasKernels(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr ||
      std::getenv("ROMI_KEEP_BLAS_CORE") != nullptr) {
    return;
  }
  const CoreNameFn core_name = FindCoreNameFn();
  const std::string preferred = PreferredOpenBlasCore();
  if (core_name == nullptr || preferred.empty()) return;
  const std::string detected = core_name();
  if (strcasecmp(detected.c_str(), preferred.c_str()) == 0) return;
  // Only upgrade from the generic fallbacks; a specific detection (e.g. a newer core) is kept.
  static const char* const kGeneric[] = {"Prescott",    "Core2",      "Nehalem",
                                         "Sandybridge", "Katmai",     "Northwood",
                                         "Penryn",      "Dunnington", "Atom"};
  bool generic = false;
  for (const char* name : kGeneric) generic = generic || strcasecmp(detected.c_str(), name) == 0;
  if (!generic) return;
  setenv("OPENBLAS_CORETYPE", preferred.c_str(), /*overwrite=*/1);
  std::fprintf(stderr, "[romi] OpenBLAS detected a '%s' CPU; restarting with its %s kernels\n",
               detected.c_str(), preferred.c_str());
  execv("/proc/self/exe", argv);
  std::perror("[romi] re-executing with OPENBLAS_CORETYPE failed; continuing");
}

}  // namespace romi
