/** The charts of one child's period, as the cabinet shows them and the bot sends them. */
import type { Language, Translate } from "../i18n";
import type { PeriodItem, StudentScope, SubjectProgress } from "../services/diary";
import { averagesChartSize, averagesChartSvg } from "./averages";
import { svgToPng } from "./render";
import { marksChartSvg } from "./marks";

/** Subjects with numeric grades get a panel; the others are named beside the chart instead. */
export function charted(progress: readonly SubjectProgress[]): { shown: SubjectProgress[]; without: SubjectProgress[] } {
  return { shown: progress.filter((p) => p.points.length > 0), without: progress.filter((p) => p.points.length === 0) };
}

export function averagesSvg(progress: readonly SubjectProgress[], scope: StudentScope, period: Pick<PeriodItem, "start" | "end">, t: Translate, lang: Language, columns: number): string {
  return averagesChartSvg({
    subjects: charted(progress).shown.map((p) => ({ name: p.subjectName, points: p.points })),
    from: period.start,
    to: period.end,
    today: scope.today,
    thresholds: scope.rules.thresholds,
    lang,
    noGrades: t("web:charts.noGrades"),
    columns,
  });
}

export function marksSvg(progress: readonly SubjectProgress[], t: Translate): string {
  return marksChartSvg({
    subjects: progress.filter((p) => Object.values(p.counts).some((n) => n > 0)).map((p) => ({ name: p.subjectName, counts: p.counts })),
    labels: { "5": "5", "4": "4", "3": "3", "2": "2", "1": "1", pass: t("views:common.pass"), fail: t("views:common.fail") },
  });
}

/** The averages as a picture (the bot's "📊 График", the cabinet's download): two columns, at most 1200 pixels wide. */
export const AVERAGES_PNG = { columns: 2, maxWidth: 1200 } as const;

export function averagesPng(progress: readonly SubjectProgress[], scope: StudentScope, period: Pick<PeriodItem, "start" | "end">, t: Translate, lang: Language): Buffer {
  const { columns, maxWidth } = AVERAGES_PNG;
  const svg = averagesSvg(progress, scope, period, t, lang, columns);
  return svgToPng(svg, Math.min(maxWidth, averagesChartSize(charted(progress).shown.length, columns).width * 2));
}
