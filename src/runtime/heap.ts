/**
 * How far the worker's JS heap may grow beyond what is alive (issue 11: worker peak RSS ≤ 250 MB
 * during a broadcast to 10,000 families). V8 lets the old generation grow up to about four times
 * its live size before a full collection when memory looks plentiful; a broadcast's planning
 * promotes its pages' families and records to the old generation, and they die there, so the worker
 * held 100+ MB of dead heap (bench:broadcast, 5 Dec: 44 MB in use of 156 MB reserved at the peak).
 * A fixed growing factor keeps the garbage in proportion to what is alive, whatever the job: unlike
 * a hard `--max-old-space-size`, it cannot make the weekly printouts (about 100 MB alive for 1,000
 * students) run out of heap. docs/decisions.md, "The worker's heap".
 */
import v8 from "node:v8";

/** The old generation may grow to 1.3 × what survived the last full collection (V8's own choice: 1.1–4). */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Sets V8's heap growing factor for this process. Called where the worker role starts (startNotifier),
 * so every way of starting it — `npm run start:worker`, the image's roles, `all`, the benchmarks'
 * worker process — runs with it. V8 reads the flag at each collection, so setting it at run time
 * takes effect (Node's caveat about flags after start-up concerns flags read once at start).
 */
export function limitHeapGrowth(percent: number = HEAP_GROWING_PERCENT): void {
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
