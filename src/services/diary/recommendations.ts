/** Teachers' recommendations for the child: their own and the ones for the whole class, newest first. */
import { Recommendation } from "../../db/models";
import { objectId, subjectNames, teacherNames } from "./names";
import type { StudentScope } from "./scope";

export interface RecommendationItem {
  id: string;
  createdAt: Date;
  subjectName: string;
  teacherName: string;
  /** For the whole class rather than the child personally. */
  forClass: boolean;
  text: string;
}

export const RECOMMENDATIONS_SHOWN = 10;

export async function latestRecommendations(scope: StudentScope, limit = RECOMMENDATIONS_SHOWN, subjectId?: string): Promise<RecommendationItem[]> {
  const items = await Recommendation.find({
    schoolId: scope.schoolId,
    $or: [{ studentId: scope.studentId }, { classId: scope.classId, studentId: null }],
    ...(subjectId ? { subjectId: objectId(subjectId) } : {}),
  })
    .sort({ createdAt: -1 })
    .limit(limit)
    .lean();
  const [subjects, teachers] = await Promise.all([subjectNames(items.map((r) => r.subjectId)), teacherNames(items.map((r) => r.teacherId))]);
  return items.map((r) => ({
    id: String(r._id),
    createdAt: r.createdAt,
    subjectName: subjects.get(String(r.subjectId)) ?? "",
    teacherName: teachers.get(String(r.teacherId)) ?? "",
    forClass: !r.studentId,
    text: r.text,
  }));
}
