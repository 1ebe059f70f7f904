/**
 * Words a Notice in the recipient's language (i18next namespace `notify`): Telegram HTML with every
 * inserted value escaped, plus an e-mail subject. Days are shown on the school's calendar.
 */
import type { i18n, TFunction } from "i18next";
import { escapeHtml } from "../../domain/html";
import { localDecimal } from "../../domain/format";
import { dayjs, inZone } from "../../domain/time";
import type { Language } from "../../i18n";
import type { ForecastLine, GradeItem, Notice } from "./notice";
import { afterHolidaysText, missingFinalsText, periodRiskText } from "./render-rhythm";
import { weeklyText } from "./render-weekly";

export interface RenderedMessage {
  html: string;
  subject: string;
}

const e = (v: unknown) => escapeHtml(String(v ?? ""));

export function formatDay(day: string, lang: Language): string {
  return dayjs(day, "YYYY-MM-DD").locale(lang).format(lang === "ru" ? "D MMMM, dd" : "ddd, D MMMM");
}

export function renderNotice(instance: i18n, lang: Language, timeZone: string, notice: Notice): RenderedMessage {
  const t = instance.getFixedT(lang, "notify");
  const day = (d: string) => e(formatDay(d, lang));
  const subjectParams = "student" in notice && notice.student ? { student: notice.student } : {};
  const subject = t(`subject.${notice.template}`, subjectParams);
  return { html: body(t, lang, timeZone, notice, day), subject };
}

function body(t: TFunction, lang: Language, timeZone: string, n: Notice, day: (d: string) => string): string {
  switch (n.template) {
    case "final": {
      const base = { student: e(n.student), subject: e(n.subject), period: e(n.period) };
      const reason = n.reason ? [t("final.reason", { reason: e(n.reason) })] : [];
      if (n.status === "deferred") {
        const until = n.deferredUntil ? t("final.deferredUntil", { day: day(n.deferredUntil) }) : "";
        return [t("final.title"), t("final.deferred", { ...base, until }), ...reason, t("final.deferredWhy")].join("\n");
      }
      if (n.status === "not_attested") return [t("final.title"), t("final.notAttested", base), ...reason, t("final.notAttestedWhy")].join("\n");
      return [t("final.title"), t("final.line", { ...base, value: e(n.value) })].join("\n");
    }
    case "exam": {
      const score = `${e(n.score)}${n.maxScore !== undefined ? t("exam.of", { max: e(n.maxScore) }) : ""}${t("exam.points")}${n.value ? t("exam.grade", { value: e(n.value) }) : ""}`;
      return [t("exam.title"), t("exam.line", { student: e(n.student), name: e(n.name), date: day(n.date), score })].join("\n");
    }
    case "grades":
      return [t("grades.title", { student: e(n.student) }), ...n.items.map((i) => gradeLine(t, i, day))].join("\n");
    case "digest": {
      const lines = [t("digest.title", { student: e(n.student) })];
      if (n.grades.length) lines.push("", t("digest.grades"), ...n.grades.map((i) => gradeLine(t, i, day)));
      if (n.homework.length) lines.push("", t("digest.homework"), ...n.homework.map((h) => t("digest.homeworkLine", { subject: e(h.subject), day: day(h.dueOn) })));
      return lines.join("\n");
    }
    case "lesson": {
      const base = { className: e(n.className), subject: e(n.subject), date: day(n.date), start: e(n.start) };
      let text: string;
      if (n.change === "cancelled") text = t("lesson.cancelled", base);
      else if (n.change === "substituted") text = t("lesson.substituted", { ...base, substitute: n.substitute ? t("lesson.substitute", { name: e(n.substitute) }) : "" });
      else text = n.movedTo ? t("lesson.moved", { ...base, toDate: day(n.movedTo.date), toStart: e(n.movedTo.start) }) : t("lesson.movedSomewhere", base);
      return n.students.length ? `${text}\n${t("lesson.children", { names: e(n.students.join(", ")) })}` : text;
    }
    case "assessment": {
      const kind = t(`assessment.kinds.${n.kind}`, { defaultValue: t("assessment.kinds.other") });
      const text = t(`assessment.${n.change}`, { className: e(n.className), subject: e(n.subject), date: day(n.date), kind: e(kind) });
      return n.students.length ? `${text}\n${t("lesson.children", { names: e(n.students.join(", ")) })}` : text;
    }
    case "forecast": {
      const text = forecastText(t, lang, n.student, n.period, n.lines);
      if (!n.periodEnd) return text;
      const [title, ...rest] = text.split("\n\n");
      return [title, t("rhythm:periodEnd.forecastLeft", { count: n.periodEnd.schoolDays, day: day(n.periodEnd.end) }), ...rest].join("\n\n");
    }
    case "new-class":
      return [t("rhythm:schoolYear.newClassTitle", { year: e(n.year) }), t("rhythm:schoolYear.newClass", { student: e(n.student), className: e(n.className), year: e(n.year) }), "", t("rhythm:schoolYear.newClassFooter")].join("\n");
    case "left-school":
      return [t("rhythm:schoolYear.leftTitle"), t("rhythm:schoolYear.left", { student: e(n.student), className: e(n.className), day: day(n.day) }), "", t("rhythm:schoolYear.leftFooter")].join("\n");
    case "period-risk":
      return periodRiskText(t, lang, n, day);
    case "missing-finals":
      return missingFinalsText(t, n, day);
    case "weekly":
      return weeklyText(t, n, day);
    case "after-holidays":
      return afterHolidaysText(t, n, day);
    case "recommendation": {
      const target = n.student ? t("recommendation.student", { student: e(n.student) }) : t("recommendation.class", { className: e(n.className) });
      return [t("recommendation.title"), t("recommendation.header", { teacher: e(n.teacher), subject: e(n.subject), target }), "", e(n.text)].join("\n");
    }
    case "receipt": {
      if (n.total === 0) return t("receipt.none", { target: e(n.target) });
      const lines = [t("receipt.text", { count: n.total, delivered: n.delivered, total: n.total, target: e(n.target) })];
      if (n.paper) lines.push(t("receipt.paper", { count: n.paper }));
      return lines.join("\n");
    }
    case "broadcast":
      return t("broadcast.text", { school: e(n.school), text: e(n.text) });
    case "consent-renewal":
      return [t("consentRenewal.title"), t("consentRenewal.text", { school: e(n.school), version: e(n.version) }), "", t("consentRenewal.footer")].join("\n");
    case "admin-alert": {
      const shown = n.items.slice(0, 30);
      const at = (iso: string) => e(inZone(new Date(iso), timeZone).locale(lang).format("D MMMM HH:mm"));
      const lines = n.paper ? [t("alert.paperTitle"), t("alert.paperIntro", { count: n.items.length, hours: n.limitHours })] : [t("alert.title"), t("alert.intro", { count: n.items.length, hours: n.limitHours })];
      lines.push(...shown.map((i) => t("alert.line", { student: e(i.student), what: e(i.what), at: at(i.resultsAt) })));
      if (n.items.length > shown.length) lines.push(t("alert.more", { count: n.items.length - shown.length }));
      lines.push("", t(n.paper ? "alert.paperHandover" : "alert.paper"));
      return lines.join("\n");
    }
    case "code-alarm":
      return [t("codeAlarm.title"), t("codeAlarm.intro", { count: n.count, minutes: n.minutes, threshold: n.threshold }), "", t("codeAlarm.why"), t("codeAlarm.what", { minutes: n.minutes })].join("\n");
  }
}

