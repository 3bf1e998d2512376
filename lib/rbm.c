/* Kernels shared by training, stack passes, likelihoods, Gibbs sampling and AIS. */
#include "rbm.h"

#include <math.h>
#include <string.h>

#include "binary_product.h"
#include "blas_inline.h"
#include "fail.h"
#include "isa_clones.h"
#include "team.h"
/* Units are sampled in chunks of this many, one byte of randomness each. */
enum { SAMPLE_CHUNK = 256 };
/* Hidden pre-activations of the free energy are accumulated this many at a time. */
enum { ENERGY_CHUNK = 256 };

int rgrbm__stack_check_layer(const rgrbm_stack *s, int layer, const char *func) {
  if (s == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "s is NULL");
  if (layer < 0 || layer >= s->depth)
    return rgrbm__fail(RGRBM_EINVAL, func, "layer = %d is out of range, the stack has %d layers",
                       layer, s->depth);
  return RGRBM_OK;
}

int rgrbm__stack_check_level(const rgrbm_stack *s, int level, const char *name,
                             const char *func) {
  if (s == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "s is NULL");
  if (level < 0 || level > s->depth)
    return rgrbm__fail(RGRBM_EINVAL, func, "%s = %d is out of range, levels are 0..%d", name,
                       level, s->depth);
  return RGRBM_OK;
}

size_t rgrbm__layer_floats(const rgrbm_stack *s, int layer) {
  const size_t nv = (size_t)s->sizes[layer], nh = (size_t)s->sizes[layer + 1];
  return nv * nh + nv + nh;
}

void rgrbm__layer_copy(rgrbm_stack *s, int layer, float *block, int restore) {
  const size_t nv = (size_t)s->sizes[layer], nh = (size_t)s->sizes[layer + 1];
  float *arrays[3] = {s->weights[layer], s->vbias[layer], s->hbias[layer]};
  const size_t counts[3] = {nv * nh, nv, nh};
  for (int k = 0; k < 3; k++) {
    if (restore)
      memcpy(arrays[k], block, counts[k] * sizeof(float));
    else
      memcpy(block, arrays[k], counts[k] * sizeof(float));
    block += counts[k];
  }
}

/* e^x to about 2 ulp for x in [-87, 88] (clamped outside), written with
 * plain arithmetic so that the loops around it vectorize: Cody-Waite range
 * reduction by ln 2 and Cephes' degree-6 polynomial on [-ln2/2, ln2/2]. */
RGRBM__INLINE float exp_clamped(float x) {
  x = x >= -87.0f ? x : -87.0f; /* NaN too: no undefined float-to-int conversion below */
  x = x <= 88.0f ? x : 88.0f;
  const float round_magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
  float k = (x * 1.44269504088896341f + round_magic) - round_magic;
  float r = x - k * 0.693359375f;
  r = r - k * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = p * r * r + r + 1.0f;
  int32_t bits = ((int32_t)k + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

RGRBM__INLINE void bias_sigmoid_row_body(const float *bias, size_t cols, float *x) {
  for (size_t c = 0; c < cols; c++) x[c] = 1.0f / (1.0f + exp_clamped(-(x[c] + bias[c])));
}
RGRBM__CLONES_VOID(bias_sigmoid_row, (const float *bias, size_t cols, float *x),
                   (bias, cols, x))

RGRBM__INLINE void bias_tanh_row_body(const float *bias, size_t cols, float *x) {
  for (size_t c = 0; c < cols; c++)
    x[c] = 2.0f / (1.0f + exp_clamped(-2.0f * (x[c] + bias[c]))) - 1.0f;
}
RGRBM__CLONES_VOID(bias_tanh_row, (const float *bias, size_t cols, float *x), (bias, cols, x))

#if RGRBM__X86_64
#include <immintrin.h>

/* exp_clamped on 8 lanes, operation for operation. GCC does not vectorize
 * the C loops for AVX2 (it splits the clamped paths into branches).
 * max(x, -87) gives -87 for NaN, as the C comparison does. */
RGRBM__TARGET_AVX2 static inline __m256 exp_clamped_avx2(__m256 x) {
#define C(v) _mm256_set1_ps(v)
  x = _mm256_min_ps(_mm256_max_ps(x, C(-87.0f)), C(88.0f));
  const __m256 round_magic = C(12582912.0f);
  __m256 k = _mm256_add_ps(_mm256_mul_ps(x, C(1.44269504088896341f)), round_magic);
  k = _mm256_sub_ps(k, round_magic);
  __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(k, C(0.693359375f)));
  r = _mm256_sub_ps(r, _mm256_mul_ps(k, C(-2.12194440e-4f)));
  __m256 p = C(1.9875691500e-4f);
  p = _mm256_add_ps(_mm256_mul_ps(p, r), C(1.3981999507e-3f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), C(8.3334519073e-3f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), C(4.1665795894e-2f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), C(1.6666665459e-1f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), C(5.0000001201e-1f));
  __m256 y = _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r);
  y = _mm256_add_ps(y, C(1.0f));
  __m256i bits = _mm256_add_epi32(_mm256_cvttps_epi32(k), _mm256_set1_epi32(127));
  return _mm256_mul_ps(y, _mm256_castsi256_ps(_mm256_slli_epi32(bits, 23)));
}

