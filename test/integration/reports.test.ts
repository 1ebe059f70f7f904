/**
 * The school's reports from data loaded through the exchange import: the summary sheet and the
 * curriculum statistics against numbers computed by hand, missing finals, the PDFs' own text and a
 * rendered page, the CSV files, and the command line.
 */
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { School } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { importBundle } from "../../src/services/exchange/import";
import { reportData, reportFile } from "../../src/services/reports/report-files";
import { findClassByName } from "../../src/services/schools";
import { curriculumReport } from "../../src/services/reports/curriculum";
import { missingFinalsReport } from "../../src/services/reports/missing-finals";
import { summarySheetReport } from "../../src/services/reports/summary-sheet";
import { testMongoUriFor, useTestDb } from "../support/db";
import { testRedisUrl } from "../support/redis";
import { FINALS_Q1, loadFixtureSchool, pdfText, type FixtureSchool } from "./printouts-fixture";

const db = useTestDb();
const t = createI18n("ru").getFixedT("ru");
async function withFinals(): Promise<FixtureSchool> {
  const fixture = await loadFixtureSchool();
  const school = (await School.findById(fixture.schoolId))!;
  await importBundle(school, FINALS_Q1, { notify: false });
  return fixture;
}

async function class7b(fixture: FixtureSchool) {
  return (await findClassByName(fixture.schoolId, "7 б"))!;
}

