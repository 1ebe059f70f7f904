/**
 * The daily results slip (regulation 6 for families on paper): finals and exam results that went on
 * paper — the family is on paper, or a message fell back to it — are printed for the class's homeroom
 * teacher on the next school morning (not with the weekly printout, which may be up to a week away).
 *
 * One ResultSlip per class and school day; like the weekly printout it is the truth, slips are only
 * appended (ids `<resultSlipId>.<n>` stay valid), the pending items are claimed (`printed`,
 * `printoutId` = the ResultSlip's id) before the PDF is made, and the hand-over
 * (`toggleHandover`, the same `ph:` buttons) marks the items `handed`: only then does the watchdog
 * count them as delivered.
 */
import type { Types } from "mongoose";
import { Guardian, Printout, ResultSlip, School, SchoolClass, Student, Teacher, type DeliveryKind } from "../db/models";
import { schoolDay } from "../domain/time";
import type { Translate } from "../i18n";
import { renderResultSlips, type ResultSlipView } from "../print/result-slip";
import type { Notice } from "./notify/notice";
import { claimPending, paperFamiliesOfClass, slipId, upsertSheet, type SlipState } from "./printouts";

/** What goes onto the daily slip: the results the regulation gives one day. */
export const RESULT_KINDS: readonly DeliveryKind[] = ["final", "exam"];

export interface DailySlipRequest {
  schoolId: Types.ObjectId;
  classId: Types.ObjectId;
  now: Date;
  t: Translate;
  lang: string;
}

export interface BuiltResultSlip {
  resultSlipId: Types.ObjectId;
  day: string;
  fileName: string;
  pdf: Buffer;
  slips: SlipState[];
}

/** Builds (or rebuilds) today's results slip of the class; null when no result of the class waits on paper. */
export async function buildResultSlip(request: DailySlipRequest): Promise<BuiltResultSlip | null> {
  const { schoolId, classId, now } = request;
  const [school, schoolClass] = await Promise.all([School.findById(schoolId).lean(), SchoolClass.findOne({ _id: classId, schoolId }).lean()]);
  if (!school || !schoolClass) return null;
  const day = schoolDay(now, school.timezone);
  const waiting = await paperFamiliesOfClass(schoolId, classId, RESULT_KINDS);
  const existing = await ResultSlip.findOne({ schoolId, classId, day }).lean();
  if (!waiting.length && !existing?.slips.length) return null;

  const fileName = request.t("printouts:daily.fileName", { className: schoolClass.name, day });
  // The two models share the fields the upsert touches (the key, producedAt, fileName, slips).
  const sheet = await upsertSheet(ResultSlip as unknown as typeof Printout, { schoolId, classId, day }, waiting.map(({ studentId, guardianId }) => ({ studentId, guardianId })), now, fileName);
  const items = await claimPending(schoolId, sheet._id, sheet.slips, RESULT_KINDS);
  const [students, guardians, homeroom] = await Promise.all([
    Student.find({ _id: { $in: sheet.slips.map((s) => s.studentId) } }, { fullName: 1 }).lean(),
    Guardian.find({ _id: { $in: sheet.slips.map((s) => s.guardianId) } }, { fullName: 1 }).lean(),
    schoolClass.homeroomTeacherId ? Teacher.findById(schoolClass.homeroomTeacherId, { fullName: 1 }).lean() : null,
  ]);
  const name = (list: Array<{ _id: Types.ObjectId; fullName?: string | null }>, id: Types.ObjectId) => list.find((x) => x._id.equals(id))?.fullName ?? "—";
  const view: ResultSlipView = {
    schoolName: school.name,
    className: schoolClass.name,
    homeroomTeacher: homeroom?.fullName ?? null,
    day,
    slips: sheet.slips.map((s, n) => ({
      id: slipId(sheet._id, n),
      studentName: name(students, s.studentId),
      guardianName: name(guardians, s.guardianId),
      handed: !!s.handedAt,
      results: (items.get(n) ?? []).map((i) => ({ kind: i.kind, notice: (i.notice ?? null) as Notice | null })),
    })),
  };
  const pdf = await renderResultSlips(view, request.t, request.lang);
  return {
    resultSlipId: sheet._id,
    day,
    fileName,
    pdf,
    slips: view.slips.map(({ id, studentName, guardianName, handed }) => ({ id, studentName, guardianName, handed })),
  };
}
