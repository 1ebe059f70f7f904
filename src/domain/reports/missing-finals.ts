/** Missing finals (regulation 9): who still lacks a final grade, or whose deferral has run out. */
import { sheetMark, type FinalEntry } from "./summary-sheet";

export interface MissingFinal {
  studentId: string;
  subjectId: string;
  problem: "missing" | "deferral-expired";
  deferredUntil?: string;
}

/**
 * Students without a final grade of a subject they study (a whole-class subject, or one of their
 * groups'); a deferral counts until its day has passed. A not-attested result is a result.
 */
export function missingFinals(
  students: ReadonlyArray<{ id: string; groupIds?: readonly string[] }>,
  subjects: ReadonlyArray<{ subjectId: string; groupIds?: readonly string[] | null }>,
  finals: readonly FinalEntry[],
  today: string,
): MissingFinal[] {
  const byKey = new Map(finals.map((f) => [`${f.studentId}|${f.subjectId}`, f]));
  const out: MissingFinal[] = [];
  for (const student of students) {
    for (const subject of subjects) {
      const studies = !subject.groupIds?.length || subject.groupIds.some((g) => (student.groupIds ?? []).includes(g));
      if (!studies) continue;
      const entry = byKey.get(`${student.id}|${subject.subjectId}`);
      if (!entry || sheetMark(entry).kind === "missing") out.push({ studentId: student.id, subjectId: subject.subjectId, problem: "missing" });
      else if (entry.status === "deferred" && entry.deferredUntil && entry.deferredUntil < today) {
        out.push({ studentId: student.id, subjectId: subject.subjectId, problem: "deferral-expired", deferredUntil: entry.deferredUntil });
      }
    }
  }
  return out;
}
