/**
 * The training worker: owns tfjs, the model and the loop, so the page stays responsive. Exposes TrainerApi
 * through Comlink; progress goes back through the callback the page passes to start().
 */
import * as Comlink from 'comlink';
import { makeVitConfig } from '../model/config';
import { countParams } from '../model/params';
import { TrainingSession } from '../train/session';
import { chooseBackend } from './backend';
import { buildRun } from './buildRun';
import type { BackendReport, TrainerApi, TrainerMessage } from './protocol';

let backend: BackendReport | null = null;
let session: TrainingSession | null = null;
let running: Promise<void> | null = null;
let disposeRun: (() => void) | null = null;

async function stopCurrent(): Promise<void> {
  session?.stop();
  await running?.catch(() => undefined);
  disposeRun?.();
  disposeRun = null;
  session = null;
  running = null;
}

const api: TrainerApi = {
  async initBackend(requested) {
    backend = await chooseBackend(requested);
    return backend;
  },

  async start(config, onMessage) {
    if (!backend) backend = await chooseBackend(null);
    await stopCurrent();
    const emit = (m: TrainerMessage) => onMessage(m);
    emit({ type: 'state', state: 'starting', step: 0, totalSteps: config.totalSteps });
    const built = await buildRun(config);
    emit({ type: 'log', level: 'info', message: `Backbone: ${built.initialisationNote}` });
    const s = new TrainingSession({
      config,
      labels: built.manifest.labels,
      model: built.model,
      optimizer: built.optimizer,
      train: built.train,
      val: built.val,
      emit,
      norm: built.norm,
      metricsHeader: { ...config, backend: backend.name, initialisationNote: built.initialisationNote },
    });
    session = s;
    disposeRun = () => {
      built.model.dispose();
      built.optimizer.dispose();
    };
    running = s.run().catch((err) => {
      emit({ type: 'log', level: 'warn', message: `Training stopped with an error: ${err instanceof Error ? err.message : String(err)}` });
    });
  },

  async pause() {
    session?.pause();
  },

  async resume() {
    session?.resume();
  },

  async stop() {
    session?.stop();
    await running;
  },

  async setLora(change) {
    if (!session) throw new Error('no training is running');
    return session.requestLoraChange(change);
  },

  async setEvalEvery(n) {
    session?.setEvalEvery(n);
  },

  async metrics() {
    return session ? session.metrics() : null;
  },

  async countParams(preset, numClasses, method, lora) {
    return countParams(makeVitConfig(preset, numClasses), method, lora);
  },
};

Comlink.expose(api);
