/**
 * Let queued tasks run (Comlink messages from the UI: pause, sliders, stop) between two training steps.
 * Awaiting an already-resolved promise only drains microtasks, so a loop fed by prefetched batches would never
 * see a message. setTimeout(0) is clamped to >= 4 ms when nested, so use a MessageChannel round trip in the
 * browser and setImmediate in Node.
 */
let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel!.port2.postMessage(null);
  });
}
