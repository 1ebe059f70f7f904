/**
 * Curriculum statistics of a class and period (regulation 5): lessons planned, held, substituted,
 * cancelled, moved and still to come per subject (and group), and the grades of the held lessons.
 * A subject is behind the plan when fewer lessons were held than expected by now, pro rata by the
 * class's school days elapsed: floor(planned × elapsed / all); after the period, held < planned.
 * School days are the school's week (Mon–Fri, or Mon–Sat with `settings.sixDayWeek`) less holidays.
 */
import { isSchoolDay, type HolidayRange, type WeekOptions } from "../school-calendar";
import { addDays } from "../time";
import { sheetMark, summarizeMarks, type MarkSummary } from "./summary-sheet";

export interface LessonEntry {
  id: string;
  subjectId: string;
  groupId?: string | null;
  date: string;
  kind: string;
  status: string;
  movedToDate?: string | null;
}

export interface GradeOfLesson {
  subjectId: string;
  date: string;
  value: string;
  lessonId?: string | null;
  /** The student's groups: places a grade without a lesson in its group's row. */
  studentGroupIds?: readonly string[];
}

export interface CurriculumInput {
  period: { start: string; end: string };
  today: string;
  classId: string;
  holidays: readonly HolidayRange[];
  /** The school's week (Saturdays are school days with `sixDayWeek`); five days when absent. */
  week?: WeekOptions;
  /** subjectId -> planned lessons (the curriculum). */
  planned: ReadonlyMap<string, number>;
  lessons: readonly LessonEntry[];
  grades: readonly GradeOfLesson[];
}

export interface CurriculumRow {
  subjectId: string;
  /** Set when the subject is taught in groups: one row per group (whole-class lessons count in each). */
  groupId: string | null;
  planned: number | null;
  /** Lessons held, by their teacher or (a past substitution) by a substitute. */
  held: number;
  /** Of the held ones, those a substitute taught. */
  substituted: number;
  cancelled: number;
  moved: number;
  /** Still `planned` although their day has passed: the journal did not mark them. */
  unmarked: number;
  /** Planned (or substituted) from today on, and moved lessons whose new day is still ahead. */
  remaining: number;
  /** Lessons due by now, pro rata by school days; null without a plan. */
  expected: number | null;
  /** expected − held when positive, else 0. */
  behindBy: number;
  heldByKind: Record<string, number>;
  grades: MarkSummary & { count: number };
}

/** School days of the class in [from, to], both included, in the school's week. */
export function schoolDaysBetween(from: string, to: string, holidays: readonly HolidayRange[], classId: string, week: WeekOptions = {}): number {
  let n = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) if (isSchoolDay(d, holidays, classId, week)) n += 1;
  return n;
}

export function expectedByNow(planned: number, input: Pick<CurriculumInput, "period" | "today" | "holidays" | "classId" | "week">): number {
  const { period, today } = input;
  if (today > period.end) return planned;
  const all = schoolDaysBetween(period.start, period.end, input.holidays, input.classId, input.week);
  const elapsed = today <= period.start ? 0 : schoolDaysBetween(period.start, addDays(today, -1), input.holidays, input.classId, input.week);
  return all === 0 ? planned : Math.floor((planned * elapsed) / all);
}

export function curriculumStats(input: CurriculumInput): CurriculumRow[] {
  const lessons = input.lessons.filter((l) => l.date >= input.period.start && l.date <= input.period.end);
  const subjects = [...new Set([...input.planned.keys(), ...lessons.map((l) => l.subjectId)])];
  const rows: CurriculumRow[] = [];
  for (const subjectId of subjects) {
    const own = lessons.filter((l) => l.subjectId === subjectId);
    const groups = [...new Set(own.map((l) => l.groupId).filter((g): g is string => !!g))].sort();
    for (const groupId of groups.length ? groups : [null]) {
      const rowLessons = own.filter((l) => !l.groupId || l.groupId === groupId);
      const grades = input.grades.filter((g) => g.subjectId === subjectId && g.date >= input.period.start && g.date <= input.period.end);
      rows.push(curriculumRow(input, subjectId, groupId, groups, rowLessons, grades));
    }
  }
  return rows;
}

function curriculumRow(input: CurriculumInput, subjectId: string, groupId: string | null, groups: string[], lessons: LessonEntry[], grades: GradeOfLesson[]): CurriculumRow {
  const count = (status: string) => lessons.filter((l) => l.status === status).length;
  // A substitution announced for today or later has not happened yet: it is still to come.
  const past = (l: LessonEntry) => l.date < input.today;
  const held = lessons.filter((l) => l.status === "held" || (l.status === "substituted" && past(l)));
  const heldByKind: Record<string, number> = {};
  for (const l of held) heldByKind[l.kind] = (heldByKind[l.kind] ?? 0) + 1;
  const heldIds = new Set(held.map((l) => l.id));
  const heldDays = new Set(held.map((l) => l.date));
  const allIds = new Set(input.lessons.map((l) => l.id));
  // A grade without its lesson belongs to its student's group row (the first row when none matches).
  const inRow = (g: GradeOfLesson) => groupId === null || (g.studentGroupIds ?? []).includes(groupId) || (groupId === groups[0] && !groups.some((x) => (g.studentGroupIds ?? []).includes(x)));
  const counted = grades.filter((g) => (g.lessonId && allIds.has(g.lessonId) ? heldIds.has(g.lessonId) : heldDays.has(g.date) && inRow(g)));
  const marks = counted.map((g) => sheetMark({ studentId: "", subjectId, status: "final", value: g.value }));
  const planned = input.planned.get(subjectId) ?? null;
  const expected = planned === null ? null : expectedByNow(planned, input);
  return {
    subjectId,
    groupId,
    planned,
    held: held.length,
    substituted: lessons.filter((l) => l.status === "substituted" && past(l)).length,
    cancelled: count("cancelled"),
    moved: count("moved"),
    unmarked: lessons.filter((l) => l.status === "planned" && l.date < input.today).length,
    remaining:
      lessons.filter((l) => (l.status === "planned" || l.status === "substituted") && !past(l)).length +
      lessons.filter((l) => l.status === "moved" && (l.movedToDate ?? "") >= input.today).length,
    expected,
    behindBy: expected === null ? 0 : Math.max(0, expected - held.length),
    heldByKind,
    grades: { ...summarizeMarks(marks.filter((m) => m.kind !== "missing")), count: marks.filter((m) => m.kind !== "missing").length },
  };
}
