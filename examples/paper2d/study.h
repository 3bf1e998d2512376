/* paper2d --study: what makes level 1 local. Level 1 of the stack (sites ->
 * sizes[1] units) is trained alone, on the run's data set, under the 16
 * combinations of {0,1} or -1/+1 units, L1 in {0, 2e-4, 1e-3, 8e-3} and
 * CD-1 or PCD-1, every other hyperparameter the main job's. For each, the
 * per-unit locality of the receptive fields (best 2 x 2 block weight, radius
 * of gyration, from rgrbm_receptive_locality) is summarized by its quartiles
 * and by the fraction of units above PAPER2D_STUDY_THRESHOLD; one
 * configuration (the paper's: {0,1}, L1 = 2e-4, CD-1) is also measured after
 * E/4, E/2, E and 2E epochs. Writes study.md, study.json, study_table.html
 * (the table, included by report.html when present) and one receptive-field
 * PNG per configuration. */
#ifndef PAPER2D_STUDY_H
#define PAPER2D_STUDY_H

#include "experiment.h"

#define PAPER2D_STUDY_MD "study.md"
#define PAPER2D_STUDY_JSON "study.json"
#define PAPER2D_STUDY_TABLE "study_table.html"

/* A unit is local when at least this share of its field's sum r^2 lies in
 * one 2 x 2 block: 100 times the share of a uniform field on 40 x 40
 * (4 / 1600), 21 times the median of white noise on 40 x 40 (0.012, measured
 * by the study and printed beside it), and the share a field spread evenly over a 4 x 4
 * block would have; a field with a quarter of its weight on 4 of 1600 sites
 * is a spot, not noise. */
#define PAPER2D_STUDY_THRESHOLD 0.25
/* A unit is compact when its radius of gyration is at most that of a
 * uniform 5 x 5 block, sqrt(24 / 6) = 2 (a uniform field on 40 x 40: 16.3). */
#define PAPER2D_STUDY_COMPACT_GYRATION 2.0

/* Train and measure the 16 configurations on run->data (already sampled)
 * and write the study's files into run->cfg.out_dir. */
int paper2d_study(paper2d_run *run);

#endif
