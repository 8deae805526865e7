/**
 * The lab page: dataset in, model and method chosen, LoRA steered live, charts updating. State lives in hooks;
 * workers and storage are reached only through the bridge.
 */
import './App.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LabClient } from '../workers/client';
import { BackendStatus } from './components/BackendStatus';
import { ChartsPanel } from './components/charts/ChartsPanel';
import { DatasetPanel } from './components/DatasetPanel';
import { LoraControls } from './components/LoraControls';
import { ModelFiles, type RunIdentity } from './components/ModelFiles';
import { ModelPanel } from './components/ModelPanel';
import { RunControls } from './components/RunControls';
import { presetForArch } from './view/checkpointView';
import { downloadBytes, downloadJson } from './view/download';
import { useBackend, type BackendState } from './hooks/useBackend';
import { useCheckpoints } from './hooks/useCheckpoints';
import { useDatasets, type Datasets } from './hooks/useDatasets';
import { useParamCount } from './hooks/useParamCount';
import { useRuns } from './hooks/useRuns';
import { GridPanel } from './components/GridPanel';
import { ResourcesPanel } from './components/ResourcesPanel';
import { RunsPanel } from './components/RunsPanel';
import { UnderTheHoodPanel } from './components/predictions/UnderTheHoodPanel';
import { useTrainerRun } from './hooks/useTrainerRun';
import { metricsCsvZip } from './view/metricsCsvZip';
import { runName } from '../run/runName';
import { isActive } from './view/runView';
import { settingsProblems, toRunConfig, withImportedAdapter, type LabSettings } from './view/runSettings';
import { debounce } from './view/throttle';
import type { BackendReport } from '../run/backends';
import type { LoraChange } from '../run/records';
import { makeVitConfig, VIT_PRESETS, type VitConfig } from '../run/vitConfig';
import { useClassroom } from './hooks/useClassroom';
import { useAutoDemo } from './hooks/useAutoDemo';
import { useDatasetByName } from './hooks/useDatasetByName';
import { useUrlSync } from './hooks/useUrlSync';
import { AUROC_TEXT, DATASET_TEXT, methodText, trainingText, vitText } from './view/explanations';
import { defaultUrlState, type UrlState } from './view/urlState';
import { Explanation } from './components/teaching/Explanation';
import { LoraExplanation } from './components/teaching/LoraExplanation';
import { MedicalNotice } from './components/teaching/MedicalNotice';
import { PatchView } from './components/teaching/PatchView';
import { ShareBar } from './components/teaching/ShareBar';
import { UrlNotes } from './components/teaching/UrlNotes';

/** Outputs assumed for the parameter count before a dataset is chosen: NIH ChestX-ray14's 14 labels. */
const DEFAULT_NUM_CLASSES = 14;
const EVAL_EVERY_DEBOUNCE_MS = 400;

interface Props {
  bridge: LabClient;
  backendReport: Promise<BackendReport>;
  backendWarning?: string;
  /** The page's address as parsed on load (urlState.ts): settings, dataset, classroom flags, and what was refused. */
  lesson?: { state: UrlState; notes: string[] };
}

const NO_LESSON = { state: defaultUrlState(), notes: [] };

