/**
 * @file rgrbm.hpp
 * @brief Header-only C++17 layer over rgrbm.h: owning handles and exceptions.
 *
 * Nothing here that the C API lacks. Each handle class (rgrbm::dataset,
 * lattice, sampler, stack, rg) owns one C handle: move-only, destroyed by its
 * destructor; the C create functions are static members of the same name
 * (rgrbm_dataset_create -> rgrbm::dataset::create). Methods mirror the C
 * functions one for one, with the same arguments in the same order (pointers
 * and sizes as in C) minus the handle; a failing call throws rgrbm::error
 * with the status and rgrbm_last_error()'s message, so methods that return a
 * status in C return void here, except that a single value written
 * through an out-pointer is returned (lattice::energy(), rg::shape()). Getters return the C getter's value and do
 * not throw. Lifetimes and threads are as in C (docs/conventions.md): a
 * sampler borrows its lattice, pointers into a handle live as long as it.
 * Functions of the other modules (exact, measure, ais, mcrg, ...) are called
 * from C with get(), their results checked with rgrbm::check().
 */
#ifndef RGRBM_HPP
#define RGRBM_HPP

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "rgrbm.h"

namespace rgrbm {

/** A failed call: its status (a negative rgrbm_status) and message. */
class error : public std::runtime_error {
 public:
  error(int status, const std::string &message) : std::runtime_error(message), status_(status) {}
  /** The status the C function returned. */
  int status() const noexcept { return status_; }

 private:
  int status_;
};

/** Throws rgrbm::error unless status is RGRBM_OK. */
inline void check(int status) {
  if (status == RGRBM_OK) return;
  const char *message = rgrbm_last_error();
  throw error(status, message && *message ? message : rgrbm_strerror(status));
}

namespace detail {

/** Owns one C handle and frees it with Destroy. */
template <class T, void (*Destroy)(T *)>
class handle {
 public:
  handle() noexcept = default;
  /** Takes ownership of raw (which may be NULL). */
  explicit handle(T *raw) noexcept : p_(raw) {}
  handle(handle &&other) noexcept : p_(other.release()) {}
  handle &operator=(handle &&other) noexcept {
    reset(other.release());
    return *this;
  }
  handle(const handle &) = delete;
  handle &operator=(const handle &) = delete;
  ~handle() { Destroy(p_); }

