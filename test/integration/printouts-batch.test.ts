/**
 * The weekly job reads a school in batches of classes (src/services/printout-build.ts): its database
 * commands do not grow per class beyond the sends (counted with the driver's command monitoring, as
 * the views' test does), and a class built in a batch gets exactly the view it gets built alone —
 * its own homework, changes, recommendations, results since its own previous printout, and its own
 * pending items — nothing of the other classes.
 */
import pino from "pino";
import type { Types } from "mongoose";
import { useTestDb } from "../support/db";
import { countCommands } from "../../src/db/command-count";
import { Account, Delivery, FinalGrade, Grade, Guardian, Homework, Lesson, Period, Printout, Recommendation, School, SchoolClass, Student, Subject, Teacher } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { processPrintoutJob, type PrintoutJobDeps } from "../../src/queue/printouts";
import { buildClassPrintout, buildClassPrintouts } from "../../src/services/printouts";
import type { PrintoutView } from "../../src/print/printout";

useTestDb();
const i18n = createI18n("ru");
const t = i18n.getFixedT("ru");
/** Friday 21 May 2027, 12:00 in Moscow: the week of 17–21 May, the coming week 24–30 May. */
const NOW = new Date("2027-05-21T09:00:00Z");

let telegramId = 5_000_000;

/** A school of `count` classes; in each a family on paper, and an electronic family with a broadcast that fell back to paper. */
async function school(count: number) {
  const school = await School.create({ name: `Школа ${count}`, timezone: "Europe/Moscow" });
  const schoolId = school._id;
  const subject = await Subject.create({ schoolId, externalId: "alg", name: "Алгебра" });
  await Period.create({ schoolId, externalId: "q4", name: "4 четверть", kind: "quarter", start: "2027-03-29", end: "2027-05-31" });
  const classIds: Types.ObjectId[] = [];
  for (let c = 0; c < count; c++) {
    const name = `${5 + c}А`;
    const teacher = await Teacher.create({ schoolId, externalId: `t${c}`, fullName: `Учитель ${name}` });
    const schoolClass = await SchoolClass.create({ schoolId, externalId: `c${c}`, name, grade: 5 + c, homeroomTeacherId: teacher._id });
    classIds.push(schoolClass._id);
    await Account.create({ telegramId: ++telegramId, chatId: telegramId, roles: [{ role: "teacher", schoolId, teacherId: teacher._id }] });
    const [paper, online] = await Student.create([
      { schoolId, externalId: `s${c}a`, fullName: `Ученик А ${name}`, classId: schoolClass._id },
      { schoolId, externalId: `s${c}b`, fullName: `Ученик Б ${name}`, classId: schoolClass._id },
    ]);
    await Guardian.create({ schoolId, externalId: `g${c}a`, fullName: `Родитель А ${name}`, studentIds: [paper._id], delivery: "paper", deliveryReason: "chosen" });
    const electronic = await Guardian.create({ schoolId, externalId: `g${c}b`, fullName: `Родитель Б ${name}`, studentIds: [online._id] });
    await Delivery.create({
      schoolId, idempotencyKey: `fallback/${String(electronic._id)}`, kind: "broadcast", channel: "paper", status: "pending_paper",
      recipient: { guardianId: electronic._id, studentId: online._id }, attempts: 0, queuedAt: NOW, notice: { text: `Собрание ${name}` },
    });
    for (const [n, student] of [paper, online].entries()) {
      await Grade.create({ schoolId, externalId: `gr${c}-${n}-week`, studentId: student._id, subjectId: subject._id, date: "2027-05-18", value: (["3", "4", "5"] as const)[(c + n) % 3], weight: 1, workType: "ответ на уроке" });
      await Grade.create({ schoolId, externalId: `gr${c}-${n}-april`, studentId: student._id, subjectId: subject._id, date: "2027-04-14", value: "4", weight: 3, workType: "контрольная работа" });
      await FinalGrade.create({ schoolId, externalId: `f${c}-${n}`, studentId: student._id, subjectId: subject._id, periodId: (await Period.findOne({ schoolId }).lean())!._id, status: "final", value: "5", resultsAt: new Date("2027-05-12T12:00:00Z") });
    }
    await Homework.create({ schoolId, externalId: `h${c}`, classId: schoolClass._id, subjectId: subject._id, assignedOn: "2027-05-21", dueOn: "2027-05-25", text: `Задание ${name}` });
    await Lesson.create({ schoolId, externalId: `l${c}`, classId: schoolClass._id, subjectId: subject._id, teacherId: teacher._id, date: "2027-05-26", start: "08:30", end: "09:15", kind: "lesson", status: "cancelled" });
    const at = new Date("2027-05-19T10:00:00Z"); // this week, by the school's clock (the machine's is another)
    const author = (await Account.findOne({ "roles.teacherId": teacher._id }).lean())!._id;
    await Recommendation.create([{ schoolId, teacherId: teacher._id, authorAccountId: author, classId: schoolClass._id, subjectId: subject._id, text: `Совет ${name}`, createdAt: at, updatedAt: at }], { timestamps: false });
    // Every other class had a printout two weeks ago, before the finals of 12 May: for it they are new.
    if (c % 2 === 0) await Printout.create({ schoolId, classId: schoolClass._id, weekStart: "2027-05-03", producedAt: new Date("2027-05-07T09:00:00Z"), slips: [] });
  }
  return { schoolId, classIds };
}

