/**
 * Heap samples taken from outside the page, over the Chrome DevTools Protocol, for the scale benchmark's training
 * phase (scripts/bench_scale.mjs). The page-side sampler (src/harness/heapSampler.ts) uses
 * measureUserAgentSpecificMemory, which waits for every worker; tfjs-wasm's thread workers, blocked while they wait
 * for work, only let it answer at Chromium's 60 s timeout, so it cannot sample a 40-second run at step 100.
 * Here each realm is asked on its own: the page and its dedicated workers (the lab's trainer and ingest workers),
 * each collected (HeapProfiler.collectGarbage) and then read (Runtime.getHeapUsage: V8's used heap size).
 * Workers nested inside workers (tfjs-wasm's threads, the decode pool) are not attached: a thread blocked in
 * Atomics.wait would not answer either. Samples have the shape of heapSampler.ts's HeapSample, so the same
 * report lines print them.
 * Attachment uses the protocol's non-flat mode (Target.sendMessageToTarget): Playwright's CDPSession cannot address
 * the child sessions of the flat mode.
 */

/** "http://host/assets/trainer.worker-BXYWT3BA.js" -> "trainer.worker" (as heapSampler.ts names workers). */
function workerName(url) {
  const file = url.slice(url.lastIndexOf('/') + 1).replace(/\?.*$/, '');
  return file.replace(/\.(js|ts|mjs)$/, '').replace(/-[A-Za-z0-9_-]{6,}$/, '');
}

/** Attaches to `page` and its workers; returns { sample(label, count), detach() }. */
export async function attachCdpHeap(page, { timeoutMs = 10_000 } = {}) {
  const cdp = await page.context().newCDPSession(page);
  const workers = new Map(); // sessionId -> name
  const pending = new Map();
  let nextId = 0;
  const started = Date.now();
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') workers.set(e.sessionId, workerName(e.targetInfo.url));
  });
  cdp.on('Target.detachedFromTarget', (e) => workers.delete(e.sessionId));
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const message = JSON.parse(e.message);
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  const inWorker = (sessionId, method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${method} in ${workers.get(sessionId)}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });

  async function sample(label, count) {
    const t0 = Date.now();
    await cdp.send('HeapProfiler.collectGarbage');
    const pageHeap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const byWorker = {};
    let workerBytes = 0;
    for (const [sessionId, name] of [...workers]) {
      try {
        await inWorker(sessionId, 'HeapProfiler.collectGarbage');
        const { usedSize } = await inWorker(sessionId, 'Runtime.getHeapUsage');
        const group = (byWorker[name] ??= { count: 0, bytes: 0 });
        group.count++;
        group.bytes += usedSize;
        workerBytes += usedSize;
      } catch {
        // A worker that ended between the listing and the question is left out of this sample.
      }
    }
    return {
      label,
      count,
      atMs: t0 - started,
      pageHeapBytes: pageHeap,
      measured: { total: pageHeap + workerBytes, page: pageHeap, workers: workerBytes, unattributed: 0, byWorker },
      measureMs: Date.now() - t0,
      source: 'cdp',
    };
  }

  return { sample, detach: () => cdp.detach().catch(() => undefined) };
}
