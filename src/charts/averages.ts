/**
 * "How each subject is going": the weighted average through the period, one small panel per
 * subject, with the bands of the forecast grades behind the line (the school's thresholds). The
 * line steps at each day with grades and runs on flat to today; the axis spans the whole period.
 */
import { addDays } from "../domain/time";
import { daysBetween } from "../domain/school-calendar";
import { formatDay, formatDecimal, type FormatLanguage } from "../domain/format";
import type { Thresholds } from "../domain/grading";
import type { AveragePoint } from "../domain/progress";
import { HINT_COLOR, PALETTE, renderSvg } from "./render";

export interface SubjectLine {
  name: string;
  points: AveragePoint[];
}

export interface AveragesChart {
  subjects: SubjectLine[];
  /** The period's first and last day; the line stops at `today` (or the period's end). */
  from: string;
  to: string;
  today: string;
  thresholds: Thresholds;
  lang: FormatLanguage;
  /** The words of a panel without grades ("оценок пока нет"). */
  noGrades: string;
  columns: number;
}

const PANEL = { width: 420, height: 178, gap: 14 };
const BANDS = [
  { grade: 5, color: "rgba(46,125,50,0.13)" },
  { grade: 4, color: "rgba(26,95,180,0.10)" },
  { grade: 3, color: "rgba(249,168,37,0.16)" },
  { grade: 2, color: "rgba(198,40,40,0.12)" },
];

export function averagesChartSize(subjects: number, columns: number): { width: number; height: number } {
  const cols = Math.max(1, Math.min(columns, subjects || 1));
  const rows = Math.max(1, Math.ceil(subjects / cols));
  return { width: cols * PANEL.width + (cols - 1) * PANEL.gap, height: rows * PANEL.height + (rows - 1) * PANEL.gap };
}

export function averagesChartSvg(input: AveragesChart): string {
  const { width, height } = averagesChartSize(input.subjects.length, input.columns);
  const cols = Math.max(1, Math.min(input.columns, input.subjects.length || 1));
  const span = Math.max(1, daysBetween(input.from, input.to));
  const end = Math.min(span, Math.max(0, daysBetween(input.from, input.today)));
  const lowest = Math.min(2, ...input.subjects.flatMap((s) => s.points.map((p) => Math.floor(p.average))));
  const t = input.thresholds;
  const bands = [
    { from: t.five, to: 5, color: BANDS[0].color },
    { from: t.four, to: t.five, color: BANDS[1].color },
    { from: t.three, to: t.four, color: BANDS[2].color },
    { from: lowest, to: t.three, color: BANDS[3].color },
  ];

  const titles: object[] = [];
  const grids: object[] = [];
  const xAxes: object[] = [];
  const yAxes: object[] = [];
  const series: object[] = [];
  input.subjects.forEach((subject, i) => {
    const left = (i % cols) * (PANEL.width + PANEL.gap);
    const top = Math.floor(i / cols) * (PANEL.height + PANEL.gap);
    const last = subject.points.at(-1);
    titles.push({
      text: `${subject.name} — ${last ? formatDecimal(last.average, input.lang) : input.noGrades}`,
      left: left + 4,
      top: top + 2,
      textStyle: { fontSize: 14, fontWeight: "bold" },
    });
    grids.push({ left: left + 34, top: top + 30, width: PANEL.width - 46, height: PANEL.height - 56 });
    xAxes.push({
      gridIndex: i,
      type: "value",
      min: 0,
      max: span,
      splitNumber: 4,
      axisLabel: { fontSize: 11, color: HINT_COLOR, formatter: (n: number) => formatDay(addDays(input.from, Math.round(n)), input.lang, "short") },
      splitLine: { show: false },
    });
    yAxes.push({
      gridIndex: i,
      type: "value",
      min: lowest,
      max: 5,
      interval: 1,
      axisLabel: { fontSize: 11, color: HINT_COLOR },
      splitLine: { lineStyle: { color: "#e5e7eb" } },
    });
    const data = subject.points.map((p) => [daysBetween(input.from, p.date), p.average]);
    if (last && data.length > 0 && data.at(-1)![0] < end) data.push([end, last.average]);
    series.push({
      type: "line",
      xAxisIndex: i,
      yAxisIndex: i,
      step: "end",
      data,
      symbol: "circle",
      symbolSize: (_: unknown, params: { dataIndex: number }) => (params.dataIndex < subject.points.length ? 6 : 0),
      lineStyle: { width: 2.5, color: PALETTE[i % PALETTE.length] },
      itemStyle: { color: PALETTE[i % PALETTE.length] },
      markArea: { silent: true, data: bands.map((b) => [{ yAxis: b.from, itemStyle: { color: b.color } }, { yAxis: b.to }]) },
    });
  });
  return renderSvg({ title: titles, grid: grids, xAxis: xAxes, yAxis: yAxes, series }, width, height);
}
