/**
 * `npm run --silent seed:demo -- [--name "<name>"] [--today YYYY-MM-DD] [--json]`: a demo school
 * loaded through the exchange import (the timetable around today in Europe/Moscow), its exchange
 * token and guardian invite codes, so that a newcomer can try the bot at once.
 */
import { Types } from "mongoose";
import { DEFAULT_TIMEZONE, Student, type ExchangeResource } from "../db/models";
import { issueStudentCode } from "../services/codes";
import { isCalendarDay, schoolDay } from "../domain/time";
import { createSchool, findClassByName, findSchool } from "../services/schools";
import { importBundle } from "../services/exchange/import";
import { formatTable, option, runCli, UsageError } from "./common";
import { demoSchool } from "./demo-data";

const USAGE = 'Usage: npm run --silent seed:demo -- [--name "<school name>"] [--today YYYY-MM-DD] [--json]';

export interface DemoCode {
  role: string;
  code: string;
  expiresAt: string;
  studentExternalId?: string;
  studentName?: string;
  className?: string;
}

/** Guardian invite codes for the first three students of 5А (bound to their journal guardian when there is one). */
async function issueDemoCodes(schoolId: string, pepper: string): Promise<DemoCode[]> {
  const school = new Types.ObjectId(schoolId);
  const schoolClass = await findClassByName(school, "5А");
  if (!schoolClass) return [];
  const students = await Student.find({ schoolId: school, classId: schoolClass._id }, { externalId: 1 }).sort({ fullName: 1 }).limit(3).lean();
  const codes: DemoCode[] = [];
  for (const student of students) {
    const issued = await issueStudentCode({ schoolId: school, studentExternalId: student.externalId, role: "guardian", pepper, now: new Date() });
    codes.push({ role: issued.role, code: issued.code, expiresAt: issued.expiresAt.toISOString(), studentExternalId: issued.studentExternalId, studentName: issued.studentName, className: issued.className });
  }
  return codes;
}

void runCli(USAGE, { values: ["name", "today"] }, async (ctx) => {
  const today = option(ctx.args, "today") ?? schoolDay(new Date(), DEFAULT_TIMEZONE);
  if (!isCalendarDay(today)) throw new UsageError("--today must be a date YYYY-MM-DD");
  const data = demoSchool(today);
  await ctx.connectDb();
  const issued = await createSchool({ name: option(ctx.args, "name") ?? "Демонстрационная школа № 1", address: "г. Москва, ул. Школьная, д. 1", timezone: DEFAULT_TIMEZONE });
  const school = await findSchool(issued.schoolId);
  // A first load: silent, no events to enqueue, so no Redis is needed.
  const result = await importBundle({ _id: school._id, timezone: school.timezone, loadedResources: school.loadedResources }, data, { notify: false, logger: ctx.logger });
  const codes = await issueDemoCodes(issued.schoolId, ctx.config.codePepper);
  const rows = (Object.keys(result.resources) as ExchangeResource[]).map((resource) => ({ resource, items: result.resources[resource]!.created }));
  return {
    json: { schoolId: issued.schoolId, token: issued.token, codes },
    text:
      formatTable([
        { field: "schoolId", value: issued.schoolId },
        { field: "token", value: issued.token },
      ]) +
      `\nDemo data as of ${today}:\n` +
      formatTable(rows) +
      (codes.length ? `\nGuardian codes:\n${formatTable(codes as unknown as Array<Record<string, unknown>>)}` : "\nGuardian codes: none yet (invite codes come with the onboarding feature).\n"),
  };
});