const sent: Array<{ chat: number | string }> = [];
const api: PrintoutJobDeps["api"] = {
  sendDocument: async (chat) => {
    sent.push({ chat });
    return {} as never;
  },
  sendMessage: async () => ({}) as never,
};
const run = (schoolId: Types.ObjectId) =>
  processPrintoutJob({ data: { schoolId: schoolId.toHexString() }, opts: { prevMillis: NOW.getTime() }, timestamp: NOW.getTime() }, { api, i18n, logger: pino({ level: "silent" }), now: () => NOW });

async function counted<T>(work: () => Promise<T>): Promise<{ result: T; total: number; byName: Record<string, number> }> {
  const counter = countCommands();
  try {
    const result = await work();
    return { result, total: counter.total(), byName: counter.byName() };
  } finally {
    counter.stop();
  }
}

test("the weekly job's database commands do not grow per class beyond the sends (3 classes vs 6)", async () => {
  const three = await school(3);
  const six = await school(6);
  const small = await counted(() => run(three.schoolId));
  const large = await counted(() => run(six.schoolId));
  expect(small.result).toEqual({ classes: 3, slips: 6, sent: 3, failed: 0 });
  expect(large.result).toEqual({ classes: 6, slips: 12, sent: 6, failed: 0 });
  // A send to one teacher account: its accounts (1), the Delivery's upsert (1) and its `sent` (1).
  const SENDS_PER_CLASS = 3;
  expect(large.total - small.total).toBeLessThanOrEqual(3 * SENDS_PER_CLASS);
  // Reading and recording the printouts costs the same for 3 and 6 classes: everything else is a constant.
  expect(small.total - 3 * SENDS_PER_CLASS).toBeLessThanOrEqual(40);
  // Every fallen-back broadcast was claimed by its class's printout.
  expect(await Delivery.countDocuments({ kind: "broadcast", status: "printed" })).toBe(9);
}, 60_000);

