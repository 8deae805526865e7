/**
 * The project's own pretrained backbone for the demo (scripts/pretrain_mae.py, docs/model-card.md): the 'tiny'
 * preset pretrained by MAE on NIH radiographs, shipped in public/models. It expects MAE normalisation.
 */
import { NORMALISATION } from '../run/vitConfig';
import { type LoadedBackbone, type LoadProgress, loadBackbone } from './checkpoint';

export const DEMO_BACKBONE = {
  label: 'Pretrained demo backbone',
  /** relative to the app's base URL */
  path: 'models/demo-mae-tiny.safetensors',
  preset: 'tiny',
  normalisation: NORMALISATION.mae,
} as const;

/** Fetches and loads the demo backbone (not cached in IndexedDB: the browser's HTTP cache already keeps it). */
export async function loadDemoBackbone(
  numClasses: number,
  onProgress?: (p: LoadProgress) => void,
  baseUrl: string = import.meta.env.BASE_URL ?? '/',
): Promise<LoadedBackbone> {
  const url = `${baseUrl.replace(/\/?$/, '/')}${DEMO_BACKBONE.path}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch the demo backbone ${url}: HTTP ${response.status}`);
  const file = Object.assign(await response.blob(), { name: 'demo-mae-tiny.safetensors' });
  return loadBackbone(file, { numClasses }, onProgress, { cache: false });
}
