/**
 * The end of a period (issue 15.2), run by the school's morning (src/queue/school-rhythm.ts):
 *
 * - **N school days before the end** (`settings.periodEndWarningDays`, default 10, on the journal's
 *   calendar; src/domain/rhythm.ts `periodEndWarningDay`): every homeroom and subject teacher in the
 *   bot gets their students at risk of "not attested" (fewer grades than `minGrades`) and of a "2";
 *   the persons of those students get the forecast with what moves it, by their own `notify.forecast`,
 *   consent, channels and quiet hours (the delivery engine). Once per period.
 * - **After the end**, on each school day while the finals are being gathered: the admins get the
 *   list of missing finals (src/services/reports/missing-finals.ts) until it is empty, and each class's
 *   curriculum statistics and summary sheet (PDF, src/print) once all its finals are in.
 *
 * Deliveries have stable keys, and a `RhythmMark` per school, period, kind (and class) records what is
 * done, so a rerun of the morning sends nothing twice.
 */
import { GrammyError, InputFile } from "grammy";
import type { Types } from "mongoose";
import { Account, Curriculum, Delivery, FinalGrade, Grade, Holiday, Lesson, Period, RhythmMark, School, SchoolClass, Student, Subject, type RhythmMarkKind } from "../../db/models";
import { forecastStudent, type SubjectGrades } from "../../domain/forecast";
import { gradingRules } from "../../domain/grading";
import { riskRowsOf, teacherRiskLists, type RiskRow } from "../../domain/period-end";
import { periodEndWarningDay, periodsClosing, schoolDaysAfter } from "../../domain/rhythm";
import { weekOf } from "../../domain/school-calendar";
import { periodOn } from "../../domain/school-calendar";
import { schoolDay } from "../../domain/time";
import { isLanguage } from "../../i18n";
import type { ForecastLine, MissingFinalItem, RiskItem } from "./notice";
import type { PrintoutJobDeps } from "../../queue/printouts";
import { markMaxBlocked, withTelegramChat } from "../accounts";
import { escapeHtml } from "../../domain/html";
import { familiesOf } from "../people";
import { missingFinalsReport } from "../reports/missing-finals";
import { reportData, reportFile } from "../reports/report-files";
import { byName } from "../reports/school-data";
import { enqueueDeliveries, planForPerson, type EnqueueCounts, type PlannedDelivery } from "./deliveries";
import type { NotifyEnv } from "./env";
import { forecastLineOf } from "./forecast-broadcast";
import { adminAccounts, messengersOf } from "./recipients";

/** Finals of a period are gathered (the admins' daily list) for this many days after its end. */
export const FINALS_WINDOW_DAYS = 60;
const STUDENTS_PER_CHUNK = 250;

type PeriodLean = { _id: Types.ObjectId; externalId: string; name: string; kind: string; start: string; end: string };
type ClassLean = { _id: Types.ObjectId; schoolId: Types.ObjectId; name: string; grade: number; homeroomTeacherId?: Types.ObjectId | null };

export interface PeriodEndResult {
  /** The period warned about today, if any. */
  warning: null | { periodId: string; students: number; teachers: number; guardians: EnqueueCounts };
  /** Periods whose finals are gathered today: missing finals left, classes whose sheets went out. */
  closing: Array<{ periodId: string; missing: number; admins: number; sheets: string[] }>;
}

const mark = (schoolId: Types.ObjectId, periodId: Types.ObjectId, kind: RhythmMarkKind, classId?: Types.ObjectId) => ({ schoolId, periodId, kind, classId: classId ?? null });

async function marked(filter: ReturnType<typeof mark>): Promise<boolean> {
  return (await RhythmMark.exists(filter)) !== null;
}

async function setMark(filter: ReturnType<typeof mark>, day: string, at: Date): Promise<void> {
  await RhythmMark.updateOne(filter, { $setOnInsert: { ...filter, day, at } }, { upsert: true });
}

