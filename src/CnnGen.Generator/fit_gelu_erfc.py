"""Fits the polynomial q of VectorGelu (the emitted vector GELU): erfc(z) = t exp(-z^2) q(t), t = 1 / (1 + z / 2).

q(t) = erfc(z) exp(z^2) / t is smooth on t in [1 / (1 + 7 sqrt 2 / 2), 1] (z up to 14 / sqrt 2, past GELU's clamp at 12.9):
a degree-8 polynomial, fitted by Lawson's reweighted least squares toward the minimax of the relative error, is within
4.3e-8 of it, and 6.7e-8 with its coefficients rounded to floats (printed last). Run: python3 fit_gelu_erfc.py
"""
import math
import numpy as np

DEGREE = 8
low = 1 / (1 + 0.5 * 14 / math.sqrt(2))
k = np.arange(40000)
ts = low + (1 - low) * (1 + np.cos(np.pi * (k + 0.5) / len(k))) / 2
zs = (1 / ts - 1) / 0.5
qs = np.array([math.erfc(z) * math.exp(z * z) for z in zs]) / ts

weights = np.ones_like(ts)
for _ in range(60):
    fit = np.polynomial.chebyshev.Chebyshev.fit(ts, qs, DEGREE, w=np.sqrt(weights) / qs)
    error = np.abs(fit(ts) / qs - 1)
    weights *= error / error.max() + 1e-3
    weights /= weights.mean()
coefficients = fit.convert(kind=np.polynomial.Polynomial).coef
rounded = coefficients.astype(np.float32)
print("relative error:", np.max(np.abs(fit(ts) / qs - 1)),
      "with float coefficients:", np.max(np.abs(np.polynomial.Polynomial(rounded.astype(np.float64))(ts) / qs - 1)))
print(", ".join(f'"{np.format_float_positional(c)}f"' for c in rounded))
