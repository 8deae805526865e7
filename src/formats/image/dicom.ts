/**
 * DICOM chest radiographs to 8-bit grayscale at the storage size, with `dicom-parser` for the data set.
 * Supported: uncompressed little endian (implicit / explicit VR), 8 or 16 bits, signed or unsigned, and
 * JPEG Baseline encapsulated frames (RSNA, SIIM), decoded by an injected JPEG decoder (the browser's own in the app).
 *
 * Privacy: only the technical tags below are read and returned. Patient name / ID / birth date and every other
 * identifying attribute are never read, returned, logged or put in an error message.
 */
import dicomParser from 'dicom-parser';
import { JPEG_BASELINE, isSupportedTransferSyntax, unsupportedSyntaxError } from './dicomSyntaxes';
import { DEFAULT_MAX_PIXELS } from './preflight';
import { resizeGray, toBytes } from './resizeGray';

/** A decoded JPEG: `channels` values per pixel, row-major (RGBA from a canvas, 1 from a gray decoder). */
export interface RawImage {
  width: number;
  height: number;
  channels: number;
  data: ArrayLike<number>;
}

export type JpegDecoder = (jpeg: Uint8Array) => Promise<RawImage>;

export interface DicomDecodeOptions {
  /** Output is size x size (stretched, like every other stored image). */
  size: number;
  /** Decodes one JPEG frame; defaults to the browser's decoder (createImageBitmap). */
  decodeJpeg?: JpegDecoder;
  maxPixels?: number;
}

/** What the decoder tells about a file: pixels and technical facts, nothing about the patient. */
export interface DicomImage {
  pixels: Uint8Array;
  size: number;
  sourceWidth: number;
  sourceHeight: number;
  transferSyntax: string;
  photometric: string;
  bitsAllocated: number;
  /** How stored values became 8 bits: the file's VOI window, or a min-max stretch when it has none. */
  scaling: 'window' | 'min-max';
}

const TAG = {
  transferSyntax: 'x00020010',
  samplesPerPixel: 'x00280002',
  photometric: 'x00280004',
  rows: 'x00280010',
  columns: 'x00280011',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  pixelRepresentation: 'x00280103',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  pixelData: 'x7fe00010',
} as const;

/** The browser path: the platform JPEG decoder, then the RGBA pixels of an OffscreenCanvas. */
export const browserJpegDecoder: JpegDecoder = async (jpeg) => {
  const bitmap = await createImageBitmap(new Blob([jpeg as BlobPart], { type: 'image/jpeg' }));
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas context for JPEG decoding');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: bitmap.width, height: bitmap.height, channels: 4, data };
  } finally {
    bitmap.close();
  }
};

type DataSet = ReturnType<typeof dicomParser.parseDicom>;

function parse(bytes: Uint8Array): DataSet {
  try {
    return dicomParser.parseDicom(bytes);
  } catch (error) {
    // dicom-parser throws strings or { exception } objects; its messages are structural, never tag values.
    const detail = typeof error === 'string' ? error : error instanceof Error ? error.message : String((error as { exception?: unknown })?.exception ?? error);
    throw new Error(`not a readable DICOM file (${detail.replace(/^dicomParser\.\w+: /, '')})`);
  }
}

/** The single frame's JPEG bytes, whatever the fragmentation (PS3.5 A.4: a frame may span fragments). */
export function extractJpegFrame(dataSet: DataSet): Uint8Array {
  const element = dataSet.elements[TAG.pixelData];
  if (!element?.encapsulatedPixelData || !element.fragments?.length) throw new Error('DICOM has no encapsulated pixel data');
  const frame = dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, element.fragments.length) as Uint8Array;
  if (frame[0] !== 0xff || frame[1] !== 0xd8) throw new Error('DICOM JPEG frame does not start with the JPEG SOI marker');
  // Fragments have even length (PS3.5 A.4): an odd JPEG stream carries one pad byte after its EOI marker.
  const padded = frame.length >= 3 && frame[frame.length - 3] === 0xff && frame[frame.length - 2] === 0xd9 && frame[frame.length - 1] === 0;
  return padded ? frame.subarray(0, frame.length - 1) : frame;
}

/** Stored values of a native (uncompressed) frame, sign-extended from Bits Stored when signed (PS3.5 8.1.1). */
function nativeValues(dataSet: DataSet, rows: number, columns: number): Float32Array {
  const element = dataSet.elements[TAG.pixelData];
  const bitsAllocated = dataSet.uint16(TAG.bitsAllocated) ?? 16;
  const bitsStored = dataSet.uint16(TAG.bitsStored) ?? bitsAllocated;
  const signed = dataSet.uint16(TAG.pixelRepresentation) === 1;
  const count = rows * columns;
  const bytesPer = bitsAllocated / 8;
  if (!element || element.length < count * bytesPer) throw new Error(`DICOM pixel data is shorter than ${rows} x ${columns} x ${bitsAllocated} bits (truncated file?)`);
  const view = new DataView(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + element.dataOffset, count * bytesPer);
  const mask = bitsStored >= 32 ? 0xffffffff : (1 << bitsStored) - 1;
  const signBit = 1 << (bitsStored - 1);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let v = bytesPer === 1 ? view.getUint8(i) : view.getUint16(i * 2, true);
    v &= mask;
    if (signed && v & signBit) v -= 1 << bitsStored;
    out[i] = v;
  }
  return out;
}

