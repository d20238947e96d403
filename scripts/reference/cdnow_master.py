"""Reference values for fitting CDNOW's full master file, where one repeat customer spent 0.

Writes Tests/Fixtures/cdnow/master_golden.json. Run in a virtual environment with
lifetimes==0.11.3 (pip install lifetimes==0.11.3):

    python scripts/reference/cdnow_master.py Tests/Fixtures/cdnow/cdnow_master.csv > Tests/Fixtures/cdnow/master_golden.json

lifetimes' GammaGammaFitter refuses non-positive monetary values; its documentation fits on the
repeat customers with monetary_value > 0, which is what Siyu does (with a warning) instead of
failing. BG/NBD is fitted on every customer.
"""
import json
import sys

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

transactions = pd.read_csv(sys.argv[1])
summary = summary_data_from_transaction_data(
    transactions, "customer_id", "date", monetary_value_col="amount",
    observation_period_end="1997-09-30", freq="D", freq_multiplier=7,
)
repeaters = summary[summary.frequency > 0]
positive = repeaters[repeaters.monetary_value > 0]
excluded = repeaters[repeaters.monetary_value <= 0]
ggf = GammaGammaFitter(penalizer_coef=0.0).fit(positive.frequency, positive.monetary_value)
bgf = BetaGeoFitter(penalizer_coef=0.0).fit(summary["frequency"], summary["recency"], summary["T"])
p, q, v = (float(ggf.params_[k]) for k in ("p", "q", "v"))
sample = [str(i) for i in positive.index[:5]]
print(json.dumps({
    "calibration_end": "1997-09-30",
    "customers": int(len(summary)),
    "repeat_customers": int(len(repeaters)),
    "excluded_from_spend_fit": [str(i) for i in excluded.index],
    "gamma_gamma": {"p": p, "q": q, "v": v, "population_mean": p * v / (q - 1), "customers": int(len(positive))},
    "bgnbd": {k: float(bgf.params_[k]) for k in ("r", "alpha", "a", "b")},
    "expected_average_value": {
        i: float(ggf.conditional_expected_average_profit(positive.frequency.loc[[int(i)]], positive.monetary_value.loc[[int(i)]]).iloc[0])
        for i in sample
    },
}, indent=2))