export async function runPeriodEnd(env: NotifyEnv, schoolId: Types.ObjectId, files?: PrintoutJobDeps): Promise<PeriodEndResult> {
  const result: PeriodEndResult = { warning: null, closing: [] };
  const school = await loadRhythmSchool(schoolId);
  if (!school) return result;
  const now = env.now();
  const day = schoolDay(now, school.timezone);
  const [periods, holidays] = await Promise.all([
    Period.find({ schoolId }, { externalId: 1, name: 1, kind: 1, start: 1, end: 1 }).lean() as Promise<PeriodLean[]>,
    Holiday.find({ schoolId }, { start: 1, end: 1, classIds: 1 }).lean(),
  ]);
  const calendar = holidays.map((h) => ({ start: h.start, end: h.end, classIds: h.classIds.map(String) }));

  const current = periodOn(day, periods, school.settings.periodKind);
  const warnDays = school.settings.periodEndWarningDays ?? 10;
  if (current?.relation === "current" && periodEndWarningDay(day, current.period, calendar, warnDays, weekOf(school)) && !(await marked(mark(schoolId, current.period._id, "period-warning")))) {
    result.warning = await warnPeriodEnd(env, school, current.period, day, schoolDaysAfter(day, current.period.end, calendar, weekOf(school)));
    await setMark(mark(schoolId, current.period._id, "period-warning"), day, now);
  }

  for (const period of periodsClosing(day, periods, calendar, FINALS_WINDOW_DAYS, weekOf(school))) {
    if (await marked(mark(schoolId, period._id, "finals-complete"))) continue;
    result.closing.push(await gatherFinals(env, school, period, day, files));
  }
  if (result.warning || result.closing.length) env.logger.info({ schoolId: String(schoolId), day, warning: result.warning, closing: result.closing }, "period end");
  return result;
}

type SchoolLean = NonNullable<Awaited<ReturnType<typeof loadRhythmSchool>>>;

const loadRhythmSchool = (schoolId: Types.ObjectId) => School.findById(schoolId, { name: 1, timezone: 1, settings: 1 }).lean();

