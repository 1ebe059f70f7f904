/**
 * Weekly paper printouts (regulation 9): who gets one, building a class's PDF, and the hand-over.
 *
 * - Every family on paper gets a slip per child in the class: one per child and guardian record,
 *   whichever of its persons needed paper and why (declined or withdrawn consent, a refusal on
 *   paper, a blocked bot, their own choice, the journal): see `familiesOf` (src/services/people.ts).
 * - One Printout per class and week (the record is the truth, the PDF is rebuilt from it): slips
 *   are only ever appended, so a slip's id `<printoutId>.<n>` stays valid; the guardian's
 *   `pending_paper` deliveries are claimed by the printout (`printed`, `printoutId`) before the PDF
 *   is made, so a retry or a reprint shows them again and no other printout takes them.
 * - The weekly job builds a school's classes in batches that read each collection once
 *   (src/services/printout-build.ts); one class is the same code with a batch of one.
 * - Handing a slip over marks it (`handedAt`, `handedBy`) and its deliveries `handed`.
 */
import { withTelegramChat } from "./accounts";
import type { Types } from "mongoose";
import { Delivery, Guardian, Printout, ResultSlip, SchoolClass, Student, Account, type AccountDocument } from "../db/models";
import { byName } from "./reports/school-data";
import { parseSlipId, slipId, type SlipState } from "./printout-sheets";

/**
 * A member of staff as the server sees them: the schools they administer (admin roles, or every
 * school for a bootstrap admin) and their teacher roles. Built per update, never from a button.
 */
export interface Staff {
  accountId: Types.ObjectId | null;
  adminSchoolIds: readonly Types.ObjectId[];
  teacherRoles: ReadonlyArray<{ schoolId: Types.ObjectId; teacherId: Types.ObjectId }>;
}

export function staffFrom(account: Pick<AccountDocument, "_id" | "roles"> | null, adminSchoolIds: readonly Types.ObjectId[]): Staff {
  return {
    accountId: account?._id ?? null,
    adminSchoolIds,
    teacherRoles: (account?.roles ?? []).filter((r) => r.role === "teacher" && r.teacherId).map((r) => ({ schoolId: r.schoolId, teacherId: r.teacherId! })),
  };
}

type ClassRef = { _id: Types.ObjectId; schoolId: Types.ObjectId; homeroomTeacherId?: Types.ObjectId | null };

/** Admins of the class's school and its homeroom teacher may see and hand over its printouts. */
export function canManageClass(staff: Staff, schoolClass: ClassRef): boolean {
  if (staff.adminSchoolIds.some((id) => id.equals(schoolClass.schoolId))) return true;
  const homeroom = schoolClass.homeroomTeacherId;
  return !!homeroom && staff.teacherRoles.some((r) => r.schoolId.equals(schoolClass.schoolId) && r.teacherId.equals(homeroom));
}

/** The classes a member of staff manages: every class of their admin schools, and their homeroom classes. */
export async function managedClasses(staff: Staff) {
  const adminSchools = [...staff.adminSchoolIds];
  const teachers = staff.teacherRoles.map((r) => ({ schoolId: r.schoolId, homeroomTeacherId: r.teacherId }));
  if (!adminSchools.length && !teachers.length) return [];
  const classes = await SchoolClass.find({ $or: [...(adminSchools.length ? [{ schoolId: { $in: adminSchools } }] : []), ...teachers] }).lean();
  return classes.sort((a, b) => a.grade - b.grade || byName(a.name, b.name));
}

export { classesWithPaperGuardians, paperFamiliesOfClass, paperSlipsOfClass, type PaperSlip, type SlipReason } from "./paper-families";
export { buildClassPrintout, buildClassPrintouts, type BuildRequest, type BuiltPrintout } from "./printout-build";
export { claimPending, claimPendingOf, parseSlipId, slipId, upsertSheet, upsertSheets, type SlipState } from "./printout-sheets";

export type HandoverResult = { ok: true; handed: boolean; printoutId: Types.ObjectId } | { ok: false; reason: "not-found" | "forbidden" };

