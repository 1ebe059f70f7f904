import type { RunningService } from "./services";

export default async function globalTeardown(): Promise<void> {
  const services = ((globalThis as Record<string, unknown>).__testServices ?? []) as RunningService[];
  for (const service of services) await service.stop();
}
