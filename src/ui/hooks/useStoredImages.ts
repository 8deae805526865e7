/**
 * Stored images by key for drawing (thumbnails of the predictions grid, the opened image), read through the training
 * worker and kept in a small cache so that paging back and forth reads nothing again.
 */
import { useEffect, useRef, useState } from 'react';
import type { TrainerApi } from '../../lab/trainer';
import type { ImagePixels } from '../../run/saliencyRequest';

/** Images kept at most (a 224 px image is 50 kB). */
const CACHE_IMAGES = 300;

export function useStoredImages(trainer: TrainerApi, datasetId: string | undefined, keys: readonly string[]): { images: Map<string, ImagePixels>; error?: string } {
  const cache = useRef(new Map<string, ImagePixels>());
  const cachedFor = useRef<string | undefined>(undefined);
  const [, setLoaded] = useState(0);
  const [error, setError] = useState<string | undefined>();
  const wanted = keys.join('\n');

  useEffect(() => {
    if (cachedFor.current !== datasetId) {
      cache.current.clear();
      cachedFor.current = datasetId;
    }
    const missing = wanted === '' || !datasetId ? [] : wanted.split('\n').filter((k) => !cache.current.has(k));
    if (missing.length === 0) return;
    let current = true;
    trainer.images(datasetId!, missing).then(
      (images) => {
        for (const im of images) cache.current.set(im.key, im);
        while (cache.current.size > CACHE_IMAGES) cache.current.delete(cache.current.keys().next().value!);
        if (current) {
          setError(undefined);
          setLoaded((n) => n + 1);
        }
      },
      (e: unknown) => current && setError(`Could not read the images: ${e instanceof Error ? e.message : String(e)}`),
    );
    return () => {
      current = false;
    };
  }, [trainer, datasetId, wanted]);

  // Read on every render (a page holds a few dozen keys); each image object is the cached one, stable across renders.
  const images = new Map<string, ImagePixels>();
  for (const k of keys) {
    const im = cache.current.get(k);
    if (im) images.set(k, im);
  }
  return { images, error };
}
