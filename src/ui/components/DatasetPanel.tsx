/** Section 1: get a dataset in (demo, folder, drop), watch the ingest, pick a stored dataset, see what it holds. */
import './DatasetPanel.css';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { IngestChoices } from '../../run/datasets';
import type { LabClient } from '../../workers/client';
import type { Datasets, NamedFiles } from '../hooks/useDatasets';
import { totalImages } from '../view/datasetSummary';
import { formatCount } from '../view/format';
import { choiceFromPreview, defaultChexpertChoice, parserOptionsByLayout, trainFractionOf, type GenericCsvChoice } from '../view/ingestChoices';
import { DatasetSummary } from './DatasetSummary';
import { FolderSources } from './FolderSources';
import { GenericCsvColumns } from './GenericCsvColumns';
import { IngestOptions, DETECT_LAYOUT, type IngestOptionsState } from './IngestOptions';
import { IngestProgressView } from './IngestProgressView';
import { IngestReportView } from './IngestReportView';
import { GENERIC_CSV_ID, type CsvPreview } from '../../run/layoutOptions';
import { Shown } from './teaching/Shown';

interface Props {
  bridge: LabClient;
  datasets: Datasets;
  /** True while a training run uses the selected dataset. */
  locked: boolean;
  /** Told whether a folder is being read or waits for its CSV columns (training must not start meanwhile). */
  onPreparingChange(preparing: boolean): void;
  /** The section's "What is this?". */
  explanation?: ReactNode;
}

/** A folder waiting for its CSV columns to be confirmed (generic CSV layout). */
interface PendingCsv {
  named: NamedFiles;
  previews: CsvPreview[];
  choice: GenericCsvChoice;
}

