/**
 * The name a training run's files share (metrics, adapter, merged model): dataset name + method + start time,
 * safe as a file name on Windows, macOS and Linux. Pure; tested in tests/run/runName.test.ts.
 */
import type { Method } from './loraConfig';

/** Long dataset names are cut so the whole name stays well under the 255-byte limit of common file systems. */
const MAX_DATASET_PART = 60;

/**
 * Letters, digits, '.', '_' and '-' only: anything else (spaces, slashes, colons, accents, emoji) becomes '-',
 * runs of '-' collapse, and leading/trailing '-' or '.' go (a leading dot hides a file on Unix).
 */
export function fileSafe(text: string, maxLength = MAX_DATASET_PART): string {
  const ascii = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  return ascii
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, maxLength)
    .replace(/^[-.]+|[-.]+$/g, '');
}

/** ISO 8601 basic format in UTC, "20261128T034723Z": sortable, no colons, one token. */
export function compactUtcTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** "nih-sample-lora-20261128T034723Z". */
export function runName(datasetName: string, method: Method, startedAt: Date): string {
  return `${fileSafe(datasetName) || 'dataset'}-${method}-${compactUtcTime(startedAt)}`;
}
