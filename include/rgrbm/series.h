/**
 * @file rgrbm/series.h
 * @brief Statistics of a Monte Carlo time series: mean, binned standard
 *        error, integrated autocorrelation time.
 *
 * Every function takes n doubles in Markov-chain order.
 *
 * Thread-safety: the functions are pure (they read their arguments and
 * write only their out-pointer): any calls may run concurrently, also on the
 * same input array.
 */
#ifndef RGRBM_SERIES_H
#define RGRBM_SERIES_H

#include <stddef.h>

#include "rgrbm/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Arithmetic mean of x[0..n).
 * @param x n values.
 * @param n values, at least 1.
 * @param mean receives the mean (unchanged on failure).
 * @return RGRBM_OK, RGRBM_EINVAL (x or mean NULL, n = 0) or RGRBM_ENUMERIC
 *         (a value is NaN or infinite; the message gives its index).
 */
RGRBM_API int rgrbm_series_mean(const double *x, size_t n, double *mean);

/**
 * @brief Standard error of the mean of a correlated series by binning: the
 *        series is cut into `bins` consecutive bins of floor(n / bins) values
 *        (a remainder at the end is dropped) and the error is the standard
 *        deviation of the bin means over sqrt(bins).
 *
 * Reliable when every bin spans many autocorrelation times; 20 to 100 bins
 * are typical.
 * @param x n values.
 * @param n values, at least bins.
 * @param bins number of bins, at least 2.
 * @param error receives the standard error (unchanged on failure).
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, bins < 2, n < bins) or RGRBM_ENUMERIC.
 */
RGRBM_API int rgrbm_series_binned_error(const double *x, size_t n, size_t bins, double *error);

/**
 * @brief Integrated autocorrelation time, tau_int = 1/2 + sum_{t=1}^{W} rho(t),
 *        with Sokal's self-consistent window (the smallest W >= 6 tau_int(W)).
 *
 * In this convention an uncorrelated series has tau_int = 1/2 and the
 * variance of the mean is 2 tau_int Var(x) / n. Series shorter than about
 * 1000 tau_int give a biased, noisy value.
 * @param x n values.
 * @param n values, at least 2.
 * @param tau receives tau_int (unchanged on failure).
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, n < 2), or RGRBM_ENUMERIC (a value
 *         not finite, or a constant series, whose tau is undefined).
 */
RGRBM_API int rgrbm_series_tau_int(const double *x, size_t n, double *tau);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_SERIES_H */
