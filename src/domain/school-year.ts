/**
 * The school year (in Russia, 1 September to 31 August) and how long a staff role lasts: to the end
 * of the school year it was granted in, unless renewed for the next one. The journal's periods say
 * when a year ends (its `year` period, or the last period when the periods reach the summer); a
 * journal that has sent only the autumn so far, or none, leaves 31 August.
 */
export interface PeriodSpan {
  kind: string;
  start: string;
  end: string;
}

/** The calendar year in which the school year containing `day` (YYYY-MM-DD) began. */
export function schoolYearStart(day: string): number {
  const year = Number(day.slice(0, 4));
  return day.slice(5) >= "09-01" ? year : year - 1;
}

/** The last day of the school year that began in September of `startYear`. */
export function schoolYearLastDay(startYear: number, periods: readonly PeriodSpan[]): string {
  const first = `${startYear}-09-01`;
  const august = `${startYear + 1}-08-31`;
  const own = periods.filter((p) => p.start >= first && p.start <= august);
  const latest = (list: readonly PeriodSpan[]) => list.map((p) => p.end).sort().at(-1);
  const year = latest(own.filter((p) => p.kind === "year"));
  if (year) return year;
  const last = latest(own);
  // Periods up to May or later: the journal has sent the whole year, and its last period ends it.
  return last && last >= `${startYear + 1}-05-01` ? last : august;
}

/**
 * Through which day a staff role lasts when granted or renewed on `today`: a grant runs to the end
 * of the current school year (or of the next one, once the current one is over: a teacher hired in
 * July); a renewal always to the end of the next school year, so that renewing twice changes
 * nothing more.
 */
export function staffRoleLastDay(today: string, periods: readonly PeriodSpan[], mode: "grant" | "renew"): string {
  const start = schoolYearStart(today);
  const current = schoolYearLastDay(start, periods);
  return mode === "grant" && current >= today ? current : schoolYearLastDay(start + 1, periods);
}

/** The label of the school year that began in September of `startYear` ("2027/28"). */
export function schoolYearLabel(startYear: number): string {
  return `${startYear}/${String((startYear + 1) % 100).padStart(2, "0")}`;
}

/** The year a label starts in ("2027/28" → 2027). */
export function schoolYearOfLabel(label: string): number {
  return Number(label.slice(0, 4));
}

/** The label of the school year before ("2027/28" → "2026/27"). */
export function previousSchoolYear(label: string): string {
  return schoolYearLabel(schoolYearOfLabel(label) - 1);
}