/* x = 1 / (1 + e^-(x + b)) (tanh = 0) or 2 / (1 + e^(-2 (x + b))) - 1. */
RGRBM__TARGET_AVX2 static void bias_activate_avx2(int tanh, const float *bias, size_t cols,
                                                  float *x) {
  size_t c = 0;
  for (; c + 8 <= cols; c += 8) {
    __m256 t = _mm256_add_ps(_mm256_loadu_ps(x + c), _mm256_loadu_ps(bias + c));
    t = tanh ? _mm256_mul_ps(C(-2.0f), t) : _mm256_xor_ps(t, C(-0.0f));
    __m256 y = _mm256_div_ps(tanh ? C(2.0f) : C(1.0f), _mm256_add_ps(C(1.0f), exp_clamped_avx2(t)));
    _mm256_storeu_ps(x + c, tanh ? _mm256_sub_ps(y, C(1.0f)) : y);
  }
#undef C
  if (tanh)
    bias_tanh_row_generic(bias + c, cols - c, x + c);
  else
    bias_sigmoid_row_generic(bias + c, cols - c, x + c);
}

RGRBM__TARGET_AVX2 static void bias_sigmoid_row_intrinsics(const float *bias, size_t cols,
                                                           float *x) {
  bias_activate_avx2(0, bias, cols, x);
}

RGRBM__TARGET_AVX2 static void bias_tanh_row_intrinsics(const float *bias, size_t cols,
                                                        float *x) {
  bias_activate_avx2(1, bias, cols, x);
}
#endif

typedef void (*activate_fn)(const float *bias, size_t cols, float *x);

/* The AVX2 level runs the intrinsics above; the others the C loops, which
 * GCC vectorizes for AVX-512. */
static activate_fn activation_for(rgrbm_units units) {
  const rgrbm__isa isa = rgrbm__cpu_isa();
  const int spin = units == RGRBM_UNITS_SPIN;
#if RGRBM__X86_64
  if (isa == RGRBM__ISA_AVX2) return spin ? bias_tanh_row_intrinsics : bias_sigmoid_row_intrinsics;
#endif
  return spin ? bias_tanh_row_for(isa) : bias_sigmoid_row_for(isa);
}
/* The activation and sampling passes stay on the calling thread: they run
 * between sgemm calls, while OpenBLAS's pthreads are still spinning, and
 * threads of the library's own there made a CD-1 epoch 2.7 times slower on
 * two cores (it is 3% of the epoch single-threaded). */
void rgrbm__bias_activate(rgrbm_units units, const float *bias, size_t rows, size_t cols,
                          float *x) {
  const activate_fn activate = activation_for(units);
  for (size_t r = 0; r < rows; r++) activate(bias, cols, x + r * cols);
}

