/**
 * Weekly printouts against a school loaded through the exchange import: who gets a slip (every way
 * into paper delivery, through the services that take it), what a slip says (the PDF's own text),
 * pending paper items that must never be lost, rebuilding, and the hand-over.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Types } from "mongoose";
import { useTestDb } from "../support/db";
import { Delivery, DomainEvent, FinalGrade, Grade, Guardian, GuardianLink, Period, Printout, Recommendation, School, Student, Account } from "../../src/db/models";
import { createI18n } from "../../src/i18n";
import { importBatch } from "../../src/services/exchange/import";
import { consentSchool, recordTelegramDecision } from "../../src/services/consent";
import { withdrawConsent } from "../../src/services/privacy";
import { registerPaperDecision } from "../../src/services/paper-consent";
import { familiesOf } from "../../src/services/people";
import { buildClassPrintout, classesWithPaperGuardians, paperSlipsOfClass, staffFrom, toggleHandover } from "../../src/services/printouts";
import { FRIDAY_NOON, gradeId, loadFixtureSchool, pdfText, staffAccount, type FixtureSchool } from "./printouts-fixture";

useTestDb();

const i18n = createI18n("ru");
const t = i18n.getFixedT("ru");
const build = (fixture: FixtureSchool, classId: Types.ObjectId, now = FRIDAY_NOON) => buildClassPrintout({ schoolId: fixture.schoolId, classId, now, t, lang: "ru" });

/** An account acting for the guardian record, linked to its children as a redeemed code links them. */
async function guardianAccount(fixture: FixtureSchool, guardianExternalId: string, fields: Record<string, unknown> = {}) {
  const guardianId = await fixture.id("guardian", guardianExternalId);
  const telegramId = 6_000_000 + Math.floor(Math.random() * 1e6);
  const account = await Account.create({ telegramId, chatId: telegramId, roles: [{ role: "guardian", schoolId: fixture.schoolId, guardianId }], ...fields });
  const record = (await Guardian.findById(guardianId).lean())!;
  await GuardianLink.insertMany(record.studentIds.map((studentId) => ({ accountId: account._id, guardianId, studentId, schoolId: fixture.schoolId })));
  return account;
}

/**
 * A parent in the bot whose own situation puts the family on paper: Telegram answered 403 and no
 * e-mail reaches them (the delivery engine marks the account inactive), or they put paper first in
 * /settings (their choice).
 */
async function toPaper(fixture: FixtureSchool, externalId: string, reason: "blocked" | "chosen") {
  const fields = reason === "blocked" ? { active: false, blockedAt: FRIDAY_NOON } : { channelOrder: ["paper", "telegram", "email"] };
  const account = await guardianAccount(fixture, externalId, fields);
  await recordTelegramDecision({ accountId: account._id, school: (await consentSchool(fixture.schoolId))!, decision: "granted", t, now: FRIDAY_NOON });
  return account;
}

