/* The table kernel for AVX2 + FMA: 8 lanes, two rows at a time (it has half
 * of AVX-512's registers). See lib/binary_product_kernel.h. */
#include "../cpu.h"

#define SUFFIX(name) name##_avx2
#define TARGET RGRBM__TARGET_AVX2
#define LANES 8
#define ROWS 2
#define VEC __m256
#define VMASK __m256i
#define V_ZERO() _mm256_setzero_ps()
#define V_SET1(x) _mm256_set1_ps(x)
#define V_ADD(a, b) _mm256_add_ps(a, b)
#define V_SUB(a, b) _mm256_sub_ps(a, b)
#define V_MUL(a, b) _mm256_mul_ps(a, b)
#define V_FMADD(a, b, c) _mm256_fmadd_ps(a, b, c)
#define V_LOAD(p) _mm256_load_ps(p)
#define V_STORE(p, x) _mm256_store_ps(p, x)
#define V_LOADU(p) _mm256_loadu_ps(p)
#define V_STOREU(p, x) _mm256_storeu_ps(p, x)
#define V_LOAD_MASKED(m, p) _mm256_maskload_ps(p, m)
#define V_STORE_MASKED(p, m, x) _mm256_maskstore_ps(p, m, x)
#define V_LANE_MASK(left) \
  _mm256_cmpgt_epi32(_mm256_set1_epi32((int)((left) > 8 ? 8 : (left) < 0 ? 0 : (left))), \
                     _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define V_SIGN(w) sign_avx2(w)
#define V_ANY_NOT_FINITE(m, w) any_not_finite_avx2(m, w)

#include <immintrin.h>

/* 1, -1 or 0 (also for NaN), as the generic kernel's comparisons give. */
TARGET static inline __m256 sign_avx2(__m256 w) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  return _mm256_sub_ps(_mm256_and_ps(_mm256_cmp_ps(w, zero, _CMP_GT_OQ), one),
                       _mm256_and_ps(_mm256_cmp_ps(w, zero, _CMP_LT_OQ), one));
}

/* w - w is NaN exactly where w is NaN or infinite. */
TARGET static inline int any_not_finite_avx2(__m256i m, __m256 w) {
  __m256 diff = _mm256_sub_ps(w, w);
  __m256 bad = _mm256_and_ps(_mm256_cmp_ps(diff, diff, _CMP_UNORD_Q), _mm256_castsi256_ps(m));
  return _mm256_movemask_ps(bad) != 0;
}

#include "../binary_product_kernel.h"
