// Making OpenBLAS use the kernels this CPU supports.
//
// OpenBLAS picks its kernels from the CPU model at load time. Virtual machines that report a
// generic model ("Intel(R) Xeon(R) Processor", as on our CI machines) make it fall back to its
// oldest x86-64 kernels ("Prescott"): sgemm runs ~4x slower than with the AVX-512 kernels the
// CPU has (32 vs 122 GFLOP/s per core measured here). The choice is made before main() runs, so
// the only fix from inside the program is to set OPENBLAS_CORETYPE and re-execute it once.
#ifndef ROMI_BASE_BLAS_TUNING_H_
#define ROMI_BASE_BLAS_TUNING_H_

#include <string>

namespace romi {

// The OpenBLAS core type this CPU's instruction set supports ("SkylakeX", "Haswell"), or "" when
// no better choice than OpenBLAS's own is known.
std::string PreferredOpenBlasCore();

// The kernel family OpenBLAS runs ("Haswell", "SkylakeX", ...), or "" when OpenBLAS is not
// loaded (e.g. for benchmark reports).
std::string OpenBlasCoreName();

// Call first in main(). When OpenBLAS is loaded, detected an older core than
// PreferredOpenBlasCore() and OPENBLAS_CORETYPE is unset, sets it and re-executes the binary with
// the same arguments. Otherwise returns. Set ROMI_KEEP_BLAS_CORE=1 to opt out.
void UseBestOpenBlasKernels(char** argv);

}  // namespace romi

#endif  // ROMI_BASE_BLAS_TUNING_H_