describe("who gets a printout", () => {
  test("every way into paper delivery puts the guardian on the class's printout, and only those", async () => {
    const fixture = await loadFixtureSchool();
    const classId = await fixture.id("class", "7b");
    expect(await paperSlipsOfClass(fixture.schoolId, classId)).toEqual([]);
    const school = (await consentSchool(fixture.schoolId))!;

    // Declined the consent dialog in the bot.
    const declining = await guardianAccount(fixture, "g1");
    await recordTelegramDecision({ accountId: declining._id, school, decision: "declined", t, now: FRIDAY_NOON });
    // Agreed, then withdrew with /privacy.
    const withdrawing = await guardianAccount(fixture, "g2");
    await recordTelegramDecision({ accountId: withdrawing._id, school, decision: "granted", t, now: FRIDAY_NOON });
    await withdrawConsent({ accountId: withdrawing._id, schoolId: fixture.schoolId, now: FRIDAY_NOON });
    // A refusal on paper, registered by an admin.
    await registerPaperDecision({ schoolId: fixture.schoolId, guardianId: await fixture.id("guardian", "g3"), decision: "declined", form: "paper", t, now: FRIDAY_NOON });
    // Blocked the bot; chose paper in the settings.
    await toPaper(fixture, "g4", "blocked");
    await toPaper(fixture, "g5", "chosen");
    // The journal says paper.
    const schoolDoc = (await School.findById(fixture.schoolId))!;
    await importBatch(schoolDoc, "guardians", { items: [{ externalId: "g7", fullName: "Кузнецов Андрей Ильич", studentIds: ["s3"], delivery: "paper" }] }, { notify: false });

    // Why each family is on paper: its own person's reason, or the record's (a written refusal, the journal).
    const students = await Student.find({ schoolId: fixture.schoolId }, { _id: 1 }).lean();
    const families = [...(await familiesOf(fixture.schoolId, students.map((x) => x._id))).values()].flat();
    const externalOf = new Map((await Guardian.find({ schoolId: fixture.schoolId }, { externalId: 1 }).lean()).map((g) => [String(g._id), g.externalId]));
    const reasons = Object.fromEntries(families.map((f) => [externalOf.get(String(f.guardianId)), f.paper ? f.paperReason : "electronic"]));
    expect(reasons).toEqual({ g1: "declined", g2: "withdrawn", g3: "paper-refusal", g4: "blocked", g5: "chosen", g6: "journal", g7: "journal" });

    const slips = await paperSlipsOfClass(fixture.schoolId, classId);
    // By student, then guardian, as the Russian alphabet sorts them.
    const expected = [["s4", "g5"], ["s3", "g7"], ["s3", "g4"], ["s1", "g2"], ["s1", "g1"], ["s2", "g3"]];
    const pairs = await Promise.all(expected.map(async ([s, g]) => `${await fixture.id("student", s)}/${await fixture.id("guardian", g)}`));
    expect(slips.map((s) => `${s.studentId}/${s.guardianId}`)).toEqual(pairs);
    expect((await classesWithPaperGuardians(fixture.schoolId)).map(String).sort()).toEqual([String(classId), String(await fixture.id("class", "7a"))].sort());

    // Agreeing again takes the declining guardian off the next printouts.
    await recordTelegramDecision({ accountId: declining._id, school, decision: "granted", t, now: FRIDAY_NOON });
    expect((await paperSlipsOfClass(fixture.schoolId, classId)).some((s) => s.guardianId.equals(declining.roles[0].guardianId!))).toBe(false);
  });

  test("a class without paper guardians gets no printout", async () => {
    const fixture = await loadFixtureSchool();
    expect(await build(fixture, await fixture.id("class", "7b"))).toBeNull();
    expect(await Printout.countDocuments({ schoolId: fixture.schoolId })).toBe(0);
  });
});

