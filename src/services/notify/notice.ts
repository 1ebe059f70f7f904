/**
 * What a message says, as structured values (plain JSON: it travels in BullMQ jobs and stays on the
 * delivery record). It is worded at send time in the recipient's language (render.ts), so a
 * fallback to another channel reuses it. Kept here, below the queue, so that the services that plan
 * messages need nothing from src/queue.
 */
import type { FinalGradeStatus } from "../../db/models";
import type { DayLesson } from "../../domain/rhythm";
import type { WeeklyChild } from "../../domain/weekly-digest";

export interface GradeItem {
  change: "created" | "changed" | "removed";
  subject: string;
  date: string;
  value: string;
  /** The previous value of a changed grade. */
  before?: string;
  workType?: string;
}

export interface HomeworkItem {
  subject: string;
  dueOn: string;
}

export interface ForecastLine {
  subject: string;
  average: string | null;
  grade: number | null;
  passFail: string | null;
  atRisk: boolean;
  risks: string[];
  lift?: { count: number; toGrade: number } | null;
  drop?: { value: number; count: number; toGrade: number } | null;
  /** Too few grades: how many more reach the school's minimum (the period-end forecast). */
  needed?: number;
}

/** A student at risk in a subject, as a teacher's period-end list shows it (issue 15). */
export interface RiskItem {
  className: string;
  student: string;
  subject: string;
  risk: "not-attested" | "two";
  count: number;
  average: string | null;
}

/** A final grade missing after a period's end (the admins' daily list). */
export interface MissingFinalItem {
  className: string;
  student: string;
  subject: string;
  /** missing: no final at all; deferred: its day has passed. */
  status: "missing" | "deferred";
}

export interface OverdueItem {
  student: string;
  what: string;
  resultsAt: string;
}

export type Notice =
  | { template: "final"; student: string; subject: string; period: string; status: FinalGradeStatus; value?: string; deferredUntil?: string; reason?: string }
  | { template: "exam"; student: string; name: string; date: string; score: number; maxScore?: number; value?: string }
  | { template: "grades"; student: string; items: GradeItem[] }
  | { template: "digest"; student: string; grades: GradeItem[]; homework: HomeworkItem[] }
  | {
      template: "lesson";
      students: string[];
      className: string;
      change: "cancelled" | "substituted" | "moved";
      subject: string;
      date: string;
      start: string;
      substitute?: string;
      movedTo?: { date: string; start: string };
    }
  | { template: "assessment"; students: string[]; className: string; change: "scheduled" | "moved"; subject: string; date: string; kind: string }
  /** `periodEnd`: the forecast N school days before the period's end (issue 15), sent once. */
  | { template: "forecast"; student: string; period: string; lines: ForecastLine[]; periodEnd?: { end: string; schoolDays: number } }
  /** A teacher's students at risk N school days before the period's end (issue 15). */
  | { template: "period-risk"; period: string; end: string; schoolDays: number; minGrades: number; items: RiskItem[] }
  /** The admins' list of finals still missing after the period's end, each school day until it is empty (issue 15). */
  | { template: "missing-finals"; period: string; day: string; items: MissingFinalItem[]; complete: string[] }
  /** The weekly digest of a person: every child of theirs with something to say (issue 15). */
  | { template: "weekly"; from: string; to: string; children: WeeklyChild[] }
  /** The first school day after holidays: the day's timetable of each child of the person (issue 15). */
  | { template: "after-holidays"; day: string; children: Array<{ student: string; className: string; holiday: string; lessons: DayLesson[] }> }
  /** The new school year (issue 15): the child's class of the new year. */
  | { template: "new-class"; student: string; className: string; year: string }
  /** The new school year: the child left the school; the person's access to the child has ended. */
  | { template: "left-school"; student: string; className: string; day: string }
  | { template: "recommendation"; teacher: string; subject: string; className: string; student?: string; text: string }
  | { template: "receipt"; delivered: number; total: number; paper: number; target: string }
  | { template: "broadcast"; school: string; text: string }
  | { template: "consent-renewal"; school: string; version: string }
  /** `paper`: results printed (or waiting for a slip) but not handed over within `limitHours` of the result. */
  | { template: "admin-alert"; limitHours: number; items: OverdueItem[]; paper?: boolean }
  /** Wrong invite codes across all users faster than the alarm's threshold (src/services/code-alarm.ts). */
  | { template: "code-alarm"; count: number; threshold: number; minutes: number };

export type NoticeTemplate = Notice["template"];
