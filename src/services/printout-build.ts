/**
 * Building the weekly printouts of classes (the semantics are at the top of src/services/printouts.ts).
 * One code path for one class (the bot's /printouts, the console, a reprint) and for the weekly job's
 * whole school: the classes are taken in batches, and each batch reads every collection once for all
 * its classes (`$in` of the classes and of the paper students) and writes its records in bulk, so a
 * batch costs about as many database commands as one class did; then each class's view is cut in
 * memory and its PDF rendered one at a time (src/services/reports/weekly-extract.ts).
 */
import type { Types } from "mongoose";
import { Guardian, Printout, School, SchoolClass } from "../db/models";
import { lastScheduledRun, printoutWeek } from "../domain/reports";
import { schoolDay, zonedInstant } from "../domain/time";
import type { Translate } from "../i18n";
import { renderPrintout, type PrintoutView } from "../print/printout";
import { paperFamiliesOfClasses } from "./paper-families";
import { claimPendingOf, recordSlipDeliveries, sameSlip, slipId, upsertSheets, type SlipState } from "./printout-sheets";
import { byName } from "./reports/school-data";
import { loadPrintoutViews } from "./reports/weekly-extract";

/**
 * Paper slips read together: classes join a batch while its slips stay within this (a class with
 * more is a batch of its own). Memory grows with the batch's paper students (a period of grades
 * each, their views), not with the school: 1,000 students all on paper in one batch of 1,480 slips
 * peaked at 484 MB RSS (bench:print --paper 1), over the 400 MB target; a usual school (a tenth on
 * paper, 165 slips for 1,000 students) is one batch.
 */
export const PRINTOUT_BATCH_SLIPS = 250;

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

export type ClassDoc = { _id: Types.ObjectId; schoolId: Types.ObjectId; name: string; grade: number; homeroomTeacherId?: Types.ObjectId | null };

/** Builds (or rebuilds) the class's printout of the week; null when nobody in the class is on paper. */
export async function buildClassPrintout(request: BuildRequest): Promise<BuiltPrintout | null> {
  const { classId, ...rest } = request;
  for await (const { printout } of buildClassPrintouts({ ...rest, classIds: [classId] })) return printout;
  return null;
}

/**
 * Builds (or rebuilds) the week's printouts of these classes, by grade and name, yielding each class
 * that has one (somebody on paper, or slips from earlier in the week) as soon as its PDF is made.
 */