/* Sampling decides most units with 8 random bits, a quarter of a generator
 * word: unit i is on when u_i < 2^8 P(on), and 2^8 P(on) is exact in float
 * (a power-of-two scaling). Only when u_i equals its integer part
 * (probability 2^-8) is a further 32-bit word drawn against the fractional
 * part, so P(on) is honoured to 2^-40 while the generator, the costliest
 * part of a Gibbs step, produces about a quarter as many words. */
#define TOP_SCALE 256.0f

typedef struct p_on_map {
  float scale, shift, low; /* P(on) = scale mean + shift; "off" value */
} p_on_map;

RGRBM__INLINE p_on_map p_on_of(int spin) {
  return spin ? (p_on_map){0.5f, 0.5f, -1.0f} : (p_on_map){1.0f, 0.0f, 0.0f};
}

/* 2^8 P(on); compared with u and u + 1 in float (exact), which also sends
 * NaN and out-of-range means to a decided unit. */
RGRBM__INLINE float scaled_p_on(p_on_map map, float mean) {
  return (mean * map.scale + map.shift) * TOP_SCALE;
}

/* Decide n units from their 8-bit uniforms u: on when u + 1 <= t, a tie
 * (tie[i] = 1, left to resolve_ties) when u <= t < u + 1. Returns the
 * number of ties. */
RGRBM__INLINE unsigned threshold_bytes_body(p_on_map map, const uint8_t *u, const float *means,
                                            size_t n, uint8_t *tie, float *out) {
  unsigned ties = 0;
  for (size_t i = 0; i < n; i++) {
    float t = scaled_p_on(map, means[i]), uf = (float)u[i];
    unsigned is_tie = (uf <= t) & (t < uf + 1.0f);
    tie[i] = (uint8_t)is_tie;
    ties += is_tie;
    out[i] = uf + 1.0f <= t ? 1.0f : map.low;
  }
  return ties;
}
RGRBM__CLONES(unsigned, threshold_bytes,
              (p_on_map map, const uint8_t *u, const float *means, size_t n, uint8_t *tie,
               float *out),
              (map, u, means, n, tie, out))
typedef unsigned (*threshold_fn)(p_on_map map, const uint8_t *u, const float *means, size_t n,
                                 uint8_t *tie, float *out);

/* The generator's bulk path makes 64 words at a time; drawing only whole
 * groups keeps every draw on it. Ties take their words from a spare group. */
enum { WORD_GROUP = 64 };
typedef struct spare_words {
  uint32_t w[WORD_GROUP];
  unsigned left;
} spare_words;

/* A tie is on with probability frac(t): one more 32-bit word decides. */
static void resolve_ties(p_on_map map, const uint8_t *u, const float *means, const uint8_t *tie,
                         size_t n, rgrbm__rng *rng, spare_words *spare, float *out) {
  for (size_t i = 0; i < n; i++) {
    if (!tie[i]) continue;
    if (spare->left == 0) {
      rgrbm__rng_fill_u32(rng, spare->w, WORD_GROUP);
      spare->left = WORD_GROUP;
    }
    uint32_t word = spare->w[WORD_GROUP - spare->left--];
    double frac = (double)scaled_p_on(map, means[i]) - (double)u[i];
    out[i] = (double)word < frac * 4294967296.0 ? 1.0f : map.low;
  }
}

/* One row: each chunk of SAMPLE_CHUNK units uses one group of words (8 bits
 * a unit), whatever its length, so draws stay in whole groups. */
static void sample_row(threshold_fn threshold, p_on_map map, const float *means, size_t cols,
                       rgrbm__rng *rng, float *out) {
  uint32_t words[WORD_GROUP];
  const uint8_t *bytes = (const uint8_t *)words; /* character access: well defined */
  uint8_t tie[SAMPLE_CHUNK];
  float kept[SAMPLE_CHUNK]; /* in place, ties need the means the samples overwrite */
  spare_words spare = {.left = 0};
  for (size_t c = 0; c < cols; c += SAMPLE_CHUNK) {
    size_t m = cols - c < SAMPLE_CHUNK ? cols - c : SAMPLE_CHUNK;
    const float *chunk = means + c;
    if (out == means) chunk = memcpy(kept, means + c, m * sizeof *kept);
    rgrbm__rng_fill_u32(rng, words, WORD_GROUP);
    if (threshold(map, bytes, chunk, m, tie, out + c))
      resolve_ties(map, bytes, chunk, tie, m, rng, &spare, out + c);
  }
}

