/**
 * The trainable-parameter count for the chosen settings before training (trainer.countParams, no tensors built).
 * A newer request wins: replies to older settings are dropped.
 */
import { useEffect, useRef, useState } from 'react';
import type { LoraConfig, Method, VitPresetName } from '../../model/config';
import type { ParamCount, TrainerApi } from '../../workers/protocol';

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
