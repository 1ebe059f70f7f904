/**
 * `npm run bench:print [-- --students 1000 --paper 0.1 --examples docs/examples]`: time and peak
 * memory to build the weekly printouts of a school with a year of data (40 classes of 25, their
 * timetable from September to the week after "today", grades, homework, tests, finals of three
 * quarters), run as the worker's job on Friday 21 May 2027, 12:00 Moscow. Telegram is replaced by
 * a sink that only counts bytes, so the figures are ours. MongoDB and Redis start as in the tests.
 * With --examples it also renders one page of each document (PNG) into that folder; --batch N reads
 * classes together up to N paper slips (default: the job's PRINTOUT_BATCH_SLIPS).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import mongoose, { Types, type Model } from "mongoose";
import pino from "pino";
import { allModels, Assessment, Curriculum, Delivery, FinalGrade, Grade, Guardian, Holiday, Homework, Lesson, Period, School, SchoolClass, Student, Subject, Teacher, Account } from "../src/db/models";
import { HOLIDAYS, QUARTERS, SLOTS, SUBJECTS, WEEKLY_HOURS, days, isSchoolDay } from "../src/cli/demo-calendar";
import { adult, child, family, fatherName, pick, random } from "../src/cli/demo-names";
import { addDays, zonedInstant } from "../src/domain/time";
import { createI18n } from "../src/i18n";
import { processPrintoutJob, type PrintoutJobDeps } from "../src/queue/printouts";
import { buildClassPrintout } from "../src/services/printouts";
import { PRINTOUT_BATCH_SLIPS } from "../src/services/printout-build";
import { renderPrintout, type PrintoutView } from "../src/print/printout";
import { reportData, reportFile } from "../src/services/reports/report-files";
import { countCommands } from "../src/db/command-count";
import { startTestMongo } from "../test/support/services";
import { stopAfter } from "./lib/bench-env";
import { reportFigures } from "./lib/figures";

const TODAY = "2027-05-21";
const RUN_AT = zonedInstant(TODAY, "12:00", "Europe/Moscow");
const LIMIT_MS = 30 * 60_000;
const REASONS = ["declined", "withdrawn", "paper-refusal", "blocked", "chosen", "journal"] as const;
const NO_HOMEWORK = new Set(["pe", "music", "art", "tech", "obzr"]);

function arg(name: string, fallback: number): number {
  const i = process.argv.lastIndexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}
const option = (name: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : undefined);

/** Plans per year of study: the demo school's, for the years it does not list the nearest below. */
const hoursOf = (grade: number) => WEEKLY_HOURS[[11, 9, 7, 5, 1].find((g) => g <= grade)!];

type Doc = Record<string, unknown> & { _id: Types.ObjectId };
const docs = new Map<Model<any>, Doc[]>(); // eslint-disable-line @typescript-eslint/no-explicit-any
function add(model: Model<any>, fields: Record<string, unknown>): Types.ObjectId { // eslint-disable-line @typescript-eslint/no-explicit-any
  const doc = { _id: new Types.ObjectId(), createdAt: RUN_AT, updatedAt: RUN_AT, ...fields };
  // Pushed in place: copying the list for every document made the fixture quadratic (minutes for a year of 1,000 students).
  const list = docs.get(model);
  if (list) list.push(doc);
  else docs.set(model, [doc]);
  return doc._id;
}

