/**
 * The new school year (issue 15.4): the journal's explicit rollover, `PUT /api/v1/schoolYear`
 * (docs/exchange-api.md). Validated whole first (the schema, every reference, every student of the
 * old year in `movers` or `leavers`): any problem is a 422 and nothing is written. Then, with
 * single-document updates that are each idempotent (a re-send after a failure completes it):
 *
 * - movers: the old year's class goes to `Student.classHistory` (year, class, its name then) and the
 *   student gets the new class (groups are the journal's to send again); links follow the students
 *   (they name the student, not the class), and the persons of each child whose class changed are
 *   told the new class;
 * - leavers: `left` is set, their persons are told, then the links of guardians' accounts to them
 *   (and students' own roles) end; the retention job erases what is kept about them after the
 *   school's `retentionDays` (src/services/data-lifecycle.ts);
 * - every invite code issued before the rollover and not yet redeemed expires;
 * - the school remembers the year (`School.schoolYear`); last year's grades and finals stay readable
 *   through the class history ("прошлый учебный год", src/services/diary/last-year.ts).
 */
import type { Queue } from "bullmq";
import type { Types } from "mongoose";
import { Account, GuardianLink, InviteCode, School, SchoolClass, Student } from "../db/models";
import { schoolYearRollover, type SchoolYearRollover } from "../api/schemas/school-year";
import { previousSchoolYear, schoolYearOfLabel } from "../domain/school-year";
import { schoolDay } from "../domain/time";
import type { Logger } from "../logger";
import { ExchangeInputError, type ItemError } from "./exchange/errors";
import { enqueueDeliveries, planForPerson, type PlannedDelivery } from "./notify/deliveries";
import { familiesOf } from "./people";

export interface RolloverOptions {
  now: Date;
  /** Where the families' notices go (QUEUES.deliveries); without it nobody is told. */
  deliveries?: Queue;
  /** false: nobody is told (`?notify=false`). */
  notify?: boolean;
  logger?: Logger;
}

export interface RolloverResult {
  year: string;
  /** Students given another class, kept in theirs, left; already rolled by an earlier request. */
  moved: number;
  stayed: number;
  left: number;
  unchanged: number;
  linksEnded: number;
  codesExpired: number;
  /** New messages to the families (a re-send plans the same ones again: 0). */
  notified: number;
}

type StudentWrite = Parameters<typeof Student.bulkWrite>[0][number];
type StudentLean = { _id: Types.ObjectId; externalId: string; fullName: string; classId: Types.ObjectId; left?: string | null; classHistory?: Array<{ year: string; classId: Types.ObjectId; className: string }> };

function parse(body: unknown): SchoolYearRollover {
  const parsed = schoolYearRollover.safeParse(body);
  if (parsed.success) return parsed.data;
  const errors: ItemError[] = parsed.error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    const index = typeof issue.path[1] === "number" ? issue.path[1] : -1;
    if (issue.code === "unrecognized_keys") return issue.keys.map((key) => ({ index, path: [...path, key].join("."), message: `unknown field "${key}"` }));
    return [{ index, path: path.join(".") || "body", message: issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message }];
  });
  throw ExchangeInputError.of(errors, "rollover");
}

