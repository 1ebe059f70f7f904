/**
 * The compliance report (issue 10.7) over deliveries made by the real worker against the fake Bot
 * API: a final sent within the hour, one sent 30 hours after its result, one waiting on paper, one
 * loaded without notifications and an exam nobody was told of; overdue ones first, the 24-hour share,
 * and the same report as CSV and PDF (pdftotext) and from the command line.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mongoose from "mongoose";
import { ExamResult, FinalGrade, Guardian, Period, Student } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { complianceReport } from "../../src/services/reports/compliance";
import { reportData, reportFile } from "../../src/services/reports/report-files";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { testMongoUriFor } from "../support/db";
import { testRedisUrl } from "../support/redis";
import { useNotifyHarness } from "./notify-harness";
import { publishFinal, termPeriod } from "./notify-events";
import { pdfText } from "./printouts-fixture";

const h = useNotifyHarness();
const t = createI18n("ru").getFixedT("ru");
const HOUR = 3600_000;
let fx: SchoolFixture;
let periodExternalId: string;
let n = 0;

async function family(name: string, guardian: Record<string, unknown> = {}) {
  const student = await Student.create({ schoolId: fx.school._id, externalId: `cr-s${++n}`, fullName: `${name} Ученик`, classId: fx.classIds.c7a });
  const record = await Guardian.create({ schoolId: fx.school._id, externalId: `cr-g${n}`, fullName: `${name} Родитель`, studentIds: [student._id], ...guardian });
  return { student, record };
}

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none", noQuietHours: true });
  periodExternalId = (await Period.findById(await termPeriod(fx)).lean())!.externalId;
  await h.start();
  const now = Date.now();

  const prompt = await family("Быстрова");
  await guardianAccount(fx, 991_001, prompt.record, [prompt.student]);
  const late = await family("Позднякова");
  await guardianAccount(fx, 991_002, late.record, [late.student]);
  const paper = await family("Бумажкина", { delivery: "paper", deliveryReason: "journal" });
  const finals = [
    await publishFinal(h.queues, fx, prompt.student, { value: "5", subject: "alg", resultsAt: new Date(now - HOUR) }),
    await publishFinal(h.queues, fx, late.student, { value: "4", subject: "hist", resultsAt: new Date(now - 30 * HOUR) }),
    await publishFinal(h.queues, fx, paper.student, { value: "3", subject: "phys", resultsAt: new Date(now - 2 * HOUR) }),
  ];
  await h.waitForStatus({ eventId: finals[0].eventId }, "sent");
  await h.waitForStatus({ eventId: finals[1].eventId }, "sent");
  await h.waitForStatus({ eventId: finals[2].eventId }, "pending_paper");
  await h.stopNotifier();

  // Loaded without notifications two days ago, and an exam with no event at all: nobody was told.
  const silent = await family("Тихонова");
  await FinalGrade.create({ schoolId: fx.school._id, externalId: "cr-silent", studentId: silent.student._id, subjectId: fx.subjects.rus, periodId: await termPeriod(fx), status: "final", value: "2", resultsAt: new Date(now - 48 * HOUR) });
  await ExamResult.create({ schoolId: fx.school._id, externalId: "cr-exam", studentId: silent.student._id, name: "Пробный ОГЭ по математике", date: "2026-10-20", score: 18, maxScore: 31, value: "4", resultsAt: new Date(now - 40 * HOUR) });
});

const summary = (r: Awaited<ReturnType<typeof complianceReport>>) => r.rows.map((row) => [row.student, row.what, row.state, row.recipients.map((x) => `${x.channel}:${x.status}:${x.state}`).join(",")]);

test("every final and exam of the period with how and when it reached each guardian, overdue first", async () => {
  const report = await complianceReport({ schoolId: fx.school._id, classId: fx.classIds.c7a, periodId: periodExternalId, today: "2026-10-25", now: new Date(Date.now() + HOUR) });
  expect(report.className).toBe("7А");
  expect(summary(report)).toEqual([
    ["Тихонова Ученик", "Русский язык", "none", ""],
    ["Тихонова Ученик", "Пробный ОГЭ по математике", "none", ""],
    ["Позднякова Ученик", "История", "late", "telegram:sent:late"],
    ["Бумажкина Ученик", "Физика", "waiting", "paper:pending_paper:waiting"],
    ["Быстрова Ученик", "Алгебра", "on-time", "telegram:sent:on-time"],
  ]);
  const sent = report.rows.find((r) => r.state === "on-time")!;
  expect(sent.recipients[0]).toMatchObject({ guardian: "Быстрова Родитель", person: "account" });
  expect(sent.recipients[0].reachedAt!.getTime() - sent.resultsAt.getTime()).toBeLessThan(2 * HOUR);
  expect(report.share).toMatchObject({ results: 5, onTime: 1, percent: 20, none: 2, late: 1, waiting: 1, overdue: 0 });

  // A day later the paper item, still not handed over, is overdue and comes first.
  const later = await complianceReport({ schoolId: fx.school._id, classId: fx.classIds.c7a, periodId: periodExternalId, today: "2026-10-25", now: new Date(Date.now() + 30 * HOUR) });
  expect(summary(later)[0]).toEqual(["Бумажкина Ученик", "Физика", "overdue", "paper:pending_paper:overdue"]);
});

test("as CSV and PDF: the share, the channels and the paper's state in the school's words", async () => {
  const data = await reportData({ kind: "compliance", schoolId: fx.school._id, schoolClass: { _id: fx.classIds.c7a, name: "7А" }, periodId: periodExternalId, today: "2026-10-25", now: new Date(Date.now() + 30 * HOUR) });
  const csv = await reportFile(data, "csv", t, "ru");
  expect(csv.fileName).toBe("Доведение результатов 7А 1 четверть.csv");
  const lines = csv.bytes.toString("utf8").replace(/^\uFEFF/, "").trim().split(/\r?\n/);
  expect(lines[0]).toBe("Состояние;Класс;Ученик;Предмет / экзамен;Результат;Результат получен;Родитель;Как доведено;Когда;Часов");
  expect(lines[1]).toMatch(/^просрочено;7А;Бумажкина Ученик;Физика \(итоговая\);3;[\d.: ]+;Бумажкина Родитель \(запись журнала\);на бумаге: ждёт печати;;$/);
  expect(lines.some((l) => l.startsWith("с опозданием;7А;Позднякова Ученик;История (итоговая);4;") && l.includes(";Позднякова Родитель;Telegram;"))).toBe(true);

  const pdf = await reportFile(data, "pdf", t, "ru");
  const text = pdfText(pdf.bytes).replace(/\s+/g, " ");
  expect(text).toContain("Доведение итоговых результатов до родителей");
  expect(text).toContain("Доведено в течение 24 часов: 1 из 5 (20 %)");
  expect(text).toContain("Результатов: 5. Просрочено — 1, не доводилось — 2, с опозданием — 1, в пути — 0");
  expect(text).toMatch(/Пробный ОГЭ по .*математике \(экзамен\)/);
  expect(text).toContain("не доводилось");
});

test("from the command line: the share and the table, JSON, and the whole school", async () => {
  const file = path.resolve(__dirname, "../../dist/src/cli/report.js");
  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [file, ...args], { timeout: 120_000, env: { ...process.env, MONGODB_URI: testMongoUriFor(mongoose.connection.name), REDIS_URL: testRedisUrl(), CODE_PEPPER: "test-pepper-of-the-report-cli", LOG_LEVEL: "error" } }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  const school = String(fx.school._id);
  const table = await cli(["--school", school, "compliance", "--class", "7А", "--period", periodExternalId]);
  expect(table.stderr).toBe("");
  expect(table.stdout).toContain("Доведено в течение 24 часов: 1 из 5 (20 %)");
  expect(table.stdout).toMatch(/не доводилось.*Тихонова Ученик/);

  const json = await cli(["--school", school, "compliance", "--period", periodExternalId, "--json"]);
  const parsed = JSON.parse(json.stdout) as { className: string | null; share: { results: number }; rows: Array<{ state: string }> };
  expect(parsed.className).toBeNull();
  expect(parsed.share.results).toBe(5);
  expect(parsed.rows.map((r) => r.state)).toEqual(["none", "none", "late", "waiting", "on-time"]);

  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "compliance-")), "c.pdf");
  expect((await cli(["--school", school, "compliance", "--class", "7А", "--period", periodExternalId, "--out", out])).code).toBe(0);
  expect(pdfText(fs.readFileSync(out))).toContain("Доведение итоговых результатов");
});
