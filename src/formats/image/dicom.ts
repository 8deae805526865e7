/**
 * DICOM chest radiographs to 8-bit grayscale at the storage size, with `dicom-parser` for the data set.
 * Supported: uncompressed implicit / explicit VR little endian, explicit VR big endian (retired), deflated explicit
 * VR little endian (inflated with fflate, capped), 8 or 16 bits, signed or unsigned, MONOCHROME1 / 2, and 8-bit JPEG
 * Baseline / Extended encapsulated frames (RSNA, SIIM), decoded by an injected JPEG decoder (the browser's own in the
 * app). Every other transfer syntax is refused by name (dicomSyntaxes.ts). Files without the Part 10 preamble are
 * read as a bare data set. Multi-frame objects give their first frame (`frames` says how many there were).
 * Uncompressed frames go row by row into the resize, so only the file itself is held.
 *
 * Privacy: only the technical tags below are read and returned. Patient name / ID / birth date and every other
 * identifying attribute are never read, returned, logged or put in an error message.
 */
import dicomParser from 'dicom-parser';
import { Inflate } from 'fflate';
import { FormatError } from '../formatError';
import {
  EXPLICIT_VR_BIG_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN, isJpegSyntax,
  isSupportedTransferSyntax, unsupportedSyntaxError,
} from './dicomSyntaxes';
import { imageKindOf, sniffJpeg } from './imageHeader';
import { WHOLE_DECODE_MAX_PIXELS } from './preflight';
import { RowResizer, resizeGray, toBytes } from './resizeGray';

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
  /** Default WHOLE_DECODE_MAX_PIXELS: the file (and a JPEG frame's RGBA) is held whole. */
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
  /** Number of Frames (0028,0008); only the first is decoded. */
  frames: number;
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
  numberOfFrames: 'x00280008',
} as const;

/** A deflated data set may not inflate beyond this (50 MP of 16-bit samples plus headers): a bomb stops here. */
const MAX_INFLATED_DATASET_BYTES = 2 * WHOLE_DECODE_MAX_PIXELS + (1 << 20);

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

/** dicom-parser's `inflater` hook for Deflated Explicit VR LE: raw deflate after `position`, capped. */
function inflateDataSet(bytes: Uint8Array, position: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = position;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > MAX_INFLATED_DATASET_BYTES) throw new FormatError('dicom', 'too-large', `deflated DICOM data set inflates beyond ${MAX_INFLATED_DATASET_BYTES.toLocaleString('en-US')} bytes`);
    parts.push(chunk);
  });
  try {
    inflater.push(bytes.subarray(position), true);
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError('dicom', 'corrupt', `deflated DICOM data set does not inflate (${(error as Error).message})`);
  }
  const whole = new Uint8Array(total);
  whole.set(bytes.subarray(0, position));
  let at = position;
  for (const p of parts) (whole.set(p, at), (at += p.length));
  return whole;
}

/** A data set without preamble: Explicit VR when its first element carries two capital VR letters, else Implicit. */
function rawSyntaxOf(bytes: Uint8Array): string {
  const upper = (b: number) => b >= 0x41 && b <= 0x5a;
  return upper(bytes[4]) && upper(bytes[5]) ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN;
}

function parse(bytes: Uint8Array): DataSet {
  const options: Parameters<typeof dicomParser.parseDicom>[1] & { inflater?: (b: Uint8Array, p: number) => Uint8Array } = { inflater: inflateDataSet };
  let input = bytes;
  if (imageKindOf(bytes) === 'dicom-raw') {
    // A meta group without preamble is given one, so the meta header (and its transfer syntax) is read as such.
    if (bytes[0] === 0x02 && bytes[1] === 0x00) {
      input = new Uint8Array(132 + bytes.length);
      input.set([0x44, 0x49, 0x43, 0x4d], 128);
      input.set(bytes, 132);
    } else options.TransferSyntaxUID = rawSyntaxOf(bytes);
  }
  try {
    return dicomParser.parseDicom(input, options);
  } catch (error) {
    if (error instanceof FormatError) throw error;
    // dicom-parser throws strings or { exception } objects; its messages are structural, never tag values.
    const detail = typeof error === 'string' ? error : error instanceof Error ? error.message : String((error as { exception?: unknown })?.exception ?? error);
    throw new FormatError('dicom', 'corrupt', `not a readable DICOM file (${detail.replace(/^dicomParser\.\w+: /, '')})`);
  }
}

/**
 * The first frame's JPEG bytes, whatever the fragmentation (PS3.5 A.4: a frame may span fragments). A single-frame
 * object's fragments are all its frame; for several frames the Basic Offset Table, or one built from the JPEG
 * markers when the table is empty, says where frame 0 ends.
 */