function grayOf(image: RawImage): Float32Array {
  const count = image.width * image.height;
  const out = new Float32Array(count);
  const { data, channels } = image;
  for (let i = 0; i < count; i++) {
    const at = i * channels;
    // ITU-R BT.601 luma; a grayscale JPEG decoded to RGBA has R = G = B, so this is exact for radiographs.
    out[i] = channels >= 3 ? 0.299 * data[at] + 0.587 * data[at + 1] + 0.114 * data[at + 2] : data[at];
  }
  return out;
}

/**
 * Modality LUT (rescale slope / intercept, PS3.3 C.11.1) then VOI LUT: the linear window function of
 * PS3.3 C.11.2.1.2.1 when the file has Window Center / Width, else a min-max stretch to 0..255.
 * MONOCHROME1 (bright = low values) is inverted last so bone is always bright.
 */
export function toDisplayRange(values: Float32Array, dataSet: DataSet, photometric: string): { values: Float32Array; scaling: DicomImage['scaling'] } {
  const slope = dataSet.floatString(TAG.rescaleSlope) ?? 1;
  const intercept = dataSet.floatString(TAG.rescaleIntercept) ?? 0;
  const center = dataSet.floatString(TAG.windowCenter, 0);
  const width = dataSet.floatString(TAG.windowWidth, 0);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] * slope + intercept;
  let scaling: DicomImage['scaling'];
  if (center !== undefined && width !== undefined && width >= 1) {
    scaling = 'window';
    const low = center - 0.5 - (width - 1) / 2;
    const high = center - 0.5 + (width - 1) / 2;
    for (let i = 0; i < out.length; i++) {
      const x = out[i];
      out[i] = x <= low ? 0 : x > high ? 255 : ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
    }
  } else {
    scaling = 'min-max';
    let min = Infinity;
    let max = -Infinity;
    for (const x of out) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
    const range = max - min;
    for (let i = 0; i < out.length; i++) out[i] = range > 0 ? ((out[i] - min) / range) * 255 : 0;
  }
  if (photometric === 'MONOCHROME1') for (let i = 0; i < out.length; i++) out[i] = 255 - out[i];
  return { values: out, scaling };
}

/** Decodes the first frame of a DICOM file to size x size 8-bit gray. Throws a readable Error per bad file. */
export async function decodeDicom(bytes: Uint8Array, options: DicomDecodeOptions): Promise<DicomImage> {
  if (bytes.length === 0) throw new Error('zero-byte file');
  const dataSet = parse(bytes);
  const transferSyntax = dataSet.string(TAG.transferSyntax)?.trim() ?? '';
  if (!isSupportedTransferSyntax(transferSyntax)) throw unsupportedSyntaxError(transferSyntax || '(none)');
  const rows = dataSet.uint16(TAG.rows) ?? 0;
  const columns = dataSet.uint16(TAG.columns) ?? 0;
  const bitsAllocated = dataSet.uint16(TAG.bitsAllocated) ?? 0;
  const photometric = dataSet.string(TAG.photometric)?.trim() ?? '';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (rows === 0 || columns === 0) throw new Error('DICOM has no image size (Rows / Columns missing)');
  if (rows * columns > maxPixels) throw new Error(`image too large: ${columns} x ${rows} pixels (limit ${maxPixels.toLocaleString('en-US')})`);
  if (!dataSet.elements[TAG.pixelData]) throw new Error('DICOM has no pixel data');

  let stored: Float32Array;
  let width = columns;
  let height = rows;
  if (transferSyntax === JPEG_BASELINE) {
    const decoded = await (options.decodeJpeg ?? browserJpegDecoder)(extractJpegFrame(dataSet));
    ({ width, height } = decoded);
    stored = grayOf(decoded);
  } else {
    if ((dataSet.uint16(TAG.samplesPerPixel) ?? 1) !== 1) throw new Error(`unsupported DICOM photometric interpretation ${photometric} (only grayscale radiographs)`);
    if (bitsAllocated !== 8 && bitsAllocated !== 16) throw new Error(`unsupported DICOM Bits Allocated ${bitsAllocated} (8 or 16 supported)`);
    stored = nativeValues(dataSet, rows, columns);
  }
  const { values, scaling } = toDisplayRange(stored, dataSet, photometric);
  const pixels = toBytes(resizeGray(values, width, height, options.size, options.size));
  return { pixels, size: options.size, sourceWidth: width, sourceHeight: height, transferSyntax, photometric, bitsAllocated, scaling };
}
