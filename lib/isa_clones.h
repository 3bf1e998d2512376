/* Internal: elementwise kernels written once in plain C and compiled for
 * every kernel level, without IFUNC resolvers (target_clones), which break
 * ThreadSanitizer and clang. Never installed.
 *
 * A kernel `name` is an always-inline body `name_body`; RGRBM__CLONES
 * (or _VOID for a void body) defines name_generic, on x86-64 also
 * name_avx2 and name_avx512 (the same body under lib/cpu.h's target
 * attributes, which GCC and clang vectorize at that register width), and
 * name_for(isa), the one to call at a level. The build's
 * -ffp-contract=off keeps multiplications and additions separate, and
 * vectorizing an elementwise loop (or one that keeps its order of
 * summation) does not change its results: every level gives the same bits.
 * Bodies call only RGRBM__INLINE helpers, so that nothing falls back to a
 * call compiled for the baseline. */
#ifndef RGRBM_LIB_ISA_CLONES_H
#define RGRBM_LIB_ISA_CLONES_H

#include "cpu.h"

#define RGRBM__INLINE static inline __attribute__((always_inline))

#if RGRBM__X86_64
#define RGRBM__CLONE_SET(ret, give, name, params, args)                                  \
  static ret name##_generic params { give name##_body args; }                          \
  RGRBM__TARGET_AVX2 static ret name##_avx2 params { give name##_body args; }          \
  RGRBM__TARGET_AVX512 static ret name##_avx512 params { give name##_body args; }      \
  static ret (*name##_for(rgrbm__isa isa)) params {                                     \
    return isa >= RGRBM__ISA_AVX512 ? name##_avx512                                     \
           : isa >= RGRBM__ISA_AVX2 ? name##_avx2 : name##_generic;                     \
  }
#else
#define RGRBM__CLONE_SET(ret, give, name, params, args)         \
  static ret name##_generic params { give name##_body args; } \
  static ret (*name##_for(rgrbm__isa isa)) params {            \
    (void)isa;                                                 \
    return name##_generic;                                     \
  }
#endif

#define RGRBM__CLONES(ret, name, params, args) RGRBM__CLONE_SET(ret, return, name, params, args)
#define RGRBM__CLONES_VOID(name, params, args) RGRBM__CLONE_SET(void, , name, params, args)

#endif
