/**
 * Which runs and grids a trainer holds right now, across tabs and workers of this origin, through the Web Locks API
 * (W3C Web Locks, navigator.locks): a trainer holds its run's lock while the run trains. A stored run that says
 * "running" but whose lock nobody holds was interrupted (its page went away). Where the API is missing (Node tests,
 * old browsers) only this realm's own runs count as held.
 */
interface LockManagerLike {
  request(name: string, callback: () => Promise<unknown>): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

function lockManager(): LockManagerLike | undefined {
  return (globalThis.navigator as (Navigator & { locks?: LockManagerLike }) | undefined)?.locks;
}

const heldHere = new Set<string>();

export const runLockName = (runId: string) => `cxr-peft-lab:run:${runId}`;
export const gridLockName = (gridId: string) => `cxr-peft-lab:grid:${gridId}`;

/** Holds `name` until `until` settles. */
export function holdLock(name: string, until: Promise<unknown>): void {
  heldHere.add(name);
  const release = () => heldHere.delete(name);
  void until.then(release, release);
  void lockManager()?.request(name, () => until.catch(() => undefined)).catch(() => undefined);
}

/** Names of the locks held now, by any tab or worker of this origin. */
export async function heldLocks(): Promise<Set<string>> {
  const held = new Set(heldHere);
  const manager = lockManager();
  if (manager) {
    const state = await manager.query().catch(() => ({ held: [] }));
    for (const lock of state.held ?? []) if (lock.name) held.add(lock.name);
  }
  return held;
}