describe("what a slip says", () => {
  test("the week's grades with the period's average and forecast, homework, changes, tests, results, recommendations", async () => {
    const fixture = await loadFixtureSchool();
    const classId = await fixture.id("class", "7b");
    await toPaper(fixture, "g1", "chosen");
    const [s1, s2, t1] = [await fixture.id("student", "s1"), await fixture.id("student", "s2"), await fixture.id("teacher", "t1")];
    const author = new Types.ObjectId();
    const subjectId = (await Grade.findOne({ schoolId: fixture.schoolId, externalId: "gr1" }).lean())!.subjectId;
    const recommend = (studentId: Types.ObjectId | undefined, text: string, at: string) =>
      Recommendation.create({ schoolId: fixture.schoolId, teacherId: t1, authorAccountId: author, classId, subjectId, text, createdAt: new Date(at), ...(studentId ? { studentId } : {}) });
    await recommend(s1, "Повторить формулы сокращённого умножения", "2026-09-16T12:00:00Z");
    await recommend(undefined, "Принести циркуль к следующему уроку", "2026-09-17T12:00:00Z");
    await recommend(s2, "Для Смирновой: больше практики", "2026-09-17T12:00:00Z");
    await recommend(s1, "Старая рекомендация", "2026-09-01T12:00:00Z");

    const built = (await build(fixture, classId))!;
    expect(built.view.week).toEqual({ start: "2026-09-14", end: "2026-09-20", comingStart: "2026-09-21", comingEnd: "2026-09-27" });
    expect(built.view.period?.name).toBe("1 четверть");
    const [slip] = built.view.slips;
    expect(slip.studentName).toBe("Петров Артём Сергеевич");
    expect(slip.guardianName).toBe("Петрова Елена Викторовна");
    expect(slip.subjects.map((s) => [s.subject, s.week.map((g) => `${g.date}:${g.value}x${g.weight}`).join(" "), s.average, s.grade, s.riskReasons.join()])).toEqual([
      ["Алгебра", "2026-09-14:5x1 2026-09-16:3x3", "3.60", 4, ""],
      ["Русский язык", "2026-09-15:2x1", "2.00", 2, "failing"],
    ]);
    expect(slip.homework.map((h) => `${h.dueOn} ${h.subject}: ${h.text}`)).toEqual(["2026-09-21 Алгебра: № 112, 114", "2026-09-22 Английский язык: Exercise 5, page 20"]);
    expect(slip.changes).toEqual([
      { date: "2026-09-22", start: "09:25", subject: "Алгебра", status: "substituted", substitute: "Сидоров Пётр Ильич" },
      { date: "2026-09-23", start: "08:30", subject: "Русский язык", status: "cancelled" },
    ]);
    expect(slip.assessments).toEqual([{ date: "2026-09-25", subject: "Русский язык", kind: "dictation", topic: "Причастный оборот" }]);
    expect(slip.results).toEqual([{ kind: "exam", name: "ВПР по математике", date: "2026-09-10", score: 15, maxScore: 20, value: "4" }]);
    expect(slip.recommendations.map((r) => r.text)).toEqual(["Повторить формулы сокращённого умножения", "Принести циркуль к следующему уроку"]);
    expect(slip.holidays).toEqual([]); // the autumn holidays are 38 days away
    expect(slip.messages).toEqual([]);

    const text = pdfText(built.pdf);
    for (const expected of [
      "Ведомость выдачи выписок", "Выписка из электронного журнала", "за неделю 14–18 сентября 2026", "Петров Артём Сергеевич", "Петрова Елена Викторовна",
      "1 четверть (01.09.2026 – 25.10.2026)", "Алгебра", "3,60", "пн 14.09: 5; ср 16.09: 3 (контрольная работа,", "Русский язык: прогноз «2»; до «4» не хватает 1 пятёрки",
      "Домашние задания на неделю 21–27 сентября 2026", "№ 112, 114", "Exercise 5, page 20", "замена, урок проведёт Сидоров Пётр Ильич", "урок отменён",
      "диктант «Причастный оборот»", "ВПР по математике (10.09.2026): 15 из 20 баллов, оценка 4", "Повторить формулы сокращённого умножения", "Выписку получил(а)",
      "Классный руководитель: ______________________ / Иванова М. П. /", "Школа № 7 · 7Б · Петров Артём Сергеевич — Петрова Елена Викторовна",
    ]) {
      expect(text.replace(/\s+/g, " ")).toContain(expected);
    }
    for (const absent of ["Exercise 7", "Сочинение о лете", "Для Смирновой", "Старая рекомендация", "Многочлены"]) expect(text).not.toContain(absent);
  });

  test("the first page renders to a PNG, and every page of a slip is numbered within the slip", async () => {
    const fixture = await loadFixtureSchool();
    await toPaper(fixture, "g1", "chosen");
    await toPaper(fixture, "g3", "chosen");
    const built = (await build(fixture, await fixture.id("class", "7b")))!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "printout-png-"));
    try {
      fs.writeFileSync(path.join(dir, "p.pdf"), built.pdf);
      execFileSync("pdftoppm", ["-png", "-r", "50", "-f", "1", "-l", "2", path.join(dir, "p.pdf"), path.join(dir, "page")]);
      const pngs = fs.readdirSync(dir).filter((f) => f.endsWith(".png")).sort();
      expect(pngs).toHaveLength(2);
      for (const png of pngs) {
        const bytes = fs.readFileSync(path.join(dir, png));
        expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
        expect(bytes.length).toBeGreaterThan(5_000); // an A4 page at 50 dpi with text, not a blank
      }
      const info = execFileSync("pdfinfo", [path.join(dir, "p.pdf")], { encoding: "utf8" });
      expect(info).toMatch(/Pages:\s+3/); // the hand-over list and one page per slip
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("pending paper items", () => {
  async function pending(fixture: FixtureSchool, guardian: string, kind: "broadcast" | "grade" | "final", extra: Record<string, unknown> = {}) {
    return Delivery.create({
      schoolId: fixture.schoolId, idempotencyKey: `test/${new Types.ObjectId()}`, kind, channel: "paper", status: "pending_paper",
      recipient: { guardianId: await fixture.id("guardian", guardian), studentId: await fixture.id("student", guardian === "g6" ? "s5" : "s1") },
      queuedAt: new Date("2026-09-15T07:00:00Z"), ...extra,
    });
  }
  async function event(fixture: FixtureSchool, type: "grade.created" | "final.published", resource: "grades" | "finalGrades", id: Types.ObjectId, payload: unknown = {}) {
    const eventId = `${type}-${new Types.ObjectId()}`;
    await DomainEvent.create({ schoolId: fixture.schoolId, eventId, type, entity: { resource, id }, studentIds: [await fixture.id("student", "s1")], payload });
    return eventId;
  }

  test("every item lands on the next printout, is marked printed, and stays on a rebuild", async () => {
    const fixture = await loadFixtureSchool();
    const classId = await fixture.id("class", "7b");
    await toPaper(fixture, "g1", "chosen");
    const q1 = (await Period.findOne({ schoolId: fixture.schoolId, externalId: "q1" }).lean())!;
    const final = await FinalGrade.create({
      schoolId: fixture.schoolId, externalId: "f-old", studentId: await fixture.id("student", "s1"), subjectId: (await Grade.findOne({ externalId: "gr1", schoolId: fixture.schoolId }).lean())!.subjectId,
      periodId: q1._id, status: "deferred", deferredUntil: "2026-09-30", reason: "болезнь", resultsAt: new Date("2026-09-01T10:00:00Z"),
    });
    const removedGrade = new Types.ObjectId();
    const items = [
      await pending(fixture, "g1", "broadcast"), // no record behind it: a message line
      await pending(fixture, "g1", "grade", { eventId: await event(fixture, "grade.created", "grades", await gradeId(fixture, "gr1")) }), // a grade of 07.09, outside the week
      await pending(fixture, "g1", "final", { eventId: await event(fixture, "final.published", "finalGrades", final._id) }), // a result older than the window
      await pending(fixture, "g1", "grade", { eventId: await event(fixture, "grade.created", "grades", removedGrade, { before: { value: "2", date: "2026-09-09" } }) }),
      // A school broadcast that fell back to paper keeps its words on the record.
      await pending(fixture, "g1", "broadcast", { notice: { template: "broadcast", school: "Школа", text: "Родительское собрание в четверг в 18:00" } }),
    ];
    const otherClass = await pending(fixture, "g6", "broadcast");

    const built = (await build(fixture, classId))!;
    const slip = built.view.slips[0];
    expect(slip.subjects.find((s) => s.subject === "Алгебра")!.week.map((g) => g.date)).toEqual(["2026-09-07", "2026-09-14", "2026-09-16"]);
    expect(slip.results).toContainEqual({ kind: "final", subject: "Алгебра", period: "1 четверть", status: "deferred", deferredUntil: "2026-09-30", reason: "болезнь" });
    expect(slip.messages).toEqual([
      { date: "2026-09-15", kind: "broadcast", text: null, params: {} },
      { date: "2026-09-15", kind: "grade_created", text: null, params: { value: "2", date: "2026-09-09" } },
      { date: "2026-09-15", kind: "broadcast", text: "Родительское собрание в четверг в 18:00" },
    ]);
    const text = pdfText(built.pdf).replace(/\s+/g, " ");
    expect(text).toContain("объявление школы; текст — у классного руководителя");
    expect(text).toContain("аттестация отложена до 30.09.2026 (болезнь)");
    expect(text).toContain("Родительское собрание в четверг в 18:00");

    const stored = await Delivery.find({ _id: { $in: items.map((d) => d._id) } }).lean();
    expect(stored.map((d) => [d.status, String(d.printoutId)])).toEqual(items.map(() => ["printed", String(built.printoutId)]));
    expect((await Delivery.findById(otherClass._id).lean())!.status).toBe("pending_paper");

    // A retry or a reprint shows the same items, and a new one is added; the printout stays one.
    const late = await pending(fixture, "g1", "broadcast", { queuedAt: new Date("2026-09-18T10:00:00Z") });
    const again = (await build(fixture, classId, new Date("2026-09-18T11:00:00Z")))!;
    expect(again.printoutId).toEqual(built.printoutId);
    expect(again.view.slips[0].messages).toHaveLength(4);
    expect((await Delivery.findById(late._id).lean())!.status).toBe("printed");
    expect(await Printout.countDocuments({ schoolId: fixture.schoolId })).toBe(1);
    expect((await Printout.findById(built.printoutId).lean())!.slips).toHaveLength(1);
    // The delivery log: one "printout" entry per slip, printed.
    expect(await Delivery.find({ printoutId: built.printoutId, kind: "printout" }, { status: 1, _id: 0 }).lean()).toEqual([{ status: "printed" }]);
  });
});

describe("items that fell back to paper for families that are otherwise electronic", () => {
  test("a broadcast the bot could not deliver puts the family on the class's printout, marked as not delivered electronically", async () => {
    const fixture = await loadFixtureSchool();
    const classId = await fixture.id("class", "7b");
    await toPaper(fixture, "g5", "chosen"); // one family on paper anyway
    const parent = await guardianAccount(fixture, "g3");
    await recordTelegramDecision({ accountId: parent._id, school: (await consentSchool(fixture.schoolId))!, decision: "granted", t, now: FRIDAY_NOON });
    expect((await familiesOf(fixture.schoolId, [await fixture.id("student", "s2")])).get(String(await fixture.id("student", "s2")))![0].paper).toBe(false);
    // The broadcast fell back (the worker's paper fallback keeps its words), about no child in particular.
    const item = await Delivery.create({
      schoolId: fixture.schoolId, idempotencyKey: `test/${new Types.ObjectId()}`, kind: "broadcast", channel: "paper", status: "pending_paper",
      recipient: { guardianId: await fixture.id("guardian", "g3") }, queuedAt: new Date("2026-09-16T07:00:00Z"),
      notice: { template: "broadcast", school: "Школа", text: "Экскурсия переносится на понедельник" },
    });
    expect((await classesWithPaperGuardians(fixture.schoolId)).map(String)).toContain(String(classId));
    const built = (await build(fixture, classId))!;
    expect(built.view.slips.map((s) => [s.guardianName, s.deliveryReason])).toEqual([
      ["Волков Павел Андреевич", "chosen"],
      ["Смирнова Татьяна Юрьевна", "fallback"],
    ]);
    const text = pdfText(built.pdf).replace(/\s+/g, " ");
    expect(text).toMatch(/Смирнова Татьяна не доставлено .*электронно/); // the table wraps the reason
    expect(text).toContain("Экскурсия переносится на понедельник");
    expect(await Delivery.findById(item._id).lean()).toMatchObject({ status: "printed", printoutId: built.printoutId });
    // Handed over with its slip like any other.
    const teacher = await staffAccount(fixture, "teacher", "t1");
    const slip = built.slips.find((s) => s.guardianName.startsWith("Смирнова"))!;
    expect(await toggleHandover(slip.id, staffFrom(teacher, []), FRIDAY_NOON)).toMatchObject({ ok: true, handed: true });
    expect(await Delivery.findById(item._id).lean()).toMatchObject({ status: "handed" });
  });
});

describe("rebuilding", () => {
  test("an on-demand printout before Friday's run reprints last week's", async () => {
    const fixture = await loadFixtureSchool();
    await toPaper(fixture, "g3", "chosen");
    const wednesday = (await build(fixture, await fixture.id("class", "7b"), new Date("2026-09-16T09:00:00Z")))!;
    expect(wednesday.view.week.start).toBe("2026-09-07");
  });

  test("a guardian who goes on paper after the printout was made is appended; earlier slips keep their ids and hand-over", async () => {
    const fixture = await loadFixtureSchool();
    const classId = await fixture.id("class", "7b");
    await toPaper(fixture, "g3", "chosen");
    const first = (await build(fixture, classId))!;
    const homeroom = await staffAccount(fixture, "teacher", "t1");
    await toggleHandover(first.slips[0].id, staffFrom(homeroom, []), FRIDAY_NOON);
    await toPaper(fixture, "g1", "chosen");
    const second = (await build(fixture, classId, new Date("2026-09-18T13:00:00Z")))!; // a reprint that afternoon
    expect(second.printoutId).toEqual(first.printoutId);
    expect(second.slips.map((s) => [s.id, s.studentName, s.handed])).toEqual([
      [first.slips[0].id, "Смирнова Ольга Игоревна", true],
      [`${first.printoutId.toHexString()}.1`, "Петров Артём Сергеевич", false],
    ]);
  });
});

describe("hand-over", () => {
  test("the homeroom teacher marks a slip handed (and can undo it); another class's teacher cannot", async () => {
    const fixture = await loadFixtureSchool();
    const classId = await fixture.id("class", "7b");
    await toPaper(fixture, "g1", "chosen");
    await toPaper(fixture, "g3", "chosen");
    await Delivery.create({ schoolId: fixture.schoolId, idempotencyKey: "test/broadcast-1", kind: "broadcast", channel: "paper", status: "pending_paper", recipient: { guardianId: await fixture.id("guardian", "g1") } });
    const built = (await build(fixture, classId))!;
    const petrov = built.slips.find((s) => s.studentName.startsWith("Петров"))!;
    const homeroom = await staffAccount(fixture, "teacher", "t1");
    const otherTeacher = await staffAccount(fixture, "teacher", "t3");
    const at = new Date("2026-09-21T06:00:00Z");

    expect(await toggleHandover(petrov.id, staffFrom(otherTeacher, []), at)).toEqual({ ok: false, reason: "forbidden" });
    expect(await toggleHandover(`${new Types.ObjectId().toHexString()}.0`, staffFrom(homeroom, []), at)).toEqual({ ok: false, reason: "not-found" });
    expect(await toggleHandover(`${built.printoutId.toHexString()}.9`, staffFrom(homeroom, []), at)).toEqual({ ok: false, reason: "not-found" });

    expect(await toggleHandover(petrov.id, staffFrom(homeroom, []), at)).toMatchObject({ ok: true, handed: true });
    const printout = (await Printout.findById(built.printoutId).lean())!;
    const index = Number(petrov.id.split(".")[1]);
    expect(printout.slips[index].handedAt).toEqual(at);
    expect(String(printout.slips[index].handedBy)).toBe(String(homeroom._id));
    expect(printout.slips[1 - index].handedAt).toBeUndefined();
    const g1 = await fixture.id("guardian", "g1");
    expect((await Delivery.find({ printoutId: built.printoutId, "recipient.guardianId": g1 }).lean()).map((d) => [d.kind, d.status])).toEqual(
      expect.arrayContaining([["printout", "handed"], ["broadcast", "handed"]]),
    );
    expect((await Delivery.findOne({ printoutId: built.printoutId, kind: "printout", "recipient.guardianId": await fixture.id("guardian", "g3") }).lean())!.status).toBe("printed");

    expect(await toggleHandover(petrov.id, staffFrom(homeroom, []), at)).toMatchObject({ ok: true, handed: false });
    expect((await Printout.findById(built.printoutId).lean())!.slips[index].handedAt).toBeUndefined();
    expect((await Delivery.find({ printoutId: built.printoutId, "recipient.guardianId": g1 }).lean()).every((d) => d.status === "printed")).toBe(true);

    // An admin of the school may do it too.
    const admin = await staffAccount(fixture, "admin");
    expect(await toggleHandover(petrov.id, staffFrom(admin, [fixture.schoolId]), at)).toMatchObject({ ok: true, handed: true });
  });
});
