/* The CPU module: detection is stable, the mask limits the level in order,
 * and the level names agree with the flags. */
#include <check.h>
#include <string.h>

#include "cpu.h"
#include "testutil.h"

START_TEST(flags_are_stable_and_consistent) {
  unsigned f = rgrbm_cpu_flags();
  ck_assert_uint_eq(f, rgrbm_cpu_flags());
#if defined(__x86_64__)
  ck_assert_uint_eq(f & RGRBM_CPU_FLAG_NEON, 0);
#elif defined(__aarch64__)
  ck_assert_uint_ne(f & RGRBM_CPU_FLAG_NEON, 0);
#endif
}
END_TEST

START_TEST(mask_limits_the_level) {
  unsigned f = rgrbm_cpu_flags();
  rgrbm_cpu_set_mask(0);
  ck_assert_int_eq(rgrbm__cpu_isa(), RGRBM__ISA_GENERIC);
  ck_assert_str_eq(rgrbm_cpu_level_name(), "generic");
  /* A level without the one below it does not count. */
  rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_AVX512 | RGRBM_CPU_FLAG_AVX512VBMI);
  ck_assert_int_eq(rgrbm__cpu_isa(), RGRBM__ISA_GENERIC);
  rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_AVX2);
  ck_assert_int_eq(rgrbm__cpu_isa(),
                   (f & RGRBM_CPU_FLAG_AVX2) ? RGRBM__ISA_AVX2 : RGRBM__ISA_GENERIC);
  rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_AVX2 | RGRBM_CPU_FLAG_AVX512);
  if ((f & RGRBM_CPU_FLAG_AVX2) && (f & RGRBM_CPU_FLAG_AVX512))
    ck_assert_int_eq(rgrbm__cpu_isa(), RGRBM__ISA_AVX512);
  rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_ALL);
  rgrbm__isa top = rgrbm__cpu_isa();
  if (f & RGRBM_CPU_FLAG_AVX512VBMI && f & RGRBM_CPU_FLAG_AVX512 && f & RGRBM_CPU_FLAG_AVX2)
    ck_assert_int_eq(top, RGRBM__ISA_AVX512VBMI);
  if (f == 0) ck_assert_int_eq(top, RGRBM__ISA_GENERIC);
  ck_assert_ptr_nonnull(rgrbm_cpu_level_name());
}
END_TEST

int main(void) {
  Suite *s = suite_create("cpu");
  TCase *tc = tcase_create("api");
  tcase_add_test(tc, flags_are_stable_and_consistent);
  tcase_add_test(tc, mask_limits_the_level);
  suite_add_tcase(s, tc);
  return rgrbm_test_run(s);
}
