/**
 * The short SMS wording of a Notice (i18next namespace `sms`): plain text, no markup, the student as
 * "Иванова М.", a link to the cabinet when WEB_URL is set. Only what may go by SMS has a text:
 * finals and exam results always, forecasts at risk and recommendations when the school allows it.
 */
import type { i18n } from "i18next";
import { formatDay } from "./render";
import type { Language } from "../../i18n";
import type { Notice } from "./notice";

/** What a school may add to SMS besides finals and exams (School.settings.smsKinds). */
export const SMS_OPTIONAL_TEMPLATES = ["forecast", "recommendation"] as const;
export type SmsOptionalTemplate = (typeof SMS_OPTIONAL_TEMPLATES)[number];

/** "Иванова Мария Петровна" → "Иванова М.": a surname and an initial keep the SMS short. */
export function shortName(full: string): string {
  const [surname, given] = full.trim().split(/\s+/);
  return given ? `${surname} ${given[0].toUpperCase()}.` : (surname ?? "");
}

/** Whether this notice goes by SMS at all for a school with these extra kinds allowed. */
export function goesBySms(notice: Notice, allowed: readonly string[] = []): boolean {
  if (notice.template === "final" || notice.template === "exam") return true;
  if (notice.template === "forecast") return allowed.includes("forecast") && notice.lines.some((l) => l.atRisk);
  if (notice.template === "recommendation") return allowed.includes("recommendation");
  return false;
}

export function renderSms(instance: i18n, lang: Language, notice: Notice, webUrl?: string): string | null {
  const t = instance.getFixedT(lang, "sms");
  const more = webUrl ? t("more", { link: `${webUrl}/app/` }) : "";
  const text = ((): string | null => {
    switch (notice.template) {
      case "final": {
        const base = { student: shortName(notice.student), subject: notice.subject, period: notice.period };
        if (notice.status === "deferred") return t("finalDeferred", { ...base, until: notice.deferredUntil ? t("until", { day: formatDay(notice.deferredUntil, lang) }) : "" });
        if (notice.status === "not_attested") return t("finalNotAttested", base);
        return t("final", { ...base, value: notice.value ?? "" });
      }
      case "exam": {
        const score = notice.maxScore !== undefined ? t("scoreOf", { score: notice.score, max: notice.maxScore }) : t("points", { count: notice.score });
        return t("exam", { student: shortName(notice.student), name: notice.name, date: formatDay(notice.date, lang), score, grade: notice.value ? t("grade", { value: notice.value }) : "" });
      }
      case "forecast": {
        const risky = notice.lines.filter((l) => l.atRisk);
        return risky.length ? t("forecast", { student: shortName(notice.student), period: notice.period, count: risky.length, subjects: risky.map((l) => l.subject).join(", ") }) : null;
      }
      case "recommendation":
        return t("recommendation", { target: notice.student ? shortName(notice.student) : notice.className, subject: notice.subject });
      default:
        return null;
    }
  })();
  return text === null ? null : text + more;
}
