#!/usr/bin/python3
"""Goldens for the lab's evaluation metrics beyond AUROC, from scikit-learn and NumPy (Debian's, /usr/bin/python3).

Run:  /usr/bin/python3 scripts/golden_eval_metrics.py
Writes tests/fixtures/golden/eval_metrics.json (deterministic, fixed seeds), read by
tests/train/{calibration,bootstrap,roc,percentile}.test.ts:
  calibration  sklearn.calibration.calibration_curve(y, p, n_bins=15, strategy='uniform') per label; ECE as the
               NumPy sum of (n_b / N) |prob_true - prob_pred| over the non-empty bins.
  roc          sklearn.metrics.roc_curve(y, p, drop_intermediate=False) and confusion_matrix(y, p >= t).
  bootstrap    macro AUROC on resamples drawn with mulberry32 (re-implemented below), each label scored by
               sklearn.metrics.roc_auc_score, the interval by numpy.percentile (default 'linear').
  percentile   numpy.percentile on a few arrays.
Floats are written with Python's repr (json), which round-trips exactly: several cases sit exactly on bin edges.
"""
import math
import os
import sys

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import confusion_matrix, roc_auc_score, roc_curve

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_io import GOLDEN_DIR, ROOT, write_json  # noqa: E402

N_BINS = 15
U32 = 0xFFFFFFFF


def mulberry32(seed):
    """mulberry32 (Tommy Ettinger, public domain), as given in bryc's PRNG notes
    (github.com/bryc/code/blob/master/jshash/PRNGs.md) and in src/run/random.ts. JavaScript's Math.imul and
    >>> work on 32-bit words: here every product and sum is taken mod 2**32 and kept unsigned."""
    state = seed & U32

    def rand():
        nonlocal state
        state = (state + 0x6D2B79F5) & U32
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & U32
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & U32)) & U32
        return ((t ^ (t >> 14)) & U32) / 4294967296

    return rand


def floats(a):
    return [float(v) for v in np.asarray(a, float).reshape(-1)]


def ints(a):
    return [int(v) for v in np.asarray(a).reshape(-1)]


def or_none(v):
    return None if v is None else float(v)


# ---------------------------------------------------------------------------------------------- evaluation set
def evaluation_set():
    """A multi-label evaluation of 240 images x 6 labels, probabilities (sigmoid outputs) with ties:
    0 ordinary (0.01 grid, heavy ties), 1 on and next to the 15-bin edges and at 0 and 1, 2 rare (4 positives),
    3 one class only, 4 with a third of its entries masked, 5 masked everywhere."""
    rng = np.random.default_rng(20240611)
    n, k = 240, 6
    p = np.zeros((n, k))
    y = np.zeros((n, k), int)
    mask = np.ones((n, k), int)
    p[:, 0] = np.round(rng.beta(2, 3, n), 2)
    y[:, 0] = rng.random(n) < 0.15 + 0.7 * p[:, 0]
    edges = np.linspace(0.0, 1.0, N_BINS + 1)
    special = np.concatenate([edges, np.nextafter(edges[1:], 0), np.nextafter(edges[:-1], 1)])
    p[:, 1] = np.concatenate([special, rng.random(n - special.size)])
    y[:, 1] = rng.random(n) < p[:, 1]
    p[:, 2] = np.round(1 / (1 + np.exp(-rng.normal(-2.5, 1.2, n))), 3)
    y[rng.choice(n, 4, replace=False), 2] = 1
    p[:, 3] = np.round(rng.random(n) * 0.3, 2)
    p[:, 4] = np.round(rng.random(n), 1)  # 11 distinct values: big ties
    y[:, 4] = rng.random(n) < 0.2 + 0.6 * p[:, 4]
    mask[:, 4] = rng.random(n) < 0.67
    p[:, 5] = rng.random(n)
    y[:, 5] = rng.random(n) < 0.5
    mask[:, 5] = 0
    return p, y, mask