export function extractJpegFrame(dataSet: DataSet, frames = 1): Uint8Array {
  const element = dataSet.elements[TAG.pixelData];
  if (!element?.encapsulatedPixelData || !element.fragments?.length) throw new FormatError('dicom', 'missing', 'DICOM has no encapsulated pixel data');
  let frame: Uint8Array;
  try {
    if (frames <= 1) frame = dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, element.fragments.length) as Uint8Array;
    else {
      const table = element.basicOffsetTable?.length ? element.basicOffsetTable : dicomParser.createJPEGBasicOffsetTable(dataSet, element);
      frame = dicomParser.readEncapsulatedImageFrame(dataSet, element, 0, table) as Uint8Array;
    }
  } catch (error) {
    const detail = typeof error === 'string' ? error : error instanceof Error ? error.message : 'unreadable fragments';
    throw new FormatError('dicom', 'corrupt', `DICOM encapsulated pixel data is unreadable (${detail.replace(/^dicomParser\.\w+: /, '')})`);
  }
  if (frame[0] !== 0xff || frame[1] !== 0xd8) throw new FormatError('dicom', 'corrupt', 'DICOM JPEG frame does not start with the JPEG SOI marker');
  // Fragments have even length (PS3.5 A.4): an odd JPEG stream carries one pad byte after its EOI marker.
  const padded = frame.length >= 3 && frame[frame.length - 3] === 0xff && frame[frame.length - 2] === 0xd9 && frame[frame.length - 1] === 0;
  return padded ? frame.subarray(0, frame.length - 1) : frame;
}

/** Reads stored value i of a native frame, masked to Bits Stored and sign-extended when signed (PS3.5 8.1.1). */
function nativeSampler(dataSet: DataSet, rows: number, columns: number, littleEndian: boolean): (i: number) => number {
  const element = dataSet.elements[TAG.pixelData];
  const bitsAllocated = dataSet.uint16(TAG.bitsAllocated) ?? 16;
  const bitsStored = Math.min(bitsAllocated, dataSet.uint16(TAG.bitsStored) ?? bitsAllocated) || bitsAllocated;
  const signed = dataSet.uint16(TAG.pixelRepresentation) === 1;
  const count = rows * columns;
  const bytesPer = bitsAllocated / 8;
  if (!element || element.encapsulatedPixelData || element.length < count * bytesPer || element.dataOffset + count * bytesPer > dataSet.byteArray.length) {
    throw new FormatError('dicom', 'truncated', `DICOM pixel data is shorter than ${rows} x ${columns} x ${bitsAllocated} bits (truncated file?)`);
  }
  const view = new DataView(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + element.dataOffset, count * bytesPer);
  const mask = bitsStored >= 32 ? 0xffffffff : 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  const wrap = 2 ** bitsStored;
  return (i) => {
    let v = bytesPer === 1 ? view.getUint8(i) : view.getUint16(i * 2, littleEndian);
    v &= mask;
    if (signed && v & signBit) v -= wrap;
    return v;
  };
}

/** The VOI stage of toDisplayRange for one modality value (float32 as the whole-image path stores it). */
type Display = (modality: number) => number;

function displayFunction(dataSet: DataSet, photometric: string, range: () => [number, number]): { display: Display; scaling: DicomImage['scaling'] } {
  const center = dataSet.floatString(TAG.windowCenter, 0);
  const width = dataSet.floatString(TAG.windowWidth, 0);
  const invert = photometric === 'MONOCHROME1';
  let voi: Display;
  let scaling: DicomImage['scaling'];
  if (center !== undefined && width !== undefined && width >= 1) {
    scaling = 'window';
    const low = center - 0.5 - (width - 1) / 2;
    const high = center - 0.5 + (width - 1) / 2;
    voi = (x) => Math.fround(x <= low ? 0 : x > high ? 255 : ((x - (center - 0.5)) / (width - 1) + 0.5) * 255);
  } else {
    scaling = 'min-max';
    const [min, max] = range();
    const span = max - min;
    voi = (x) => Math.fround(span > 0 ? ((x - min) / span) * 255 : 0);
  }
  return { display: invert ? (x) => Math.fround(255 - voi(x)) : voi, scaling };
}

/**
 * A native frame straight into the resize, row by row: modality LUT, VOI (window or min-max over the frame, found
 * in a first pass that allocates nothing) and MONOCHROME1 inversion, with the same float32 steps as toDisplayRange.
 */
function decodeNativeFrame(dataSet: DataSet, rows: number, columns: number, photometric: string, littleEndian: boolean, size: number): { pixels: Uint8Array; scaling: DicomImage['scaling'] } {
  const sample = nativeSampler(dataSet, rows, columns, littleEndian);
  const slope = dataSet.floatString(TAG.rescaleSlope) ?? 1;
  const intercept = dataSet.floatString(TAG.rescaleIntercept) ?? 0;
  const modality = (i: number) => Math.fround(sample(i) * slope + intercept);
  const { display, scaling } = displayFunction(dataSet, photometric, () => {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < rows * columns; i++) {
      const x = modality(i);
      if (x < min) min = x;
      if (x > max) max = x;
    }
    return [min, max];
  });
  const resizer = new RowResizer(columns, rows, size, size);
  const row = new Float32Array(columns);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) row[x] = display(modality(y * columns + x));
    resizer.pushRow(row);
  }
  return { pixels: toBytes(resizer.result()), scaling };
}

