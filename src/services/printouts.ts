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
 * - Handing a slip over marks it (`handedAt`, `handedBy`) and its deliveries `handed`.
 */
import { withTelegramChat } from "./accounts";
import { Types } from "mongoose";
import { Delivery, Guardian, Printout, ResultSlip, School, SchoolClass, Student, Teacher, Account, type AccountDocument, type DeliveryKind } from "../db/models";
import { lastScheduledRun, printoutWeek } from "../domain/reports";
import { schoolDay, zonedInstant } from "../domain/time";
import type { Translate } from "../i18n";
import { renderPrintout, type PrintoutView } from "../print/printout";
import type { PendingItem } from "./reports/pending-paper";
import { byName } from "./reports/school-data";
import { paperFamiliesOfClass, type PaperSlip } from "./paper-families";
import { loadPrintoutView } from "./reports/weekly-extract";


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

export interface BuildRequest {
  schoolId: Types.ObjectId;
  classId: Types.ObjectId;
  now: Date;
  /** The scheduled run: its day picks the week. Default: the school's latest scheduled run. */
  runAt?: Date;
  /** The PDF's language (the school's). */
  t: Translate;
  lang: string;
}

export interface BuiltPrintout {
  printoutId: Types.ObjectId;
  fileName: string;
  pdf: Buffer;
  view: PrintoutView;
  slips: SlipState[];
}

export interface SlipState {
  id: string;
  studentName: string;
  guardianName: string;
  handed: boolean;
}

/** Builds (or rebuilds) the class's printout of the week; null when nobody in the class is on paper. */
export async function buildClassPrintout(request: BuildRequest): Promise<BuiltPrintout | null> {
  const { schoolId, classId, now } = request;
  const [school, schoolClass] = await Promise.all([School.findById(schoolId).lean(), SchoolClass.findOne({ _id: classId, schoolId }).lean()]);
  if (!school || !schoolClass) return null;
  const runAt = request.runAt ?? lastScheduledRun(now, school.timezone, school.settings.printoutSchedule);
  const week = printoutWeek(schoolDay(runAt, school.timezone));
  const paperFamilies = await paperFamiliesOfClass(schoolId, classId);
  const wanted = paperFamilies.map(({ studentId, guardianId }) => ({ studentId, guardianId }));
  const existing = await Printout.findOne({ schoolId, classId, weekStart: week.start }).lean();
  if (!wanted.length && !existing?.slips.length) return null;

  const fileName = request.t("printouts:fileName", { className: schoolClass.name, week: week.start });
  const printout = await upsertPrintout(schoolId, classId, week.start, wanted, now, fileName);
  const slips = printout.slips;
  const pending = await claimPending(schoolId, printout._id, slips);
  await recordSlipDeliveries(schoolId, printout._id, slips, printout.producedAt);

  const [guardians, homeroom, previous] = await Promise.all([
    Guardian.find({ _id: { $in: slips.map((s) => s.guardianId) } }, { fullName: 1 }).lean(),
    schoolClass.homeroomTeacherId ? Teacher.findById(schoolClass.homeroomTeacherId, { fullName: 1 }).lean() : null,
    Printout.findOne({ schoolId, classId, weekStart: { $lt: week.start } }, { producedAt: 1 }).sort({ weekStart: -1 }).lean(),
  ]);
  const guardian = new Map(guardians.map((g) => [String(g._id), g]));
  const view = await loadPrintoutView({
    school,
    schoolClass,
    homeroomTeacher: homeroom?.fullName ?? null,
    week,
    today: schoolDay(now, school.timezone),
    now,
    since: previous?.producedAt ?? zonedInstant(week.start, "00:00", school.timezone),
    previousAt: previous?.producedAt ?? null,
    slips: slips.map((s, n) => ({
      id: slipId(printout._id, n),
      studentId: s.studentId,
      guardianId: s.guardianId,
      guardianName: guardian.get(String(s.guardianId))?.fullName ?? "—",
      // Why the family is on paper now; a slip kept from earlier in the week (nobody on paper any more) shows none.
      deliveryReason: paperFamilies.find((f) => sameSlip(f, s))?.reason ?? null,
      pending: pending.get(n) ?? [],
    })),
  });
  const pdf = await renderPrintout(view, request.t, request.lang);
  const byId = new Map(view.slips.map((s) => [s.id, s]));
  return {
    printoutId: printout._id,
    fileName,
    pdf,
    view,
    slips: slips
      .map((s, n) => ({ id: slipId(printout._id, n), handed: !!s.handedAt }))
      .filter((s) => byId.has(s.id))
      .map((s) => ({ ...s, studentName: byId.get(s.id)!.studentName, guardianName: byId.get(s.id)!.guardianName })),
  };
}

export function slipId(printoutId: Types.ObjectId, index: number): string {
  return `${printoutId.toHexString()}.${index}`;
}

