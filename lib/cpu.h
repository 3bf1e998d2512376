/* Internal: the one place that knows which kernels this CPU runs. Every
 * kernel dispatch asks rgrbm__cpu_isa(); nothing else in the library calls
 * __builtin_cpu_supports or uses IFUNC resolvers (target_clones), so that a
 * ThreadSanitizer build loads and rgrbm_cpu_set_mask() governs every kernel.
 * Never installed. */
#ifndef RGRBM_LIB_CPU_H
#define RGRBM_LIB_CPU_H

#include "rgrbm/cpu.h"

/* Kernel levels in increasing order on each architecture. A kernel for a
 * level may assume every level below it on the same architecture. */
typedef enum rgrbm__isa {
  RGRBM__ISA_GENERIC = 0,    /* plain C, any architecture: the reference */
  RGRBM__ISA_NEON = 1,       /* aarch64 Advanced SIMD */
  RGRBM__ISA_AVX2 = 2,       /* x86-64 AVX2 + FMA + BMI1/2 */
  RGRBM__ISA_AVX512 = 3,     /* + AVX-512 F/BW/DQ/VL */
  RGRBM__ISA_AVX512VBMI = 4  /* + AVX-512 VBMI */
} rgrbm__isa;

/* The highest level that both the CPU and the mask allow. Cheap (one atomic
 * load after the first call); call it once per public call or per kernel
 * call, not per element. */
rgrbm__isa rgrbm__cpu_isa(void);

/* Target attributes for x86 kernels. Only on x86-64: code using them sits in
 * lib/x86/ or under #if RGRBM__X86_64. */
#if defined(__x86_64__)
#define RGRBM__X86_64 1
#define RGRBM__TARGET_AVX2 __attribute__((target("avx2,fma,bmi,bmi2")))
#define RGRBM__TARGET_AVX512 \
  __attribute__((target("avx2,fma,bmi,bmi2,avx512f,avx512bw,avx512dq,avx512vl")))
#define RGRBM__TARGET_AVX512VBMI \
  __attribute__((target("avx2,fma,bmi,bmi2,avx512f,avx512bw,avx512dq,avx512vl,avx512vbmi")))
#else
#define RGRBM__X86_64 0
#endif

#if defined(__aarch64__)
#define RGRBM__AARCH64 1
#else
#define RGRBM__AARCH64 0
#endif

#endif
