#!/usr/bin/env python3
"""
Fits the out-of-distribution guard's model (src/data/ood/oodModel.json; method in docs/ood-guard.md) with
scikit-learn, on the CALIBRATION half only of bench-out/ood/features.json (written by scripts/ood_bench.mjs: the
71 features of src/data/ood/features.ts, computed in Chromium on the lab's own decode path).

- Classes: real chest radiographs (NIH 1024 px, NIH 64 px, Kermany; each also mirrored left-right, which only
  mirrors the 8 x 8 layout) against non-radiographs (skimage samples, LFW faces, documents, charts, screenshots,
  CT / MR / NM slices). Weights: the three radiograph sources count alike, and both classes count alike.
- Model: standardisation + LogisticRegression(C=0.1, lbfgs).
- Threshold: cross-fitted. The calibration half is cut into 5 folds; each fold's radiographs are scored by a
  model fitted on the other 4, and the threshold is the lowest decision value at which the share of those
  out-of-fold scores above it, averaged over the three radiograph sources, is at most TARGET (0.5 %). (Scoring
  the images a model was fitted on would understate how high real radiographs can score; a per-source maximum
  would let one odd image among a source's ~100 set the threshold alone.)
- Colour rule: flagged when more than 5 % of the pixels are coloured (fixed, not fitted: every radiograph here
  has 0 %, and 5 % leaves room for a coloured marker or annotation burnt into a real one).
- Also writes tests/fixtures/ood/decision_golden.json (feature vectors and sklearn's decision values, for the
  TypeScript scoring test) and, with --generalisation, refits without each non-radiograph family in turn and
  reports how much of the left-out family is still flagged (a kind of image the model never saw).

    /usr/bin/python3 scripts/ood_fit.py [--features bench-out/ood/features.json] [--generalisation]
"""
import argparse
import json
import os
from datetime import datetime, timezone

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL_SOURCES = ['nih-1024', 'nih-64', 'kermany']
TARGET = 0.005
C = 0.1
COLOUR_THRESHOLD = 0.05
LAYOUT_START = 7  # features.ts: 7 statistics, then the 8 x 8 layout row-major


def mirrored(vector):
    v = np.array(vector, dtype=np.float64)
    layout = v[LAYOUT_START:].reshape(8, 8)[:, ::-1]  # [rows, columns] -> columns reversed
    return np.concatenate([v[:LAYOUT_START], layout.ravel()])


def training_set(rows, exclude_set=None):
    X, y, w = [], [], []
    real_counts = {s: sum(1 for r in rows if r['set'] == s) for s in REAL_SOURCES}
    others = [r for r in rows if r['kind'] == 'non-radiograph' and r['set'] != exclude_set]
    for r in rows:
        if r['set'] in REAL_SOURCES:
            for v in (np.array(r['features']), mirrored(r['features'])):
                X.append(v), y.append(0), w.append(1 / (len(REAL_SOURCES) * real_counts[r['set']] * 2))
    for r in others:
        X.append(np.array(r['features'])), y.append(1), w.append(1 / len(others))
    w = np.array(w)
    return np.array(X), np.array(y), w / w.mean()


class Fitted:
    def __init__(self, rows, exclude_set=None):
        X, y, w = training_set(rows, exclude_set)
        self.mean = X.mean(axis=0)
        self.scale = X.std(axis=0)
        self.scale[self.scale < 1e-9] = 1.0
        self.clf = LogisticRegression(C=C, max_iter=20000).fit((X - self.mean) / self.scale, y, sample_weight=w)

    def decision(self, features):
        return self.clf.decision_function((np.atleast_2d(np.array(features, dtype=np.float64)) - self.mean) / self.scale)


def cross_fitted_threshold(calibration, exclude_set=None):
    scores = {s: [] for s in REAL_SOURCES}
    for fold in range(5):
        model = Fitted([r for r in calibration if r['fold'] != fold], exclude_set)
        for r in calibration:
            if r['fold'] == fold and r['set'] in REAL_SOURCES:
                scores[r['set']].append(float(model.decision(r['features'])[0]))
    scores = {s: np.array(v) for s, v in scores.items()}
    candidates = np.sort(np.concatenate(list(scores.values())))
    for t in candidates:
        if np.mean([(v > t).mean() for v in scores.values()]) <= TARGET:
            return float(t), {s: float((v > t).mean()) for s, v in scores.items()}
    raise RuntimeError('no threshold meets the target')


def flagged(model, threshold, r):
    colour = r['stats'].get('colourFraction')
    return bool(model.decision(r['features'])[0] > threshold or (colour is not None and colour > COLOUR_THRESHOLD))


