/* Golden chains: FNV-1a 64 hashes of fixed Markov chains, one list per
 * algorithm, recorded once and never to change, on any CPU or kernel level.
 * Every level this CPU has runs them through rgrbm_cpu_set_mask. A changed
 * hash means the chains changed: a bug, or a deliberate break that must be
 * announced (users' results at a given seed would change). */
#include "cpu.h"
#include "testutil.h"

typedef struct golden_case {
  rgrbm_algorithm alg;
  rgrbm_geometry geometry;
  int lx, ly;
  rgrbm_boundary bc;
  double K, h;
  uint64_t seed;
  uint64_t hash; /* recorded from the chain of the first release */
} golden_case;

/* Sides below, at and around the 64-lane step and odd open sides; fields
 * where the algorithm allows one. Metropolis and heat bath run long enough
 * on 128^2 for second-level ties (about 1 in 65,536 updates). */
static const golden_case cases[] = {
    {RGRBM_METROPOLIS, RGRBM_SQUARE, 128, 128, RGRBM_PERIODIC, 0.4406868, 0.0, 1,
     UINT64_C(0xbc2beb3a79856d15)},
    {RGRBM_METROPOLIS, RGRBM_SQUARE, 130, 6, RGRBM_PERIODIC, 0.3, 0.1, 2,
     UINT64_C(0xaa895afae53c49f9)},
    {RGRBM_METROPOLIS, RGRBM_SQUARE, 67, 5, RGRBM_OPEN, 0.44, -0.05, 3,
     UINT64_C(0xd85b4ca106604857)},
    {RGRBM_METROPOLIS, RGRBM_SQUARE, 2, 64, RGRBM_PERIODIC, -0.4, 0.0, 4,
     UINT64_C(0xfe227e1ef44a6b95)},
    {RGRBM_METROPOLIS, RGRBM_CHAIN, 15, 1, RGRBM_OPEN, 0.5, 0.3, 5,
     UINT64_C(0x9df1bdbb8b0ca529)},
    {RGRBM_HEAT_BATH, RGRBM_SQUARE, 128, 128, RGRBM_PERIODIC, 0.4406868, 0.0, 6,
     UINT64_C(0x6688c5ad262a5cc7)},
    {RGRBM_HEAT_BATH, RGRBM_SQUARE, 130, 6, RGRBM_PERIODIC, 0.3, 0.1, 7,
     UINT64_C(0xb08f3ce59e68dedd)},
    {RGRBM_HEAT_BATH, RGRBM_SQUARE, 67, 5, RGRBM_OPEN, 0.44, -0.05, 8,
     UINT64_C(0xe099c4d2af9d4a4b)},
    {RGRBM_HEAT_BATH, RGRBM_CHAIN, 16, 1, RGRBM_PERIODIC, 0.5, 0.3, 9,
     UINT64_C(0x434d6bd9ce74e097)},
    {RGRBM_WOLFF, RGRBM_SQUARE, 64, 64, RGRBM_PERIODIC, 0.4406868, 0.0, 10,
     UINT64_C(0x0ac8a029121b3e55)},
    {RGRBM_WOLFF, RGRBM_SQUARE, 33, 17, RGRBM_OPEN, 0.3, 0.0, 11,
     UINT64_C(0xdb36ae8eb377e7cf)},
    {RGRBM_WOLFF, RGRBM_SQUARE, 31, 31, RGRBM_PERIODIC, 0.5, 0.0, 12,
     UINT64_C(0x1f4dd60597efeaf3)},
    {RGRBM_SWENDSEN_WANG, RGRBM_SQUARE, 64, 64, RGRBM_PERIODIC, 0.4406868, 0.0, 13,
     UINT64_C(0x2cda5d871ddc1b47)},
    {RGRBM_SWENDSEN_WANG, RGRBM_SQUARE, 33, 17, RGRBM_OPEN, 0.3, 0.0, 14,
     UINT64_C(0x1aa076d25d57b041)},
    {RGRBM_SWENDSEN_WANG, RGRBM_SQUARE, 31, 31, RGRBM_PERIODIC, 0.5, 0.0, 15,
     UINT64_C(0x8e7b9f496a25f4c9)},
};
enum { CASES = sizeof cases / sizeof cases[0] };

static uint64_t fnv1a(uint64_t hash, const int8_t *bytes, size_t n) {
  for (size_t i = 0; i < n; i++) hash = (hash ^ (uint8_t)bytes[i]) * UINT64_C(0x100000001b3);
  return hash;
}

/* The hash of the configurations after sweep calls of 1, 2, ..., 12 sweeps
 * (78 sweeps in all: chunked calls must continue the chain exactly). */
static uint64_t chain_hash(const golden_case *c) {
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  ck_assert_ok(rgrbm_lattice_create(&lat, c->geometry, c->lx, c->ly, c->bc));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, c->K, c->h));
  ck_assert_ok(rgrbm_lattice_randomize(lat, c->seed + 100));
  ck_assert_ok(rgrbm_sampler_create(&smp, lat, c->alg, c->seed));
  uint64_t hash = UINT64_C(0xcbf29ce484222325);
  for (long sweeps = 1; sweeps <= 12; sweeps++) {
    ck_assert_ok(rgrbm_sampler_sweep(smp, sweeps));
    hash = fnv1a(hash, rgrbm_lattice_spins(lat), rgrbm_lattice_sites(lat));
  }
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  return hash;
}

/* Kernel levels as masks, lowest first; a level the CPU lacks is skipped. */
static const struct {
  const char *name;
  unsigned mask;
  rgrbm__isa isa;
} levels[] = {
    {"generic", 0, RGRBM__ISA_GENERIC},
    {"neon", RGRBM_CPU_FLAG_NEON, RGRBM__ISA_NEON},
    {"avx2", RGRBM_CPU_FLAG_AVX2, RGRBM__ISA_AVX2},
    {"avx512", RGRBM_CPU_FLAG_AVX2 | RGRBM_CPU_FLAG_AVX512, RGRBM__ISA_AVX512},
    {"avx512vbmi", RGRBM_CPU_FLAG_ALL, RGRBM__ISA_AVX512VBMI},
};
enum { LEVELS = sizeof levels / sizeof levels[0] };

START_TEST(chains_match_their_golden_hashes) {
  rgrbm_cpu_set_mask(levels[_i].mask);
  if (rgrbm__cpu_isa() != levels[_i].isa) { /* this CPU lacks the level */
    rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_ALL);
    return;
  }
  int failed = 0;
  for (int k = 0; k < CASES; k++) {
    uint64_t h = chain_hash(&cases[k]);
    if (h == cases[k].hash) continue;
    failed++;
    fprintf(stderr, "%s: case %d (algorithm %d, %dx%d): hash 0x%016llx, golden 0x%016llx\n",
            levels[_i].name, k, (int)cases[k].alg, cases[k].lx, cases[k].ly,
            (unsigned long long)h, (unsigned long long)cases[k].hash);
  }
  rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_ALL);
  ck_assert_msg(failed == 0, "%s: %d of %d chains differ from their golden hashes",
                levels[_i].name, failed, CASES);
}
END_TEST

int main(void) {
  Suite *s = suite_create("golden");
  TCase *tc = tcase_create("chains");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, chains_match_their_golden_hashes, 0, LEVELS);
  suite_add_tcase(s, tc);
  return rgrbm_test_run(s);
}
