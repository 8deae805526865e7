/**
 * The growing record of one run: step losses, evaluations and events, assembled into the metrics file
 * (MetricsLog, README "Download metrics") on request. Copies are handed out, so a caller cannot change the record.
 */
import { NOT_FOR_MEDICAL_USE } from '../run/notice';
import type { ParamCount } from '../run/paramCount';
import type { EvaluationRecord, MetricsLog, RunEvent, StepRecord } from '../run/records';

export class MetricsRecorder {
  readonly steps: StepRecord[] = [];
  readonly evaluations: EvaluationRecord[] = [];
  readonly events: RunEvent[] = [];

  constructor(
    private readonly header: MetricsLog['config'],
    private readonly labels: readonly string[],
    readonly startedAt: string = new Date().toISOString(),
  ) {}

  log(params: ParamCount): MetricsLog {
    return {
      notice: NOT_FOR_MEDICAL_USE,
      config: this.header,
      labels: [...this.labels],
      steps: [...this.steps],
      evaluations: [...this.evaluations],
      events: [...this.events],
      params,
      startedAt: this.startedAt,
    };
  }
}
