/* report.html: the figures with the numbers that make the paper's claim
 * measurable, and summary.json with the same numbers for scripts. */
#ifndef PAPER2D_REPORT_H
#define PAPER2D_REPORT_H

#include "experiment.h"

#define PAPER2D_REPORT_FILE "report.html"
#define PAPER2D_SUMMARY_FILE "summary.json"

/* Radius of gyration of a uniform b x b block of sites, sqrt((b^2 - 1) / 6):
 * what a block-spin field of side b measures. */
double paper2d_block_gyration(int b);

int paper2d_write_report(const paper2d_run *run);

#endif