void rgrbm__sample_units(rgrbm_units units, const float *means, size_t rows, size_t cols,
                         rgrbm__rng *row_rngs, float *out) {
  const p_on_map map = p_on_of(units == RGRBM_UNITS_SPIN);
  const threshold_fn threshold = threshold_bytes_for(rgrbm__cpu_isa());
  for (size_t r = 0; r < rows; r++)
    sample_row(threshold, map, means + r * cols, cols, &row_rngs[r], out + r * cols);
}

void rgrbm__rng_init_rows(rgrbm__rng *row_rngs, size_t rows, uint64_t seed,
                          uint64_t first_stream) {
  for (size_t r = 0; r < rows; r++) rgrbm__rng_init(&row_rngs[r], seed, first_stream + r);
}

void rgrbm__rbm_hidden_means(const rgrbm_stack *s, int layer, const float *v, size_t n,
                             float *out) {
  const size_t nv = (size_t)s->sizes[layer], nh = (size_t)s->sizes[layer + 1];
  rgrbm__sgemm(0, 0, n, nh, nv, 1.0f, v, s->weights[layer], 0.0f, out);
  rgrbm__bias_activate(s->units, s->hbias[layer], n, nh, out);
}

void rgrbm__rbm_visible_means(const rgrbm_stack *s, int layer, const float *h, size_t n,
                              float *out) {
  const size_t nv = (size_t)s->sizes[layer], nh = (size_t)s->sizes[layer + 1];
  rgrbm__sgemm(0, 1, n, nv, nh, 1.0f, h, s->weights[layer], 0.0f, out);
  rgrbm__bias_activate(s->units, s->vbias[layer], n, nv, out);
}

/* ---- the team passes ---- */

/* Rows per task of a pass over rows x cols: about TASK_ELEMENTS elements. */
enum { TASK_ELEMENTS = 4096 };
static size_t rows_per_task(size_t cols) {
  return cols < TASK_ELEMENTS ? TASK_ELEMENTS / cols : 1;
}

typedef struct rows_job {
  rgrbm_units units;
  const float *in; /* means */
  size_t rows, cols, per_task;
  rgrbm__rng *row_rngs;
  float *out;
} rows_job;

static void sample_task(void *arg, size_t task) {
  const rows_job *j = arg;
  const size_t r0 = task * j->per_task, n = j->rows - r0 < j->per_task ? j->rows - r0 : j->per_task;
  rgrbm__sample_units(j->units, j->in + r0 * j->cols, n, j->cols, j->row_rngs + r0,
                      j->out + r0 * j->cols);
}

static void run_rows(rows_job *j, rgrbm__task_fn fn) {
  if (j->rows == 0 || j->cols == 0) return;
  j->per_task = rows_per_task(j->cols);
  const size_t tasks = (j->rows + j->per_task - 1) / j->per_task;
  rgrbm__team_run(tasks, (double)j->rows * (double)j->cols, fn, j);
}

void rgrbm__sample_units_team(rgrbm_units units, const float *means, size_t rows, size_t cols,
                              rgrbm__rng *row_rngs, float *out) {
  rows_job j = {.units = units, .in = means, .rows = rows, .cols = cols, .row_rngs = row_rngs,
                .out = out};
  run_rows(&j, sample_task);
}

/* ---- layer passes by tables ---- */

typedef struct activation {
  activate_fn fn;
  const float *bias;
} activation;

/* The product's epilogue: bias and activation on a finished tile. */
static void activate_tile(void *arg, float *out, size_t ld, size_t r0, size_t r1, size_t c0,
                          size_t c1) {
  const activation *a = arg;
  for (size_t r = r0; r < r1; r++) a->fn(a->bias + c0, c1 - c0, out + r * ld + c0);
}

