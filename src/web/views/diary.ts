/** The rest of the child's diary: homework, timetable, tests, teachers, holidays, recommendations, finals. */
import { formatInstant, formatScore } from "../../domain/format";
import { addDays } from "../../domain/time";
import type {
  AssessmentItem, ChildFinals, ChildHolidays, ChildTeachers, DayStatus, HolidayEntry, HomeworkItem, LessonItem, RecommendationItem,
} from "../../services/diary";
import type { ChildPage } from "../feature";
import { html, type Html } from "../render/html";
import { day, mark, relativeDay, shortRange, type Fmt } from "./format";

const vocabulary = (f: Fmt, group: string, key: string) => f.t(`views:${group}.${key}`, { defaultValue: key });

/** ◀ previous week · this week · next week ▶ */
function weekPager(f: Fmt, base: string, from: string, previous: string | null, next: string | null, to: string): Html {
  return html`<p class="pager">
  ${previous ? html`<a href="${base}?week=${previous}" rel="prev" aria-label="${f.t("web:diary.previousWeek")}">◀ ${shortRange(f, previous, addDays(previous, 6))}</a>` : html`<span></span>`}
  <strong>${shortRange(f, from, to)}</strong>
  ${next ? html`<a href="${base}?week=${next}" rel="next" aria-label="${f.t("web:diary.nextWeek")}">${shortRange(f, next, addDays(next, 6))} ▶</a>` : html`<span></span>`}
</p>`;
}

export interface WeekPage<T> {
  from: string;
  to: string;
  previous: string | null;
  next: string | null;
  days: Array<{ status: DayStatus; items: T[] }>;
}

export function homeworkPage(f: Fmt, child: ChildPage, week: WeekPage<HomeworkItem>): Html {
  const { t } = f;
  const base = `/app/c/${String(child.child.studentId)}/homework`;
  const withWork = week.days.filter((d) => d.items.length > 0);
  return html`<h1>${t("web:nav.homework")}</h1>
${weekPager(f, base, week.from, week.previous, week.next, week.to)}
${withWork.length === 0
    ? html`<p>${t("web:diary.noHomework")}</p>`
    : withWork.map((d) => html`<section class="card"><h2>${t("web:diary.dueOn", { day: day(f, d.status.day) })} <span class="hint">${relativeDay(f, child.scope.today, d.status.day)}</span></h2>
  <ul>${d.items.map((h) => html`<li><strong>${h.subjectName}</strong>: ${h.text}${h.links.length > 0 && html`<br>${h.links.map((url) => html`<a href="${url}" rel="noopener noreferrer nofollow" target="_blank">${url}</a> `)}`}</li>`)}</ul>
</section>`)}`;
}

export function timetablePage(f: Fmt, child: ChildPage, week: WeekPage<LessonItem>): Html {
  const { t } = f;
  const base = `/app/c/${String(child.child.studentId)}/timetable`;
  return html`<h1>${t("web:nav.timetable")}</h1>
${weekPager(f, base, week.from, week.previous, week.next, week.to)}
${week.days.filter((d) => !d.status.weekend || d.items.length > 0).map((d) => html`<section class="card"${d.status.day === child.scope.today ? html` aria-current="date"` : ""}>
  <h2>${day(f, d.status.day)}${d.status.day === child.scope.today ? html` <span class="badge">${t("views:common.today")}</span>` : ""}</h2>
  ${d.status.holiday ? html`<p>${t("web:diary.holiday", { name: d.status.holiday })}</p>` : d.items.length === 0 ? html`<p class="hint">${t("views:schedule.noLessons")}</p>` : html`<div class="table-wrap"><table>
    <caption class="visually-hidden">${day(f, d.status.day)}</caption>
    <tbody>${d.items.map((l) => lessonRow(f, l))}</tbody>
  </table></div>`}
</section>`)}`;
}

