/**
 * "Not for medical use" in every exported file's metadata: the metrics JSON (first key), the PEFT adapter's
 * adapter_config.json and weights `__metadata__`, the merged model's `__metadata__`. (The results CSV / JSON /
 * Markdown and the metrics CSV tables are checked in tests/run/resultsExport.test.ts and tests/io/metricsCsv.test.ts.)
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../../src/formats/safetensors';
import { loadBackbone } from '../../src/io/checkpoint';
import { exportMergedModel } from '../../src/io/mergedExport';
import { exportPeftAdapter, importPeftAdapter, unzipPeftAdapter, zipPeftAdapter } from '../../src/io/peft';
import { LoraAdapter } from '../../src/model/lora';
import { VitModel } from '../../src/model/vit';
import { STUDY_LORA } from '../../src/run/loraConfig';
import { NOT_FOR_MEDICAL_USE, NOTICE_SHORT } from '../../src/run/notice';
import { MetricsRecorder } from '../../src/train/metricsRecorder';
import { fixtureBlob } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function modelWithAdapter(): Promise<VitModel> {
  const loaded = await loadBackbone(await fixtureBlob('vit_small.safetensors'), { numClasses: 3, keepClassifier: true }, undefined, { cache: false });
  const model = new VitModel(loaded.cfg, loaded.params);
  model.lora = LoraAdapter.create(model.cfg, { ...STUDY_LORA, r: 2 }, 3);
  return model;
}

describe('"Not for medical use" in exported files', () => {
  it('is one sentence that starts with the words the page shows', () => {
    expect(NOTICE_SHORT).toBe('Not for medical use');
    expect(NOT_FOR_MEDICAL_USE.startsWith(`${NOTICE_SHORT}:`)).toBe(true);
  });

  it('is the first key of the metrics JSON', () => {
    const header = { backend: 'cpu' } as unknown as ConstructorParameters<typeof MetricsRecorder>[0];
    const log = new MetricsRecorder(header, ['A']).log({ trainable: 1, total: 2 });
    const parsed = JSON.parse(JSON.stringify(log)) as Record<string, unknown>;
    expect(Object.keys(parsed)[0]).toBe('notice');
    expect(parsed.notice).toBe(NOT_FOR_MEDICAL_USE);
  });

  it('is in the adapter config and the adapter weights, through the zip, and the lab still imports the adapter', async () => {
    const model = await modelWithAdapter();
    const files = await exportPeftAdapter(model, null);
    const unzipped = unzipPeftAdapter(zipPeftAdapter(files, 'run').bytes);
    expect(JSON.parse(unzipped.configJson).notice).toBe(NOT_FOR_MEDICAL_USE);
    const { metadata } = await readSafetensors(new Blob([unzipped.safetensors as Uint8Array<ArrayBuffer>]));
    expect(metadata.notice).toBe(NOT_FOR_MEDICAL_USE);
    const imported = await importPeftAdapter(unzipped.configJson, unzipped.safetensors, model.cfg);
    expect(imported.loraConfig.r).toBe(2);
    model.dispose();
  });

  it('is in the merged model metadata, beside the provenance the caller gives', async () => {
    const model = await modelWithAdapter();
    const { bytes } = await exportMergedModel(model, { runName: 'r', extra: { dataset: 'demo' } });
    const { metadata } = await readSafetensors(new Blob([bytes]));
    expect(metadata).toMatchObject({ notice: NOT_FOR_MEDICAL_USE, dataset: 'demo', runName: 'r' });
    model.dispose();
  });
});
