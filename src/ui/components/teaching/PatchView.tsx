/**
 * "What a ViT sees": the selected dataset's first training image as the model receives it (read from storage and
 * resized in the training worker: trainer.sampleImage), with the grid of patches the model cuts it into.
 */
import './PatchView.css';
import { useEffect, useRef, useState } from 'react';
import type { TrainerApi } from '../../../lab/trainer';
import type { SampleImage } from '../../../run/teaching';

interface Props {
  trainer: TrainerApi;
  datasetId?: string;
  imgSize: number;
  patchSize: number;
  /** The run augments: evaluation then shows the centre crop. */
  augment: boolean;
  backendReady: boolean;
}

/** Enlarge the image to about 256 px with whole pixels, so each stored pixel stays a square. */
function scaleFor(size: number): number {
  return Math.max(1, Math.floor(256 / size));
}

function draw(canvas: HTMLCanvasElement, image: SampleImage, patchSize: number): void {
  const scale = scaleFor(image.size);
  canvas.width = image.size * scale;
  canvas.height = image.size * scale;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const rgba = new ImageData(image.size, image.size);
  for (let i = 0; i < image.pixels.length; i++) {
    const v = image.pixels[i];
    rgba.data.set([v, v, v, 255], i * 4);
  }
  const small = document.createElement('canvas');
  small.width = image.size;
  small.height = image.size;
  small.getContext('2d')?.putImageData(rgba, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = 'rgba(255, 196, 0, 0.9)';
  ctx.lineWidth = 1;
  for (let p = 0; p <= image.size; p += patchSize) {
    const at = Math.min(canvas.width - 0.5, p * scale + 0.5);
    ctx.beginPath();
    ctx.moveTo(at, 0);
    ctx.lineTo(at, canvas.height);
    ctx.moveTo(0, at);
    ctx.lineTo(canvas.width, at);
    ctx.stroke();
  }
}

export function PatchView({ trainer, datasetId, imgSize, patchSize, augment, backendReady }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [image, setImage] = useState<SampleImage | null>(null);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (!datasetId || !backendReady) return;
    let current = true;
    trainer.sampleImage(datasetId, imgSize, augment).then(
      (got) => {
        if (!current) return;
        setImage(got);
        setError(got ? undefined : 'The dataset has no training image to show.');
      },
      (e: unknown) => current && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      current = false;
    };
  }, [trainer, datasetId, imgSize, augment, backendReady]);

  useEffect(() => {
    if (image && canvas.current) draw(canvas.current, image, patchSize);
  }, [image, patchSize]);

  if (!datasetId) return <p className="muted">Choose a dataset to see one of its images cut into patches.</p>;
  if (error) return <p className="muted">{error}</p>;
  if (!image) return <p className="muted">Reading an image…</p>;
  const grid = image.size / patchSize;
  const label = `The first training image (${image.key}${image.positives.length > 0 ? `, positive for ${image.positives.join(', ')}` : ', no positive label'}) at ${image.size} × ${image.size} pixels, cut into ${grid} × ${grid} patches of ${patchSize} × ${patchSize} pixels.`;
  return (
    <figure className="patch-view">
      <canvas ref={canvas} role="img" aria-label={label} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}