export function parseSlipId(id: string): { printoutId: Types.ObjectId; index: number } | null {
  const match = /^([0-9a-f]{24})\.(\d{1,3})$/.exec(id);
  return match ? { printoutId: new Types.ObjectId(match[1]), index: Number(match[2]) } : null;
}

const sameSlip = (a: PaperSlip, b: PaperSlip) => a.studentId.equals(b.studentId) && a.guardianId.equals(b.guardianId);

/** The week's Printout with every wanted slip. */
async function upsertPrintout(schoolId: Types.ObjectId, classId: Types.ObjectId, weekStart: string, wanted: PaperSlip[], now: Date, fileName: string) {
  return upsertSheet(Printout, { schoolId, classId, weekStart }, wanted, now, fileName);
}

type SheetModel = { findOne: typeof Printout.findOne; create: typeof Printout.create; updateOne: typeof Printout.updateOne };

/**
 * A printout (or daily results slip) with every wanted slip: created, or appended to with an
 * optimistic check on the count (slips are only ever appended, so their ids stay valid).
 */
export async function upsertSheet(model: SheetModel, key: Record<string, unknown>, wanted: PaperSlip[], now: Date, fileName: string) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const doc = await model.findOne(key).lean();
    if (!doc) {
      try {
        return (await model.create({ ...key, producedAt: now, fileName, slips: wanted })).toObject();
      } catch (error) {
        if ((error as { code?: number }).code === 11000) continue; // another build created it
        throw error;
      }
    }
    const missing = wanted.filter((w) => !doc.slips.some((s) => sameSlip(s, w)));
    if (!missing.length) return doc;
    const pushed = await model.updateOne({ _id: doc._id, slips: { $size: doc.slips.length } }, { $push: { slips: { $each: missing } } });
    if (pushed.modifiedCount === 1) return { ...doc, slips: [...doc.slips, ...missing.map((m) => ({ ...m, handedAt: undefined, handedBy: undefined }))] };
  }
  throw new Error("the printout kept changing while it was built");
}

/**
 * Claims the guardians' pending paper items for this printout and returns every item it holds, by
 * slip: an item about a child goes on that child's slip, one about no child on the guardian's first.
 */
export async function claimPending(schoolId: Types.ObjectId, printoutId: Types.ObjectId, slips: PaperSlip[], kinds?: readonly DeliveryKind[]): Promise<Map<number, PendingItem[]>> {
  const guardianIds = [...new Map(slips.map((s) => [String(s.guardianId), s.guardianId])).values()];
  const slipOf = (recipient: { guardianId?: Types.ObjectId | null; studentId?: Types.ObjectId | null }) =>
    slips.findIndex((s) => recipient.guardianId?.equals(s.guardianId) && (!recipient.studentId || recipient.studentId.equals(s.studentId)));
  const candidates = await Delivery.find(
    { schoolId, channel: "paper", status: "pending_paper", "recipient.guardianId": { $in: guardianIds }, ...(kinds ? { kind: { $in: kinds } } : {}) },
    { recipient: 1 },
  ).lean();
  const mine = candidates.filter((d) => slipOf(d.recipient) >= 0).map((d) => d._id);
  if (mine.length) await Delivery.updateMany({ _id: { $in: mine }, status: "pending_paper" }, { $set: { status: "printed", printoutId } });
  // Through the guardians: {recipient.guardianId, channel, status} is indexed, printoutId is not.
  const held = await Delivery.find({ "recipient.guardianId": { $in: guardianIds }, channel: "paper", status: { $in: ["printed", "handed"] }, printoutId, kind: { $ne: "printout" } }).sort({ queuedAt: 1 }).lean();
  const bySlip = new Map<number, PendingItem[]>();
  for (const d of held) {
    const n = slipOf(d.recipient);
    if (n < 0) continue;
    const raw = d as unknown as { notice?: unknown };
    bySlip.set(n, [...(bySlip.get(n) ?? []), { deliveryId: String(d._id), kind: d.kind, eventId: d.eventId ?? null, queuedAt: d.queuedAt, notice: raw.notice }]);
  }
  return bySlip;
}

/** The delivery log's entry of each slip: printed now, handed later (the weekly obligation's proof). */
async function recordSlipDeliveries(schoolId: Types.ObjectId, printoutId: Types.ObjectId, slips: PaperSlip[], producedAt: Date): Promise<void> {
  if (!slips.length) return;
  await Delivery.bulkWrite(
    slips.map((s) => ({
      updateOne: {
        filter: { idempotencyKey: slipDeliveryKey(printoutId, s) },
        update: {
          $setOnInsert: { schoolId, kind: "printout", channel: "paper", status: "printed", recipient: { guardianId: s.guardianId, studentId: s.studentId }, printoutId, queuedAt: producedAt, attempts: 0 },
        },
        upsert: true,
      },
    })),
  );
}

const slipDeliveryKey = (printoutId: Types.ObjectId, s: PaperSlip) => `printout/${printoutId.toHexString()}/${s.studentId.toHexString()}/${s.guardianId.toHexString()}`;

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