/** The teachers' lists and the families' forecasts of the period's warning day. */
async function warnPeriodEnd(env: NotifyEnv, school: SchoolLean, period: PeriodLean, day: string, schoolDays: number): Promise<NonNullable<PeriodEndResult["warning"]>> {
  const schoolId = school._id;
  const now = env.now();
  const rules = gradingRules(school.settings);
  // First graders get no marks (безотметочное обучение): nobody of theirs is at risk.
  const classes = (await SchoolClass.find({ schoolId, grade: { $gt: 1 } }, { name: 1, grade: 1, homeroomTeacherId: 1 }).lean()) as ClassLean[];
  const classIds = classes.map((c) => c._id);
  const [students, curriculum, lessons, subjects] = await Promise.all([
    Student.find({ schoolId, classId: { $in: classIds }, left: null }, { fullName: 1, classId: 1, groupIds: 1 }).sort({ _id: 1 }).lean(),
    Curriculum.find({ schoolId, periodId: period._id, classId: { $in: classIds }, plannedLessons: { $gt: 0 } }, { classId: 1, subjectId: 1 }).lean(),
    Lesson.find({ schoolId, classId: { $in: classIds }, date: { $gte: period.start, $lte: period.end }, status: { $ne: "cancelled" } }, { classId: 1, subjectId: 1, groupId: 1, teacherId: 1 }).lean(),
    Subject.find({ schoolId }, { name: 1 }).lean(),
  ]);
  const subjectName = new Map(subjects.map((s) => [String(s._id), s.name]));
  const className = new Map(classes.map((c) => [String(c._id), c.name]));
  const planOf = new Map<string, Set<string>>();
  for (const c of curriculum) planOf.set(String(c.classId), (planOf.get(String(c.classId)) ?? new Set()).add(String(c.subjectId)));
  // Who teaches a class's subject: the teachers of its lessons in the period; a class without a
  // curriculum studies the subjects of its lessons (a group's subject only its group).
  const subjectTeachers = new Map<string, string[]>();
  const lessonSubjects = new Map<string, Array<{ subjectId: string; groupId: string | null }>>();
  for (const l of lessons) {
    const key = `${String(l.classId)}/${String(l.subjectId)}`;
    if (!subjectTeachers.get(key)?.includes(String(l.teacherId))) subjectTeachers.set(key, [...(subjectTeachers.get(key) ?? []), String(l.teacherId)]);
    lessonSubjects.set(String(l.classId), [...(lessonSubjects.get(String(l.classId)) ?? []), { subjectId: String(l.subjectId), groupId: l.groupId ? String(l.groupId) : null }]);
  }
  const homeroom = new Map(classes.flatMap((c) => (c.homeroomTeacherId ? [[String(c._id), [String(c.homeroomTeacherId)]] as [string, string[]]] : [])));

  const rows: RiskRow[] = [];
  const guardianPlans: PlannedDelivery[] = [];
  const studentName = new Map(students.map((s) => [String(s._id), s.fullName]));
  for (let i = 0; i < students.length; i += STUDENTS_PER_CHUNK) {
    const chunk = students.slice(i, i + STUDENTS_PER_CHUNK);
    const grades = await Grade.find({ schoolId, studentId: { $in: chunk.map((s) => s._id) }, date: { $gte: period.start, $lte: period.end } }, { studentId: 1, subjectId: 1, value: 1, weight: 1, workType: 1, date: 1 }).lean();
    const atRisk: Array<{ student: (typeof chunk)[number]; lines: ForecastLine[] }> = [];
    for (const student of chunk) {
      const classId = String(student.classId);
      const mine = grades.filter((g) => g.studentId.equals(student._id));
      const groups = new Set(student.groupIds.map(String));
      const studied = planOf.get(classId) ?? new Set((lessonSubjects.get(classId) ?? []).filter((l) => !l.groupId || groups.has(l.groupId)).map((l) => l.subjectId));
      const subjectIds = new Set([...studied, ...mine.map((g) => String(g.subjectId))]);
      const input: SubjectGrades[] = [...subjectIds].map((id) => ({
        subjectId: id,
        subjectName: subjectName.get(id),
        grades: mine.filter((g) => String(g.subjectId) === id).map((g) => ({ value: g.value, weight: g.weight, workType: g.workType, date: g.date })),
      }));
      const forecasts = forecastStudent(input, rules);
      const risks = riskRowsOf(String(student._id), classId, forecasts);
      if (!risks.length) continue;
      rows.push(...risks);
      atRisk.push({
        student,
        lines: forecasts.map((f) => ({ ...forecastLineOf(f), ...(f.riskReasons.includes("too-few-grades") ? { needed: rules.minGrades - f.count } : {}) })),
      });
    }
    if (!atRisk.length) continue;
    const families = await familiesOf(schoolId, atRisk.map((s) => s.student._id));
    for (const { student, lines } of atRisk) {
      const wanted = (families.get(String(student._id)) ?? []).flatMap((f) => f.persons).filter((p) => p.mode === "electronic" && p.notify.forecast);
      const base = {
        source: `period-end-${String(period._id)}-${String(student._id)}`,
        schoolId,
        kind: "forecast" as const,
        studentId: student._id,
        notice: { template: "forecast" as const, student: student.fullName, period: period.name, lines, periodEnd: { end: period.end, schoolDays } },
      };
      for (const person of wanted) guardianPlans.push(...planForPerson(person, base));
    }
  }
  const guardians = await enqueueDeliveries(env.deliveries, guardianPlans, now, undefined, env.bulk);

  // The teachers' lists: one message per teacher account.
  const lists = teacherRiskLists(rows, { homeroom, subject: subjectTeachers });
  const teacherIds = [...lists.keys()];
  const accounts = teacherIds.length
    ? await Account.find({ active: true, roles: { $elemMatch: { role: "teacher", schoolId, teacherId: { $in: teacherIds } } } }, { roles: 1 }).lean()
    : [];
  const minGrades = rules.minGrades;
  const messengers = await messengersOf(accounts.map((a) => a._id));
  const teacherPlans: PlannedDelivery[] = [];
  for (const account of accounts) {
    const mine = new Map<string, RiskRow>();
    for (const role of account.roles) {
      if (role.role !== "teacher" || !role.schoolId.equals(schoolId) || !role.teacherId) continue;
      for (const row of lists.get(String(role.teacherId)) ?? []) mine.set(`${row.studentId}/${row.subjectId}`, row);
    }
    const items: RiskItem[] = [...mine.values()]
      .map((r) => ({ className: className.get(r.classId) ?? "", student: studentName.get(r.studentId) ?? "", subject: subjectName.get(r.subjectId) ?? "", risk: r.risk, count: r.count, average: r.average }))
      .sort((a, b) => byName(a.className, b.className) || byName(a.student, b.student) || byName(a.subject, b.subject));
    if (!items.length) continue;
    teacherPlans.push({
      source: `period-risk-${String(period._id)}`,
      schoolId,
      kind: "admin-alert",
      channel: messengers.get(String(account._id)) ?? "telegram",
      accountId: account._id,
      notice: { template: "period-risk", period: period.name, end: period.end, schoolDays, minGrades, items },
    });
  }
  await enqueueDeliveries(env.deliveries, teacherPlans, now);
  return { periodId: String(period._id), students: new Set(rows.map((r) => r.studentId)).size, teachers: teacherPlans.length, guardians };
}