/** Number of Frames (0028,0008) of a data set read up to its pixel data; 1 when absent or unreadable. */
export function dicomFrameCount(head: Uint8Array): number {
  try {
    const dataSet = dicomParser.parseDicom(head, { untilTag: TAG.pixelData });
    return Math.max(1, Math.floor(Number(dataSet.intString(TAG.numberOfFrames) ?? 1)) || 1);
  } catch {
    return 1;
  }
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
  const modality = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) modality[i] = values[i] * slope + intercept;
  const { display, scaling } = displayFunction(dataSet, photometric, () => {
    let min = Infinity;
    let max = -Infinity;
    for (const x of modality) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
    return [min, max];
  });
  const out = new Float32Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = display(modality[i]);
  return { values: out, scaling };
}

/** Decodes the first frame of a DICOM file to size x size 8-bit gray. Throws a FormatError per bad file. */
export async function decodeDicom(bytes: Uint8Array, options: DicomDecodeOptions): Promise<DicomImage> {
  if (bytes.length === 0) throw new FormatError('dicom', 'empty', 'zero-byte file');
  const dataSet = parse(bytes);
  try {
    return await decodeDataSet(dataSet, options);
  } catch (error) {
    if (error instanceof FormatError) throw error;
    // dicom-parser's accessors throw strings for an element that runs past the buffer; DataView throws RangeError.
    const detail = typeof error === 'string' ? error.replace(/^dicomParser\.\w+: /, '') : error instanceof RangeError ? 'an element runs past the end of the file' : null;
    if (detail === null) throw error;
    throw new FormatError('dicom', 'corrupt', `not a readable DICOM file (${detail})`);
  }
}

async function decodeDataSet(dataSet: DataSet, options: DicomDecodeOptions): Promise<DicomImage> {
  const transferSyntax = dataSet.string(TAG.transferSyntax)?.trim() ?? '';
  if (!isSupportedTransferSyntax(transferSyntax)) throw unsupportedSyntaxError(transferSyntax || '(none)');
  const rows = dataSet.uint16(TAG.rows) ?? 0;
  const columns = dataSet.uint16(TAG.columns) ?? 0;
  const bitsAllocated = dataSet.uint16(TAG.bitsAllocated) ?? 0;
  const photometric = dataSet.string(TAG.photometric)?.trim() ?? '';
  const frames = Math.max(1, Math.floor(Number(dataSet.intString(TAG.numberOfFrames) ?? 1)) || 1);
  const maxPixels = options.maxPixels ?? WHOLE_DECODE_MAX_PIXELS;
  if (rows === 0 || columns === 0) throw new FormatError('dicom', 'missing', 'DICOM has no image size (Rows / Columns missing)');
  if (rows * columns > maxPixels) throw new FormatError('dicom', 'too-large', `image too large: ${columns} x ${rows} pixels (limit ${maxPixels.toLocaleString('en-US')} for DICOM, whose pixel data is held whole)`);
  if (!dataSet.elements[TAG.pixelData]) throw new FormatError('dicom', 'missing', 'DICOM has no pixel data (7FE0,0010): nothing to decode');
  if (!/^(MONOCHROME[12])?$/.test(photometric) && !isJpegSyntax(transferSyntax)) {
    throw new FormatError('dicom', 'unsupported', `unsupported DICOM photometric interpretation ${photometric || '(none)'} (only grayscale radiographs, MONOCHROME1 / MONOCHROME2)`);
  }

  let width = columns;
  let height = rows;
  if (isJpegSyntax(transferSyntax)) {
    const jpeg = extractJpegFrame(dataSet, frames);
    const header = sniffJpeg(jpeg);
    if (header && header.precision !== 8) throw new FormatError('dicom', 'unsupported', `DICOM holds ${header.precision}-bit JPEG, which browsers do not decode (only 8-bit)`);
    let decoded: RawImage;
    try {
      decoded = await (options.decodeJpeg ?? browserJpegDecoder)(jpeg);
    } catch (error) {
      if (error instanceof FormatError) throw error;
      throw new FormatError('dicom', 'corrupt', `DICOM JPEG frame is not decodable (${(error as Error).message})`);
    }
    ({ width, height } = decoded);
    const { values, scaling } = toDisplayRange(grayOf(decoded), dataSet, photometric);
    const pixels = toBytes(resizeGray(values, width, height, options.size, options.size));
    return { pixels, size: options.size, sourceWidth: width, sourceHeight: height, transferSyntax, photometric, bitsAllocated, scaling, frames };
  }
  if ((dataSet.uint16(TAG.samplesPerPixel) ?? 1) !== 1) throw new FormatError('dicom', 'unsupported', `unsupported DICOM photometric interpretation ${photometric} (only grayscale radiographs)`);
  if (bitsAllocated !== 8 && bitsAllocated !== 16) throw new FormatError('dicom', 'unsupported', `unsupported DICOM Bits Allocated ${bitsAllocated} (8 or 16 supported)`);
  const { pixels, scaling } = decodeNativeFrame(dataSet, rows, columns, photometric, transferSyntax !== EXPLICIT_VR_BIG_ENDIAN, options.size);
  return { pixels, size: options.size, sourceWidth: width, sourceHeight: height, transferSyntax, photometric, bitsAllocated, scaling, frames };
}
