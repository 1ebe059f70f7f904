/** "Which marks": how many 5s, 4s, 3s, 2s (and passes) each subject got in the period, stacked bars. */
import type { MarkCounts } from "../domain/progress";
import { HINT_COLOR, renderSvg } from "./render";

export interface MarksChart {
  subjects: Array<{ name: string; counts: MarkCounts }>;
  /** Legend words for each mark ("5", "4", ..., "зачёт", "незачёт"). */
  labels: Record<keyof MarkCounts, string>;
}

const ORDER: Array<keyof MarkCounts> = ["5", "4", "3", "2", "1", "pass", "fail"];
const COLORS: Record<keyof MarkCounts, string> = { "5": "#2e7d32", "4": "#1a5fb4", "3": "#f9a825", "2": "#c62828", "1": "#6d1b1b", pass: "#00838f", fail: "#757575" };
const ROW = 30;

export function marksChartSize(subjects: number): { width: number; height: number } {
  return { width: 420, height: 70 + Math.max(1, subjects) * ROW };
}

export function marksChartSvg(input: MarksChart): string {
  const { width, height } = marksChartSize(input.subjects.length);
  // Subjects top to bottom in the given order (ECharts draws a category axis bottom-up).
  const subjects = [...input.subjects].reverse();
  const used = ORDER.filter((mark) => subjects.some((s) => s.counts[mark] > 0));
  return renderSvg(
    {
      legend: { top: 4, left: "center", itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 12 } },
      grid: { left: 10, right: 20, top: 36, bottom: 24, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 11, color: HINT_COLOR }, splitLine: { lineStyle: { color: "#e5e7eb" } } },
      yAxis: { type: "category", data: subjects.map((s) => s.name), axisLabel: { fontSize: 12 }, axisTick: { show: false } },
      series: used.map((mark) => ({
        name: input.labels[mark],
        type: "bar",
        stack: "marks",
        barWidth: 18,
        itemStyle: { color: COLORS[mark] },
        label: { show: true, fontSize: 11, color: "#ffffff", formatter: (p: { value: number }) => (p.value > 0 ? String(p.value) : "") },
        data: subjects.map((s) => s.counts[mark]),
      })),
    },
    width,
    height,
  );
}
