#!/usr/bin/env node
/**
 * Writes the datasets of the scale benchmark (`node scripts/bench.mjs --scale`, issue "Nothing lost, whatever
 * happens", section 4) into a temporary folder, never into the repository:
 *   kermany-scale/{NORMAL,PNEUMONIA}/*.jpeg  the 1,000 real Kermany radiographs of ../shared/data, each copied
 *                                            `--copies` times (default 10: 10,000 images) under distinct names;
 *   kermany-scale.tar (and .zip)             the same files as one archive, members under kermany-scale/;
 *   nih-train10/                             the study's NIH 10 % training list (MED-PEFT train_10.txt, 7,847 names)
 *                                            as images/<name>.png, train_10.txt and the real NIH CSV rows of those
 *                                            names (Data_Entry_2017_v2020.csv). The split-files layout ingests it
 *                                            with the list's labels; the CSV is there as NIH ships it.
 * The lab stores each content once (content-hash dedupe), so every copy differs in bytes: a JPEG copy gets a COM
 * segment (marker 0xFFFE, JPEG ISO/IEC 10918-1 B.2.4.5) right after SOI, a PNG copy a tEXt chunk (PNG spec 11.3.4.3,
 * CRC-32 over type + data) right after IHDR. The comment's length grows with the copy number, so copies of one
 * source also differ in size, as files of a real dataset do (the lab digests only files whose sizes coincide).
 * NIH names are filled from the 212 real 1024 px NIH sample PNGs in turn; their pixels are not the named patients'.
 *
 *   node scripts/make_scale_dataset.mjs [--out DIR] [--copies 10] [--no-zip] [--no-nih] [--force]
 * Prints one JSON line (paths, counts, bytes) on stdout. An existing, complete output with the same options is
 * reused unless --force.
 */
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crc32, gunzipSync } from 'node:zlib';
import { Zip, ZipPassThrough } from 'fflate';
import { createTarPacker } from 'modern-tar';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, '..', 'shared', 'data');
const KERMANY = join(shared, 'kermany-pneumonia-224', 'dataset', 'train');
/** The folder the Kermany copies are made from (scripts/bench_scale.mjs skips the section when it is missing). */
export const KERMANY_SOURCE = KERMANY;
const NIH_IMAGES = join(shared, 'nih-sample', 'images');
const NIH_INDEX = join(shared, 'real-index', 'Data_Entry_2017_v2020.csv.gz');
const NIH_TRAIN_10 = join(shared, 'real-index', 'medpeft-splits', 'NIH_ChestX-ray', 'train_10.txt.gz');
const NIH_LABELS = ['Atelectasis', 'Cardiomegaly', 'Effusion', 'Infiltration', 'Mass', 'Nodule', 'Pneumonia', 'Pneumothorax', 'Consolidation', 'Edema', 'Emphysema', 'Fibrosis', 'Pleural_Thickening', 'Hernia'];
const FORMAT_VERSION = 1;

/** A JPEG with a COM segment after SOI: FF FE, a big-endian length counting itself, then the text. */
export function jpegWithComment(bytes, text) {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
  const body = Buffer.from(text, 'latin1');
  if (body.length + 2 > 0xffff) throw new Error('JPEG comment too long');
  const segment = Buffer.alloc(4 + body.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(body.length + 2, 2);
  body.copy(segment, 4);
  return Buffer.concat([bytes.subarray(0, 2), segment, bytes.subarray(2)]);
}

/** A PNG with a tEXt chunk after IHDR: length, type, keyword NUL text, CRC-32 of type + data. */
export function pngWithText(bytes, keyword, text) {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG (signature or IHDR missing)');
  const afterIhdr = 8 + 12 + bytes.readUInt32BE(8); // length + type + data + CRC
  const typeAndData = Buffer.concat([Buffer.from('tEXt', 'latin1'), Buffer.from(`${keyword}\0${text}`, 'latin1')]);
  const chunk = Buffer.alloc(8 + typeAndData.length);
  chunk.writeUInt32BE(typeAndData.length - 4, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typeAndData), 4 + typeAndData.length);
  return Buffer.concat([bytes.subarray(0, afterIhdr), chunk, bytes.subarray(afterIhdr)]);
}

/** Text whose length grows with `copy`, so copies of one source differ in size too. */
const copyText = (what, copy) => `${what}; copy ${copy}${'.'.repeat(copy)}`;

