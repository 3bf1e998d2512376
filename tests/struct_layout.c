/* Prints, as JSON, the size and field offsets of every public struct, and the
 * values of the enums and macros that a binding must mirror. The Python
 * binding's test compares its ctypes declarations with this output, so a
 * header change that a binding has not followed fails a test instead of
 * corrupting memory. */
#include <stddef.h>
#include <stdio.h>

#include <rgrbm.h>

#define EXACT_FIELDS(X)                                                                    \
  X(rgrbm_exact, version) X(rgrbm_exact, log_z_per_site) X(rgrbm_exact, bond_mean) X(rgrbm_exact, specific_heat)  \
  X(rgrbm_exact, magnetization) X(rgrbm_exact, abs_magnetization)                         \
  X(rgrbm_exact, magnetization2) X(rgrbm_exact, magnetization4)
#define ESTIMATE_FIELDS(X) X(rgrbm_estimate, value) X(rgrbm_estimate, error)
#define THERMO_FIELDS(X)                                                                   \
  X(rgrbm_thermo, version) X(rgrbm_thermo, bond_mean) X(rgrbm_thermo, abs_magnetization)                           \
  X(rgrbm_thermo, magnetization2) X(rgrbm_thermo, susceptibility)                         \
  X(rgrbm_thermo, specific_heat) X(rgrbm_thermo, binder)
#define CD_FIELDS(X)                                                                       \
  X(rgrbm_cd_options, version) X(rgrbm_cd_options, epochs) X(rgrbm_cd_options, batch_size) \
  X(rgrbm_cd_options, k) X(rgrbm_cd_options, persistent)                                  \
  X(rgrbm_cd_options, persistent_chains) X(rgrbm_cd_options, learning_rate)               \
  X(rgrbm_cd_options, momentum_initial) X(rgrbm_cd_options, momentum_final)               \
  X(rgrbm_cd_options, momentum_switch_epoch) X(rgrbm_cd_options, l1)                      \
  X(rgrbm_cd_options, l2) X(rgrbm_cd_options, mean_field_reconstruction)                  \
  X(rgrbm_cd_options, feed_up) X(rgrbm_cd_options, compute_pll) X(rgrbm_cd_options, seed) \
  X(rgrbm_cd_options, progress) X(rgrbm_cd_options, progress_data)  \
  X(rgrbm_cd_options, products)
#define LOCALITY_FIELDS(X)                                                                 \
  X(rgrbm_receptive_summary, version) X(rgrbm_receptive_summary, units) X(rgrbm_receptive_summary, gyration_mean)    \
  X(rgrbm_receptive_summary, gyration_sd) X(rgrbm_receptive_summary, block_fraction_mean)                   \
  X(rgrbm_receptive_summary, block_fraction_sd)
#define AIS_FIELDS(X)                                                                      \
  X(rgrbm_ais_options, version) X(rgrbm_ais_options, betas) X(rgrbm_ais_options, runs)    \
  X(rgrbm_ais_options, base) X(rgrbm_ais_options, data)                                   \
  X(rgrbm_ais_options, reverse_burn_in) X(rgrbm_ais_options, margin)                      \
  X(rgrbm_ais_options, seed)
#define VRG_FIELDS(X)                                                                      \
  X(rgrbm_vrg_report, version) X(rgrbm_vrg_report, trace_defect)                          \
  X(rgrbm_vrg_report, trace_spread) X(rgrbm_vrg_report, delta_f) X(rgrbm_vrg_report, kl)  \
  X(rgrbm_vrg_report, h_rg_max_diff)
#define MCRG_OPTIONS_FIELDS(X)                                                             \
  X(rgrbm_mcrg_options, version) X(rgrbm_mcrg_options, levels)                            \
  X(rgrbm_mcrg_options, samples) X(rgrbm_mcrg_options, thermalize)                        \
  X(rgrbm_mcrg_options, spacing) X(rgrbm_mcrg_options, bins)                              \
  X(rgrbm_mcrg_options, even_operators) X(rgrbm_mcrg_options, odd_operators)                \
  X(rgrbm_mcrg_options, chains) X(rgrbm_mcrg_options, seed)
#define MCRG_RESULT_FIELDS(X)                                                              \
  X(rgrbm_mcrg_result, version) X(rgrbm_mcrg_result, levels)                              \
  X(rgrbm_mcrg_result, even_operators) X(rgrbm_mcrg_result, odd_operators)                \
  X(rgrbm_mcrg_result, b) X(rgrbm_mcrg_result, samples) X(rgrbm_mcrg_result, even)       \
  X(rgrbm_mcrg_result, odd)
#define RG_DIMS_FIELDS(X)                                                                  \
  X(rgrbm_rg_dims, version) X(rgrbm_rg_dims, in_dim) X(rgrbm_rg_dims, out_dim)            \
  X(rgrbm_rg_dims, in_lx) X(rgrbm_rg_dims, in_ly) X(rgrbm_rg_dims, out_lx)                \
  X(rgrbm_rg_dims, out_ly) X(rgrbm_rg_dims, b)
#define RG_PLACEMENT_FIELDS(X)                                                             \
  X(rgrbm_rg_placement, version) X(rgrbm_rg_placement, coarse_lx)                         \
  X(rgrbm_rg_placement, coarse_ly) X(rgrbm_rg_placement, units)                           \
  X(rgrbm_rg_placement, placed) X(rgrbm_rg_placement, fraction)                           \
  X(rgrbm_rg_placement, empty_sites) X(rgrbm_rg_placement, crowded_sites)
