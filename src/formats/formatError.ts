/**
 * The one error every byte-format parser throws when it refuses its input (zip, tar, gzip, pickle, .pth,
 * safetensors, CSV, PNG, JPEG, DICOM). Callers tell a refused file (skip it, show the message) from a bug (any
 * other exception) by `instanceof FormatError`; the fuzz tests (tests/formats/fuzz*.test.ts) hold every parser to
 * "parses, or throws a FormatError" for arbitrary bytes.
 *
 * `format` says which parser refused, `kind` why, in a word a test or a UI can match; `message` is the sentence
 * for a person. Refusals a user must be able to recognise by name (a zip entry escaping its folder, a zip bomb,
 * a pickle asking to run something, overlapping safetensors offsets) have their own kind.
 */

export type FormatName = 'zip' | 'tar' | 'gzip' | 'pickle' | 'pth' | 'safetensors' | 'csv' | 'png' | 'jpeg' | 'dicom' | 'image';

export type FormatErrorKind =
  /** zero bytes */
  | 'empty'
  /** the file ends before its structure does */
  | 'truncated'
  /** bytes that contradict the format (bad signature, checksum, length, structure) */
  | 'corrupt'
  /** valid for the format, but a variant this lab does not read (compression method, transfer syntax, opcode) */
  | 'unsupported'
  /** larger than a documented limit */
  | 'too-large'
  /** a required part is absent (column, pixel data, state dict) */
  | 'missing'
  /** zip: an entry name that leaves the archive's folder ("../", absolute path, drive letter) */
  | 'path-escape'
  /** zip: an entry that inflates far beyond its compressed size, past its declared size, or overlaps another */
  | 'zip-bomb'
  /** pickle: a global outside the allow-list (pickle would import and may run it) */
  | 'forbidden-global'
  /** safetensors: two tensors share bytes */
  | 'overlapping-offsets'
  /** safetensors: offsets outside the data section, reversed, or not integers */
  | 'offsets-out-of-range';

export class FormatError extends Error {
  override readonly name = 'FormatError';

  constructor(
    readonly format: FormatName,
    readonly kind: FormatErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export function isFormatError(error: unknown): error is FormatError {
  return error instanceof FormatError;
}
