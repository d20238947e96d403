"""Reference values for a BG/NBD fit whose maximum lies at the model's limit (a, b -> infinity).

The summary (Tests/Fixtures/value/same_dropout_summary.csv) is the demo brand's orders of
2026-09-08 to 2026-12-06 as lifetimes' summary_data_from_transaction_data(freq='D',
freq_multiplier=7) makes it, without the customers first seen on the last day (T = 0). Its customers hardly differ in how likely they are to drop out, so
the likelihood keeps rising as a and b grow together: BetaGeoFitter().fit on this file raises
ConvergenceError ("Desired error not necessarily achieved due to precision loss", a and b near
e^12.4 and e^14.1). This script runs the same kind of minimisation (scipy BFGS on the
log-parameters with autograd's gradient, tol 1e-7, time rescaled to max(T) = 1, started at 1) and
records where it stops on the plateau: the objective, r, alpha and the dropout chance a/(a+b),
which barely move along it. Run with lifetimes==0.11.3:

    python scripts/reference/same_dropout.py Tests/Fixtures/value/same_dropout_summary.csv > Tests/Fixtures/value/same_dropout_golden.json
"""
import json
import sys

import numpy as np
import pandas as pd
from autograd import value_and_grad
from lifetimes import BetaGeoFitter
from scipy.optimize import minimize

summary = pd.read_csv(sys.argv[1])
scale = 1 / summary["T"].max()
args = (
    summary["frequency"].values,
    (summary["recency"] * scale).values,
    (summary["T"] * scale).values,
    np.ones(len(summary)),
    0.0,
)
output = minimize(
    value_and_grad(BetaGeoFitter._negative_log_likelihood), method=None, tol=1e-7, jac=True, x0=np.zeros(4), args=args
)
r, alpha, a, b = np.exp(output.x)
json.dump(
    {
        "customers": len(summary),
        "success": bool(output.success),
        "message": str(output.message),
        "objective": float(output.fun),
        "r": float(r),
        "alpha": float(alpha / scale),
        "a": float(a),
        "b": float(b),
        "dropout": float(a / (a + b)),
    },
    sys.stdout,
    indent=2,
)
print()
