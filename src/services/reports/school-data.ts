/**
 * What every report of a school needs to look up: the school, periods,
 * subject and teacher names (a school has a few dozen: loaded whole, once per report).
 */
import { Types } from "mongoose";
import { Period, School, Subject, Teacher, type PeriodKind } from "../../db/models";
import { periodOn } from "../../domain/school-calendar";

export class ReportInputError extends Error {}

export async function loadSchool(schoolId: Types.ObjectId | string) {
  const school = Types.ObjectId.isValid(String(schoolId)) ? await School.findById(schoolId).lean() : null;
  if (!school) throw new ReportInputError(`School ${String(schoolId)} not found`);
  return school;
}

export type PeriodDoc = Awaited<ReturnType<typeof periodsOf>>[number];

export function periodsOf(schoolId: Types.ObjectId) {
  return Period.find({ schoolId }).sort({ start: 1 }).lean();
}

/**
 * The period a report is about: the one with this externalId, else the school's reporting period
 * of `today` (the one going on, or the nearest; the one just finished wins during a break).
 */
export async function resolvePeriod(schoolId: Types.ObjectId, periodKind: PeriodKind | string, today: string, externalId?: string): Promise<PeriodDoc> {
  const periods = await periodsOf(schoolId);
  if (externalId) {
    const period = periods.find((p) => p.externalId === externalId);
    if (!period) throw new ReportInputError(`unknown period "${externalId}"; the periods are: ${periods.map((p) => p.externalId).join(", ") || "none"}`);
    return period;
  }
  const found = periodOn(today, periods, periodKind) ?? periodOn(today, periods);
  if (!found) throw new ReportInputError("the school has no periods yet (the journal sends them as resource periods)");
  return found.period;
}

export async function subjectNamesOf(schoolId: Types.ObjectId): Promise<Map<string, string>> {
  const subjects = await Subject.find({ schoolId }, { name: 1 }).lean();
  return new Map(subjects.map((s) => [String(s._id), s.name]));
}

export async function teacherNamesOf(schoolId: Types.ObjectId): Promise<Map<string, string>> {
  const teachers = await Teacher.find({ schoolId }, { fullName: 1 }).lean();
  return new Map(teachers.map((s) => [String(s._id), s.fullName]));
}

/** Russian collation for names of people and subjects. */
export const byName = (a: string, b: string) => a.localeCompare(b, "ru");
