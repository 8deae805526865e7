/**
 * Small path helpers shared by the layout parsers. Paths are '/'-separated and relative to the dropped root.
 */
import type { Split } from '../../run/datasets';

/**
 * File names a layout treats as images: PNG and JPEG (what radiograph datasets ship), DICOM, and BMP / WebP (the
 * browser decodes them) and TIFF / GIF, which are taken in so that the decoder can say why it refuses them
 * instead of a bare "not an image". The content decides in the end (preflight.ts): a PNG named .jpg is a PNG.
 */
export const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'dcm', 'dicom', 'bmp', 'webp', 'tif', 'tiff', 'gif']);

export function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

export function baseName(path: string): string {
  const parts = segmentsOf(path);
  return parts[parts.length - 1] ?? '';
}

export function extensionOf(path: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** An IMAGE_EXTENSIONS name in any letter case. */
export function isImagePath(path: string): boolean {
  return IMAGE_EXTENSIONS.has(extensionOf(path));
}

/**
 * Folder names that publishers use for a split level: Kaggle's Kermany set has train/val/test,
 * NIH1000 and many Roboflow exports use valid/, some use validation/.
 */
const SPLIT_FOLDERS: Record<string, Split> = {
  train: 'train',
  training: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  test: 'test',
  testing: 'test',
};

export function splitFromFolderName(name: string): Split | undefined {
  return SPLIT_FOLDERS[name.toLowerCase()];
}

/** The nearest folder above the file (excluding its own parent, when skipParent) that names a split. */
export function splitFromAncestors(path: string, skipParent: boolean): Split | undefined {
  const folders = segmentsOf(path).slice(0, -1);
  const last = skipParent ? folders.length - 2 : folders.length - 1;
  for (let i = last; i >= 0; i--) {
    const split = splitFromFolderName(folders[i]);
    if (split) return split;
  }
  return undefined;
}