export async function rollOverSchoolYear(school: { _id: Types.ObjectId; timezone: string }, body: unknown, options: RolloverOptions): Promise<RolloverResult> {
  const request = parse(body);
  const schoolId = school._id;
  const { now } = options;
  const today = schoolDay(now, school.timezone);
  const year = request.year;
  const oldYear = previousSchoolYear(year);
  const [record, students, classes] = await Promise.all([
    School.findById(schoolId, { schoolYear: 1 }).lean(),
    Student.find({ schoolId }, { externalId: 1, fullName: 1, classId: 1, left: 1, classHistory: 1 }).lean() as Promise<StudentLean[]>,
    SchoolClass.find({ schoolId }, { externalId: 1, name: 1 }).lean(),
  ]);
  const current = record?.schoolYear?.current ?? null;
  const studentBy = new Map(students.map((s) => [s.externalId, s]));
  const classBy = new Map(classes.map((c) => [c.externalId, c]));
  const classById = new Map(classes.map((c) => [String(c._id), c]));

  // Every problem at once, before anything is written.
  const errors: ItemError[] = [];
  if (current && schoolYearOfLabel(current) > schoolYearOfLabel(year)) {
    errors.push({ index: -1, path: "year", message: `the school is already in ${current}; a rollover to ${year} is too late` });
  }
  const seen = new Map<string, string>();
  const check = (list: "movers" | "leavers", index: number, studentId: string) => {
    const student = studentBy.get(studentId);
    if (!student) errors.push({ index, path: `${list}.${index}.studentId`, message: `unknown student "${studentId}" (no students item with this externalId)` });
    else if (seen.has(studentId)) errors.push({ index, path: `${list}.${index}.studentId`, message: `student "${studentId}" is already listed at ${seen.get(studentId)}` });
    seen.set(studentId, `${list}.${index}`);
    return student;
  };
  request.movers.forEach((m, index) => {
    const student = check("movers", index, m.studentId);
    if (!classBy.has(m.classId)) errors.push({ index, path: `movers.${index}.classId`, message: `unknown class "${m.classId}" (send the new year's classes first)` });
    if (student?.left) errors.push({ index, path: `movers.${index}.studentId`, message: `student "${m.studentId}" left the school on ${student.left}` });
  });
  request.leavers.forEach((l, index) => check("leavers", index, l.studentId));
  // A new rollover names every student of the old year; a re-send of the current one need not
  // (students the journal added since then are already of the new year).
  if (current !== year) {
    for (const s of students) {
      if (s.left || seen.has(s.externalId)) continue;
      errors.push({ index: -1, path: `students.${s.externalId}`, message: `student "${s.externalId}" (class ${classById.get(String(s.classId))?.name ?? "?"}) is in neither movers nor leavers` });
    }
  }
  if (errors.length) throw ExchangeInputError.of(errors, "rollover");

  const result: RolloverResult = { year, moved: 0, stayed: 0, left: 0, unchanged: 0, linksEnded: 0, codesExpired: 0, notified: 0 };
  const rolled = (s: StudentLean) => (s.classHistory ?? []).some((h) => h.year === oldYear);
  const history = (s: StudentLean) => ({ year: oldYear, classId: s.classId, className: classById.get(String(s.classId))?.name ?? "—" });

  // Movers: the class history (guarded: once per year) and the new class, in one bulk write.
  const updates: StudentWrite[] = [];
  const told: Array<{ student: StudentLean; className: string }> = [];
  for (const m of request.movers) {
    const student = studentBy.get(m.studentId)!;
    const target = classBy.get(m.classId)!;
    const alreadyRolled = rolled(student);
    if (alreadyRolled && student.classId.equals(target._id)) {
      result.unchanged++;
      // A re-send after a failure between the write and the notices plans them again (same keys: nothing twice).
      const before = student.classHistory!.find((h) => h.year === oldYear)!;
      if (!before.classId.equals(target._id)) told.push({ student, className: target.name });
      continue;
    }
    const changed = !student.classId.equals(target._id);
    updates.push({
      updateOne: {
        filter: { _id: student._id, ...(alreadyRolled ? {} : { "classHistory.year": { $ne: oldYear } }) },
        update: { ...(alreadyRolled ? {} : { $push: { classHistory: history(student) } }), $set: { classId: target._id, ...(changed ? { groupIds: [] } : {}) } },
      },
    });
    if (changed) {
      result.moved++;
      told.push({ student, className: target.name });
    } else result.stayed++;
  }

  // Leavers: their persons (while still linked), then `left`, then the links end.
  const leaving = request.leavers.map((l) => ({ student: studentBy.get(l.studentId)!, day: l.left ?? today }));
  const plans: PlannedDelivery[] = [];
  const notify = options.notify !== false && !!options.deliveries;
  if (notify) {
    plans.push(...(await noticesFor(schoolId, year, told.map(({ student, className }) => ({ student, notice: { template: "new-class" as const, student: student.fullName, className, year } })), false)));
    plans.push(
      ...(await noticesFor(
        schoolId,
        year,
        // Planned again on a re-send (same keys: nothing twice), so that a failure before the notices is made good.
        leaving.map(({ student, day }) => ({ student, notice: { template: "left-school" as const, student: student.fullName, className: classById.get(String(student.classId))?.name ?? "—", day } })),
        true,
      )),
    );
  }
  for (const { student, day } of leaving) {
    if (student.left === day && rolled(student)) {
      result.unchanged++;
      continue;
    }
    const filter = { _id: student._id, ...(rolled(student) ? {} : { "classHistory.year": { $ne: oldYear } }) };
    updates.push({ updateOne: { filter, update: { $set: { left: day }, ...(rolled(student) ? {} : { $push: { classHistory: history(student) } }) } } });
    result.left++;
  }
  if (updates.length) await Student.bulkWrite(updates, { ordered: false });
  const leaverIds = leaving.map((l) => l.student._id);
  if (leaverIds.length) {
    result.linksEnded = (await GuardianLink.deleteMany({ schoolId, studentId: { $in: leaverIds } })).deletedCount;
    await Account.updateMany({ roles: { $elemMatch: { role: "student", schoolId, studentId: { $in: leaverIds } } } }, { $pull: { roles: { role: "student", schoolId, studentId: { $in: leaverIds } } } });
    await Account.updateMany({ selectedStudentId: { $in: leaverIds } }, { $unset: { selectedStudentId: 1 } });
  }

  // Codes of the old year: every one issued before now and not yet used or revoked.
  result.codesExpired = (await InviteCode.updateMany({ schoolId, usedAt: null, revokedAt: null, createdAt: { $lt: now }, expiresAt: { $gt: now } }, { $set: { expiresAt: now } })).modifiedCount;
  if (current !== year) await School.updateOne({ _id: schoolId }, { $set: { schoolYear: { current: year, rolledOverAt: now } } });

  if (notify && plans.length) result.notified = (await enqueueDeliveries(options.deliveries!, plans, now)).created;
  options.logger?.info({ schoolId: String(schoolId), ...result }, "school year rolled over");
  return result;
}

type YearNotice = Extract<PlannedDelivery["notice"], { template: "new-class" | "left-school" }>;

/**
 * One message per person of each child. `unlinking`: the links are about to end, so an account's
 * message names no guardian record (the engine's gate would find no link by then); its consent was
 * checked here, and a person without consent in force gets nothing.
 */
async function noticesFor(schoolId: Types.ObjectId, year: string, children: Array<{ student: StudentLean; notice: YearNotice }>, unlinking: boolean): Promise<PlannedDelivery[]> {
  if (!children.length) return [];
  const families = await familiesOf(schoolId, children.map((c) => c.student._id));
  const plans: PlannedDelivery[] = [];
  for (const { student, notice } of children) {
    const persons = (families.get(String(student._id)) ?? []).flatMap((f) => f.persons).filter((p) => p.mode === "electronic");
    const base = { source: `school-year-${String(schoolId)}-${year.replace("/", "-")}-${String(student._id)}`, schoolId, kind: "school-year" as const, studentId: student._id, notice };
    for (const person of persons) {
      for (const plan of planForPerson(person, base)) plans.push(unlinking && plan.accountId ? { ...plan, guardianId: undefined } : plan);
    }
  }
  return plans;
}