function lessonRow(f: Fmt, l: LessonItem): Html {
  const { t } = f;
  const time = `${l.start}–${l.end}`;
  const kind = l.kind !== "lesson" ? ` (${vocabulary(f, "lessonKinds", l.kind)})` : "";
  if (l.status === "cancelled") return html`<tr><td class="num">${time}</td><td><span class="strike">${l.subjectName}</span> — <strong class="risk">${t("web:diary.cancelled")}</strong></td></tr>`;
  if (l.movedTo) return html`<tr><td class="num">${time}</td><td><span class="strike">${l.subjectName}</span> — ${t("web:diary.movedTo", { day: day(f, l.movedTo.date, "long"), time: l.movedTo.start })}</td></tr>`;
  const teacher = l.status === "substituted" && l.substituteName
    ? html`<br><span class="risk">${t("web:diary.substitute", { substitute: l.substituteName, teacher: l.teacherName })}</span>`
    : html`<br><span class="hint">${l.teacherName}${l.room ? `, ${t("views:schedule.room", { room: l.room })}` : ""}</span>`;
  const moved = l.movedFrom ? html`<br><span class="hint">${t("web:diary.movedFrom", { day: day(f, l.movedFrom.date, "long"), time: l.movedFrom.start })}</span>` : "";
  return html`<tr><td class="num">${time}</td><td><strong>${l.subjectName}</strong>${kind}${teacher}${moved}</td></tr>`;
}

export function testsPage(f: Fmt, child: ChildPage, period: { name: string; start: string; end: string } | null, items: AssessmentItem[]): Html {
  const { t } = f;
  if (!period) return html`<h1>${t("web:nav.tests")}</h1><p>${t("views:tests.noPeriods")}</p>`;
  const today = child.scope.today;
  const upcoming = items.filter((a) => a.date >= today);
  const past = items.filter((a) => a.date < today).reverse();
  const line = (a: AssessmentItem, ahead: boolean) =>
    html`<li><strong>${day(f, a.date)}</strong>${ahead ? html` <span class="hint">(${relativeDay(f, today, a.date)})</span>` : ""} — <strong>${a.subjectName}</strong>: ${vocabulary(f, "testKinds", a.kind)}${a.topic ? ` — ${a.topic}` : ""}</li>`;
  return html`<h1>${t("web:nav.tests")}</h1>
<h2>${t("web:start.periodTitle", { period: period.name || t("views:common.schoolYear"), range: shortRange(f, period.start, period.end) })}</h2>
${upcoming.length ? html`<ul>${upcoming.map((a) => line(a, true))}</ul>` : html`<p>${t(items.length ? "views:tests.noneAhead" : "views:tests.none")}</p>`}
${past.length > 0 && html`<h2>${t("views:tests.pastTitle")}</h2><ul>${past.map((a) => line(a, false))}</ul>`}`;
}

export function teachersPage(f: Fmt, teachers: ChildTeachers): Html {
  const { t } = f;
  return html`<h1>${t("web:nav.teachers")}</h1>
<p>${teachers.homeroom ? html`${t("web:diary.homeroom")} <strong>${teachers.homeroom}</strong>` : t("views:teachers.noHomeroom")}</p>
${teachers.bySubject.length === 0
    ? html`<p>${t("views:teachers.none")}</p>`
    : html`<div class="table-wrap"><table>
  <caption>${t("views:teachers.bySubject")}</caption>
  <thead><tr><th scope="col">${t("web:start.subject")}</th><th scope="col">${t("web:diary.teacher")}</th></tr></thead>
  <tbody>${teachers.bySubject.map((s) => html`<tr><th scope="row">${s.subjectName}</th><td>${s.teachers.map((x, i) => html`${i > 0 ? html`<br>` : ""}${x.name}${x.groupName ? html` <span class="hint">(${x.groupName})</span>` : ""}`)}</td></tr>`)}</tbody>
</table></div>`}
${teachers.individual.length > 0 && html`<h2>${t("views:teachers.individual")}</h2><ul>${teachers.individual.map((x) => html`<li><strong>${x.name}</strong> — ${x.subjects.join(", ")}</li>`)}</ul>`}`;
}