#define MCRG_EXPONENT_FIELDS(X)                                                            \
  X(rgrbm_mcrg_exponent, lambda) X(rgrbm_mcrg_exponent, lambda_err)                       \
  X(rgrbm_mcrg_exponent, y) X(rgrbm_mcrg_exponent, y_err)

#define STRUCTS(X)                                                                         \
  X(rgrbm_exact, EXACT_FIELDS) X(rgrbm_estimate, ESTIMATE_FIELDS)                         \
  X(rgrbm_thermo, THERMO_FIELDS) X(rgrbm_cd_options, CD_FIELDS)                           \
  X(rgrbm_receptive_summary, LOCALITY_FIELDS) X(rgrbm_ais_options, AIS_FIELDS)                     \
  X(rgrbm_vrg_report, VRG_FIELDS) X(rgrbm_mcrg_options, MCRG_OPTIONS_FIELDS)              \
  X(rgrbm_mcrg_result, MCRG_RESULT_FIELDS) X(rgrbm_mcrg_exponent, MCRG_EXPONENT_FIELDS)     \
  X(rgrbm_rg_dims, RG_DIMS_FIELDS) X(rgrbm_rg_placement, RG_PLACEMENT_FIELDS)

/* Integer-valued enums and macros; the binding names them without the prefix. */
#define INTEGERS(X)                                                                        \
  X(RGRBM_OK) X(RGRBM_EINVAL) X(RGRBM_ENOMEM) X(RGRBM_EIO) X(RGRBM_EFORMAT)               \
  X(RGRBM_ENUMERIC) X(RGRBM_ECANCELED) X(RGRBM_EUNSUPPORTED) X(RGRBM_CHAIN)               \
  X(RGRBM_SQUARE) X(RGRBM_PERIODIC) X(RGRBM_OPEN) X(RGRBM_METROPOLIS)                     \
  X(RGRBM_HEAT_BATH) X(RGRBM_WOLFF) X(RGRBM_SWENDSEN_WANG) X(RGRBM_UNITS_BINARY)          \
  X(RGRBM_UNITS_SPIN) X(RGRBM_PASS_MEANS) X(RGRBM_PASS_SAMPLES) X(RGRBM_PRODUCTS_AUTO)     \
  X(RGRBM_PRODUCTS_SGEMM) X(RGRBM_PRODUCTS_TABLES) X(RGRBM_OBS_BOND_MEAN)                 \
  X(RGRBM_OBS_MAGNETIZATION) X(RGRBM_OBS_ABS_MAGNETIZATION) X(RGRBM_OBS_MAGNETIZATION2)  \
  X(RGRBM_OBS_MAGNETIZATION4) X(RGRBM_OBS_ENERGY) X(RGRBM_AIS_BASE_ZERO)                  \
  X(RGRBM_AIS_BASE_DATA) X(RGRBM_BLOCK_MAJORITY) X(RGRBM_BLOCK_DECIMATE)                  \
  X(RGRBM_RG_SIGN_MEAN) X(RGRBM_RG_SAMPLE) X(RGRBM_LATTICE_MAX_SIDE)                      \
  X(RGRBM_EXACT_ENUMERATE_MAX_SITES) X(RGRBM_CD_OPTIONS_VERSION)                          \
  X(RGRBM_AIS_OPTIONS_VERSION) X(RGRBM_RECEPTIVE_SUMMARY_VERSION) X(RGRBM_VRG_REPORT_VERSION)      \
  X(RGRBM_MCRG_OPTIONS_VERSION) X(RGRBM_MCRG_RESULT_VERSION) X(RGRBM_MCRG_MAX_LEVELS)     \
  X(RGRBM_EXACT_VERSION) X(RGRBM_THERMO_VERSION) X(RGRBM_RG_DIMS_VERSION) X(RGRBM_MCRG_EVEN)               \
  X(RGRBM_MCRG_ODD) X(RGRBM_MCRG_MIN_SIDE) X(RGRBM_STACK_FORMAT_VERSION)                  \
  X(RGRBM_RG_PLACEMENT_VERSION) X(RGRBM_CONV_MAX_SIDE) X(RGRBM_CONV_FORMAT_VERSION)        \
  X(RGRBM_VERSION_NUMBER)
#define DOUBLES(X) \
  X(RGRBM_K_CRITICAL) X(RGRBM_STACK_DEFAULT_SIGMA) X(RGRBM_DECIMATION_TIE_WEIGHT)

/* Each entry after the first of a JSON object needs a leading comma. */
static const char *sep(int *first) {
  const char *s = *first ? "" : ", ";
  *first = 0;
  return s;
}

#define PRINT_FIELD(type, field) \
  printf("%s\"%s\": %zu", sep(&first), #field, offsetof(type, field));
#define PRINT_STRUCT(type, fields)                                               \
  {                                                                              \
    int first = 1;                                                               \
    printf("%s\"%s\": {\"size\": %zu, \"fields\": {", sep(&outer), #type, sizeof(type)); \
    fields(PRINT_FIELD) printf("}}");                                            \
  }
#define PRINT_INTEGER(name) printf("%s\"%s\": %ld", sep(&outer), #name, (long)(name));
#define PRINT_DOUBLE(name) printf("%s\"%s\": %.17g", sep(&outer), #name, (double)(name));

int main(void) {
  int outer = 1;
  printf("{\"structs\": {");
  STRUCTS(PRINT_STRUCT)
  printf("},\n \"integers\": {");
  outer = 1;
  INTEGERS(PRINT_INTEGER)
  printf("},\n \"doubles\": {");
  outer = 1;
  DOUBLES(PRINT_DOUBLE)
  printf("}}\n");
  return 0;
}
