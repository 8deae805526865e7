/**
 * A simulated storage quota for the fault tests (`?fault-hooks` pages only). Chromium's own per-origin quota
 * override (DevTools protocol Storage.overrideQuotaForOrigin) is accepted but not enforced for IndexedDB in the
 * Chromium this project tests with (version 156: Storage.getUsageAndQuota reports the override as active while
 * writes past it succeed), so a full disk cannot be provoked through the browser. This module lets the lab's own
 * writes fail exactly as the browser fails them (a DOMException named QuotaExceededError) once a byte budget is
 * spent, so everything above the storage layer is exercised for real. Off unless a test turns it on.
 */
let budget: number | null = null;

/** From now on, writes fail once `bytes` more have been written; null turns the simulation off. */
export function simulateQuota(bytes: number | null): void {
  budget = bytes;
}

/** Called by the storage functions before a write of about `bytes`. */
export function chargeWrite(bytes: number): void {
  if (budget === null) return;
  if (bytes > budget) throw new DOMException(`the quota has been exceeded (simulated: ${budget} bytes left, ${bytes} asked)`, 'QuotaExceededError');
  budget -= bytes;
}