# ---------------------------------------------------------------------------------------------- calibration
def calibration_ref(p, y, n_bins=N_BINS):
    """sklearn's per-bin means; the counts by sklearn's own binning line (np.searchsorted of the inner edges,
    sklearn/calibration.py), checked by reproducing sklearn's means from them."""
    if p.size == 0:
        return {'ece': None, 'count': 0, 'binIndex': [], 'binCount': [], 'fractionPositive': [], 'meanPredicted': []}
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy='uniform')
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    binids = np.searchsorted(edges[1:-1], p)
    counts = np.bincount(binids, minlength=n_bins)
    nonempty = np.nonzero(counts)[0]
    assert nonempty.size == prob_true.size
    for j, b in enumerate(nonempty):
        assert prob_pred[j] == np.mean(p[binids == b]) or abs(prob_pred[j] - np.mean(p[binids == b])) < 1e-15
        assert prob_true[j] == np.mean(y[binids == b])
    ece = float(np.sum(counts[nonempty] / p.size * np.abs(prob_true - prob_pred)))
    return {'ece': ece, 'count': int(p.size), 'binIndex': ints(nonempty), 'binCount': ints(counts[nonempty]),
            'fractionPositive': floats(prob_true), 'meanPredicted': floats(prob_pred)}


def calibration_cases():
    rng = np.random.default_rng(5)
    edges = np.linspace(0.0, 1.0, N_BINS + 1)
    cases = []

    def case(name, p, y, mask=None, n_bins=N_BINS):
        p, y = np.asarray(p, float), np.asarray(y, int)
        keep = np.ones(p.size, bool) if mask is None else np.asarray(mask) > 0
        ref = calibration_ref(p[keep], y[keep], n_bins)
        cases.append({'name': name, 'probs': floats(p), 'targets': ints(y),
                      'mask': None if mask is None else ints(mask), 'numBins': n_bins, **ref})

    case('every edge, p = 0 and p = 1', edges, [0, 1] * 8)
    case('just below and above each inner edge', np.concatenate([np.nextafter(edges[1:-1], 0),
                                                                 np.nextafter(edges[1:-1], 1)]), [1, 0] * 14)
    case('all in one bin (14 empty bins)', [0.41, 0.43, 0.45, 0.46], [0, 1, 1, 1])
    case('perfectly confident and right', [0.0, 0.0, 1.0, 1.0, 1.0], [0, 0, 1, 1, 1])
    case('one class only', np.round(rng.random(20), 2), [0] * 20)
    case('masked entries left out', [0.05, 0.95, 0.5, 0.52, 0.9, 0.1], [1, 0, 1, 0, 1, 0], [0, 0, 1, 1, 1, 1])
    e10 = np.linspace(0.0, 1.0, 11)
    case('10 bins: numpy edges i * 0.1 (0.30000000000000004) and i / 10 (0.3)',
         np.concatenate([e10, np.arange(11) / 10]), [0, 1, 1] * 7 + [0], n_bins=10)
    case('10 bins, 0.1 grid (edges of 10 bins)', np.round(rng.random(60), 1), (rng.random(60) < 0.5).astype(int),
         n_bins=10)
    ps = rng.random(400) ** 2
    case('400 random, miscalibrated', ps, (rng.random(400) < np.sqrt(ps)).astype(int))
    return cases


# ---------------------------------------------------------------------------------------------- ROC and confusion
def roc_ref(s, y):
    """roc_curve's rates are NaN (with a warning) when a class is missing: recorded as null."""
    if s.size == 0 or len(set(y.tolist())) < 2:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            if s.size:
                fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
                assert np.isnan(fpr).all() or np.isnan(tpr).all()
        return None
    fpr, tpr, thresholds = roc_curve(y, s, drop_intermediate=False)
    return {'fpr': floats(fpr), 'tpr': floats(tpr), 'thresholds': floats(thresholds)}