def rounded(values, digits=9):
    return [float(f'{v:.{digits}g}') for v in values]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--features', default=os.path.join(ROOT, 'bench-out', 'ood', 'features.json'))
    parser.add_argument('--out', default=os.path.join(ROOT, 'src', 'data', 'ood', 'oodModel.json'))
    parser.add_argument('--golden', default=os.path.join(ROOT, 'tests', 'fixtures', 'ood', 'decision_golden.json'))
    parser.add_argument('--generalisation', action='store_true')
    args = parser.parse_args()

    with open(args.features) as f:
        source = json.load(f)
    rows = [r for r in source['rows'] if r.get('features')]
    calibration = [r for r in rows if r['split'] == 'calibration']
    names = ['log_mode_fraction', 'entropy', 'log_edge_fraction', 'log_mean_gradient', 'saturated_fraction', 'mean', 'std'] + [
        f'layout_{i // 8}_{i % 8}' for i in range(64)]
    assert all(len(r['features']) == len(names) for r in rows), 'feature vectors do not have 71 values'

    threshold, cv_rates = cross_fitted_threshold(calibration)
    model = Fitted(calibration)
    real_cal = [r for r in calibration if r['set'] in REAL_SOURCES]
    # Wording cues (scoreOod.ts reasonFor): the extremes the calibration radiographs reach, and a fixed edge share
    # (5 % of neighbour pairs: text and UI chrome are far above it, smooth low-contrast photos below).
    cues = {
        'modeFraction': max(r['stats']['modeFraction'] for r in real_cal),
        'entropy': min(r['stats']['entropy'] for r in real_cal),
        'edgeFraction': 0.05,
    }
    counts = {}
    for r in calibration:
        counts[r['set']] = counts.get(r['set'], 0) + 1
    fitted = {
        'features': names,
        'mean': rounded(model.mean),
        'scale': rounded(model.scale),
        'weights': rounded(model.clf.coef_[0]),
        'intercept': rounded([model.clf.intercept_[0]])[0],
        'threshold': rounded([threshold])[0],
        'colourThreshold': COLOUR_THRESHOLD,
        'documentCues': {k: rounded([v], 6)[0] for k, v in cues.items()},
        'provenance': {
            'script': 'scripts/ood_fit.py',
            'features': 'bench-out/ood/features.json from scripts/ood_bench.mjs (Chromium, decode.worker decodeWithStats)',
            'featuresCreatedAt': source.get('createdAt'),
            'fittedAt': datetime.now(timezone.utc).isoformat(timespec='seconds'),
            'sklearn': sklearn.__version__,
            'model': f'StandardScaler-like (population std) + LogisticRegression(C={C}, lbfgs); radiographs mirrored; '
                     'radiograph sources and both classes weighted alike',
            'split': 'sha1("<set>/<relative path>") first byte even = calibration (fitted on), odd = held-out (reported)',
            'calibrationImages': counts,
            'thresholdRule': f'cross-fitted (5 folds): lowest decision value with at most {TARGET:.1%} of the '
                             'radiographs above it out of fold, averaged over the three sources',
            'crossFittedFalsePositive': {k: round(v, 4) for k, v in cv_rates.items()},
        },
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, 'w') as f:
        # One key per line, each value compact: small diffs when the model is refitted.
        f.write('{\n' + ',\n'.join(f' {json.dumps(k)}: {json.dumps(v)}' for k, v in fitted.items()) + '\n}\n')
    print(f'threshold {threshold:.4f}; out-of-fold false-positive share by source: {cv_rates}')
    print(f'document cues {cues}; wrote {os.path.relpath(args.out, ROOT)}')

    # Golden: vectors from several sets (held-out half) and sklearn's decision values of the fitted model.
    held = [r for r in rows if r['split'] == 'held-out']
    picks = []
    for s in sorted({r['set'] for r in held}):
        picks += [r for r in held if r['set'] == s][:2]
    golden = {
        'about': 'scripts/ood_fit.py: sklearn LogisticRegression.decision_function of the fitted oodModel.json',
        'cases': [{'set': r['set'], 'path': r['path'], 'features': rounded(r['features']), 'decision': float(model.decision(rounded(r['features']))[0])} for r in picks],
    }
    os.makedirs(os.path.dirname(args.golden), exist_ok=True)
    with open(args.golden, 'w') as f:
        json.dump(golden, f)
    print(f'wrote {os.path.relpath(args.golden, ROOT)} ({len(picks)} cases)')

    for split in ('calibration', 'held-out'):
        line = []
        for s in sorted({r['set'] for r in rows}):
            mine = [r for r in rows if r['set'] == s and r['split'] == split]
            if mine:
                line.append(f'{s} {sum(flagged(model, threshold, r) for r in mine)}/{len(mine)}')
        print(f'{split:>11}: ' + ', '.join(line))

    if args.generalisation:
        print('Left-out families (refitted without the family; every image of it scored, both halves):')
        for s in sorted({r['set'] for r in rows if r['kind'] == 'non-radiograph'}):
            t, _ = cross_fitted_threshold(calibration, exclude_set=s)
            m = Fitted(calibration, exclude_set=s)
            mine = [r for r in rows if r['set'] == s]
            real_held = [r for r in rows if r['kind'] == 'real' and r['split'] == 'held-out']
            print(f'  without {s:>14}: {s} flagged {sum(flagged(m, t, r) for r in mine)}/{len(mine)}; '
                  f'held-out radiographs flagged {sum(flagged(m, t, r) for r in real_held)}/{len(real_held)}')


if __name__ == '__main__':
    main()
