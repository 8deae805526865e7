/**
 * decodeStudyImage plus the statistics the out-of-distribution guard scores (imageStats.ts, src/data/ood/):
 * the same pixels, with colour measured on the browser decoder's RGBA before it is converted to gray.
 * DICOM (grayscale only: dicom.ts refuses colour) and 16-bit PNG never pass through that RGBA, so their colour
 * share is null ("not measured"). A sibling of decodeImage.ts so that file stays as it is.
 */
import type { DecodeHint } from './browserDecode';
import { decodeStudyImage, type StudyDecodeOptions } from './decodeImage';
import { colourFractionOf, imageStatsOf, type ImageStats } from './imageStats';

export interface DecodedWithStats {
  /** size x size 8-bit gray, exactly what decodeStudyImage returns. */
  pixels: Uint8Array;
  stats: ImageStats;
}

/** A browser decoder that can show its RGBA to a callback (browserDecode.ts decodeToGray; `hint` as there). */
export type BrowserDecodeWithColour = (blob: Blob, size: number, onRgba?: (rgba: Uint8ClampedArray) => void, hint?: DecodeHint) => Promise<Uint8Array>;

export async function decodeStudyImageWithStats(
  blob: Blob,
  size: number,
  browserDecode: BrowserDecodeWithColour,
  options: StudyDecodeOptions = {},
): Promise<DecodedWithStats> {
  let colourFraction: number | null = null;
  const measuringDecode = (b: Blob, s: number, _onRgba?: unknown, hint?: DecodeHint) =>
    browserDecode(
      b,
      s,
      (rgba) => {
        colourFraction = colourFractionOf(rgba);
      },
      hint,
    );
  const pixels = await decodeStudyImage(blob, size, measuringDecode, options);
  return { pixels, stats: imageStatsOf(pixels, size, colourFraction) };
}