/** One school day of gathering a period's finals: the admins' list, and the sheets of complete classes. */
async function gatherFinals(env: NotifyEnv, school: SchoolLean, period: PeriodLean, day: string, files?: PrintoutJobDeps): Promise<PeriodEndResult["closing"][number]> {
  const schoolId = school._id;
  const now = env.now();
  const report = await missingFinalsReport({ schoolId, periodId: period.externalId, today: day });
  const incomplete = new Set(report.rows.map((r) => r.classId));
  // A class is complete once nothing of it is missing and it has some final of the period.
  const classes = (await SchoolClass.find({ schoolId, grade: { $gt: 1 } }, { schoolId: 1, name: 1, grade: 1, homeroomTeacherId: 1 }).lean()) as ClassLean[];
  const candidates = classes.filter((c) => !incomplete.has(String(c._id)));
  const sheets: string[] = [];
  let unsent = false;
  for (const schoolClass of candidates.sort((a, b) => a.grade - b.grade || byName(a.name, b.name))) {
    const classMark = mark(schoolId, period._id, "class-sheets", schoolClass._id);
    if (await marked(classMark)) continue;
    const students = await Student.find({ schoolId, classId: schoolClass._id, left: null }, { _id: 1 }).lean();
    if (!students.length || !(await FinalGrade.exists({ schoolId, periodId: period._id, studentId: { $in: students.map((s) => s._id) } }))) continue;
    if (!files) {
      // This worker cannot send files (no Bot API): the next run will, and the period stays open till then.
      unsent = true;
      continue;
    }
    await sendClassSheets(files, school, period, schoolClass, day, now);
    await setMark(classMark, day, now);
    sheets.push(schoolClass.name);
  }

  const admins = await adminAccounts(schoolId);
  if (!report.rows.length) {
    if (!unsent) await setMark(mark(schoolId, period._id, "finals-complete"), day, now);
    return { periodId: String(period._id), missing: 0, admins: 0, sheets };
  }
  const items: MissingFinalItem[] = report.rows.map((r) => ({ className: r.className, student: r.student, subject: r.subject, status: r.problem === "missing" ? "missing" : "deferred" }));
  const plans: PlannedDelivery[] = admins.map(({ accountId, channel }) => ({
    source: `missing-finals-${String(period._id)}-${day}`,
    schoolId,
    kind: "admin-alert",
    channel,
    accountId,
    notice: { template: "missing-finals", period: period.name, day, items, complete: sheets },
  }));
  if (!admins.length) env.logger.warn({ schoolId: String(schoolId), periodId: String(period._id), missing: items.length }, "missing finals and no admin to tell");
  await enqueueDeliveries(env.deliveries, plans, now);
  return { periodId: String(period._id), missing: items.length, admins: plans.length, sheets };
}

/**
 * The class's curriculum statistics and summary sheet (PDF) to each admin — in Telegram, or in MAX
 * for an admin known only there (when this worker has MAX) — each file a Delivery (`kind: printout`)
 * keyed by period, class, report, admin and messenger: a retry skips what was sent.
 */
