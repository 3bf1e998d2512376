// include/rgrbm.hpp, the C++17 layer: a lattice sampled into a dataset, a
// block-spin transform, a tiny stack trained on the samples, errors as
// rgrbm::error with the C status and message, handles that move and free
// everything (rgrbm_memory_in_use() back to where it started).
#include <rgrbm.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

static_assert(!std::is_copy_constructible_v<rgrbm::dataset>, "handles are move-only");
static_assert(!std::is_copy_assignable_v<rgrbm::stack>, "handles are move-only");
static_assert(std::is_nothrow_move_constructible_v<rgrbm::sampler>, "moves do not throw");
static_assert(std::is_nothrow_move_assignable_v<rgrbm::rg>, "moves do not throw");
static_assert(std::is_base_of_v<std::runtime_error, rgrbm::error>, "rgrbm::error is an exception");

static int failures = 0;

#define REQUIRE(cond)                                                        \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                            \
    }                                                                        \
  } while (0)

// Runs f, which must throw rgrbm::error with status and a message naming
// function; returns the message.
template <class F>
static std::string expect_error(F f, int status, const char *function) {
  try {
    f();
  } catch (const rgrbm::error &e) {
    REQUIRE(e.status() == status);
    REQUIRE(std::strstr(e.what(), function) != nullptr);
    return e.what();
  }
  std::fprintf(stderr, "no rgrbm::error from %s\n", function);
  failures++;
  return "";
}

static void sample_transform_train() {
  const int side = 8;
  rgrbm::lattice lat = rgrbm::lattice::create(RGRBM_SQUARE, side, side, RGRBM_PERIODIC);
  lat.set_couplings(0.3, 0.0);
  lat.randomize(11);
  REQUIRE(lat.sites() == size_t(side * side));

  rgrbm::dataset data = rgrbm::dataset::create(lat.sites());
  data.set_shape(side, side);
  {
    rgrbm::sampler chain = rgrbm::sampler::create(lat, RGRBM_WOLFF, 7);
    chain.sweep(5);
    chain.draw(40, 5, 1, data);
  }
  REQUIRE(data.count() == 40);
  std::vector<int8_t> first(lat.sites());
  data.get(0, 1, first.data());
  for (int8_t s : first) REQUIRE(s == 1 || s == -1);

  rgrbm::rg block = rgrbm::rg::create_block2d(side, side, 2, RGRBM_BLOCK_MAJORITY, 3);
  const rgrbm_rg_dims dims = block.shape();
  REQUIRE(dims.in_dim == lat.sites());
  REQUIRE(dims.out_dim == lat.sites() / 4);
  REQUIRE(dims.b == 2 && dims.out_lx == side / 2);
  rgrbm::dataset coarse = rgrbm::dataset::create(dims.out_dim);
  block.apply(data, coarse);
  REQUIRE(coarse.count() == data.count());

  const int sizes[] = {side * side, 4};
  rgrbm::stack rbm = rgrbm::stack::create(sizes, 2, RGRBM_UNITS_SPIN, 5);
  REQUIRE(rbm.depth() == 1);
  REQUIRE(rbm.size(1) == 4);
  std::vector<float> before(rbm.weights(0), rbm.weights(0) + sizes[0] * sizes[1]);
  rgrbm_cd_options options;
  REQUIRE(rgrbm_cd_options_init(&options, RGRBM_CD_OPTIONS_VERSION) == RGRBM_OK);
  options.epochs = 2;
  options.batch_size = 10;
  rgrbm::cd_train(rbm, 0, data, &options);
  REQUIRE(std::memcmp(before.data(), rbm.weights(0), before.size() * sizeof(float)) != 0);
  double pll = 0;
  rbm.pseudo_log_likelihood(0, data, &pll);
  REQUIRE(pll < 0);

  // Moving hands the C handle over; the moved-from object holds none.
  rgrbm::stack moved = std::move(rbm);
  REQUIRE(!rbm && moved && moved.depth() == 1);
  rgrbm_stack *raw = moved.release();
  REQUIRE(!moved);
  rbm.reset(raw);
  REQUIRE(rbm.get() == raw);
}

static void errors() {
  rgrbm::lattice lat = rgrbm::lattice::create(RGRBM_CHAIN, 6, 1, RGRBM_PERIODIC);
  lat.fill(1);
  std::string message = expect_error([&] { lat.fill(3); }, RGRBM_EINVAL, "rgrbm_lattice_fill");
  REQUIRE(message == rgrbm_last_error());
  REQUIRE(lat.magnetization() == 1.0);  // a failed call changes nothing
  expect_error([] { rgrbm::lattice::create(RGRBM_CHAIN, 6, 2, RGRBM_PERIODIC); }, RGRBM_EINVAL,
               "rgrbm_lattice_create");
  expect_error([] { rgrbm::dataset::load_npy("/nonexistent/rgrbm-cxx.npy"); }, RGRBM_EIO,
               "rgrbm_dataset_load_npy");
  // check() passes RGRBM_OK and throws the rest.
  rgrbm::check(RGRBM_OK);
  expect_error([] { rgrbm::check(rgrbm_dataset_create(nullptr, 4)); }, RGRBM_EINVAL,
               "rgrbm_dataset_create");
}

int main() {
  const size_t in_use = rgrbm_memory_in_use();
  try {
    sample_transform_train();
    errors();
  } catch (const rgrbm::error &e) {
    std::fprintf(stderr, "unexpected rgrbm::error %d: %s\n", e.status(), e.what());
    return 1;
  }
  REQUIRE(rgrbm_memory_in_use() == in_use);
  if (failures) return 1;
  std::printf("rgrbm.hpp: handles, training and errors work\n");
  return 0;
}
