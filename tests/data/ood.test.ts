/**
 * The out-of-distribution guard's scoring (src/data/ood/): the decision value against scikit-learn's
 * (tests/fixtures/ood/decision_golden.json, written by scripts/ood_fit.py from the same fitted model), the
 * verdicts on committed fixtures (real radiographs from the held-out half and non-radiographs; made by
 * scripts/ood_fixtures.py), the colour rule, the reasons, and the model check.
 */
import { describe, expect, it } from 'vitest';
import { OOD_FEATURE_NAMES, oodFeatureVector } from '../../src/data/ood/features';
import { checkOodModel, OOD_MODEL, type OodModel } from '../../src/data/ood/oodModel';
import { OOD_REASONS, OOD_SCORE_THRESHOLD, oodDecision, scoreOod } from '../../src/data/ood/scoreOod';
import type { ImageStats } from '../../src/formats/image/imageStats';
import { fixtureStats, readJson, type StatsGolden } from './oodFixtures';

interface DecisionGolden {
  cases: { set: string; path: string; features: number[]; decision: number }[];
}

const decisionGolden = readJson<DecisionGolden>('decision_golden.json');
const fixtures = Object.entries(readJson<StatsGolden>('stats_golden.json').fixtures);

describe('oodDecision reproduces sklearn LogisticRegression.decision_function', () => {
  it('covers radiographs and non-radiographs', () => {
    const sets = new Set(decisionGolden.cases.map((c) => c.set));
    for (const set of ['nih-1024', 'kermany', 'documents', 'faces-lfw']) expect(sets.has(set), set).toBe(true);
  });
  it.each(decisionGolden.cases.map((c) => [`${c.set}/${c.path}`, c] as const))('%s', (_name, c) => {
    // The JSON model is rounded to 9 significant digits: agreement to ~1e-6 of the decision's size.
    expect(oodDecision(c.features)).toBeCloseTo(c.decision, 5);
  });
});

describe('scoreOod on committed fixtures (decoded in Node as the browser path would)', () => {
  const real = fixtures.filter(([, f]) => f.kind === 'real');
  const others = fixtures.filter(([, f]) => f.kind === 'non-radiograph');

  it.each(real)('%s is a chest radiograph: not flagged', (rel) => {
    const verdict = scoreOod(fixtureStats(rel).stats);
    expect(verdict.flagged).toBe(false);
    expect(verdict.reason).toBeNull();
    expect(verdict.score).toBeLessThan(OOD_SCORE_THRESHOLD);
  });

  it.each(others)('%s is flagged', (rel) => {
    const verdict = scoreOod(fixtureStats(rel).stats);
    expect(verdict.flagged).toBe(true);
    expect(verdict.score).toBeGreaterThan(OOD_SCORE_THRESHOLD);
  });

  it('says why: colour photograph, document or chart, or simply not a chest radiograph', () => {
    expect(scoreOod(fixtureStats('others/skimage_chelsea.png').stats).reason).toBe(OOD_REASONS.colour);
    expect(scoreOod(fixtureStats('others/document_page.png').stats).reason).toBe(OOD_REASONS.document);
    expect(scoreOod(fixtureStats('others/bar_chart.png').stats).reason).toBe(OOD_REASONS.document); // white page, blue bars
    expect(scoreOod(fixtureStats('others/skimage_camera.png').stats).reason).toBe(OOD_REASONS.other);
  });

  it('does not depend on the storage size much: a radiograph stored at 112 px is still accepted', () => {
    for (const [rel] of real) expect(scoreOod(fixtureStats(rel, 112).stats).flagged, rel).toBe(false);
  });
});

describe('the colour rule', () => {
  const gray = () => fixtureStats('radiographs/kermany_IM-0115-0001.png').stats;

  it('flags a radiograph-like image once more than the threshold share of its pixels is coloured', () => {
    const at = (colourFraction: number | null): ImageStats => ({ ...gray(), colourFraction });
    expect(scoreOod(at(0)).flagged).toBe(false);
    expect(scoreOod(at(OOD_MODEL.colourThreshold * 0.9)).flagged).toBe(false);
    const coloured = scoreOod(at(OOD_MODEL.colourThreshold * 1.1));
    expect(coloured.flagged).toBe(true);
    expect(coloured.reason).toBe(OOD_REASONS.colour);
    expect(coloured.terms.colour).toBeCloseTo(Math.log(1.1), 12);
  });

  it('treats "not measured" (DICOM, 16-bit PNG) as no colour evidence', () => {
    const verdict = scoreOod({ ...gray(), colourFraction: null });
    expect(verdict.terms.colour).toBe(-Infinity);
    expect(verdict.flagged).toBe(false);
  });

  it('never lowers the score as the colour share grows', () => {
    let previous = -1;
    for (let share = 0; share <= 1; share += 0.01) {
      const { score } = scoreOod({ ...gray(), colourFraction: share });
      expect(score).toBeGreaterThanOrEqual(previous);
      previous = score;
    }
  });
});

describe('score and terms', () => {
  it('score is the logistic of the larger term; flagged exactly when that term is above 0', () => {
    for (const [rel] of fixtures) {
      const { score, flagged, terms } = scoreOod(fixtureStats(rel).stats);
      const logit = Math.max(terms.layout, terms.colour);
      expect(score).toBeCloseTo(1 / (1 + Math.exp(-logit)), 12);
      expect(flagged).toBe(logit > 0);
      expect(terms.layout).toBeCloseTo(oodDecision(oodFeatureVector(fixtureStats(rel).stats)) - OOD_MODEL.threshold, 12);
    }
  });

  it('a black-background medical slice (mode at level 0) is "not a chest radiograph", not a document', () => {
    const blackBackground: ImageStats = { ...fixtureStats('others/document_page.png').stats, modeLevel: 0 };
    const verdict = scoreOod(blackBackground);
    expect(verdict.flagged).toBe(true);
    expect(verdict.reason).toBe(OOD_REASONS.other);
  });
});

describe('checkOodModel', () => {
  const copy = (): OodModel => JSON.parse(JSON.stringify(OOD_MODEL)) as OodModel;

  it('accepts the bundled model, fitted on features.ts names', () => {
    expect(OOD_MODEL.features).toEqual([...OOD_FEATURE_NAMES]);
    expect(OOD_MODEL.threshold).toBeTypeOf('number');
  });
  it('refuses a model fitted on other features', () => {
    const stale = copy();
    stale.features[3] = 'something_else';
    expect(() => checkOodModel(stale)).toThrow(/other features/);
  });
  it('refuses a model with missing weights or a zero scale', () => {
    const short = copy();
    short.weights = short.weights.slice(1);
    expect(() => checkOodModel(short)).toThrow(/weights has 70 values/);
    const zero = copy();
    zero.scale[0] = 0;
    expect(() => checkOodModel(zero)).toThrow(/scale must be positive/);
  });
});
