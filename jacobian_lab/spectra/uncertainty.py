r"""Error bars for summaries measured on several data batches or seeds.

A spectrum summary of a real network depends on the batch it is computed on and on the seed of the
training run that produced the point. :func:`error_bar` gives the mean over the repetitions with a
percentile bootstrap interval (Efron & Tibshirani 1993, ch. 13; :func:`scipy.stats.bootstrap`): the
interval of the resampled means that holds a fraction ``confidence`` of them. With few repetitions
(5 seeds) the interval is rough and tends to be narrow; the number of repetitions is reported with it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np


class ErrorBar(NamedTuple):
    """``mean`` of ``n`` finite values and the bootstrap interval ``[low, high]`` of the mean."""

    mean: float
    low: float
    high: float
    n: int


def error_bar(values, confidence: float = 0.9, n_resamples: int = 2000, seed: int = 0) -> ErrorBar:
    """Mean and percentile-bootstrap interval of ``values`` (non-finite values are dropped).

    One value gives a zero-width interval; none gives ``nan``.
    """
    from scipy.stats import bootstrap

    data = np.asarray(values, dtype=float).ravel()
    data = data[np.isfinite(data)]
    if data.size == 0:
        return ErrorBar(math.nan, math.nan, math.nan, 0)
    mean = float(data.mean())
    if data.size == 1 or np.ptp(data) == 0:
        return ErrorBar(mean, mean, mean, int(data.size))
    result = bootstrap((data,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
                       method="percentile", rng=np.random.default_rng(seed))
    ci = result.confidence_interval
    return ErrorBar(mean, float(ci.low), float(ci.high), int(data.size))
