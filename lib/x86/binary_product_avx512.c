/* The table kernel for AVX-512: 16 lanes, four rows at a time. See
 * lib/binary_product_kernel.h. */
#include "../cpu.h"

#define SUFFIX(name) name##_avx512
#define TARGET RGRBM__TARGET_AVX512
#define LANES 16
#define ROWS 4
#define VEC __m512
#define VMASK __mmask16
#define V_ZERO() _mm512_setzero_ps()
#define V_SET1(x) _mm512_set1_ps(x)
#define V_ADD(a, b) _mm512_add_ps(a, b)
#define V_SUB(a, b) _mm512_sub_ps(a, b)
#define V_MUL(a, b) _mm512_mul_ps(a, b)
#define V_FMADD(a, b, c) _mm512_fmadd_ps(a, b, c)
#define V_LOAD(p) _mm512_load_ps(p)
#define V_STORE(p, x) _mm512_store_ps(p, x)
#define V_LOADU(p) _mm512_loadu_ps(p)
#define V_STOREU(p, x) _mm512_storeu_ps(p, x)
#define V_LOAD_MASKED(m, p) _mm512_maskz_loadu_ps(m, p)
#define V_STORE_MASKED(p, m, x) _mm512_mask_storeu_ps(p, m, x)
#define V_LANE_MASK(left) \
  ((left) >= 16 ? (__mmask16)0xFFFF : (left) <= 0 ? (__mmask16)0 : (__mmask16)((1u << (left)) - 1u))
#define V_SIGN(w) sign_avx512(w)
#define V_ANY_NOT_FINITE(m, w) any_not_finite_avx512(m, w)

#include <immintrin.h>

/* 1, -1 or 0 (also for NaN), as the generic kernel's comparisons give. */
TARGET static inline __m512 sign_avx512(__m512 w) {
  const __m512 zero = _mm512_setzero_ps();
  __m512 s = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(w, zero, _CMP_GT_OQ), zero,
                                  _mm512_set1_ps(1.0f));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(w, zero, _CMP_LT_OQ), s, _mm512_set1_ps(-1.0f));
}

/* w - w is NaN exactly where w is NaN or infinite. */
TARGET static inline int any_not_finite_avx512(__mmask16 m, __m512 w) {
  __m512 diff = _mm512_sub_ps(w, w);
  return _mm512_mask_cmp_ps_mask(m, diff, diff, _CMP_UNORD_Q) != 0;
}

#include "../binary_product_kernel.h"