export async function* buildClassPrintouts(
  request: Omit<BuildRequest, "classId"> & { classIds: readonly Types.ObjectId[]; batchSlips?: number },
): AsyncGenerator<{ schoolClass: ClassDoc; printout: BuiltPrintout }> {
  const { schoolId, now } = request;
  const [school, found] = await Promise.all([School.findById(schoolId).lean(), SchoolClass.find({ _id: { $in: request.classIds }, schoolId }).lean()]);
  if (!school || !found.length) return;
  const classes = found.sort((a, b) => a.grade - b.grade || byName(a.name, b.name));
  const runAt = request.runAt ?? lastScheduledRun(now, school.timezone, school.settings.printoutSchedule);
  const week = printoutWeek(schoolDay(runAt, school.timezone));
  const scope = { school, week, today: schoolDay(now, school.timezone), now };
  // Who is on paper, for all the classes at once: it sizes the batches.
  const families = await paperFamiliesOfClasses(schoolId, classes.map((c) => c._id));
  for (const batch of batches(classes, (c) => families.get(String(c._id))?.length ?? 0, request.batchSlips ?? PRINTOUT_BATCH_SLIPS)) {
    const classIds = batch.map((c) => c._id);
    const existing = await Printout.find({ schoolId, classId: { $in: classIds }, weekStart: week.start }).lean();
    const sheetOf = (c: ClassDoc) => existing.find((p) => p.classId.equals(c._id));
    const todo = batch.filter((c) => families.get(String(c._id))?.length || sheetOf(c)?.slips.length);
    if (!todo.length) continue;

    const fileNames = todo.map((c) => request.t("printouts:fileName", { className: c.name, week: week.start }));
    const printouts = await upsertSheets(
      Printout,
      todo.map((c, n) => ({ key: { schoolId, classId: c._id, weekStart: week.start }, wanted: (families.get(String(c._id)) ?? []).map(({ studentId, guardianId }) => ({ studentId, guardianId })), fileName: fileNames[n] })),
      now,
      existing,
    );
    const sheets = printouts.map((p) => ({ printoutId: p._id, slips: p.slips, producedAt: p.producedAt }));
    const pending = await claimPendingOf(schoolId, sheets);
    await recordSlipDeliveries(schoolId, sheets);

    const [guardians, previous] = await Promise.all([
      Guardian.find({ _id: { $in: sheets.flatMap((s) => s.slips.map((slip) => slip.guardianId)) } }, { fullName: 1 }).lean(),
      Printout.find({ schoolId, classId: { $in: todo.map((c) => c._id) }, weekStart: { $lt: week.start } }, { classId: 1, weekStart: 1, producedAt: 1 }).lean(),
    ]);
    const guardianName = new Map(guardians.map((g) => [String(g._id), g.fullName]));
    const views = await loadPrintoutViews(
      scope,
      todo.map((schoolClass, i) => {
        const last = previous.filter((p) => p.classId.equals(schoolClass._id)).sort((a, b) => (a.weekStart < b.weekStart ? 1 : -1))[0];
        const paper = families.get(String(schoolClass._id)) ?? [];
        return {
          schoolClass,
          since: last?.producedAt ?? zonedInstant(week.start, "00:00", school.timezone),
          previousAt: last?.producedAt ?? null,
          slips: sheets[i].slips.map((s, n) => ({
            id: slipId(sheets[i].printoutId, n),
            studentId: s.studentId,
            guardianId: s.guardianId,
            guardianName: guardianName.get(String(s.guardianId)) ?? "—",
            // Why the family is on paper now; a slip kept from earlier in the week (nobody on paper any more) shows none.
            deliveryReason: paper.find((f) => sameSlip(f, s))?.reason ?? null,
            pending: pending[i].get(n) ?? [],
          })),
        };
      }),
    );
    for (const [i, schoolClass] of todo.entries()) {
      // Rendered one class at a time, as the caller takes them: only one PDF is held at once.
      yield { schoolClass, printout: await renderBuilt(sheets[i], views[i], fileNames[i], request) };
    }
  }
}

/** Consecutive runs of classes whose slips together stay within `limit` (at least one class each). */
function batches<T>(classes: readonly T[], slips: (c: T) => number, limit: number): T[][] {
  const result: T[][] = [];
  let count = 0;
  for (const c of classes) {
    const n = slips(c);
    if (!result.length || count + n > limit) {
      result.push([]);
      count = 0;
    }
    result[result.length - 1].push(c);
    count += n;
  }
  return result;
}

async function renderBuilt(sheet: { printoutId: Types.ObjectId; slips: ReadonlyArray<{ handedAt?: Date | null }> }, view: PrintoutView, fileName: string, request: Pick<BuildRequest, "t" | "lang">): Promise<BuiltPrintout> {
  const pdf = await renderPrintout(view, request.t, request.lang);
  const byId = new Map(view.slips.map((s) => [s.id, s]));
  return {
    printoutId: sheet.printoutId,
    fileName,
    pdf,
    view,
    slips: sheet.slips
      .map((s, n) => ({ id: slipId(sheet.printoutId, n), handed: !!s.handedAt }))
      .filter((s) => byId.has(s.id))
      .map((s) => ({ ...s, studentName: byId.get(s.id)!.studentName, guardianName: byId.get(s.id)!.guardianName })),
  };
}