function gradeLine(t: TFunction, i: GradeItem, day: (d: string) => string): string {
  const workType = i.workType ? ` (${e(i.workType)})` : "";
  return t(`grades.${i.change}`, { subject: e(i.subject), value: e(i.value), before: e(i.before), date: day(i.date), workType });
}

function forecastText(t: TFunction, lang: Language, student: string, period: string, lines: ForecastLine[]): string {
  const out = [t("forecast.title", { student: e(student), period: e(period) })];
  if (!lines.length) return [...out, "", t("forecast.empty"), "", t("forecast.footer")].join("\n");
  const line = (l: ForecastLine) => {
    let text: string;
    if (l.passFail) text = t("forecast.linePassFail", { subject: e(l.subject), value: e(l.passFail) });
    else if (l.average === null) text = t("forecast.lineNoAverage", { subject: e(l.subject) });
    else text = t("forecast.line", { subject: e(l.subject), average: e(localDecimal(l.average, lang)), grade: e(l.grade) });
    const notes = [
      ...l.risks.map((r) => t(`forecast.risks.${r}`)),
      ...(l.needed ? [t("forecast.needed", { count: l.needed })] : []),
      ...(l.lift ? [t("forecast.lift", { count: l.lift.count, toGrade: l.lift.toGrade })] : []),
    ];
    return notes.length ? `${text} — ${notes.join("; ")}` : text;
  };
  const risky = lines.filter((l) => l.atRisk);
  const fine = lines.filter((l) => !l.atRisk);
  if (risky.length) out.push("", t("forecast.risky"), ...risky.map(line));
  if (fine.length) out.push("", ...(risky.length ? [t("forecast.fine")] : []), ...fine.map(line));
  out.push("", t("forecast.footer"));
  return out.join("\n");
}
