"""Fit BG/NBD and Gamma-Gamma with `lifetimes` on a summary CSV and print timings as JSON.

Run by `siyu bench value` from the virtual environment it creates (.bench-env), so that Siyu's fits
are compared with the reference library in the same run on the same machine:

    python scripts/bench/lifetimes_value.py --summary Tests/Fixtures/cdnow/cdnow_summary.csv --repeat 5

The summary has CDNOW's layout (customer_id,frequency,recency,T,monetary_value). Prints one JSON
object: versions, and per model the best-of-N fit seconds, parameters and the total log-likelihood
in the data's own time unit (lifetimes' `_negative_log_likelihood_` is a mean on rescaled time).
"""

import argparse
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402
from scipy.special import gammaln  # noqa: E402

import lifetimes  # noqa: E402
from lifetimes import BetaGeoFitter, GammaGammaFitter  # noqa: E402


def bgnbd_log_likelihood(params, x, tx, T):
    """Total BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6) in the data's time unit."""
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf)
    return float(np.sum(a1 + a2 + np.logaddexp(a3, a4)))


def gamma_gamma_log_likelihood(params, x, m):
    """Total Gamma-Gamma log-likelihood of the mean spends m of repeat customers with x repeat purchases."""
    p, q, v = params
    ll = (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + (p * x) * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )
    return float(np.sum(ll))


def best_of(repeat, fit):
    """Best wall-clock seconds of `repeat` calls of fit(), and the last fitted model."""
    best, model = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        model = fit()
        best = min(best, time.perf_counter() - start)
    return best, model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summary", required=True, help="customer_id,frequency,recency,T,monetary_value CSV")
    parser.add_argument("--repeat", type=int, default=5, help="fits per model; the best time is reported")
    args = parser.parse_args()

    data = pd.read_csv(args.summary)
    x = data["frequency"].to_numpy(dtype=float)
    tx = data["recency"].to_numpy(dtype=float)
    T = data["T"].to_numpy(dtype=float)
    repeaters = data[data["frequency"] > 0]
    rx = repeaters["frequency"].to_numpy(dtype=float)
    rm = repeaters["monetary_value"].to_numpy(dtype=float)

    seconds, bgf = best_of(args.repeat, lambda: BetaGeoFitter(penalizer_coef=0.0).fit(data["frequency"], data["recency"], data["T"]))
    bg = [float(bgf.params_[k]) for k in ("r", "alpha", "a", "b")]
    result = {
        "versions": {
            "python": sys.version.split()[0],
            "lifetimes": lifetimes.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "scipy": scipy.__version__,
        },
        "customers": int(len(data)),
        "bgnbd": {
            "seconds": seconds,
            "parameters": dict(zip(("r", "alpha", "a", "b"), bg)),
            "logLikelihood": bgnbd_log_likelihood(bg, x, tx, T),
        },
    }
    seconds, ggf = best_of(
        args.repeat, lambda: GammaGammaFitter(penalizer_coef=0.0).fit(repeaters["frequency"], repeaters["monetary_value"])
    )
    gg = [float(ggf.params_[k]) for k in ("p", "q", "v")]
    result["gammaGamma"] = {
        "seconds": seconds,
        "parameters": dict(zip(("p", "q", "v"), gg)),
        "logLikelihood": gamma_gamma_log_likelihood(gg, rx, rm),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
