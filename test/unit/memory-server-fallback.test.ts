/**
 * The tests' MongoDB helper on a machine that cannot download mongod: mongodb-memory-server is
 * given up at once (no retries against a host that does not resolve) with one line, no stack trace.
 */
import { startMemoryServer } from "../support/services";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  jest.restoreAllMocks();
});

test("no cached mongod and a download host that does not resolve: one clear line, nothing printed", async () => {
  // A version nobody has cached, from a mirror under .invalid (a name that never resolves, RFC 2606).
  process.env.MONGOMS_VERSION = "0.0.1";
  process.env.MONGOMS_DOWNLOAD_MIRROR = "https://mongodb-download.invalid";
  const printed = [jest.spyOn(console, "warn"), jest.spyOn(console, "error"), jest.spyOn(console, "log")];
  const failure = await startMemoryServer().then(
    () => null,
    (error: Error) => error,
  );
  expect(failure?.message).toBe("no mongod 0.0.1 cached and the download host mongodb-download.invalid does not resolve");
  for (const spy of printed) expect(spy).not.toHaveBeenCalled();
});
