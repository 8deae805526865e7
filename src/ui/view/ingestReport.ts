/**
 * The skipped-files report shown after an ingest and saved by "Download ingest report".
 * Pure; tested in tests/ui/ingestReport.test.ts.
 */
import type { FlaggedImage, IngestResult, Problem } from '../../run/datasets';

/** The saved JSON: {"ingested": n, "skipped": [{"path", "reason"}]} plus a few fields for context. */
export interface IngestReportJson {
  ingested: number;
  skipped: Problem[];
  datasetId: string;
  datasetName: string;
  layout: string;
  cancelled: boolean;
  /** Images that do not look like chest radiographs (stored, or left out by choice). */
  flagged: FlaggedImage[];
}

export function ingestReportJson(result: IngestResult): IngestReportJson {
  return {
    ingested: result.ingested,
    skipped: result.skipped.map((p) => ({ path: p.path, reason: p.reason })),
    datasetId: result.datasetId,
    datasetName: result.manifest.name,
    layout: result.manifest.layout,
    cancelled: result.cancelled,
    flagged: result.flagged ?? [],
  };
}

export interface ReasonCount {
  reason: string;
  count: number;
}

/**
 * Counts skipped files by kind. Reasons may carry file-specific detail after a colon
 * ("truncated PNG: expected 4096 bytes, got 12"); the part before it is the kind.
 */
export function countByReason(problems: readonly Problem[]): ReasonCount[] {
  const counts = new Map<string, number>();
  for (const p of problems) {
    const kind = p.reason.split(':')[0].trim() || p.reason;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
