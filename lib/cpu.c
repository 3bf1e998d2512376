/* CPU detection and the kernel mask; see lib/cpu.h and include/rgrbm/cpu.h.
 *
 * Detection runs at most a few times (a race between first calls computes
 * the same value twice, which is harmless) and is cached in an atomic, so no
 * lock, no global initializer and no IFUNC resolver is needed: resolvers run
 * before sanitizer runtimes start, which kept ThreadSanitizer builds from
 * loading. */
#include "cpu.h"

#include <stdatomic.h>

/* Bit 31 marks "detected" so that a CPU with no flags is cached too. */
#define DETECTED (1u << 31)

static _Atomic unsigned detected_flags;
static _Atomic unsigned cpu_mask = RGRBM_CPU_FLAG_ALL;

static unsigned detect(void) {
  unsigned flags = 0;
#if RGRBM__X86_64
  /* GCC and clang check the OS's register-state support (XCR0) for AVX and
   * AVX-512 as well as the CPUID bits. */
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2"))
    flags |= RGRBM_CPU_FLAG_AVX2;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    flags |= RGRBM_CPU_FLAG_AVX512;
  if (__builtin_cpu_supports("avx512vbmi")) flags |= RGRBM_CPU_FLAG_AVX512VBMI;
#elif RGRBM__AARCH64
  flags |= RGRBM_CPU_FLAG_NEON; /* Advanced SIMD is part of AArch64 */
#endif
  return flags;
}

unsigned rgrbm_cpu_flags(void) {
  unsigned f = atomic_load_explicit(&detected_flags, memory_order_relaxed);
  if (!(f & DETECTED)) {
    f = detect() | DETECTED;
    atomic_store_explicit(&detected_flags, f, memory_order_relaxed);
  }
  return f & ~DETECTED;
}

void rgrbm_cpu_set_mask(unsigned mask) {
  atomic_store_explicit(&cpu_mask, mask, memory_order_relaxed);
}

rgrbm__isa rgrbm__cpu_isa(void) {
  unsigned f = rgrbm_cpu_flags() & atomic_load_explicit(&cpu_mask, memory_order_relaxed);
  if (f & RGRBM_CPU_FLAG_NEON) return RGRBM__ISA_NEON;
  if (!(f & RGRBM_CPU_FLAG_AVX2)) return RGRBM__ISA_GENERIC;
  if (!(f & RGRBM_CPU_FLAG_AVX512)) return RGRBM__ISA_AVX2;
  if (!(f & RGRBM_CPU_FLAG_AVX512VBMI)) return RGRBM__ISA_AVX512;
  return RGRBM__ISA_AVX512VBMI;
}

const char *rgrbm_cpu_level_name(void) {
  static const char *const names[] = {"generic", "neon", "avx2", "avx512", "avx512vbmi"};
  return names[rgrbm__cpu_isa()];
}