/* B = the input rows as codes, D = W (hidden means) or W^T (visible means);
 * the bias and activation run on each finished tile. */
static void layer_means_tables(const rgrbm_stack *s, int layer, const float *in, size_t n,
                               int down, uint8_t *codes, float *out) {
  const size_t nv = (size_t)s->sizes[layer], nh = (size_t)s->sizes[layer + 1];
  const size_t width = down ? nh : nv;
  rgrbm__codes_of_rows(in, n, width, rgrbm__units_mid(s->units), codes);
  const rgrbm__binary_matrix b = {.codes = codes, .rows = n, .cols = width,
                                  .row_stride = rgrbm__code_groups(width), .group_stride = 1,
                                  .low = rgrbm__units_low(s->units), .high = 1.0f};
  const rgrbm__dense_matrix d = down
      ? (rgrbm__dense_matrix){.data = s->weights[layer], .cols = nv, .k_stride = 1, .c_stride = nh}
      : (rgrbm__dense_matrix){.data = s->weights[layer], .cols = nh, .k_stride = nh, .c_stride = 1};
  activation a = {activation_for(s->units), down ? s->vbias[layer] : s->hbias[layer]};
  const rgrbm__product_epilogue after = {activate_tile, &a};
  rgrbm__binary_product(&b, &d, 1.0f, 0.0f, out, NULL, &after);
}

void rgrbm__rbm_hidden_means_tables(const rgrbm_stack *s, int layer, const float *v, size_t n,
                                    uint8_t *codes, float *out) {
  layer_means_tables(s, layer, v, n, 0, codes, out);
}

void rgrbm__rbm_visible_means_tables(const rgrbm_stack *s, int layer, const float *h,
                                     size_t n, uint8_t *codes, float *out) {
  layer_means_tables(s, layer, h, n, 1, codes, out);
}

double rgrbm__softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

double rgrbm__log2cosh(double x) {
  double a = fabs(x);
  return a + log1p(exp(-2.0 * a));
}

/* One row's free energy, the hidden pre-activations ENERGY_CHUNK at a time. */
static double free_energy_row(rgrbm_units units, const float *w, const float *c,
                              const float *b, size_t nv, size_t nh, double beta,
                              const float *v) {
  double f = 0.0;
  for (size_t i = 0; i < nv; i++) f -= beta * (double)c[i] * (double)v[i];
  double x[ENERGY_CHUNK];
  for (size_t j0 = 0; j0 < nh; j0 += ENERGY_CHUNK) {
    size_t m = nh - j0 < ENERGY_CHUNK ? nh - j0 : ENERGY_CHUNK;
    for (size_t j = 0; j < m; j++) x[j] = b[j0 + j];
    for (size_t i = 0; i < nv; i++) {
      if (v[i] == 0.0f) continue;
      const double vi = v[i];
      const float *wi = w + i * nh + j0;
      for (size_t j = 0; j < m; j++) x[j] += vi * (double)wi[j];
    }
    for (size_t j = 0; j < m; j++)
      f -= units == RGRBM_UNITS_SPIN ? rgrbm__log2cosh(beta * x[j]) : rgrbm__softplus(beta * x[j]);
  }
  return f;
}

typedef struct energy_job {
  rgrbm_units units;
  const float *w, *c, *b, *v;
  size_t nv, nh;
  double beta;
  double *out;
} energy_job;

static void energy_task(void *arg, size_t row) {
  const energy_job *j = arg;
  j->out[row] = free_energy_row(j->units, j->w, j->c, j->b, j->nv, j->nh, j->beta,
                                j->v + row * j->nv);
}

void rgrbm__free_energy_params(rgrbm_units units, const float *w, const float *c,
                               const float *b, size_t nv, size_t nh, double beta,
                               const float *v, size_t n, double *out) {
  energy_job j = {units, w, c, b, v, nv, nh, beta, out};
  rgrbm__team_run(n, (double)n * (double)nv * (double)nh, energy_task, &j);
}
