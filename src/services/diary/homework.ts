/** Homework of the child's class (and their groups) due on the days asked about. */
import { Homework } from "../../db/models";
import type { DayRange } from "../../domain/school-calendar";
import { byName, objectId, subjectNames } from "./names";
import { forStudentGroups, type StudentScope } from "./scope";

export interface HomeworkItem {
  id: string;
  subjectId: string;
  subjectName: string;
  assignedOn: string;
  dueOn: string;
  text: string;
  links: string[];
}

/** Homework due within the range, by due day, then subject. */
export async function homeworkDue(scope: StudentScope, range: DayRange, subjectId?: string): Promise<HomeworkItem[]> {
  const items = await Homework.find({
    schoolId: scope.schoolId,
    classId: scope.classId,
    dueOn: { $gte: range.from, $lte: range.to },
    ...(subjectId ? { subjectId: objectId(subjectId) } : {}),
    ...forStudentGroups(scope),
  })
    .sort({ dueOn: 1 })
    .lean();
  const names = await subjectNames(items.map((h) => h.subjectId), scope.reference?.subjects);
  return items
    .map((h) => ({
      id: String(h._id),
      subjectId: String(h.subjectId),
      subjectName: names.get(String(h.subjectId)) ?? "",
      assignedOn: h.assignedOn,
      dueOn: h.dueOn,
      text: h.text,
      links: h.links ?? [],
    }))
    .sort((a, b) => (a.dueOn === b.dueOn ? byName<HomeworkItem>((h) => h.subjectName)(a, b) : a.dueOn < b.dueOn ? -1 : 1));
}

/** The subjects that have homework due within the range (buttons "by subject"). */
export async function homeworkSubjects(scope: StudentScope, range: DayRange): Promise<Array<{ id: string; name: string }>> {
  const ids = await Homework.distinct("subjectId", {
    schoolId: scope.schoolId,
    classId: scope.classId,
    dueOn: { $gte: range.from, $lte: range.to },
    ...forStudentGroups(scope),
  });
  const names = await subjectNames(ids, scope.reference?.subjects);
  return [...names].map(([id, name]) => ({ id, name })).sort(byName((s) => s.name));
}