async function sendClassSheets(deps: PrintoutJobDeps, school: SchoolLean, period: PeriodLean, schoolClass: ClassLean, day: string, now: Date): Promise<void> {
  const accounts = await Account.find({ active: true, roles: { $elemMatch: { role: "admin", schoolId: school._id } } }, { chatId: 1, language: 1, max: 1 }).lean();
  const inTelegram = withTelegramChat(accounts);
  const inMaxOnly = deps.max ? accounts.filter((a) => typeof a.chatId !== "number" && typeof a.max?.userId === "number" && !a.max.blockedAt) : [];
  const admins = [...inTelegram.map((a) => ({ ...a, messenger: "telegram" as const })), ...inMaxOnly.map((a) => ({ ...a, messenger: "max" as const }))];
  const built = new Map<string, { fileName: string; bytes: Buffer }>();
  for (const admin of admins) {
    const lang = isLanguage(admin.language) ? admin.language : "ru";
    const t = deps.i18n.getFixedT(lang);
    for (const kind of ["curriculum", "finals"] as const) {
      const key = `period-sheets-${String(period._id)}-${String(schoolClass._id)}-${kind}/a${String(admin._id)}/${admin.messenger}`;
      const record = await Delivery.findOneAndUpdate(
        { idempotencyKey: key },
        { $setOnInsert: { schoolId: school._id, kind: "printout", channel: admin.messenger, status: "queued", recipient: { accountId: admin._id }, queuedAt: now } },
        { upsert: true, returnDocument: "after" },
      ).lean();
      if (record?.status === "sent" || record?.status === "failed") continue;
      const cacheKey = `${kind}/${lang}`;
      if (!built.has(cacheKey)) {
        const data = await reportData({ kind, schoolId: school._id, schoolClass, periodId: period.externalId, today: day });
        built.set(cacheKey, await reportFile(data, "pdf", t, lang));
      }
      const file = built.get(cacheKey)!;
      const caption = t(kind === "finals" ? "rhythm:periodEnd.sheetCaption" : "rhythm:periodEnd.curriculumCaption", { className: schoolClass.name, period: period.name });
      const refused = admin.messenger === "max"
        ? await sendOnMax(deps.max!, admin.max!.userId!, file, caption)
        : await sendOnTelegram(deps, admin._id, admin.chatId!, file, caption);
      if (refused) {
        await Delivery.updateOne({ idempotencyKey: key }, { $set: { status: "failed", failedAt: new Date(), lastError: refused.slice(0, 300) }, $inc: { attempts: 1 } });
        continue;
      }
      await Delivery.updateOne({ idempotencyKey: key }, { $set: { status: "sent", sentAt: new Date() }, $inc: { attempts: 1 } });
    }
  }
}

/** Null when sent; why not, when the chat will not take it (blocked, gone); anything else throws (the morning job is retried). */
async function sendOnTelegram(deps: PrintoutJobDeps, accountId: Types.ObjectId, chatId: number, file: { fileName: string; bytes: Buffer }, caption: string): Promise<string | null> {
  try {
    await deps.api.sendDocument(chatId, new InputFile(file.bytes, file.fileName), { caption });
    return null;
  } catch (error) {
    if (!(error instanceof GrammyError && (error.error_code === 403 || error.error_code === 400))) throw error;
    if (error.error_code === 403) await Account.updateOne({ _id: accountId }, { $set: { active: false, blockedAt: new Date() } });
    return `${error.error_code} ${error.description}`;
  }
}

async function sendOnMax(max: NonNullable<PrintoutJobDeps["max"]>, userId: number, file: { fileName: string; bytes: Buffer }, caption: string): Promise<string | null> {
  const outcome = await max.sendFile(userId, { bytes: file.bytes, fileName: file.fileName, caption: escapeHtml(caption) });
  if (outcome.ok) return null;
  if (outcome.kind === "unreachable" || outcome.kind === "permanent") {
    if (outcome.kind === "unreachable") await markMaxBlocked({ maxUserId: userId }, new Date());
    return outcome.error;
  }
  throw new Error(`max: ${outcome.error}`);
}