function listFiles(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

function writeKermany(dir, copies) {
  let bytes = 0;
  let images = 0;
  for (const label of ['NORMAL', 'PNEUMONIA']) {
    const from = join(KERMANY, label);
    mkdirSync(join(dir, label), { recursive: true });
    for (const name of readdirSync(from).filter((n) => /\.jpe?g$/i.test(n)).sort()) {
      const original = readFileSync(join(from, name));
      const dot = name.lastIndexOf('.');
      for (let copy = 0; copy < copies; copy++) {
        const target = `${name.slice(0, dot)}_c${String(copy).padStart(2, '0')}${name.slice(dot)}`;
        const data = jpegWithComment(original, copyText(`Kermany ${label}/${name}`, copy));
        writeFileSync(join(dir, label, target), data);
        bytes += data.length;
        images++;
      }
    }
  }
  return { images, bytes };
}

/** The folder as one uncompressed tar, streamed file by file (members keep the folder's name in front). */
async function writeTar(dir, tarPath) {
  const top = basename(dir);
  const { readable, controller } = createTarPacker();
  const written = pipeline(Readable.fromWeb(readable), createWriteStream(tarPath));
  for (const rel of listFiles(dir)) {
    const data = readFileSync(join(dir, rel));
    const writer = controller.add({ name: `${top}/${rel}`, size: data.length, mode: 0o644 }).getWriter();
    await writer.write(new Uint8Array(data.buffer, data.byteOffset, data.length));
    await writer.close();
  }
  controller.finalize();
  await written;
  return statSync(tarPath).size;
}

/** The folder as one zip with stored (not deflated) members: JPEG bytes do not compress. */
async function writeZip(dir, zipPath) {
  const top = basename(dir);
  const out = createWriteStream(zipPath);
  const done = new Promise((resolvePromise, reject) => {
    out.on('finish', resolvePromise);
    out.on('error', reject);
  });
  let failed = null;
  const zip = new Zip((error, chunk, final) => {
    if (error) failed = error;
    else out.write(chunk);
    if (final || error) out.end();
  });
  for (const rel of listFiles(dir)) {
    const member = new ZipPassThrough(`${top}/${rel}`);
    zip.add(member);
    member.push(readFileSync(join(dir, rel)), true);
    if (out.writableLength > 64 << 20) await new Promise((r) => out.once('drain', r));
  }
  zip.end();
  await done;
  if (failed) throw failed;
  return statSync(zipPath).size;
}

function csvFields(line) {
  // The NIH index has no quoted fields; the first field is the image name.
  return line.split(',');
}

function writeNihTrain10(dir) {
  const listText = gunzipSync(readFileSync(NIH_TRAIN_10)).toString('utf8');
  const lines = listText.split(/\r?\n/).filter((l) => l.trim() !== '');
  const names = lines.map((l) => l.trim().split(/\s+/)[0]);
  const wanted = new Set(names);
  const indexLines = gunzipSync(readFileSync(NIH_INDEX)).toString('utf8').split(/\r?\n/);
  const header = indexLines[0];
  const rows = new Map();
  for (const line of indexLines.slice(1)) {
    const name = csvFields(line)[0];
    if (wanted.has(name) && !rows.has(name)) rows.set(name, line);
  }
  const missingRows = names.filter((n) => !rows.has(n));
  // The list's labels and the CSV's findings describe the same images: count where they agree.
  let agree = 0;
  for (const line of lines) {
    const [name, ...values] = line.trim().split(/\s+/);
    const row = rows.get(name);
    if (!row) continue;
    const findings = new Set(csvFields(row)[1].split('|'));
    if (NIH_LABELS.every((label, i) => (values[i] === '1') === findings.has(label))) agree++;
  }
  mkdirSync(join(dir, 'images'), { recursive: true });
  writeFileSync(join(dir, 'train_10.txt'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'Data_Entry_2017_v2020.csv'), `${[header, ...names.filter((n) => rows.has(n)).map((n) => rows.get(n))].join('\n')}\n`);
  const sources = readdirSync(NIH_IMAGES).filter((n) => n.endsWith('.png')).sort();
  const originals = sources.map((n) => readFileSync(join(NIH_IMAGES, n)));
  let bytes = 0;
  names.forEach((name, i) => {
    const s = i % sources.length;
    const copy = Math.floor(i / sources.length);
    const data = pngWithText(originals[s], 'Comment', copyText(`NIH sample ${sources[s]} written as ${name}`, copy));
    writeFileSync(join(dir, 'images', name), data);
    bytes += data.length;
  });
  return { images: names.length, bytes, sources: sources.length, csvRows: rows.size, missingCsvRows: missingRows.length, listAgreesWithCsv: agree };
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      out: { type: 'string', default: join(tmpdir(), 'cxr-scale-dataset') },
      copies: { type: 'string', default: '10' },
      'no-zip': { type: 'boolean', default: false },
      'no-nih': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
    },
  });
  const out = resolve(args.out);
  if (out === root || out.startsWith(`${root}/`)) throw new Error(`--out ${out} is inside the repository; choose a temporary folder`);
  const copies = Number(args.copies);
  if (!Number.isInteger(copies) || copies < 1) throw new Error(`--copies must be a positive integer, got ${args.copies}`);
  const options = { version: FORMAT_VERSION, copies, zip: !args['no-zip'], nih: !args['no-nih'] };
  const summaryPath = join(out, 'scale-dataset.json');
  if (!args.force && existsSync(summaryPath)) {
    const previous = JSON.parse(readFileSync(summaryPath, 'utf8'));
    if (JSON.stringify(previous.options) === JSON.stringify(options)) {
      process.stdout.write(`${JSON.stringify({ ...previous, reused: true })}\n`);
      return;
    }
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = Date.now();
  const folder = join(out, 'kermany-scale');
  const kermany = writeKermany(folder, copies);
  const tarPath = join(out, 'kermany-scale.tar');
  const tarBytes = await writeTar(folder, tarPath);
  const zipPath = options.zip ? join(out, 'kermany-scale.zip') : null;
  const zipBytes = zipPath ? await writeZip(folder, zipPath) : null;
  const nihSources = [NIH_IMAGES, NIH_INDEX, NIH_TRAIN_10].filter((p) => !existsSync(p));
  const nihDir = options.nih && nihSources.length === 0 ? join(out, 'nih-train10') : null;
  const nih = nihDir ? writeNihTrain10(nihDir) : null;
  const nihMissing = options.nih && nihSources.length ? `missing: ${nihSources.join(', ')}` : null;
  const summary = {
    options,
    out,
    kermany: { folder, ...kermany, tar: tarPath, tarBytes, zip: zipPath, zipBytes },
    nih: nih ? { folder: nihDir, ...nih } : null,
    nihMissing,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(summaryPath, JSON.stringify(summary, null, 2));
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
