/* What the trained stack learned, level by level, against block-spin RG
 * with b = 2^level:
 *  - locality: rgrbm_receptive_summarize (radius of gyration; largest share of
 *    sum r^2 inside any b x b block, every periodic position);
 *  - agreement: unit j of level l is matched to the aligned majority block
 *    B (of rgrbm_rg_create_block2d, the blocks x in [bX, bX + b)) holding
 *    the largest share of its receptive field's sum r_ij^2, with the sign
 *    sigma_j of sum_{i in B} r_ij. Its learned coarse spin h_j (the
 *    learned transform, sign of the mean fed up) agrees on a configuration
 *    when h_j = sigma_j * majority(B). The rate is the fraction of
 *    configurations that agree, reported as mean, min and max over units;
 *    as a control, the same against the block half a lattice away;
 *  - magnetizations: learned m = (1/n) sum_j sigma_j h_j (sign-aligned, so
 *    that a unit wired to -block counts as that block) and the majority-rule
 *    m of the same configuration, as histograms. */
#ifndef PAPER2D_ANALYSIS_H
#define PAPER2D_ANALYSIS_H

#include "experiment.h"

/* Fill run->levels[1..depth] and choose the samples shown in figures. */
int paper2d_analyze(paper2d_run *run);

#endif
