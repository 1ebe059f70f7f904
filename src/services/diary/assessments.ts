/** The tests schedule (контрольные, диктанты, ...) of the child's class. */
import { Assessment } from "../../db/models";
import type { DayRange } from "../../domain/school-calendar";
import { objectId, subjectNames } from "./names";
import type { StudentScope } from "./scope";

export interface AssessmentItem {
  id: string;
  date: string;
  subjectId: string;
  subjectName: string;
  kind: string;
  topic?: string;
}

/** Assessments within the range, by date. */
export async function assessmentsBetween(scope: StudentScope, range: DayRange, subjectId?: string): Promise<AssessmentItem[]> {
  const items = await Assessment.find({
    schoolId: scope.schoolId,
    classId: scope.classId,
    date: { $gte: range.from, $lte: range.to },
    ...(subjectId ? { subjectId: objectId(subjectId) } : {}),
  })
    .sort({ date: 1 })
    .lean();
  const names = await subjectNames(items.map((a) => a.subjectId), scope.reference?.subjects);
  return items.map((a) => ({
    id: String(a._id),
    date: a.date,
    subjectId: String(a.subjectId),
    subjectName: names.get(String(a.subjectId)) ?? "",
    kind: a.kind,
    ...(a.topic ? { topic: a.topic } : {}),
  }));
}
