/**
 * `npm run bench:ingest [-- --grades 100000 --students 1000 --batch 5000]`: loads grades through the
 * real exchange API (Fastify on loopback, MongoDB and Redis started for the run as in the tests) and
 * prints items/s for validation alone and for whole requests, a re-send of the same batches (nothing
 * to write: it must be faster), and the process's peak memory. Stops by itself (limit: 20 minutes).
 */
import { createSchool } from "../src/services/schools";
import { validateSection } from "../src/services/exchange/validate";
import { benchDirectory, benchGrades, chunks } from "./lib/bench-data";
import { reportFigures } from "./lib/figures";
import { exchangePut, runBench, startBenchServices, startExchangeApi, stopAfter, wholeArg } from "./lib/bench-env";

const LIMIT_MS = 20 * 60_000;

const rate = (items: number, ms: number) => `${Math.round((items / ms) * 1000).toLocaleString("en")} items/s`;

async function main(): Promise<void> {
  const total = wholeArg("grades", 100_000);
  const students = wholeArg("students", 1_000);
  const batch = wholeArg("batch", 5_000);
  stopAfter("bench:ingest", LIMIT_MS);

  const services = await startBenchServices(
    "note: the stand-in (Python, mongomock) is far slower than mongod, so whole-request figures measure it more than the service; set MONGODB_URI (TEST_MONGO=uri) to a real MongoDB for production numbers",
  );
  const { app, base } = await startExchangeApi(services.queues, batch);
  try {
    const { token } = await createSchool({ name: "Бенчмарк" });
    const put = exchangePut(base, token, { notify: false });
    const directory = benchDirectory(students);
    for (const [resource, items] of Object.entries(directory)) for (const part of chunks(items, batch)) await put(resource, part);

    const grades = benchGrades(total, students);
    const batches = chunks(grades, batch);
    console.log(`${total.toLocaleString("en")} grades for ${students.toLocaleString("en")} students in ${batches.length} batches of ${batch}`);

    let started = performance.now();
    for (const part of batches) if (validateSection("grades", part, "items").errors.length) throw new Error("the generated grades are invalid");
    console.log(`validation alone:          ${rate(total, performance.now() - started)}`);

    started = performance.now();
    let created = 0;
    for (const part of batches) created += (await put("grades", part)).created;
    const firstMs = performance.now() - started;
    console.log(`first load (whole request): ${rate(total, firstMs)}  (${(firstMs / 1000).toFixed(1)} s, ${created} created)`);

    started = performance.now();
    let unchanged = 0;
    for (const part of batches) unchanged += (await put("grades", part)).unchanged;
    const againMs = performance.now() - started;
    console.log(`re-send (nothing to write): ${rate(total, againMs)}  (${(againMs / 1000).toFixed(1)} s, ${unchanged} unchanged)`);
    console.log(`re-send faster than the first load: ${againMs < firstMs ? "yes" : "NO"} (${(firstMs / againMs).toFixed(1)}x)`);
    console.log(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    reportFigures([
      { figure: `ingest ${total.toLocaleString("en")} grades: first load`, value: rate(total, firstMs), target: "—", met: null },
      { figure: `ingest ${total.toLocaleString("en")} grades: re-send faster than first load`, value: `${(firstMs / againMs).toFixed(1)}x`, target: "> 1x", met: againMs < firstMs },
    ]);
    if (created !== total || unchanged !== total || againMs >= firstMs) process.exitCode = 1;
  } finally {
    await app.close();
    await services.stop();
  }
}

runBench("bench:ingest", main);