def confusion_ref(s, y, t):
    tn, fp, fn, tp = confusion_matrix(y, s >= t, labels=[0, 1]).ravel()
    return {'threshold': float(t), 'tn': int(tn), 'fp': int(fp), 'fn': int(fn), 'tp': int(tp),
            'sensitivity': float(tp / (tp + fn)) if tp + fn else None,
            'specificity': float(tn / (tn + fp)) if tn + fp else None}


def roc_cases():
    rng = np.random.default_rng(9)
    cases = []

    def case(name, s, y, mask=None, thresholds=()):
        s, y = np.asarray(s, float), np.asarray(y, int)
        keep = np.ones(s.size, bool) if mask is None else np.asarray(mask) > 0
        finite = np.isfinite(s[keep]).all()
        cases.append({'name': name, 'scores': [float(v) if math.isfinite(v) else None for v in s],
                      'targets': ints(y), 'mask': None if mask is None else ints(mask),
                      'curve': roc_ref(s[keep], y[keep]) if finite else None,
                      'confusion': [confusion_ref(s[keep], y[keep], t) for t in thresholds]})

    case('ties across classes', [0.1, 0.4, 0.4, 0.4, 0.8, 0.8, 0.2], [0, 0, 1, 1, 1, 0, 1],
         thresholds=[0.4, 0.8, 0.8000001, 0.1, 0.0, 1.8, 5.0, -1.0])
    case('all scores tied', [0.5] * 6, [0, 1, 0, 1, 1, 0], thresholds=[0.5, 0.5000001, 0.4999999])
    case('perfect', [0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], thresholds=[0.5, 0.8, 0.2, 1.9])
    case('logits (negative and above 1)', np.round(rng.normal(-1, 2.5, 40), 3), (rng.random(40) < 0.4).astype(int),
         thresholds=[0.0, -1.0, 3.0, 100.0, -100.0])
    case('masked entries change the curve', [0.9, 0.1, 0.8, 0.3, 0.7, 0.2], [0, 0, 1, 1, 1, 0],
         [0, 1, 1, 1, 1, 1], thresholds=[0.8, 0.3, 0.9])
    case('no negatives (curve undefined)', [0.2, 0.6, 0.9], [1, 1, 1], thresholds=[0.6, 1.0])
    case('no positives (curve undefined)', [0.2, 0.6, 0.9], [0, 0, 0], thresholds=[0.6, 0.0])
    case('NaN score: a negative call', [0.2, float('nan'), 0.9, 0.4], [1, 1, 0, 0], thresholds=[0.3, 0.0])
    s = np.round(rng.random(150), 2)
    case('150 on a 0.01 grid', s, (rng.random(150) < 0.2 + 0.6 * s).astype(int),
         thresholds=[float(np.min(s)), float(np.max(s)), float(np.median(s)), 0.5, 1.01])
    return cases


# ---------------------------------------------------------------------------------------------- bootstrap
def macro_auroc(p, y, mask, rows):
    values = []
    for j in range(p.shape[1]):
        keep = mask[rows, j] > 0
        yj, pj = y[rows, j][keep], p[rows, j][keep]
        if np.isfinite(p[mask[:, j] > 0, j]).all() and len(set(yj.tolist())) == 2:
            values.append(roc_auc_score(yj, pj))
    return float(np.mean(values)) if values else None


def bootstrap_case(name, p, y, mask, seed, resamples, keep_data=True):
    n = p.shape[0]
    rand = mulberry32(seed)
    macros, skipped, first_draws = [], 0, []
    for r in range(resamples):
        rows = np.array([math.floor(rand() * n) for _ in range(n)], dtype=int)
        if r == 0:
            first_draws = ints(rows[:20])
        m = macro_auroc(p, y, mask, rows)
        if m is None:
            skipped += 1
        else:
            macros.append(m)
    lo, median, hi = (np.percentile(macros, [2.5, 50, 97.5]).tolist() if macros else (None, None, None))
    out = {'name': name, 'seed': seed, 'resamples': resamples, 'firstDraws': first_draws,
           'firstMacros': [or_none(v) for v in macros[:5]], 'lo': or_none(lo), 'hi': or_none(hi),
           'median': or_none(median), 'resamplesUsed': len(macros), 'resamplesSkipped': skipped}
    if keep_data:
        out.update({'numLabels': p.shape[1], 'scores': floats(p), 'targets': ints(y), 'mask': ints(mask)})
    return out