/** A year of a school, written straight into the collections (the import's speed is bench:ingest's business). */
function generateSchool(schoolId: Types.ObjectId, students: number, paperShare: number): { homerooms: Types.ObjectId[] } {
  const rnd = random(20270521);
  const subjects = new Map(Object.entries(SUBJECTS).map(([id, name]) => [id, add(Subject, { schoolId, externalId: id, name })]));
  const periods = QUARTERS.map((q) => ({ ...q, _id: add(Period, { schoolId, ...q, kind: "quarter" }) }));
  add(Period, { schoolId, externalId: "y", name: "2026/27 учебный год", kind: "year", start: QUARTERS[0].start, end: QUARTERS[3].end });
  for (const h of HOLIDAYS.filter((x) => !x.classIds)) add(Holiday, { schoolId, ...h, classIds: [] });
  const classCount = Math.ceil(students / 25);
  const homerooms: Types.ObjectId[] = [];
  let studentNo = 0;
  for (let c = 0; c < classCount; c++) {
    const grade = (c % 11) + 1;
    const name = `${grade}${"АБВГД"[Math.floor(c / 11)]}`;
    const teacherId = add(Teacher, { schoolId, externalId: `t${c}`, fullName: adult(rnd, rnd() < 0.8 ? "f" : "m").fullName, subjectIds: [] });
    homerooms.push(teacherId);
    const classId = add(SchoolClass, { schoolId, externalId: `c${c}`, name, grade, homeroomTeacherId: teacherId });
    const kids: Array<{ id: Types.ObjectId; level: number }> = [];
    for (let i = 0; i < 25 && studentNo < students; i++, studentNo++) {
      const home = family(rnd);
      const id = add(Student, { schoolId, externalId: `s${studentNo}`, fullName: child(rnd, home.surname, home.father, rnd() < 0.5 ? "m" : "f").fullName, classId, groupIds: [], individualPlan: false, individualTeacherIds: [] });
      kids.push({ id, level: 2.8 + rnd() * 2.3 });
      for (const [k, parent] of [adult(rnd, "f", home.surname).fullName, ...(rnd() < 0.5 ? [fatherName(home.surname, home.father, rnd)] : [])].entries()) {
        const paper = rnd() < paperShare;
        const guardianId = add(Guardian, { schoolId, externalId: `g${studentNo}-${k}`, fullName: parent, studentIds: [id], contacts: [], delivery: paper ? "paper" : "electronic", ...(paper ? { deliveryReason: pick(rnd, REASONS) } : {}), channelOrder: ["telegram", "email", "paper"], notify: {} });
        if (paper && rnd() < 0.3) add(Delivery, { schoolId, idempotencyKey: `bench/${guardianId}`, kind: "broadcast", channel: "paper", status: "pending_paper", recipient: { guardianId, studentId: id }, attempts: 0, queuedAt: RUN_AT });
      }
    }
    // The week: each subject's hours spread over Monday..Friday.
    const week: string[][] = [[], [], [], [], []];
    let slot = 0;
    for (const [subject, hours] of Object.entries(hoursOf(grade)).sort((a, b) => b[1] - a[1])) for (let h = 0; h < hours; h++) week[slot++ % 5].push(subject);
    const lessonDays = days(QUARTERS[0].start, addDays(TODAY, 14)).filter((d) => isSchoolDay(d, "any"));
    const plan = new Map<string, number>();
    const mark = (level: number) => String(Math.min(5, Math.max(2, Math.round(level + (rnd() - 0.5) * 2))));
    for (const day of lessonDays) {
      const quarter = periods.find((q) => q.start <= day && day <= q.end);
      week[new Date(`${day}T12:00:00Z`).getUTCDay() - 1].forEach((subject, n) => {
        if (quarter) plan.set(`${subject}|${quarter.externalId}`, (plan.get(`${subject}|${quarter.externalId}`) ?? 0) + 1);
        const r = rnd();
        const status = r < 0.02 ? "cancelled" : r < 0.04 ? "substituted" : day < TODAY ? "held" : "planned";
        const lessonId = add(Lesson, { schoolId, externalId: `l${c}-${day}-${n}`, classId, subjectId: subjects.get(subject), teacherId, date: day, start: SLOTS[n][0], end: SLOTS[n][1], kind: rnd() < 0.05 ? "test" : "lesson", status, ...(status === "substituted" ? { substituteTeacherId: homerooms[0] } : {}) });
        if (grade > 1 && status !== "cancelled" && day < TODAY) {
          for (const kid of kids) if (rnd() < 0.25) add(Grade, { schoolId, externalId: `gr-${kid.id}-${day}-${n}`, studentId: kid.id, subjectId: subjects.get(subject), date: day, value: mark(kid.level), weight: rnd() < 0.2 ? 3 : 1, workType: "ответ на уроке", lessonId });
        }
        if (grade > 1 && !NO_HOMEWORK.has(subject) && status !== "cancelled") add(Homework, { schoolId, externalId: `h-${lessonId}`, classId, subjectId: subjects.get(subject), assignedOn: day, dueOn: addDays(day, 2 + Math.floor(rnd() * 5)), text: `§ ${1 + Math.floor(rnd() * 40)}, упражнения ${1 + Math.floor(rnd() * 300)}`, links: [] });
        if (grade > 1 && rnd() < 0.02) add(Assessment, { schoolId, externalId: `a-${lessonId}`, classId, subjectId: subjects.get(subject), date: day, kind: "control", topic: "Контрольная работа" });
      });
    }
    for (const [key, planned] of plan) {
      const [subject, quarter] = key.split("|");
      add(Curriculum, { schoolId, externalId: `cur-${c}-${key}`, classId, subjectId: subjects.get(subject), periodId: periods.find((q) => q.externalId === quarter)!._id, plannedLessons: planned });
    }
    if (grade > 1) {
      for (const q of periods.slice(0, 3)) for (const kid of kids) for (const subject of Object.keys(hoursOf(grade))) {
        const deferred = rnd() < 0.003;
        add(FinalGrade, { schoolId, externalId: `f-${kid.id}-${subject}-${q.externalId}`, studentId: kid.id, subjectId: subjects.get(subject), periodId: q._id, resultsAt: zonedInstant(q.end, "15:00", "Europe/Moscow"), ...(deferred ? { status: "deferred", deferredUntil: addDays(q.end, 20) } : { status: "final", value: mark(kid.level) }) });
      }
    }
  }
  return { homerooms };
}

