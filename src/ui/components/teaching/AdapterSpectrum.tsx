/**
 * The singular values of B A for one adapted matrix of the running adapter (trainer.adapterSpectrum, computed in the
 * worker), read again as the run moves (at most once a second) and when another matrix is chosen.
 */
import './AdapterSpectrum.css';
import { useEffect, useId, useState } from 'react';
import type { TrainerApi } from '../../../lab/trainer';
import type { AdapterSpectrum as Spectrum } from '../../../run/teaching';
import { formatMetric } from '../../view/format';

const REFRESH_MS = 1000;

interface Props {
  trainer: TrainerApi;
  /** The adapted matrices of the current settings (siteId names), before a run exists. */
  sites: string[];
  /** The run has a model (running, paused or ended). */
  hasModel: boolean;
  /** Changes as training moves on (the step), to read the values again. */
  step: number;
}

export function AdapterSpectrum({ trainer, sites, hasModel, step }: Props) {
  const selectId = useId();
  const [site, setSite] = useState<string | undefined>();
  const [spectrum, setSpectrum] = useState<Spectrum | null>(null);
  const [readAt, setReadAt] = useState(0);

  useEffect(() => {
    if (!hasModel) return;
    const wait = Math.max(0, readAt + REFRESH_MS - Date.now());
    let current = true;
    const timer = setTimeout(() => {
      trainer.adapterSpectrum(site).then(
        (s) => {
          if (!current) return;
          setSpectrum(s);
          setReadAt(Date.now());
        },
        () => current && setSpectrum(null),
      );
    }, wait);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // readAt is left out on purpose: a new read is due when the step or the choice changes, not when one lands.
  }, [trainer, site, hasModel, step]);

  const options = spectrum?.sites ?? sites;
  const chosen = spectrum?.site ?? site ?? options[0];
  const largest = spectrum ? Math.max(...spectrum.singularValues, 0) : 0;
  return (
    <div className="spectrum">
      <div className="field">
        <label htmlFor={selectId}>Adapted matrix</label>
        <select id={selectId} value={chosen} onChange={(e) => setSite(e.target.value)} disabled={options.length === 0}>
          {options.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {!hasModel || !spectrum ? (
        <p className="muted">Start (or Step) a LoRA run to see its adapter&apos;s singular values.</p>
      ) : (
        <table>
          <caption>
            Singular values of B · A for {spectrum.site} (B {spectrum.out} × {spectrum.r}, A {spectrum.r} × {spectrum.in}) at step {spectrum.step}
          </caption>
          <thead>
            <tr>
              <th scope="col">Direction</th>
              <th scope="col">Singular value</th>
              <th scope="col">
                <span className="visually-hidden">Relative size</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {spectrum.singularValues.map((v, i) => (
              <tr key={i}>
                <th scope="row">σ{i + 1}</th>
                <td>{formatMetric(v)}</td>
                <td className="bar" aria-hidden="true">
                  <span className="spectrum-bar" style={{ width: `${largest > 0 ? (100 * v) / largest : 0}%` }} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
