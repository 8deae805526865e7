/**
 * The trainable-parameter count for the chosen settings before training (trainer.countParams, no tensors built).
 * A newer request wins: replies to older settings are dropped.
 */
import { useEffect, useRef, useState } from 'react';
import type { VitPresetName } from '../../run/vitConfig';
import type { TrainerApi } from '../../workers/protocol';
import type { ParamCount } from '../../run/paramCount';
import type { LoraConfig, Method } from '../../run/loraConfig';

export interface CountedParams {
  params?: ParamCount;
  error?: string;
}

export function useParamCount(trainer: TrainerApi, preset: VitPresetName, numClasses: number, method: Method, lora: LoraConfig): CountedParams {
  const [counted, setCounted] = useState<CountedParams>({});
  const request = useRef(0);
  useEffect(() => {
    const id = ++request.current;
    trainer.countParams(preset, numClasses, method, lora).then(
      (params) => id === request.current && setCounted({ params }),
      (e: unknown) => id === request.current && setCounted({ error: e instanceof Error ? e.message : String(e) }),
    );
  }, [trainer, preset, numClasses, method, lora]);
  return counted;
}