const pages = (pdf: Buffer) => (pdf.toString("latin1").match(/\/Type \/Page\b(?!s)/g) ?? []).length;
const mb = (bytes: number) => (bytes < 10 * 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024 / 1024)} MB`);

/** The parent loads the data; a fresh child process runs the job, so its peak memory is the job's alone. */
async function main(): Promise<void> {
  const students = arg("students", 1000);
  const paperShare = arg("paper", 0.1);
  stopAfter("bench:print", LIMIT_MS);
  const mongo = await startTestMongo();
  console.log(`MongoDB: ${mongo.description}`);
  if (mongo.description.includes("stand-in")) console.log("note: the stand-in scans whole collections for every query; with MONGODB_URI (TEST_MONGO=uri) the query share shrinks to what the indexes cost");
  const dbName = `bench_${randomBytes(4).toString("hex")}`;
  await mongoose.connect(mongo.uri, { dbName });
  await Promise.all(allModels.map((model) => model.init()));
  try {
    const school = await School.create({ name: "ГБОУ Школа № 1234", timezone: "Europe/Moscow" });
    let fixtureSeconds = 0;
    const started = performance.now();
    const { homerooms } = generateSchool(school._id, students, paperShare);
    for (const [model, list] of docs) for (let i = 0; i < list.length; i += 5000) await model.collection.insertMany(list.slice(i, i + 5000), { ordered: false });
    for (const [n, teacherId] of homerooms.entries()) await Account.create({ telegramId: 9_000_000 + n, chatId: 9_000_000 + n, roles: [{ role: "teacher", schoolId: school._id, teacherId }] });
    fixtureSeconds = (performance.now() - started) / 1000;
    console.log(`a year of data for ${students} students (built and bulk-inserted in ${fixtureSeconds.toFixed(1)} s, apart from the job): ${[...docs].map(([model, list]) => `${model.modelName} ${list.length.toLocaleString("en")}`).join(", ")}`);
    docs.clear();
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, "--measure", school._id.toHexString(), ...process.argv.slice(2)], {
      stdio: "inherit",
      env: { ...process.env, BENCH_MONGO_URI: mongo.uri, BENCH_DB: dbName, BENCH_FIXTURE_SECONDS: fixtureSeconds.toFixed(1) },
    });
    if (child.status !== 0) process.exitCode = 1;
  } finally {
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
    await mongo.stop();
  }
}

/** The worker's job on Friday 12:00, measured; then rendering alone on a sample of the classes. */
async function measure(schoolId: Types.ObjectId): Promise<void> {
  await mongoose.connect(process.env.BENCH_MONGO_URI!, { dbName: process.env.BENCH_DB, monitorCommands: true });
  const i18n = createI18n("ru");
  const sent = { documents: 0, bytes: 0, pages: 0 };
  // Telegram's place: counts what would be sent (the fake Bot API would add its own memory to ours).
  const api: PrintoutJobDeps["api"] = {
    sendDocument: async (_chat, file) => {
      const pdf = (file as unknown as { fileData: Buffer }).fileData; // grammY keeps the bytes it would upload here
      Object.assign(sent, { documents: sent.documents + 1, bytes: sent.bytes + pdf.length, pages: sent.pages + pages(pdf) });
      return {} as never;
    },
    sendMessage: async () => ({}) as never,
  };
  let peakHeap = 0;
  let peakRss = 0;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakHeap = Math.max(peakHeap, now.heapUsed);
    peakRss = Math.max(peakRss, now.rss);
  }, 10);
  await Promise.all(allModels.map((model) => model.init())); // the models' own collection and index checks, not the job's commands
  const commands = countCommands();
  let started = performance.now();
  const result = await processPrintoutJob({ data: { schoolId: schoolId.toHexString() }, opts: { prevMillis: RUN_AT.getTime() }, timestamp: RUN_AT.getTime() }, { api, i18n, logger: pino({ level: "silent" }), now: () => RUN_AT, batchSlips: option("batch") ? arg("batch", PRINTOUT_BATCH_SLIPS) : undefined });
  const jobMs = performance.now() - started;
  const commandCount = commands.total();
  const byName = commands.byName();
  commands.stop();
  clearInterval(sampler);
  console.log(`weekly job: ${result.classes} classes (read together up to ${arg("batch", PRINTOUT_BATCH_SLIPS)} slips), ${result.slips} slips, ${sent.pages} pages, ${mb(sent.bytes)} of PDF in ${(jobMs / 1000).toFixed(1)} s (${(jobMs / Math.max(1, result.classes)).toFixed(0)} ms a class)`);
  console.log(`database commands of the job: ${commandCount} (${(commandCount / Math.max(1, result.classes)).toFixed(1)} a class; ${Object.entries(byName).map(([k, v]) => `${k} ${v}`).join(", ")}): on the stand-in each one scans its whole collection, so the job's time there is mostly these scans`);
  console.log(`peak memory during the job: JS heap ${mb(peakHeap)}, RSS ${mb(peakRss)} (the process's lifetime peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB)`);
  const students = arg("students", 1000).toLocaleString("en");
  const rssMb = Math.round(peakRss / 1024 / 1024);
  reportFigures([
    { figure: `printouts ${students} students: fixture (bulk insert)`, value: `${process.env.BENCH_FIXTURE_SECONDS ?? "?"} s`, target: "—", met: null },
    { figure: `printouts ${students} students: job time`, value: `${(jobMs / 1000).toFixed(1)} s`, target: "<= 60 s", met: jobMs <= 60_000 },
    { figure: `printouts ${students} students: peak RSS of the job`, value: `${rssMb} MB`, target: "<= 400 MB", met: rssMb <= 400 },
    { figure: `printouts ${students} students: db commands of the job`, value: `${commandCount} (${(commandCount / Math.max(1, result.classes)).toFixed(0)} a class)`, target: "—", met: null },
  ]);

  // Rendering alone: the views of a sample of classes rebuilt, then rendered without the database.
  const views: PrintoutView[] = [];
  for (const c of (await SchoolClass.find({ schoolId }).sort({ name: 1 }).lean()).slice(0, 8)) {
    const built = await buildClassPrintout({ schoolId, classId: c._id, now: RUN_AT, runAt: RUN_AT, t: i18n.getFixedT("ru"), lang: "ru" });
    if (built) views.push(built.view);
  }
  let samplePages = 0;
  started = performance.now();
  for (const view of views) samplePages += pages(await renderPrintout(view, i18n.getFixedT("ru"), "ru"));
  const renderMs = performance.now() - started;
  console.log(`PDF rendering alone (${views.length} classes, ${samplePages} pages): ${(renderMs / Math.max(1, samplePages)).toFixed(1)} ms a page; the rest of the job is queries and bookkeeping`);
  const examples = option("examples");
  if (examples) await writeExamples(examples, schoolId, i18n);
  await mongoose.disconnect();
}