function ingestChoices(options: IngestOptionsState, genericCsv?: GenericCsvChoice): IngestChoices {
  return {
    layout: options.layout === DETECT_LAYOUT ? undefined : options.layout,
    seed: options.seed,
    parserOptions: parserOptionsByLayout(options.chexpert, options.studyTrainList, genericCsv),
    trainFraction: trainFractionOf(options.fraction, options.customPercent),
    excludeOutOfDistribution: options.excludeOutOfDistribution || undefined,
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function DatasetPanel({ bridge, datasets, locked, onPreparingChange, explanation }: Props) {
  const selectId = useId();
  const { ingest, selected } = datasets;
  const [options, setOptions] = useState<IngestOptionsState>(() => ({
    layout: DETECT_LAYOUT,
    seed: 0,
    excludeOutOfDistribution: false,
    fraction: '100',
    customPercent: 5,
    studyTrainList: 'largest',
    chexpert: defaultChexpertChoice(),
  }));
  const [layouts, setLayouts] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    // The layout list comes from the ingest worker; until it arrives only "Detect automatically" is offered.
    bridge.layouts().then(setLayouts, () => setLayouts([]));
  }, [bridge]);
  const [reading, setReading] = useState(false);
  const [pendingCsv, setPendingCsv] = useState<PendingCsv | undefined>();
  const [csvError, setCsvError] = useState<string | undefined>();
  const preparing = reading || pendingCsv !== undefined;
  const busy = ingest.running || preparing;
  useEffect(() => onPreparingChange(preparing), [preparing, onPreparingChange]);
  const report = ingest.result && ingest.result.datasetId === selected?.id ? ingest.result : undefined;

  /**
   * A CSV-and-images folder (chosen by hand or detected) stops for its columns first; every other layout ingests
   * at once. Files are read before the layout is known, so a folder that fails to read reports through the ingest.
   */
  const begin = (source: Promise<NamedFiles>) => {
    if (options.layout !== DETECT_LAYOUT && options.layout !== GENERIC_CSV_ID) return void datasets.runIngest(source, ingestChoices(options));
    setReading(true);
    setCsvError(undefined);
    void source
      .then(async (named) => {
        const layout = options.layout === DETECT_LAYOUT ? await bridge.detectLayout(named.files) : options.layout;
        if (layout !== GENERIC_CSV_ID) return void datasets.runIngest(Promise.resolve(named), ingestChoices(options));
        const previews = await bridge.previewCsvs(named.files);
        if (previews.length === 0) return setCsvError('The folder holds no .csv file to read the labels from.');
        setPendingCsv({ named, previews, choice: choiceFromPreview(previews[0]) });
      })
      .catch((e: unknown) => void datasets.runIngest(Promise.reject(e instanceof Error ? e : new Error(errorText(e))), ingestChoices(options)))
      .finally(() => setReading(false));
  };

  const ingestPendingCsv = () => {
    if (!pendingCsv) return;
    setPendingCsv(undefined);
    void datasets.runIngest(Promise.resolve(pendingCsv.named), { ...ingestChoices(options, pendingCsv.choice), layout: GENERIC_CSV_ID });
  };

  // `?demo` (what `npm start` opens): load the bundled demo on first visit, when nothing is stored yet.
  const autoDemo = useRef(new URLSearchParams(location.search).has('demo'));
  useEffect(() => {
    if (!autoDemo.current || !datasets.listed || ingest.running) return;
    autoDemo.current = false;
    if (datasets.manifests.length === 0) void datasets.runIngest(bridge.loadDemo(), ingestChoices(options));
  }, [datasets, ingest.running, bridge, options]);

  return (
    <section className="panel">
      <h2>1. Dataset</h2>
      {explanation}
      <FolderSources bridge={bridge} disabled={busy} onFiles={begin} />
      {!busy &&
        datasets.pending.map((p) => (
          <div key={p.id} className="resume-ingest" role="group" aria-label={`Unfinished ingest of ${p.name}`}>
            <p>
              The ingest of <strong>{p.name}</strong> did not finish. Resuming reads the folder again and stores only the
              missing images.
            </p>
            <div className="button-row">
              <button type="button" onClick={() => void datasets.resumeIngest(p)}>
                Resume ingest of {p.name}
              </button>
              {/* The stored images stay; only the way back to the folder is forgotten. */}
              <button type="button" className="secondary" aria-label={`Discard the unfinished ingest of ${p.name}`} onClick={() => void datasets.discardPending(p.id)}>
                Discard
              </button>
            </div>
          </div>
        ))}
      <IngestOptions state={options} onChange={setOptions} layouts={layouts} disabled={busy} />
      {reading && <p role="status">Reading the folder…</p>}
      {pendingCsv && (
        <GenericCsvColumns
          previews={pendingCsv.previews}
          choice={pendingCsv.choice}
          onChange={(choice) => setPendingCsv({ ...pendingCsv, choice })}
          onIngest={ingestPendingCsv}
          onCancel={() => setPendingCsv(undefined)}
        />
      )}
      {csvError && (
        <p role="alert" className="error">
          {csvError}
        </p>
      )}
      {ingest.progress && (ingest.running || ingest.progress.phase !== 'done') && (
        <IngestProgressView progress={ingest.progress} running={ingest.running} onCancel={datasets.cancelIngest} />
      )}
      {ingest.error && (
        <p role="alert" className="error">
          {ingest.error}
        </p>
      )}
      {datasets.listError && (
        <p role="alert" className="error">
          {datasets.listError}
        </p>
      )}
      {datasets.listed && datasets.manifests.length === 0 && !ingest.running && (
        <p className="muted">No dataset stored in this browser yet.</p>
      )}
      {datasets.manifests.length > 0 && (
        <Shown id="dataset">
          <div className="field-row">
            <div className="field grow">
              <label htmlFor={selectId}>Stored dataset</label>
              <select id={selectId} name="dataset" value={selected?.id ?? ''} disabled={locked} onChange={(e) => datasets.select(e.target.value)}>
                {datasets.manifests.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name} — {formatCount(totalImages(m))} images{m.incomplete ? ' (incomplete)' : ''}
                  </option>
                ))}
              </select>
            </div>
            <button
              type="button"
              className="secondary"
              disabled={locked || !selected || busy}
              onClick={() => selected && void datasets.remove(selected.id)}
            >
              Delete dataset
            </button>
          </div>
        </Shown>
      )}
      {selected && <DatasetSummary manifest={selected} />}
      {report && <IngestReportView result={report} />}
    </section>
  );
}
