/**
 * The ways in: "Load demo dataset", "Choose dataset folder" (a real <input type=file webkitdirectory>, so a
 * click opens the browser's folder chooser and Playwright's file chooser works), "Choose archives or files" (the
 * datasets as downloaded — .zip, .tar, .tar.gz beside a loose index CSV — for whoever cannot or does not drag), and
 * a drop zone that also opens the folder chooser from the keyboard. The dropped DataTransfer is read synchronously inside the drop handler: the
 * browser empties it once the handler returns.
 *
 * Where the browser has showDirectoryPicker (Chromium), a click on "Choose dataset folder" opens it instead of the
 * input's chooser: the folder then comes with a FileSystemDirectoryHandle, and an ingest interrupted by a reload
 * can resume from it. The input stays, for other browsers and for tests that set its files.
 */
import './FolderSources.css';
import { useEffect, useRef, useState, type ChangeEvent, type DragEvent, type InputHTMLAttributes, type KeyboardEvent, type MouseEvent } from 'react';
import type { SourceFolder, LabClient } from '../../workers/client';
import type { NamedFiles } from '../hooks/useDatasets';
import { datasetNameFromFiles } from '../view/datasetSummary';
import type { FileEntry } from '../../run/datasets';

interface Props {
  bridge: LabClient;
  disabled: boolean;
  onFiles(source: Promise<NamedFiles>): void;
}

// React does not type the non-standard directory attributes; Chromium and Firefox honour webkitdirectory.
const directoryAttributes = { webkitdirectory: '', directory: '' } as InputHTMLAttributes<HTMLInputElement>;

const named = (source: Promise<FileEntry[] | SourceFolder>): Promise<NamedFiles> =>
  source.then((found) => {
    const { files, handle } = Array.isArray(found) ? { files: found, handle: undefined } : found;
    return { name: datasetNameFromFiles(files, new Date()), files, handle };
  });

export function FolderSources({ bridge, disabled, onFiles }: Props) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragOver, setDragOver] = useState(false);

  // A folder dropped beside the drop zone must not make the browser navigate away from the lab.
  useEffect(() => {
    const keepPage = (e: globalThis.DragEvent) => e.preventDefault();
    window.addEventListener('dragover', keepPage);
    window.addEventListener('drop', keepPage);
    return () => {
      window.removeEventListener('dragover', keepPage);
      window.removeEventListener('drop', keepPage);
    };
  }, []);

  const openChooser = () => {
    if (!disabled) inputRef.current?.click();
  };

  /** The input's click (from its label, the drop zone or the keyboard) opens the directory picker where there is one. */
  const onInputClick = (e: MouseEvent<HTMLInputElement>) => {
    if (!bridge.canPickFolder) return;
    e.preventDefault();
    // Nothing starts until a folder is chosen: closing the picker is no error and shows nothing.
    bridge.pickFolder().then(
      (handle) => handle && onFiles(named(bridge.filesFromHandle(handle))),
      (error: unknown) => onFiles(Promise.reject(error instanceof Error ? error : new Error(String(error)))),
    );
  };

  /** Files set on either input (the browser's chooser, or Playwright's setInputFiles) become the ingest's source. */
  const takeChosenFiles = (e: ChangeEvent<HTMLInputElement>) => {
    const input = e.currentTarget;
    const list = input.files;
    if (!list || list.length === 0) return;
    const files = bridge.filesFromInput(list);
    onFiles(named(files));
    // Clear afterwards so choosing the same folder or files again still fires a change.
    void files.finally(() => {
      input.value = '';
    });
  };

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragOver(false);
    if (disabled) return;
    onFiles(named(bridge.filesFromDrop(e.dataTransfer)));
  };

  const onDragOver = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
    setDragOver(true);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openChooser();
    }
  };

  return (
    <div className="sources">
      <div className="button-row">
        <button type="button" disabled={disabled} onClick={() => onFiles(bridge.loadDemo())}>
          Load demo dataset
        </button>
        <label className={disabled ? 'button file-button disabled' : 'button file-button'}>
          <span aria-hidden="true">Choose dataset folder</span>
          <input
            ref={inputRef}
            type="file"
            multiple
            {...directoryAttributes}
            aria-label="Choose dataset folder"
            disabled={disabled}
            onClick={onInputClick}
            onChange={takeChosenFiles}
          />
        </label>
        <label className={disabled ? 'button file-button secondary disabled' : 'button file-button secondary'}>
          <span aria-hidden="true">Choose archives or files</span>
          {/* No accept filter: DICOMs often have no extension, and the ingest names every file it cannot use. */}
          <input
            type="file"
            multiple
            aria-label="Choose archives or files"
            disabled={disabled}
            onChange={takeChosenFiles}
          />
        </label>
      </div>
      <div
        className={`drop-zone${dragOver ? ' drag-over' : ''}${disabled ? ' disabled' : ''}`}
        role="button"
        tabIndex={disabled ? -1 : 0}
        aria-label="Drop a dataset folder here"
        aria-disabled={disabled || undefined}
        onClick={openChooser}
        onKeyDown={onKeyDown}
        onDragEnter={onDragOver}
        onDragOver={onDragOver}
        onDragLeave={() => setDragOver(false)}
        onDrop={onDrop}
      >
        <span className="drop-title">Drop a dataset folder here</span>
        <span className="drop-hint">
          Class sub-folders (train/NORMAL, train/PNEUMONIA…) or NIH ChestX-ray14 (Data_Entry_2017.csv + PNGs). Images
          stay on this computer.
        </span>
      </div>
    </div>
  );
}