export function holidaysPage(f: Fmt, holidays: ChildHolidays): Html {
  const { t } = f;
  const entry = (h: HolidayEntry) => html`<tr${h.state === "past" ? html` class="hint"` : ""}><th scope="row">${h.name}${h.classOnly ? html` <span class="badge">${t("web:diary.classOnly")}</span>` : ""}</th><td>${shortRange(f, h.start, h.end)}</td><td class="num">${t("units.day", { count: h.lengthDays })}</td></tr>`;
  return html`<h1>${t("web:nav.holidays")}</h1>
${holidays.next
    ? html`<div class="card"><h2>${t("web:diary.nextHolidays", { name: holidays.next.name })}</h2><p>${shortRange(f, holidays.next.start, holidays.next.end)} · ${holidays.next.state === "ongoing" ? t("web:diary.ongoing", { days: t("units.day", { count: holidays.next.daysLeft }) }) : t("web:diary.startsIn", { days: t("units.day", { count: holidays.next.daysLeft }) })}</p></div>`
    : holidays.year.length > 0 && html`<p>${t("views:holidays.noneAhead")}</p>`}
${holidays.year.length === 0
    ? html`<p>${t("views:holidays.none")}</p>`
    : html`<div class="table-wrap"><table><caption>${t("views:holidays.yearTitle")}</caption><tbody>${holidays.year.map(entry)}</tbody></table></div>`}`;
}

export function recommendationsPage(f: Fmt, child: ChildPage, items: RecommendationItem[]): Html {
  const { t } = f;
  return html`<h1>${t("web:nav.recommendations")}</h1>
${items.length === 0
    ? html`<p>${t("views:recommendations.none")}</p>`
    : items.map((r) => html`<article class="card">
  <p class="hint">${formatInstant(r.createdAt, child.scope.timezone, f.lang)} · ${r.subjectName} · ${r.teacherName} · ${r.forClass ? t("web:diary.forClass", { className: child.scope.className }) : t("views:recommendations.personal")}</p>
  <p>${r.text}</p>
</article>`)}`;
}

/** `year.past`: the last school year ("?year=last"); `year.previous`: there is one to link to. */
export function finalsPage(f: Fmt, finals: ChildFinals, year?: { base: string; previous: { label: string } | null; past: { label: string; className: string } | null }): Html {
  const { t } = f;
  const hasDeferred = finals.periods.some((p) => p.finals.some((x) => x.status === "deferred"));
  const hasNotAttested = finals.periods.some((p) => p.finals.some((x) => x.status === "not_attested"));
  const past = year?.past;
  return html`<h1>${past ? t("views:lastYear.title", { year: past.label, className: past.className }) : t("web:nav.finals")}</h1>
${past ? html`<p class="pager"><a href="${year!.base}">${t("views:lastYear.back")}</a></p>` : year?.previous ? html`<p class="pager"><a href="${year.base}?year=last">${t("views:lastYear.button")}</a></p>` : ""}
${finals.periods.length === 0 && finals.exams.length === 0 && html`<p>${t("views:finals.none")}</p>`}
${finals.periods.map((p) => html`<h2>${p.periodName || t("views:common.schoolYear")}</h2>
<div class="table-wrap"><table><caption class="visually-hidden">${p.periodName}</caption><tbody>
${p.finals.map((x) => html`<tr><th scope="row">${x.subjectName}</th><td>${x.status === "final"
    ? html`<strong>${mark(f, x.value ?? "")}</strong>`
    : x.status === "deferred"
      ? html`⏳ ${t("web:diary.deferred")}${x.deferredUntil ? ` ${t("web:diary.until", { date: day(f, x.deferredUntil, "long") })}` : ""}${x.reason ? ` — ${x.reason}` : ""}`
      : html`<span class="risk">❌ ${t("web:diary.notAttested")}</span>${x.reason ? ` — ${x.reason}` : ""}`}</td></tr>`)}
</tbody></table></div>`)}
${hasDeferred && html`<p class="hint">${t("web:diary.deferredExplained")}</p>`}
${hasNotAttested && html`<p class="hint">${t("web:diary.notAttestedExplained")}</p>`}
${finals.exams.length > 0 && html`<h2>${t("views:finals.examsTitle")}</h2><ul>${finals.exams.map((e) => html`<li>${day(f, e.date, "long")} — ${e.name}: ${t("web:diary.score", { score: formatScore(e.score, f.lang, e.maxScore) })}${e.value ? html`, ${t("web:diary.examMark")} <strong>${mark(f, e.value)}</strong>` : ""}</li>`)}</ul>`}`;
}
