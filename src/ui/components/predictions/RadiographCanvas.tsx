/**
 * A stored radiograph drawn on a canvas at its storage size (scaled by CSS), with an optional saliency overlay on a
 * second canvas above it: the 8-bit heat values coloured (heatColours.ts), stretched over the part of the image the
 * model saw (the evaluation crop), and shown at the chosen opacity. One image for assistive technology (role="img").
 */
import './RadiographCanvas.css';
import { useEffect, useRef } from 'react';
import type { ImagePixels, SaliencyResult } from '../../../run/saliencyRequest';
import { colourise, grayRgba } from '../../view/heatColours';

export type Overlay = Pick<SaliencyResult, 'heat' | 'side' | 'crop'>;

interface Props {
  image: ImagePixels | undefined;
  /** Shown width and height in CSS pixels. */
  displaySize: number;
  /** What the picture shows, for screen readers. */
  label: string;
  overlay?: Overlay;
  /** 0..1 */
  opacity?: number;
  /** Called once the overlay's pixels are on the canvas (the page times request -> drawn). */
  onOverlayDrawn?(): void;
}

export function RadiographCanvas({ image, displaySize, label, overlay, opacity = 0.6, onOverlayDrawn }: Props) {
  const base = useRef<HTMLCanvasElement>(null);
  const over = useRef<HTMLCanvasElement>(null);
  const drawn = useRef(onOverlayDrawn);
  drawn.current = onOverlayDrawn;

  useEffect(() => {
    const canvas = base.current;
    if (!canvas || !image) return;
    canvas.width = image.size;
    canvas.height = image.size;
    canvas.getContext('2d')?.putImageData(new ImageData(grayRgba(image.pixels), image.size, image.size), 0, 0);
  }, [image]);

  useEffect(() => {
    const canvas = over.current;
    if (!canvas || !image) return;
    canvas.width = image.size;
    canvas.height = image.size;
    const ctx = canvas.getContext('2d');
    if (!ctx || !overlay) return;
    const heat = document.createElement('canvas');
    heat.width = overlay.side;
    heat.height = overlay.side;
    heat.getContext('2d')?.putImageData(new ImageData(colourise(overlay.heat), overlay.side, overlay.side), 0, 0);
    const [y1, x1, y2, x2] = overlay.crop;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heat, x1 * image.size, y1 * image.size, (x2 - x1) * image.size, (y2 - y1) * image.size);
    drawn.current?.();
  }, [image, overlay]);

  return (
    <div className="radiograph" role="img" aria-label={label} style={{ width: displaySize, height: displaySize }}>
      {image ? (
        <>
          <canvas ref={base} className="radiograph-image" />
          <canvas ref={over} className="radiograph-overlay" style={{ opacity }} data-overlay={overlay ? 'drawn' : 'none'} />
        </>
      ) : (
        <span className="radiograph-loading muted">Loading…</span>
      )}
    </div>
  );
}
