/**
 * Who is on paper in a class: the families on paper, and the families with a pending paper item (a
 * message that fell back to paper) about a child of the class — the slips of the weekly printout
 * (src/services/printouts.ts) and, for finals and exams, of the daily results slip
 * (src/services/daily-slips.ts).
 */
import type { Types } from "mongoose";
import { Delivery, Guardian, Student, type DeliveryKind, type DeliveryReason } from "../db/models";
import { familiesOf } from "./people";
import { byName } from "./reports/school-data";

export interface PaperSlip {
  studentId: Types.ObjectId;
  guardianId: Types.ObjectId;
}

/**
 * Slips of a class: one per child and family on paper (any person of the family, or the record
 * itself, informed on paper: src/services/people.ts), by student and guardian name.
 */
export async function paperSlipsOfClass(schoolId: Types.ObjectId, classId: Types.ObjectId): Promise<PaperSlip[]> {
  return (await paperFamiliesOfClass(schoolId, classId)).map(({ studentId, guardianId }) => ({ studentId, guardianId }));
}

/** Why a slip is printed: the family's paper reason, or `fallback` for a family whose only paper is items that fell back. */
export type SlipReason = DeliveryReason | "fallback";

type ClassSlip = PaperSlip & { student: string; guardian: string; reason: SlipReason | null };

/**
 * Slips of a class: every family on paper, and every family with a pending paper item about a child
 * of the class (a message that fell back to paper — watchdog, SMTP refusal, blocked bot, paper first
 * in a person's order — for a family that is otherwise electronic): nothing on paper is left behind.
 */
export async function paperFamiliesOfClass(schoolId: Types.ObjectId, classId: Types.ObjectId, kinds?: readonly DeliveryKind[]): Promise<ClassSlip[]> {
  return (await paperFamiliesOfClasses(schoolId, [classId], kinds)).get(String(classId)) ?? [];
}

/**
 * `paperFamiliesOfClass` for several classes in the same few queries, by class id; `classIds` in the
 * order the classes are built. An item about no child that a slip of the guardian in an earlier class
 * will claim (claimPendingOf: the first matching slip) adds no slip to its record's first child's
 * class: as when the classes were built one after another.
 */
export async function paperFamiliesOfClasses(schoolId: Types.ObjectId, classIds: readonly Types.ObjectId[], kinds?: readonly DeliveryKind[]): Promise<Map<string, ClassSlip[]>> {
  const result = new Map<string, ClassSlip[]>(classIds.map((id) => [String(id), []]));
  const order = new Map(classIds.map((id, n) => [String(id), n]));
  const students = await Student.find({ schoolId, classId: { $in: classIds }, left: null }, { fullName: 1, classId: 1 }).lean();
  const families = await familiesOf(schoolId, students.map((s) => s._id));
  const studentById = new Map(students.map((s) => [String(s._id), s]));
  const keys = new Set<string>();
  /** The earliest class (its place in the order) with a slip of each guardian. */
  const firstClass = new Map<string, number>();
  const add = (student: (typeof students)[number], guardianId: Types.ObjectId, guardian: string, reason: SlipReason | null) => {
    keys.add(`${String(student._id)}/${String(guardianId)}`);
    const place = order.get(String(student.classId)) ?? Infinity;
    firstClass.set(String(guardianId), Math.min(place, firstClass.get(String(guardianId)) ?? Infinity));
    result.get(String(student.classId))?.push({ studentId: student._id, guardianId, student: student.fullName, guardian, reason });
  };
  for (const student of students) {
    for (const family of (families.get(String(student._id)) ?? []).filter((f) => f.paper && !kinds)) add(student, family.guardianId, family.guardianName ?? "", family.paperReason);
  }
  const pairs = await pendingPairs(schoolId, students.map((s) => s._id), kinds);
  for (const pair of [...pairs.filter((p) => !p.orphan), ...pairs.filter((p) => p.orphan)]) {
    if (keys.has(`${String(pair.studentId)}/${String(pair.guardianId)}`)) continue;
    const student = studentById.get(String(pair.studentId))!;
    if (pair.orphan && (firstClass.get(String(pair.guardianId)) ?? Infinity) < order.get(String(student.classId))!) continue;
    const family = (families.get(String(pair.studentId)) ?? []).find((f) => f.guardianId.equals(pair.guardianId));
    add(student, pair.guardianId, family?.guardianName ?? "", family?.paper ? family.paperReason : "fallback");
  }
  for (const slips of result.values()) slips.sort((a, b) => byName(a.student, b.student) || byName(a.guardian, b.guardian));
  return result;
}

/**
 * The (child, family) pairs with a pending paper item among these children: an item about a child
 * belongs to that child; one about no child (a school broadcast) to the record's first child.
 */
async function pendingPairs(schoolId: Types.ObjectId, studentIds: readonly Types.ObjectId[], kinds?: readonly DeliveryKind[]): Promise<Array<PaperSlip & { orphan: boolean }>> {
  if (!studentIds.length) return [];
  const guardians = await Guardian.find({ schoolId, studentIds: { $in: studentIds } }, { studentIds: 1 }).lean();
  if (!guardians.length) return [];
  const items = await Delivery.find(
    { "recipient.guardianId": { $in: guardians.map((g) => g._id) }, channel: "paper", status: "pending_paper", schoolId, ...(kinds ? { kind: { $in: kinds } } : {}) },
    { recipient: 1 },
  ).lean();
  const inClass = new Set(studentIds.map(String));
  const guardianById = new Map(guardians.map((g) => [String(g._id), g]));
  // orphan: only items about no child put the pair here.
  const pairs = new Map<string, PaperSlip & { orphan: boolean }>();
  for (const d of items) {
    const guardian = guardianById.get(String(d.recipient.guardianId));
    const studentId = d.recipient.studentId ?? guardian?.studentIds[0];
    if (!guardian || !studentId || !inClass.has(String(studentId))) continue;
    const key = `${String(studentId)}/${String(guardian._id)}`;
    const orphan = !d.recipient.studentId && (pairs.get(key)?.orphan ?? true);
    pairs.set(key, { studentId, guardianId: guardian._id, orphan });
  }
  return [...pairs.values()];
}

/** Classes of the school with at least one family on paper or a pending paper item (of these kinds, when given). */
export async function classesWithPaperGuardians(schoolId: Types.ObjectId, kinds?: readonly DeliveryKind[]): Promise<Types.ObjectId[]> {
  const students = await Student.find({ schoolId, left: null }, { classId: 1 }).lean();
  const classOf = new Map(students.map((s) => [String(s._id), s.classId]));
  const classIds = new Map<string, Types.ObjectId>();
  const add = (studentId: Types.ObjectId | string | null | undefined) => {
    const classId = studentId ? classOf.get(String(studentId)) : undefined;
    if (classId) classIds.set(String(classId), classId);
  };
  if (!kinds) {
    const families = await familiesOf(schoolId, students.map((s) => s._id));
    for (const [studentId, list] of families) if (list.some((f) => f.paper)) add(studentId);
  }
  const pending = await Delivery.find({ schoolId, channel: "paper", status: "pending_paper", ...(kinds ? { kind: { $in: kinds } } : {}) }, { recipient: 1 }).lean();
  const orphans = pending.filter((d) => !d.recipient.studentId && d.recipient.guardianId).map((d) => d.recipient.guardianId!);
  for (const d of pending) add(d.recipient.studentId);
  if (orphans.length) for (const g of await Guardian.find({ schoolId, _id: { $in: orphans } }, { studentIds: 1 }).lean()) add(g.studentIds[0]);
  return [...classIds.values()];
}