  /** The C handle, still owned by this object. */
  T *get() const noexcept { return p_; }
  /** Gives up ownership: the caller destroys the C handle. */
  T *release() noexcept {
    T *raw = p_;
    p_ = nullptr;
    return raw;
  }
  /** Destroys the handle held and takes raw instead. */
  void reset(T *raw = nullptr) noexcept {
    T *old = p_;
    p_ = raw;
    Destroy(old);
  }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 protected:
  T *p_ = nullptr;
};

}  // namespace detail

/** rgrbm/dataset.h */
class dataset : public detail::handle<rgrbm_dataset, rgrbm_dataset_destroy> {
 public:
  using handle::handle;
  using handle::get;  // beside get(first, count, out), rgrbm_dataset_get
  static dataset create(size_t dim) {
    rgrbm_dataset *raw;
    check(rgrbm_dataset_create(&raw, dim));
    return dataset(raw);
  }
  static dataset load_npy(const char *path) {
    rgrbm_dataset *raw;
    check(rgrbm_dataset_load_npy(&raw, path));
    return dataset(raw);
  }
  size_t count() const noexcept { return rgrbm_dataset_count(p_); }
  size_t dim() const noexcept { return rgrbm_dataset_dim(p_); }
  void set_shape(int lx, int ly) { check(rgrbm_dataset_set_shape(p_, lx, ly)); }
  void shape(int *lx, int *ly) const { check(rgrbm_dataset_shape(p_, lx, ly)); }
  void reserve(size_t count) { check(rgrbm_dataset_reserve(p_, count)); }
  void clear() { check(rgrbm_dataset_clear(p_)); }
  void append(const int8_t *spins, size_t count) { check(rgrbm_dataset_append(p_, spins, count)); }
  void get(size_t first, size_t count, int8_t *out) const {
    check(rgrbm_dataset_get(p_, first, count, out));
  }
  void save_npy(const char *path) const { check(rgrbm_dataset_save_npy(p_, path)); }
};

/** rgrbm/lattice.h */
class lattice : public detail::handle<rgrbm_lattice, rgrbm_lattice_destroy> {
 public:
  using handle::handle;
  static lattice create(rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc) {
    rgrbm_lattice *raw;
    check(rgrbm_lattice_create(&raw, g, lx, ly, bc));
    return lattice(raw);
  }
  void set_couplings(double K, double h) { check(rgrbm_lattice_set_couplings(p_, K, h)); }
  void couplings(double *K, double *h) const { check(rgrbm_lattice_couplings(p_, K, h)); }
  void shape(rgrbm_geometry *g, int *lx, int *ly, rgrbm_boundary *bc) const {
    check(rgrbm_lattice_shape(p_, g, lx, ly, bc));
  }
  size_t sites() const noexcept { return rgrbm_lattice_sites(p_); }
  int8_t *spins() noexcept { return rgrbm_lattice_spins(p_); }
  const int8_t *spins() const noexcept { return rgrbm_lattice_spins_const(p_); }
  double bond_mean() const {
    double value;
    check(rgrbm_lattice_bond_mean(p_, &value));
    return value;
  }
  double magnetization() const {
    double value;
    check(rgrbm_lattice_magnetization(p_, &value));
    return value;
  }
  double energy() const {
    double value;
    check(rgrbm_lattice_energy(p_, &value));
    return value;
  }
  void fill(int value) { check(rgrbm_lattice_fill(p_, value)); }
  void randomize(uint64_t seed) { check(rgrbm_lattice_randomize(p_, seed)); }
};

/** rgrbm/stack.h */
class stack : public detail::handle<rgrbm_stack, rgrbm_stack_destroy> {
 public:
  using handle::handle;
  static stack create(const int *sizes, int nlevels, rgrbm_units units, uint64_t seed) {
    rgrbm_stack *raw;
    check(rgrbm_stack_create(&raw, sizes, nlevels, units, seed));
    return stack(raw);
  }
  static stack load(const char *path) {
    rgrbm_stack *raw;
    check(rgrbm_stack_load(&raw, path));
    return stack(raw);
  }
  int depth() const noexcept { return rgrbm_stack_depth(p_); }
  size_t size(int level) const noexcept { return rgrbm_stack_size(p_, level); }
  rgrbm_units units() const noexcept { return rgrbm_stack_units(p_); }
  void set_units(rgrbm_units units) { check(rgrbm_stack_set_units(p_, units)); }
  float *weights(int layer) noexcept { return rgrbm_stack_weights(p_, layer); }
  float *visible_bias(int layer) noexcept { return rgrbm_stack_visible_bias(p_, layer); }
  float *hidden_bias(int layer) noexcept { return rgrbm_stack_hidden_bias(p_, layer); }
  const float *weights(int layer) const noexcept { return rgrbm_stack_weights_const(p_, layer); }
  const float *visible_bias(int layer) const noexcept {
    return rgrbm_stack_visible_bias_const(p_, layer);
  }
  const float *hidden_bias(int layer) const noexcept {
    return rgrbm_stack_hidden_bias_const(p_, layer);
  }
  void up(int from, int to, const float *in, size_t n, float *out) const {
    check(rgrbm_stack_up(p_, from, to, in, n, out));
  }
  void down(int from, int to, const float *in, size_t n, float *out) const {
    check(rgrbm_stack_down(p_, from, to, in, n, out));
  }
  void sample_up(int from, int to, const float *in, size_t n, uint64_t seed, float *out) const {
    check(rgrbm_stack_sample_up(p_, from, to, in, n, seed, out));
  }
  void sample_down(int from, int to, const float *in, size_t n, uint64_t seed, float *out) const {
    check(rgrbm_stack_sample_down(p_, from, to, in, n, seed, out));
  }
  void free_energy(int layer, const float *v, size_t n, double *out) const {
    check(rgrbm_stack_free_energy(p_, layer, v, n, out));
  }
  void log_partition(int layer, double *log_z) const {
    check(rgrbm_stack_log_partition(p_, layer, log_z));
  }
  void log_likelihood(int layer, const dataset &data, double *mean_ll) const {
    check(rgrbm_stack_log_likelihood(p_, layer, data.get(), mean_ll));
  }
  void pseudo_log_likelihood(int layer, const dataset &data, double *pll) const {
    check(rgrbm_stack_pseudo_log_likelihood(p_, layer, data.get(), pll));
  }
  void reconstruct(int level, rgrbm_pass pass, const float *in, size_t n, uint64_t seed,
                   float *out) const {
    check(rgrbm_stack_reconstruct(p_, level, pass, in, n, seed, out));
  }
  void save(const char *path) const { check(rgrbm_stack_save(p_, path)); }
  void export_npy(const char *prefix) const { check(rgrbm_stack_export_npy(p_, prefix)); }
};

/** rgrbm/sampler.h: a sampler borrows its lattice or stack, which must outlive it. */
class sampler : public detail::handle<rgrbm_sampler, rgrbm_sampler_destroy> {
 public:
  using handle::handle;
  static sampler create(lattice &lat, rgrbm_algorithm alg, uint64_t seed) {
    rgrbm_sampler *raw;
    check(rgrbm_sampler_create(&raw, lat.get(), alg, seed));
    return sampler(raw);
  }
  static sampler create_gibbs(const stack &s, int layer, size_t chains, uint64_t seed) {
    rgrbm_sampler *raw;
    check(rgrbm_sampler_create_gibbs(&raw, s.get(), layer, chains, seed));
    return sampler(raw);
  }
  void sweep(uint64_t sweeps) { check(rgrbm_sampler_sweep(p_, sweeps)); }
  void draw(size_t count, uint64_t thermalize, uint64_t spacing, dataset &out) {
    check(rgrbm_sampler_draw(p_, count, thermalize, spacing, out.get()));
  }
};

/** rgrbm/rg.h */
class rg : public detail::handle<rgrbm_rg, rgrbm_rg_destroy> {
 public:
  using handle::handle;
  static rg create_decimation1d(int n_sites, int b) {
    rgrbm_rg *raw;
    check(rgrbm_rg_create_decimation1d(&raw, n_sites, b));
    return rg(raw);
  }
  static rg create_block2d(int lx, int ly, int b, rgrbm_block_rule rule, uint64_t seed) {
    rgrbm_rg *raw;
    check(rgrbm_rg_create_block2d(&raw, lx, ly, b, rule, seed));
    return rg(raw);
  }
  static rg create_learned(const stack &s, int level, rgrbm_rg_mode mode, uint64_t seed) {
    rgrbm_rg *raw;
    check(rgrbm_rg_create_learned(&raw, s.get(), level, mode, seed));
    return rg(raw);
  }
  rgrbm_rg_dims shape() const {
    rgrbm_rg_dims dims = RGRBM_RG_DIMS_INIT;
    check(rgrbm_rg_shape(p_, &dims));
    return dims;
  }
  void apply(const dataset &in, dataset &out) const {
    check(rgrbm_rg_apply(p_, in.get(), out.get()));
  }
};

/** rgrbm/cd.h: training changes the stack, reads the data. */
inline void cd_train(stack &s, int layer, const dataset &data, const rgrbm_cd_options *o) {
  check(rgrbm_cd_train(s.get(), layer, data.get(), o));
}
inline void cd_train_stack(stack &s, const dataset &data, const rgrbm_cd_options *per_layer) {
  check(rgrbm_cd_train_stack(s.get(), data.get(), per_layer));
}

}  // namespace rgrbm

#endif /* RGRBM_HPP */
