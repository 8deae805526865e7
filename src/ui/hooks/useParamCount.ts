/**
 * The trainable-parameter count for the chosen settings before training. Counting is analytic (src/run/paramCount.ts,
 * no tensors), so it runs here, synchronously, on every slider tick: no worker round trip.
 */
import { useMemo } from 'react';
import type { LoraConfig, Method } from '../../run/loraConfig';
import { countParams, type ParamCount } from '../../run/paramCount';
import { makeVitConfig, type VitPresetName } from '../../run/vitConfig';

export interface CountedParams {
  params?: ParamCount;
  error?: string;
}

export function useParamCount(preset: VitPresetName, numClasses: number, method: Method, lora: LoraConfig): CountedParams {
  return useMemo(() => {
    try {
      return { params: countParams(makeVitConfig(preset, numClasses), method, lora) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }, [preset, numClasses, method, lora]);
}