describe("summary sheet", () => {
  test("numbers of a hand-computed class", async () => {
    const fixture = await withFinals();
    const report = await summarySheetReport({ schoolId: fixture.schoolId, schoolClass: await class7b(fixture), periodId: "q1", today: "2026-11-10" });
    expect(report.subjects.map((s) => s.name)).toEqual(["Алгебра", "Английский язык", "Русский язык", "Физика"]);
    expect(report.students.map((s) => s.name)).toEqual(["Волкова Дарья Павловна", "Кузнецов Илья Андреевич", "Петров Артём Сергеевич", "Смирнова Ольга Игоревна"]);
    const bySubject = Object.fromEntries(report.sheet.subjects.map((s, i) => [report.subjects[i].name, [s.quality.percent, s.success.percent, s.average]]));
    expect(bySubject).toEqual({
      "Алгебра": [66.7, 100, 4.33], // 5, 5, 3 (+ deferred): quality 2/3, success 3/3, mean 13/3
      "Русский язык": [75, 75, 3.75], // 4, 5, 2, 4: quality 3/4, success 3/4, mean 15/4
      "Физика": [50, 75, 4.33], // 5, 5, 3 + n/a: quality 2/4, success 3/4, mean 13/3
      "Английский язык": [100, 100, 4.5], // 5, 5, 4, 4
    });
    expect(report.sheet.subjects[0].distribution).toMatchObject({ 5: 2, 3: 1, deferred: 1 });
    expect(report.sheet.students).toMatchObject({ excellent: 1, good: 1, notAttested: 1, undecided: 1, quality: { count: 2, of: 3 }, success: { count: 2, of: 3 } });
  });

  test("the PDF's text, a rendered page, and the CSV", async () => {
    const fixture = await withFinals();
    const data = await reportData({ kind: "finals", schoolId: fixture.schoolId, schoolClass: await class7b(fixture), periodId: "q1", today: "2026-11-10" });
    const pdf = await reportFile(data, "pdf", t, "ru");
    expect(pdf.fileName).toBe("Сводная ведомость 7Б 1 четверть.pdf");
    const text = pdfText(pdf.bytes).replace(/\s+/g, " ");
    for (const expected of ["Сводная ведомость итоговых оценок", "Класс 7Б · 1 четверть (01.09.2026 – 25.10.2026)", "Петров Артём Сергеевич", "Волкова Дарья Павловна", "н/а", "отср.", "66,7 %", "Качество знаний, %", "Успеваемость, %", "Волкова Д. П. — Алгебра (до 15.11.2026)", "Иванова М. П."]) {
      expect(text).toContain(expected);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sheet-"));
    try {
      fs.writeFileSync(path.join(dir, "s.pdf"), pdf.bytes);
      execFileSync("pdftoppm", ["-png", "-r", "50", "-f", "1", "-l", "1", path.join(dir, "s.pdf"), path.join(dir, "page")]);
      const png = fs.readdirSync(dir).find((f) => f.endsWith(".png"))!;
      expect(fs.readFileSync(path.join(dir, png)).subarray(1, 4).toString("latin1")).toBe("PNG");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    const csv = await reportFile(data, "csv", t, "ru");
    expect(csv.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = csv.bytes.subarray(3).toString("utf8").split("\r\n");
    expect(lines[1]).toBe("№;Фамилия, имя, отчество ученика;Алгебра;Английский язык;Русский язык;Физика");
    expect(lines.slice(2, 6)).toEqual(["1;Волкова Дарья Павловна;отср.;4;4;3", "2;Кузнецов Илья Андреевич;3;4;2;н/а", "3;Петров Артём Сергеевич;5;5;4;5", "4;Смирнова Ольга Игоревна;5;5;5;5"]);
    expect(lines).toContain(";Качество знаний, %;66,7;100;75;50");
    expect(lines).toContain(";Успеваемость, %;100;100;75;75");
  });
});

describe("curriculum statistics", () => {
  test("a hand-computed case: plan against lessons held, by kind, with the grades of held lessons", async () => {
    const fixture = await loadFixtureSchool();
    const school = (await School.findById(fixture.schoolId))!;
    const lesson = (id: string, date: string, status: string, extra: Record<string, unknown> = {}) => ({
      externalId: id, classId: "7b", subjectId: "alg", teacherId: "t1", date, start: "08:30", end: "09:15", kind: "lesson", status, ...extra,
    });
    await importBundle(school, {
      curriculum: [{ externalId: "c-alg", classId: "7b", subjectId: "alg", periodId: "q1", plannedLessons: 10 }, { externalId: "c-phys", classId: "7b", subjectId: "phys", periodId: "q1", plannedLessons: 4 }],
      lessons: [
        lesson("m1", "2026-09-01", "held"),
        lesson("m2", "2026-09-03", "held", { kind: "test" }),
        lesson("m3", "2026-09-08", "substituted", { substituteTeacherId: "t2" }),
        lesson("m4", "2026-09-15", "cancelled"),
        lesson("m5", "2026-09-17", "planned"),
        lesson("m6", "2026-09-24", "planned"),
      ],
      grades: [
        { externalId: "q-1", studentId: "s1", subjectId: "alg", date: "2026-09-03", value: "5", weight: 3, workType: "контрольная работа", lessonId: "m2" },
        { externalId: "q-2", studentId: "s2", subjectId: "alg", date: "2026-09-03", value: "3", weight: 3, workType: "контрольная работа", lessonId: "m2" },
        { externalId: "q-3", studentId: "s3", subjectId: "alg", date: "2026-09-15", value: "2", weight: 1, workType: "ответ на уроке", lessonId: "m4" },
      ],
    }, { notify: false });
    // q1: 39 school days (1 Sep – 23 Oct); 14 of them before Monday 21 Sep. Fixture grades of 7, 14,
    // 15, 16 Sep have no lesson and no held algebra lesson that day: not counted.
    const report = await curriculumReport({ schoolId: fixture.schoolId, schoolClass: await class7b(fixture), periodId: "q1", today: "2026-09-21" });
    expect([report.schoolDays, report.elapsedDays]).toEqual([39, 14]);
    const alg = report.rows.find((r) => r.subject === "Алгебра")!;
    // The fixture's l1 (22 Sep, substitution announced) is still to come: remaining 2 (l1, m6).
    expect(alg).toMatchObject({ planned: 10, expected: 3, held: 3, substituted: 1, cancelled: 1, moved: 0, unmarked: 1, remaining: 2, behindBy: 0, heldByKind: { lesson: 2, test: 1 } });
    expect(alg.grades).toMatchObject({ count: 2, average: 4, distribution: { 5: 1, 3: 1, 2: 0 }, quality: { count: 1, of: 2 } });
    const phys = report.rows.find((r) => r.subject === "Физика")!;
    expect(phys).toMatchObject({ planned: 4, expected: 1, held: 0, cancelled: 1, behindBy: 1 }); // floor(4 · 14 / 39) = 1
    expect(report.rows.find((r) => r.subject === "Русский язык")).toMatchObject({ planned: null, behindBy: 0 });

    const file = await reportFile({ kind: "curriculum", report }, "pdf", t, "ru");
    const text = pdfText(file.bytes).replace(/\s+/g, " ");
    for (const expected of ["Выполнение учебного плана", "Класс 7Б · 1 четверть", "прошло 14 из 39", "отстаёт на 1 урок", "Проведённые уроки по видам", "контрольная", "Оценки на проведённых уроках"]) expect(text).toContain(expected);
    const csv = (await reportFile({ kind: "curriculum", report }, "csv", t, "ru")).bytes.toString("utf8");
    expect(csv).toContain("Алгебра;;10;3;3;1;1;0;1;2;30;0;2;1;1;0;1;0;0;0;0;2;4;50");

    // The same school on a six-day week: the eight Saturdays of q1 (1 Sep – 25 Oct) are school days, three of them before 21 Sep.
    await School.updateOne({ _id: fixture.schoolId }, { $set: { "settings.sixDayWeek": true } });
    const six = await curriculumReport({ schoolId: fixture.schoolId, schoolClass: await class7b(fixture), periodId: "q1", today: "2026-09-21" });
    expect([six.schoolDays, six.elapsedDays]).toEqual([47, 17]);
    expect(six.rows.find((r) => r.subject === "Алгебра")).toMatchObject({ expected: 3 }); // floor(10 · 17 / 47) = floor(3.62)
    expect(pdfText((await reportFile({ kind: "curriculum", report: six }, "pdf", t, "ru")).bytes).replace(/\s+/g, " ")).toContain("прошло 17 из 47");
  });
});

describe("missing finals", () => {
  test("a student without a final, an expired deferral; the current period only when asked", async () => {
    const fixture = await withFinals();
    const school = (await School.findById(fixture.schoolId))!;
    await importBundle(school, { lessons: [{ externalId: "a-l1", classId: "7a", subjectId: "eng", teacherId: "t3", date: "2026-09-02", start: "08:30", end: "09:15", kind: "lesson", status: "held" }] }, { notify: false });
    const report = await missingFinalsReport({ schoolId: fixture.schoolId, today: "2026-11-20" });
    expect(report.periods.map((p) => p.externalId)).toEqual(["q1"]);
    expect(report.rows.map((r) => [r.className, r.student, r.subject, r.problem, r.deferredUntil ?? ""])).toEqual([
      ["7А", "Зайцев Никита Олегович", "Английский язык", "missing", ""], // 7А has no curriculum: the subjects of its lessons
      ["7Б", "Волкова Дарья Павловна", "Алгебра", "deferral-expired", "2026-11-15"],
    ]);
    const only7b = await missingFinalsReport({ schoolId: fixture.schoolId, classId: (await class7b(fixture))._id, today: "2026-11-10" });
    expect(only7b.rows).toEqual([]); // the deferral runs until 15 Nov
    const current = await missingFinalsReport({ schoolId: fixture.schoolId, classId: (await class7b(fixture))._id, periodId: "q2", today: "2026-11-10" });
    expect(current.rows).toEqual([]); // no curriculum and no lessons in q2 yet
    const text = pdfText((await reportFile({ kind: "missing", report }, "pdf", t, "ru")).bytes).replace(/\s+/g, " ");
    expect(text).toContain("Недостающие итоговые оценки");
    expect(text).toContain("отсрочка до 15.11.2026 истекла");
  });
});

describe("the report command line", () => {
  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const file = path.resolve(__dirname, "../../dist/src/cli/report.js");
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build first (npm test does)`);
    const { BOT_TOKEN: _unused, ...env } = process.env;
    return new Promise((resolve) => {
      execFile(process.execPath, [file, ...args], { timeout: 120_000, env: { ...env, MONGODB_URI: testMongoUriFor(db.dbName), REDIS_URL: testRedisUrl(), CODE_PEPPER: "test-pepper-of-the-report-cli", LOG_LEVEL: "error" } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  test("finals as JSON and as a CSV file; one clear line on a mistake", async () => {
    const fixture = await withFinals();
    const schoolId = fixture.schoolId.toHexString();
    const run = await cli(["--school", schoolId, "finals", "--class", "7Б", "--period", "q1", "--today", "2026-11-10", "--json"]);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.totals.quality).toEqual({ count: 2, of: 3, percent: 66.7 });
    expect(json.students[1]).toEqual({ name: "Кузнецов Илья Андреевич", marks: { "Алгебра": { kind: "grade", value: 3 }, "Английский язык": { kind: "grade", value: 4 }, "Русский язык": { kind: "grade", value: 2 }, "Физика": { kind: "not_attested" } } });

    const table = await cli(["--school", schoolId, "curriculum", "--class", "7Б", "--period", "q1", "--today", "2026-09-21"]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^subject\s+group\s+planned\s+expected\s+held/);

    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "report-cli-")), "sheet.csv");
    const written = await cli(["--school", schoolId, "finals", "--class", "7Б", "--period", "q1", "--today", "2026-11-10", "--out", out, "--json"]);
    expect(JSON.parse(written.stdout)).toMatchObject({ file: out, format: "csv" });
    expect(fs.readFileSync(out, "utf8")).toContain("Петров Артём Сергеевич;5;5;4;5");

    const wrongPeriod = await cli(["--school", schoolId, "finals", "--class", "7Б", "--period", "q9"]);
    expect(wrongPeriod.code).toBe(1);
    expect(wrongPeriod.stderr.trim()).toBe('unknown period "q9"; the periods are: q1, q2');
    const noClass = await cli(["--school", schoolId, "finals"]);
    expect(noClass.code).toBe(2);
    expect(noClass.stderr.split("\n")[0]).toBe("--class is required for finals");
  });
});