/** One page of each document as the school gets it, for docs/printouts.md. */
async function writeExamples(dir: string, schoolId: Types.ObjectId, i18n: ReturnType<typeof createI18n>): Promise<void> {
  const t = i18n.getFixedT("ru");
  const schoolClass = (await SchoolClass.findOne({ schoolId, name: "7Б" }).lean()) ?? (await SchoolClass.findOne({ schoolId, grade: 7 }).lean())!;
  const built = (await buildClassPrintout({ schoolId, classId: schoolClass._id, now: RUN_AT, runAt: RUN_AT, t, lang: "ru" }))!;
  const sheet = await reportFile(await reportData({ kind: "finals", schoolId, schoolClass, periodId: "q3", today: TODAY }), "pdf", t, "ru");
  const plan = await reportFile(await reportData({ kind: "curriculum", schoolId, schoolClass, periodId: "q4", today: TODAY }), "pdf", t, "ru");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "examples-"));
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, pdf, page] of [["weekly-printout", built.pdf, 2], ["handover-list", built.pdf, 1], ["summary-sheet", sheet.bytes, 1], ["curriculum-statistics", plan.bytes, 1]] as const) {
    fs.writeFileSync(path.join(tmp, "doc.pdf"), pdf);
    execFileSync("pdftoppm", ["-png", "-r", "70", "-f", String(page), "-l", String(page), "-singlefile", path.join(tmp, "doc.pdf"), path.join(dir, name)]);
    console.log(`example: ${path.join(dir, `${name}.png`)}`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

const measuring = option("measure");
(measuring ? measure(new Types.ObjectId(measuring)) : main()).catch((error) => {
  console.error(`bench:print: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
