/**
 * Entry names of archives (zip, tar) as the lab uses them: '/'-separated paths relative to the archive's root.
 * A name that would leave that root ("../x", "/etc/x", "C:\x") is refused by name, as extracting tools must
 * (the "zip slip" class of bugs): the lab never writes entries to disk, but their paths become image keys and
 * layout paths, and an escaping path means the archive was made to attack something.
 */
import { FormatError, type FormatName } from './formatError';

/** The entry's path with '\' read as '/', "./" and empty segments dropped; throws FormatError 'path-escape'. */
export function safeEntryPath(name: string, format: FormatName): string {
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) {
    throw new FormatError(format, 'path-escape', `${format} entry "${name}" has an absolute path; entries must stay inside the archive's folder`);
  }
  const segments = slashed.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new FormatError(format, 'path-escape', `${format} entry "${name}" escapes the archive's folder ("..")`);
  }
  if (segments.some((s) => s.includes('\0'))) throw new FormatError(format, 'corrupt', `${format} entry name contains a NUL byte`);
  return segments.join('/');
}
