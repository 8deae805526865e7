/**
 * What the running model costs (issue 11, section 4): trainable parameters, optimizer state, tensors and bytes held
 * by the backend (on WebGPU the bytes it really allocated, its pool of freed buffers included), ms per step,
 * images per second, the share of step time spent waiting for data, and the micro-batch. The worker samples it a
 * few times a second; the same figures go into the metrics file.
 */
import './ResourcesPanel.css';
import type { ResourceSample } from '../../run/records';
import { formatBytes } from '../view/checkpointView';
import { formatCount } from '../view/format';

export function ResourcesPanel({ resources }: { resources?: ResourceSample }) {
  if (!resources) return null;
  const r = resources;
  const rows: [string, string][] = [
    ['Trainable parameters', `${formatCount(r.params.trainable)} of ${formatCount(r.params.total)}`],
    ['Optimizer state', formatBytes(r.optimizerStateBytes)],
    ['Tensors alive', `${formatCount(r.numTensors)} (${formatBytes(r.tensorBytes)})`],
    ['Memory held by the backend', formatBytes(r.backendBytes)],
    ['Time per step', `${r.msPerStep.toFixed(0)} ms`],
    ['Images per second', r.imagesPerSec.toFixed(1)],
    ['Waiting for data', `${(100 * r.dataWaitShare).toFixed(1)} % of the time`],
    ['Images per gradient pass', formatCount(r.microBatch)],
  ];
  return (
    <section className="panel resources-panel" aria-labelledby="resources-heading">
      <h2 id="resources-heading">Parameters, memory and speed</h2>
      <dl className="resources" aria-live="off">
        {rows.map(([k, v]) => (
          <div key={k} className="resource">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">At step {formatCount(r.step)}.</p>
    </section>
  );
}