/** Marks a slip handed over (or, pressed again, not handed: a mistake), with its deliveries. */
export async function toggleHandover(id: string, staff: Staff, now: Date): Promise<HandoverResult> {
  const parsed = parseSlipId(id);
  const sheet = parsed ? await sheetOf(parsed.printoutId) : null;
  const printout = sheet?.doc;
  const slip = parsed && printout ? printout.slips[parsed.index] : undefined;
  if (!parsed || !sheet || !printout || !slip) return { ok: false, reason: "not-found" };
  const Sheet = sheet.model;
  const schoolClass = await SchoolClass.findById(printout.classId).lean();
  if (!schoolClass || !canManageClass(staff, schoolClass)) return { ok: false, reason: "forbidden" };
  const path = `slips.${parsed.index}`;
  const handed = !slip.handedAt;
  const update = handed
    ? { $set: { [`${path}.handedAt`]: now, ...(staff.accountId ? { [`${path}.handedBy`]: staff.accountId } : {}) } }
    : { $unset: { [`${path}.handedAt`]: 1, [`${path}.handedBy`]: 1 } };
  // Conditional on the state the user saw: a double press changes it once.
  const changed = await Sheet.updateOne({ _id: printout._id, [`${path}.handedAt`]: { $exists: !handed } }, update);
  if (changed.modifiedCount === 0) return { ok: true, handed: !!(await Sheet.findById(printout._id).lean())?.slips[parsed.index]?.handedAt, printoutId: printout._id };
  const items = { "recipient.guardianId": slip.guardianId, channel: "paper" as const, printoutId: printout._id, $or: [{ "recipient.studentId": slip.studentId }, { "recipient.studentId": null }] };
  if (handed) await Delivery.updateMany({ ...items, status: "printed" }, { $set: { status: "handed", sentAt: now } });
  else await Delivery.updateMany({ ...items, status: "handed" }, { $set: { status: "printed" }, $unset: { sentAt: 1 } });
  return { ok: true, handed, printoutId: printout._id };
}

/**
 * A weekly printout or a daily results slip (src/services/daily-slips.ts) by id: both hold slips
 * handed over the same way, with the same `<id>.<n>` slip ids and buttons.
 */
async function sheetOf(id: Types.ObjectId) {
  const weekly = await Printout.findById(id).lean();
  if (weekly) return { model: Printout, doc: weekly, weekStart: weekly.weekStart, day: null };
  const daily = await ResultSlip.findById(id).lean();
  // The two models share the fields the hand-over touches (classId, slips).
  return daily ? { model: ResultSlip as unknown as typeof Printout, doc: daily, weekStart: daily.day, day: daily.day } : null;
}

/** A printout's (or daily slip's) checklist as it is now: class, week or day, and every slip with its hand-over state. */
export async function printoutChecklist(printoutId: Types.ObjectId): Promise<{ className: string; weekStart: string; day?: string; slips: SlipState[] } | null> {
  const sheet = await sheetOf(printoutId);
  if (!sheet) return null;
  const printout = sheet.doc;
  const [schoolClass, students, guardians] = await Promise.all([
    SchoolClass.findById(printout.classId, { name: 1 }).lean(),
    Student.find({ _id: { $in: printout.slips.map((s) => s.studentId) } }, { fullName: 1 }).lean(),
    Guardian.find({ _id: { $in: printout.slips.map((s) => s.guardianId) } }, { fullName: 1 }).lean(),
  ]);
  const name = (list: Array<{ _id: Types.ObjectId; fullName?: string | null }>, id: Types.ObjectId) => list.find((x) => x._id.equals(id))?.fullName ?? "—";
  return {
    className: schoolClass?.name ?? "—",
    weekStart: sheet.weekStart,
    ...(sheet.day ? { day: sheet.day } : {}),
    slips: printout.slips.map((s, n) => ({ id: slipId(printout._id, n), studentName: name(students, s.studentId), guardianName: name(guardians, s.guardianId), handed: !!s.handedAt })),
  };
}

/** Telegram accounts that receive a class's printout: its homeroom teacher's, else the school's admins. */
export async function printoutRecipients(schoolClass: ClassRef) {
  const teacher = schoolClass.homeroomTeacherId
    ? await Account.find({ active: true, roles: { $elemMatch: { role: "teacher", schoolId: schoolClass.schoolId, teacherId: schoolClass.homeroomTeacherId } } }).lean()
    : [];
  if (withTelegramChat(teacher).length) return { accounts: withTelegramChat(teacher), fallback: false };
  const admins = await Account.find({ active: true, roles: { $elemMatch: { role: "admin", schoolId: schoolClass.schoolId } } }).lean();
  return { accounts: withTelegramChat(admins), fallback: true };
}
