/**
 * Work a request starts but does not wait for (the e-mail sign-in's lookup and mail: its answer
 * must not depend on them, not even in time). Failures are logged by id, never thrown; `idle()`
 * waits for what is running (shutdown, and tests that wait for the mail).
 */
import type { Logger } from "../logger";

export interface BackgroundTasks {
  run(name: string, task: () => Promise<unknown>): void;
  idle(): Promise<void>;
}

export function createBackgroundTasks(logger: Logger): BackgroundTasks {
  const running = new Set<Promise<unknown>>();
  return {
    run(name, task) {
      const promise = Promise.resolve()
        .then(task)
        .catch((error: Error) => logger.error({ task: name, err: { type: error.name, message: error.message } }, "web background task failed"))
        .finally(() => running.delete(promise));
      running.add(promise);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
