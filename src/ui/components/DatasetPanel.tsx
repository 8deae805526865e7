/** Section 1: get a dataset in (demo, folder, drop), watch the ingest, pick a stored dataset, see what it holds. */
import { useEffect, useId, useRef, useState } from 'react';
import type { IngestChoices, UiBridge } from '../bridge';
import type { Datasets } from '../hooks/useDatasets';
import { totalImages } from '../datasetSummary';
import { formatCount } from '../format';
import { DatasetSummary } from './DatasetSummary';
import { FolderSources } from './FolderSources';
import { IngestProgressView } from './IngestProgressView';
import { IngestReportView } from './IngestReportView';
import { NumberField } from './NumberField';
import { SelectField } from './SelectField';

const DETECT = 'detect';

interface Props {
  bridge: UiBridge;
  datasets: Datasets;
  /** True while a training run uses the selected dataset. */
  locked: boolean;
}

export function DatasetPanel({ bridge, datasets, locked }: Props) {
  const selectId = useId();
  const { ingest, selected } = datasets;
  const [layout, setLayout] = useState<string>(DETECT);
  const [seed, setSeed] = useState(0);
  const choices: IngestChoices = { layout: layout === DETECT ? undefined : layout, seed };
  const layoutOptions = [{ value: DETECT, text: 'Detect automatically' }, ...bridge.layouts.map((l) => ({ value: l.id, text: l.name }))];
  const report = ingest.result && ingest.result.datasetId === selected?.id ? ingest.result : undefined;
  // `?demo` (what `npm start` opens): load the bundled demo on first visit, when nothing is stored yet.
  const autoDemo = useRef(new URLSearchParams(location.search).has('demo'));
  useEffect(() => {
    if (!autoDemo.current || !datasets.listed || ingest.running) return;
    autoDemo.current = false;
    if (datasets.manifests.length === 0) void datasets.runIngest(bridge.loadDemo(), choices);
  }, [datasets, ingest.running, bridge, choices]);
  return (
    <section className="panel">
      <h2>1. Dataset</h2>
      <FolderSources bridge={bridge} disabled={ingest.running} onFiles={(source) => void datasets.runIngest(source, choices)} />
      <details className="ingest-options">
        <summary>Ingest options</summary>
        <div className="grid-2">
          <SelectField label="Dataset layout" value={layout} options={layoutOptions} onChange={setLayout} disabled={ingest.running} />
          <NumberField label="Split seed" value={seed} integer min={0} onChange={setSeed} disabled={ingest.running} hint="for datasets without an official split" />
        </div>
      </details>
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
        <div className="field-row">
          <div className="field grow">
            <label htmlFor={selectId}>Stored dataset</label>
            <select id={selectId} value={selected?.id ?? ''} disabled={locked} onChange={(e) => datasets.select(e.target.value)}>
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
            disabled={locked || !selected || ingest.running}
            onClick={() => selected && void datasets.remove(selected.id)}
          >
            Delete dataset
          </button>
        </div>
      )}
      {selected && <DatasetSummary manifest={selected} />}
      {report && <IngestReportView result={report} />}
    </section>
  );
}
