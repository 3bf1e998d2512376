#!/usr/bin/env python3
"""High-precision references for tests/test_exact.c (run by hand, not by meson).

Needs python3-mpmath. Prints the values pasted into test_exact.c's reference
tables and the low-temperature series coefficients used by lib/exact_square.c.
Nothing here calls librgrbm: these are independent evaluations, at 60-150
significant digits, of the textbook formulas:

- Kaufman (1949): the lx x ly torus at h = 0, Z = 1/2 (2 sinh 2K)^{N/2}
  (Z1 + Z2 + Z3 + Z4), gamma_0 = 2K + ln tanh K, cosh gamma_l = cosh 2K coth 2K
  - cos(pi l / lx); derivatives in K by mpmath.diff.
- Onsager (1944): ln Z / N = ln(2 cosh 2K) + (1/pi) int_0^{pi/2}
  ln[(1 + sqrt(1 - k^2 sin^2 phi)) / 2] dphi, k = 2 sinh 2K / cosh^2 2K.
- The chain: Z = lambda_+^n + lambda_-^n, lambda_pm = e^K cosh h
  pm sqrt(e^{2K} sinh^2 h + e^{-2K}).
"""
import mpmath as mp


def kaufman_lnz(K, n, m):
    K = mp.mpf(K)
    s = mp.sinh(2 * K)
    c = mp.cosh(2 * K) ** 2 / s
    g = [2 * K + mp.log(mp.tanh(K))] + [mp.acosh(c - mp.cos(mp.pi * l / n)) for l in range(1, 2 * n)]
    z1 = mp.fprod(2 * mp.cosh(m * g[l] / 2) for l in range(1, 2 * n, 2))
    z2 = mp.fprod(2 * mp.sinh(m * g[l] / 2) for l in range(1, 2 * n, 2))
    z3 = mp.fprod(2 * mp.cosh(m * g[l] / 2) for l in range(0, 2 * n, 2))
    z4 = mp.fprod(2 * mp.sinh(m * g[l] / 2) for l in range(0, 2 * n, 2))
    return mp.log(mp.mpf(1) / 2) + (n * m / mp.mpf(2)) * mp.log(2 * s) + mp.log(z1 + z2 + z3 + z4)


def onsager_lnz(K):
    K = mp.mpf(K)
    k = 2 * mp.sinh(2 * K) / mp.cosh(2 * K) ** 2
    f = lambda phi: mp.log((1 + mp.sqrt(1 - k ** 2 * mp.sin(phi) ** 2)) / 2)
    return mp.log(2 * mp.cosh(2 * K)) + mp.quad(f, [0, mp.pi / 2]) / mp.pi


def chain_lnz(K, h, n):
    r = mp.sqrt(mp.exp(2 * K) * mp.sinh(h) ** 2 + mp.exp(-2 * K))
    lp, lm = mp.exp(K) * mp.cosh(h) + r, mp.exp(K) * mp.cosh(h) - r
    return n * mp.log(lp) + mp.log(1 + (lm / lp) ** n)


def thermo(f, K, N):
    """ln Z / N, bond_mean = (ln Z)' / N, specific_heat = K^2 (ln Z)'' / N."""
    return f(K) / N, mp.diff(f, K, 1) / N, K ** 2 * mp.diff(f, K, 2) / N


def main():
    print("# Onsager: K, ln Z/N, bond_mean, specific_heat")
    for K in ["0.3", "1.4", "1.6", "3.0", "8.0"]:
        mp.mp.dps = 60 if float(K) < 5 else 100
        print(K, *(mp.nstr(x, 20) for x in thermo(onsager_lnz, mp.mpf(K), 1)))
    print("# torus: lx, ly, K, ln Z/N, bond_mean, specific_heat")
    for n, m, K in [(4, 4, "3.0"), (4, 4, "8.0"), (2, 2, "5.0"), (2, 7, "3.0"), (3, 5, "4.0"),
                    (6, 6, "4.0"), (7, 7, "2.0"), (7, 7, "2.3"), (8, 8, "5.0"),
                    (256, 256, "10.0"), (256, 256, "1.4"), (64, 64, "2.0")]:
        mp.mp.dps = 80 if float(K) < 6 else 150
        print(n, m, K, *(mp.nstr(x, 20) for x in
                         thermo(lambda k: kaufman_lnz(k, n, m), mp.mpf(K), n * m)))
    print("# chain (periodic): n, K, h, ln Z/N, bond_mean, magnetization, specific_heat")
    mp.mp.dps = 80
    for n, K, h in [(10 ** 6, "20", "0"), (10 ** 6, "0.9", "0.3"), (1000, "5", "0.01"),
                    (50, "-3", "0.5"), (2 * 10 ** 9, "0.9", "0")]:
        K, h = mp.mpf(K), mp.mpf(h)
        f = lambda k, hh: chain_lnz(k, hh, n)
        d = lambda a, b: mp.diff(f, (K, h), (a, b)) / n
        C = K ** 2 * d(2, 0) + 2 * K * h * d(1, 1) + h ** 2 * d(0, 2)
        print(n, K, h, *(mp.nstr(x, 20) for x in (f(K, h) / n, d(1, 0), d(0, 1), C)))
    print("# low-temperature series of ln Z/N - 2K in u = e^{-4K}: k, a_k (fit at 120 digits)")
    mp.mp.dps = 120
    J = 16
    us = [mp.mpf(j) * mp.mpf("1e-6") for j in range(1, J + 1)]
    rows = [[u ** k for k in range(1, J + 1)] for u in us]
    rhs = [onsager_lnz(-mp.log(u) / 4) + mp.log(u) / 2 for u in us]
    a = mp.lu_solve(mp.matrix(rows), mp.matrix(rhs))
    for k in range(J):
        print(k + 1, mp.nstr(a[k], 25))


if __name__ == "__main__":
    main()
