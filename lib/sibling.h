/* Internal: the mark of entry points that librgrbm exports under the private
 * symbol version RGRBM_PRIVATE (lib/rgrbm.sym) for its sibling library
 * librgrbm_mpi (lib/mpi/), which is built from the same sources and
 * installed with the same version: no ABI promise is made for them, and no
 * public header declares them. Never installed. */
#ifndef RGRBM_LIB_SIBLING_H
#define RGRBM_LIB_SIBLING_H

#if defined(__GNUC__)
#define RGRBM__SIBLING __attribute__((visibility("default")))
#else
#define RGRBM__SIBLING
#endif

#endif
