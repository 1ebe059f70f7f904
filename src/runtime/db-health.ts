/**
 * Whether MongoDB answers, known without asking it on every update: a ping every `intervalMs`, one
 * at a time; a ping without an answer within `timeoutMs` marks the database down until a ping
 * answers again. A paused or unreachable MongoDB makes operations wait rather than fail, so the
 * bot asks this before it reads anything (src/bot/middleware/database-guard.ts).
 */
export interface DatabaseHealth {
  up(): boolean;
  stop(): void;
}

export function watchDatabase(ping: () => Promise<unknown>, options: { intervalMs?: number; timeoutMs?: number; onChange?: (up: boolean) => void } = {}): DatabaseHealth {
  const { intervalMs = 1000, timeoutMs = 1500 } = options;
  let up = true;
  let inflight = false;
  const set = (value: boolean) => {
    if (value !== up) options.onChange?.(value);
    up = value;
  };
  const tick = async () => {
    if (inflight) return; // the last ping is still waiting: the database stays down until it answers
    inflight = true;
    const timer = setTimeout(() => set(false), timeoutMs);
    try {
      await ping();
      set(true);
    } catch {
      set(false);
    } finally {
      clearTimeout(timer);
      inflight = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { up: () => up, stop: () => clearInterval(timer) };
}
