/** Saves text as a file: the `onDownload` the results exports (and any other text export) take from the page. */
import { downloadBlob } from './download';

export function downloadText(fileName: string, text: string, mime: string): void {
  downloadBlob(fileName, new Blob([text], { type: `${mime};charset=utf-8` }));
}
