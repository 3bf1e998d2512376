/**
 * @file rgrbm/cpu.h
 * @brief The instruction sets the library's kernels use, and a mask to limit them.
 *
 * The library detects once, on first use, what the CPU offers and picks every
 * kernel from that one place (lib/cpu.c). Every kernel level gives the same
 * bits as the generic C path: a sampler's chain and a training run's
 * parameters are functions of the seed and the inputs alone (see
 * docs/conventions.md, "CPUs"). The mask exists so that tests, benchmarks
 * and users can run, compare or pin a level; it is never needed for
 * correctness.
 *
 * Thread-safety: rgrbm_cpu_flags() and rgrbm_cpu_level_name() may run in any
 * thread at any time (they read atomics). rgrbm_cpu_set_mask() is
 * process-wide and meant for start-up, tests and benchmarks: calls that are
 * running while it changes may use either the old or the new kernels for
 * their remaining work (each kernel call is consistent, and results are the
 * same bits either way), but do not rely on when the change takes effect.
 */
#ifndef RGRBM_CPU_H
#define RGRBM_CPU_H

#include "rgrbm/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** x86-64: AVX2 with FMA, BMI1 and BMI2 (Haswell, Zen 1 and later). */
#define RGRBM_CPU_FLAG_AVX2 (1u << 0)
/** x86-64: AVX-512 F, BW, DQ and VL (Skylake-SP, Ice Lake, Zen 4 and later);
 *  the library's AVX-512 kernels also need ::RGRBM_CPU_FLAG_AVX2. */
#define RGRBM_CPU_FLAG_AVX512 (1u << 1)
/** x86-64: AVX-512 VBMI byte permutes (Ice Lake, Zen 4 and later); used only
 *  together with ::RGRBM_CPU_FLAG_AVX512. */
#define RGRBM_CPU_FLAG_AVX512VBMI (1u << 2)
/** aarch64: Advanced SIMD (NEON), present on every AArch64 CPU. */
#define RGRBM_CPU_FLAG_NEON (1u << 8)
/** Every flag: the default mask. */
#define RGRBM_CPU_FLAG_ALL (~0u)

/**
 * @brief What this CPU offers, as a set of RGRBM_CPU_FLAG_* bits.
 * @return The detected flags, before the mask is applied (0 on a CPU with
 *         none of the levels above: the generic C kernels run there).
 *         Detection happens once per process. Thread-safe; never fails.
 */
RGRBM_API unsigned rgrbm_cpu_flags(void);

/**
 * @brief Limits the kernels the library uses to the levels in @p mask.
 * @param mask RGRBM_CPU_FLAG_* bits to allow (RGRBM_CPU_FLAG_ALL, the
 *        default, allows everything the CPU has; 0 runs the generic C
 *        kernels only). Bits the CPU lacks are ignored, and a level counts
 *        only with the levels below it (AVX-512 only with AVX2, VBMI only
 *        with AVX-512).
 *
 * Process-wide; not for concurrent use with running calls (see the file
 * comment). Never fails.
 */
RGRBM_API void rgrbm_cpu_set_mask(unsigned mask);

/**
 * @brief The kernel level in use: the name of the highest allowed level,
 *        "avx512vbmi", "avx512", "avx2", "neon" or "generic".
 * @return A static string (never NULL), for the flags detected and the mask
 *         set at the time of the call. Thread-safe; never fails.
 */
RGRBM_API const char *rgrbm_cpu_level_name(void);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_CPU_H */