def bootstrap_cases(p, y, mask):
    rng = np.random.default_rng(3)
    cases = [bootstrap_case('evaluation set (rare label, one-class and masked labels)', p, y, mask,
                            seed=20240611, resamples=1000, keep_data=False)]
    # Two rare labels, one positive each on different images: about (1 - 1/25)^25 = 36 % of resamples lose
    # each positive, so some resamples have no label with both classes.
    n = 25
    rp = np.round(rng.random((n, 2)), 2)
    ry = np.zeros((n, 2), int)
    ry[3, 0] = 1
    ry[17, 1] = 1
    cases.append(bootstrap_case('two rare labels: skipped resamples', rp, ry, np.ones((n, 2), int), seed=7,
                                resamples=400))
    n = 60
    tp = np.round(rng.random((n, 3)), 1)
    ty = (rng.random((n, 3)) < 0.25 + 0.5 * tp).astype(int)
    tm = (rng.random((n, 3)) < 0.8).astype(int)
    cases.append(bootstrap_case('heavy ties and masks, 3 labels', tp, ty, tm, seed=123456789, resamples=300))
    return cases


# ---------------------------------------------------------------------------------------------- percentile
def plain_lerp_differs(v, qs):
    """Whether a + (b - a) g differs from numpy's result in the last bit for some q (numpy takes
    b - (b - a)(1 - g) when g >= 0.5): such arrays test that branch."""
    for q in qs:
        h = (v.size - 1) * (q / 100)
        lo = int(math.floor(h))
        a, b = v[lo], v[min(lo + 1, v.size - 1)]
        if a + (b - a) * (h - lo) != np.percentile(v, q):
            return True
    return False


def percentile_cases():
    rng = np.random.default_rng(1)
    qs = [0.0, 2.5, 25.0, 50.0, 97.5, 100.0, 33.3]
    branchy = []
    while len(branchy) < 3:
        v = np.sort(rng.random(7))
        if plain_lerp_differs(v, qs):
            branchy.append(v)
    cases = []
    for values in ([0.5], [0.1, 0.9], [3.0, 1.0, 2.0, 2.0], *branchy, rng.random(1000), rng.random(999)):
        v = np.sort(np.asarray(values, float))
        cases.append({'sorted': floats(v), 'q': qs, 'percentiles': floats(np.percentile(v, qs))})
    return cases


def main():
    p, y, mask = evaluation_set()
    k = p.shape[1]
    per_label_cal = []
    per_label_roc = []
    for j in range(k):
        keep = mask[:, j] > 0
        per_label_cal.append(calibration_ref(p[keep, j], y[keep, j]))
        per_label_roc.append(roc_ref(p[keep, j], y[keep, j]))
    defined = [c['ece'] for c in per_label_cal if c['ece'] is not None]
    golden = {
        'versions': {'sklearn': sklearn.__version__, 'numpy': np.__version__},
        'evaluation': {'numLabels': k, 'scores': floats(p), 'targets': ints(y), 'mask': ints(mask)},
        'calibration': {'perLabel': per_label_cal, 'meanEce': float(np.mean(defined)) if defined else None,
                        'cases': calibration_cases()},
        'roc': {'perLabel': per_label_roc, 'cases': roc_cases()},
        'bootstrap': bootstrap_cases(p, y, mask),
        'percentile': percentile_cases(),
    }
    path = os.path.join(GOLDEN_DIR, 'eval_metrics.json')
    size = write_json(path, golden)
    print(f'{os.path.relpath(path, ROOT)}: {size / 1024:.1f} kB')
    for b in golden['bootstrap']:
        print(b['name'], {key: b[key] for key in ('lo', 'median', 'hi', 'resamplesUsed', 'resamplesSkipped')})


if __name__ == '__main__':
    main()
