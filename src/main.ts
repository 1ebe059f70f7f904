/**
 * Entry point: `node dist/src/main.js [all|bot|worker|api]`. A bad configuration prints one line
 * and exits 1; SIGTERM/SIGINT stop the service gracefully and exit 0 (1 if stopping takes over 10 s).
 */
import { ConfigError, ROLES, loadConfig, type Role } from "./config";
import { createLogger } from "./logger";
import { StartupError } from "./runtime/embedded";
import { startService } from "./service";

const SHUTDOWN_LIMIT_MS = 10_000;

async function main(): Promise<void> {
  const role = (process.argv[2] ?? "all") as Role;
  if (!ROLES.includes(role)) fail(`Unknown role "${role}": use one of ${ROLES.join(", ")}`);
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  let service;
  try {
    service = await startService(config, role, logger);
  } catch (error) {
    if (error instanceof StartupError) fail(`Cannot start: ${error.message}`);
    logger.fatal({ err: { message: error instanceof Error ? error.message : String(error) } }, "start-up failed");
    fail(`Cannot start: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    const guard = setTimeout(() => {
      logger.error("graceful shutdown took longer than 10 s; exiting");
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    guard.unref();
    service.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

function fail(line: string): never {
  console.error(line);
  process.exit(1);
}

void main();