test("a class built in a batch gets the view it gets built alone, and nothing of the other classes", async () => {
  const { schoolId, classIds } = await school(4);
  const batched = new Map<string, PrintoutView>();
  for await (const { schoolClass, printout } of buildClassPrintouts({ schoolId, classIds, now: NOW, t, lang: "ru", batchSlips: 6 })) batched.set(String(schoolClass._id), printout.view);
  expect(batched.size).toBe(4);
  for (const [c, classId] of classIds.entries()) {
    const alone = (await buildClassPrintout({ schoolId, classId, now: NOW, t, lang: "ru" }))!;
    const view = batched.get(String(classId))!;
    // The rebuild finds the fallen-back item already claimed, so that family's reason is no longer "fallback" (as any reprint).
    const reasonless = (v: PrintoutView) => ({ ...v, slips: v.slips.map((s) => ({ ...s, deliveryReason: null })) });
    expect(reasonless(view)).toEqual(reasonless(alone.view));
    const name = `${5 + c}А`;
    expect(view.className).toBe(name);
    expect(view.homeroomTeacher).toBe(`Учитель ${name}`);
    expect(view.slips.map((s) => [s.studentName, s.guardianName, s.deliveryReason])).toEqual([
      [`Ученик А ${name}`, `Родитель А ${name}`, "chosen"],
      [`Ученик Б ${name}`, `Родитель Б ${name}`, "fallback"],
    ]);
    for (const slip of view.slips) {
      expect(slip.homework.map((h) => h.text)).toEqual([`Задание ${name}`]);
      expect(slip.changes.map((l) => [l.date, l.status])).toEqual([["2027-05-26", "cancelled"]]);
      expect(slip.recommendations.map((r) => r.text)).toEqual([`Совет ${name}`]);
      expect(slip.subjects.map((s) => s.week.map((g) => g.date))).toEqual([["2027-05-18"]]);
      // The finals of 12 May: new since the printout of 7 May; without one, only this week's results are.
      expect(slip.results.length).toBe(c % 2 === 0 ? 1 : 0);
    }
    expect(view.slips[0].messages).toEqual([]);
    expect(view.slips[1].messages.map((m) => m.text)).toEqual([`Собрание ${name}`]);
  }
}, 60_000);

test.each([250, 1])("an item about no child goes with the guardian's slip in the first class, whose printout claims it (batches of %i slips)", async (batchSlips) => {
  const { schoolId, classIds } = await school(2);
  // Children in 5А and 6А; the record lists the 6А child first, so an item about no child belongs to it...
  const [older, younger] = await Student.create([
    { schoolId, externalId: `x1-${batchSlips}`, fullName: "Старший Брат", classId: classIds[1] },
    { schoolId, externalId: `x2-${batchSlips}`, fullName: "Младший Брат", classId: classIds[0] },
  ]);
  const guardian = await Guardian.create({ schoolId, externalId: `gx-${batchSlips}`, fullName: "Родитель Братьев", studentIds: [older._id, younger._id] });
  const item = (key: string, text: string, studentId?: Types.ObjectId) =>
    Delivery.create({ schoolId, idempotencyKey: `${key}/${batchSlips}`, kind: "broadcast", channel: "paper", status: "pending_paper", recipient: { guardianId: guardian._id, ...(studentId ? { studentId } : {}) }, attempts: 0, queuedAt: NOW, notice: { text } });
  await item("x-child", "О младшем", younger._id);
  await item("x-school", "Для всей школы");
  // ...but 5А, built first, has a slip of the guardian (the item about its child), and that slip takes it.
  const views = new Map<string, PrintoutView>();
  for await (const { schoolClass, printout } of buildClassPrintouts({ schoolId, classIds, now: NOW, t, lang: "ru", batchSlips })) views.set(schoolClass.name, printout.view);
  const slipsOf = (name: string) => views.get(name)!.slips.filter((s) => s.guardianName === "Родитель Братьев");
  expect(slipsOf("5А").map((s) => [s.studentName, s.messages.map((m) => m.text)])).toEqual([["Младший Брат", ["О младшем", "Для всей школы"]]]);
  expect(slipsOf("6А")).toEqual([]);
  expect(await Delivery.countDocuments({ "recipient.guardianId": guardian._id, status: "printed", kind: "broadcast" })).toBe(2);
}, 60_000);