/** The model the explanations describe: the preset's, or a cached checkpoint's own architecture. */
function explainedConfig(preset: LabSettings['preset'], numClasses: number, arch: Partial<VitConfig> | undefined): VitConfig | undefined {
  try {
    return arch ? makeVitConfig('vit_base_patch16', numClasses, { ...VIT_PRESETS.vit_base_patch16, ...arch }) : makeVitConfig(preset, numClasses);
  } catch {
    return undefined;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function startBlockers(backend: BackendState, datasets: Datasets, datasetPreparing: boolean, settings: LabSettings): string[] {
  const out: string[] = [];
  if (backend.status === 'pending') out.push('Waiting for the compute backend to start.');
  if (backend.status === 'failed') out.push('No compute backend could start (see above).');
  if (datasets.ingest.running) out.push('Wait for the ingest to finish.');
  else if (datasetPreparing) out.push('Finish adding the dataset first (the folder is being read, or its CSV columns wait for you).');
  const d = datasets.selected;
  if (!d) out.push('Load the demo dataset or choose a dataset folder first.');
  else if (d.incomplete) out.push('The selected dataset did not finish ingesting: load its folder again to resume.');
  else if ((d.counts.train ?? 0) === 0) out.push('The selected dataset has no training images.');
  out.push(...settingsProblems(settings));
  return out;
}

export function App({ bridge, backendReport, backendWarning, lesson = NO_LESSON }: Props) {
  const backend = useBackend(backendReport);
  const datasets = useDatasets(bridge);
  const [settings, setSettings] = useState<LabSettings>(() => lesson.state.settings);
  // What a classroom link hides (main.tsx provides it from the address) is fixed for the visit; hidden settings apply.
  const { shown } = useClassroom();
  useAutoDemo(bridge, datasets, lesson.state.demo && !shown('data'));
  const byName = useDatasetByName(datasets, lesson.state.dataset, lesson.state.demo);
  const current: UrlState = { ...lesson.state, settings, dataset: byName.pending ? lesson.state.dataset : datasets.selected?.name };
  useUrlSync(current);
  const run = useTrainerRun(bridge.trainer, settings.totalSteps);
  const checkpoints = useCheckpoints(bridge.trainer);
  const runs = useRuns(bridge.trainer);
  // The run's files (metrics, adapter, merged model) share its stored name.
  const runIdentity: RunIdentity | undefined = run.view.run ? { name: run.view.run.name, method: run.view.run.config.method } : undefined;
  const [datasetPreparing, setDatasetPreparing] = useState(false);
  const active = isActive(run.view.state);
  // The Runs and grid panels follow the training: list again when a run starts, changes state, or a grid moves on.
  const { refresh } = runs;
  const { crashed } = run;
  useEffect(() => bridge.onTrainerCrash(crashed), [bridge, crashed]);
  useEffect(refresh, [refresh, run.view.run?.id, run.view.state, run.view.grid?.index, run.view.grid?.status, run.view.test]);
  const numClasses = datasets.selected?.labels.length || DEFAULT_NUM_CLASSES;
  const counted = useParamCount(settings.preset, numClasses, settings.method, settings.lora);
  // countParams knows presets only; a checkpoint of another shape is counted by the worker once it is built.
  const checkpoint = settings.initialisation === 'checkpoint' ? checkpoints.cached.find((c) => c.id === settings.checkpointId) : undefined;
  const presetCountWrong = checkpoint !== undefined && presetForArch(checkpoint.arch) === undefined;
  const params = active ? (run.view.params ?? counted.params) : presetCountWrong ? undefined : counted.params;
  const paramsError = presetCountWrong && !active ? "the checkpoint's architecture is not a preset; counted when training starts" : counted.error;
  const { log } = run;

  // The new count arrives once, as the run's `params` message; the call itself only reports a failure.
  const sendLora = useCallback(
    (change: LoraChange) => {
      bridge.trainer.setLora(change).catch((e: unknown) => log('error', `LoRA change failed: ${errorText(e)}`));
    },
    [bridge, log],
  );

  const sendEvalEvery = useMemo(
    () =>
      debounce((n: number) => {
        bridge.trainer.setEvalEvery(n).catch((e: unknown) => log('error', `Changing "Evaluate every" failed: ${errorText(e)}`));
      }, EVAL_EVERY_DEBOUNCE_MS),
    [bridge, log],
  );
  useEffect(() => () => sendEvalEvery.cancel(), [sendEvalEvery]);

  const blockers = startBlockers(backend, datasets, datasetPreparing, settings);

  const start = () => {
    const d = datasets.selected;
    if (!d || blockers.length > 0) return;
    void run.start(toRunConfig(settings, d.id), d.labels);
  };

  // "Step": one step of the paused run; with no run active, the run starts paused and takes its first step.
  const step = async () => {
    if (run.view.state === 'paused') return run.step();
    const d = datasets.selected;
    if (active || !d || blockers.length > 0) return;
    if (await run.start(toRunConfig(settings, d.id), d.labels, { paused: true })) await run.step();
  };

  // `autostart`: start once, as soon as the page can (the address's dataset chosen, backend ready); never on another
  // dataset than the one the address names.
  const autostarted = useRef(false);
  const rightDataset = datasets.selected !== undefined && (lesson.state.dataset === undefined || datasets.selected.name === lesson.state.dataset);
  const canAutostart = lesson.state.autostart && !byName.pending && run.view.state === 'idle' && blockers.length === 0 && rightDataset;
  useEffect(() => {
    if (!canAutostart || autostarted.current) return;
    autostarted.current = true;
    start();
  });
  const explained = explainedConfig(settings.preset, numClasses, presetCountWrong ? checkpoint?.arch : undefined);

  const downloadMetrics = async (format: 'json' | 'csv') => {
    const what = format === 'json' ? 'Download metrics' : 'Export metrics as CSV';
    try {
      // A stored run opened for viewing: its file comes from storage; otherwise the live (or last) run's.
      const shown = run.view.run;
      const metrics = run.view.stored && shown ? await bridge.trainer.runMetrics(shown.id) : await bridge.trainer.metrics();
      if (!metrics) return log('warn', 'No metrics to download yet.');
      const datasetName = datasets.manifests.find((m) => m.id === metrics.config.datasetId)?.name ?? 'run';
      const name = shown?.name ?? runName(datasetName, metrics.config.method, new Date(metrics.startedAt));
      if (format === 'json') downloadJson(`${name}-metrics.json`, metrics);
      else {
        const zip = metricsCsvZip(metrics, name);
        downloadBytes(zip.fileName, zip.bytes, 'application/zip');
      }
    } catch (e) {
      log('error', `${what} failed: ${errorText(e)}`);
    }
  };

  const hasModel = run.view.state !== 'idle' && run.view.state !== 'starting' && !run.view.stored;
  const paragraphs = (texts: readonly string[]) => texts.map((t) => <p key={t}>{t}</p>);
  // Each section's "What is this?" (texts: view/explanations.ts), with the current numbers.
  const explain = {
    data: <Explanation topic="Dataset">{paragraphs(DATASET_TEXT)}</Explanation>,
    model: (
      <Explanation topic="Model and method">
        <p>{methodText(settings.method)}</p>
        {explained && paragraphs(vitText(explained))}
        {explained && (
          <PatchView
            trainer={bridge.trainer}
            datasetId={datasets.selected?.id}
            imgSize={explained.imgSize}
            patchSize={explained.patchSize}
            augment={settings.augment}
            backendReady={backend.status === 'ready'}
          />
        )}
      </Explanation>
    ),
    adapter: explained && (
      <Explanation topic="LoRA adapter">
        <LoraExplanation trainer={bridge.trainer} cfg={explained} lora={settings.lora} hasModel={hasModel} step={run.view.step} />
      </Explanation>
    ),
    training: <Explanation topic="Training">{paragraphs(trainingText(settings))}</Explanation>,
    charts: <Explanation topic="AUROC">{paragraphs(AUROC_TEXT)}</Explanation>,
  };

  return (
    <div className="app">
      <MedicalNotice />
      <header className="app-header">
        <div>
          <h1>CXR PEFT Lab</h1>
          <p className="tagline">Fine-tune chest-radiograph Vision Transformers with LoRA in your browser. No image leaves this computer.</p>
        </div>
        <div className="header-side">
          <ShareBar current={current} />
          <BackendStatus backend={run.view.backend ? { status: 'ready', report: run.view.backend } : backend} warning={backendWarning} />
        </div>
      </header>
      <UrlNotes notes={byName.note ? [...lesson.notes, byName.note] : lesson.notes} />
      <main className="layout">
        <div className="column setup">
          {shown('data') && <DatasetPanel bridge={bridge} datasets={datasets} locked={active} onPreparingChange={setDatasetPreparing} explanation={explain.data} />}
          {shown('model') && (
            <ModelPanel
              settings={settings}
              onChange={setSettings}
              locked={active}
              onEvalEveryLive={(n) => sendEvalEvery.call(n)}
              checkpoints={checkpoints}
              backendReady={backend.status === 'ready'}
              explanation={explain.model}
            />
          )}
        </div>
        <div className="column live">
          <div className="live-controls">
            {shown('adapter') && (
              <LoraControls
                settings={settings}
                onChange={setSettings}
                live={active}
                sendLive={sendLora}
                params={params}
                paramsError={paramsError}
                numClasses={numClasses}
                datasetChosen={datasets.selected !== undefined}
                explanation={explain.adapter}
              />
            )}
            {shown('training') && (
              <RunControls
                view={run.view}
                blockers={blockers}
                onStart={start}
                onPause={() => void run.pause()}
                onResume={() => void run.resume()}
                onStop={() => void run.stop()}
                onDownloadMetrics={() => void downloadMetrics('json')}
                onDownloadMetricsCsv={() => void downloadMetrics('csv')}
                onStep={() => void step()}
                explanation={explain.training}
              />
            )}
          </div>
          {shown('resources') && <ResourcesPanel resources={run.view.resources} />}
          {shown('charts') && <ChartsPanel view={run.view} labels={run.labels.length > 0 ? run.labels : (datasets.selected?.labels ?? [])} explanation={explain.charts} />}
          {shown('files') && (
            <ModelFiles
              trainer={bridge.trainer}
              run={run.view.stored ? undefined : runIdentity}
              state={run.view.state}
              backendReady={backend.status === 'ready'}
              onImported={(adapter) => {
                setSettings((s) => withImportedAdapter(s, adapter));
                log('info', `Imported a PEFT adapter (r = ${adapter.r}, lora_alpha = ${adapter.lora_alpha}) for the next LoRA run.`);
              }}
            />
          )}
        </div>
      </main>
      <div className="wide">
        {shown('runs') && <RunsPanel trainer={bridge.trainer} runs={runs} busy={active} onOpen={run.open} onResume={(r, overrides) => void run.resumeRun(r, overrides)} />}
        {shown('grid') && (
          <GridPanel
            settings={settings}
            settingsProblems={settingsProblems(settings)}
            dataset={datasets.selected}
            view={run.view}
            busy={active}
            runs={runs.runs}
            grids={runs.grids}
            onStart={(spec) => void run.startGrid(spec)}
            onResume={(id) => void run.resumeGrid(id)}
            onPause={() => void run.pause()}
            onContinue={() => void run.resume()}
            onCancel={() => void bridge.trainer.cancelGrid().catch((e: unknown) => log('error', `Cancel grid failed: ${errorText(e)}`))}
            onExportForPytorch={(gridId) =>
              void bridge.trainer.exportGridForPytorch(gridId).then(
                (file) => downloadBytes(file.fileName, file.bytes, file.mime),
                (e: unknown) => log('error', `Export for PyTorch failed: ${errorText(e)}`),
              )
            }
          />
        )}
        {shown('hood') && <UnderTheHoodPanel trainer={bridge.trainer} runs={runs.runs} view={run.view} />}
      </div>
    </div>
  );
}
