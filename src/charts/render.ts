/**
 * Charts drawn on the server with ECharts' server-side SVG renderer (no browser, no JavaScript on
 * the page), and the same SVG rasterised to PNG with resvg for the bot. Fonts: DejaVu from npm, so
 * a picture looks the same on every machine.
 */
import * as echarts from "echarts";
import { Resvg } from "@resvg/resvg-js";
import { fontPath } from "../print/fonts";

/** Series colours: distinct, readable on white, in a fixed order. */
export const PALETTE = ["#1a5fb4", "#c64600", "#2e7d32", "#8e24aa", "#00838f", "#ad1457", "#5d4037", "#f9a825", "#3949ab", "#6d4c41", "#00695c", "#d81b60"];

export const TEXT_COLOR = "#333840";
export const HINT_COLOR = "#6b7280";

export function renderSvg(option: echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({ animation: false, backgroundColor: "#ffffff", textStyle: { fontFamily: "sans-serif", color: TEXT_COLOR }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

let fontFiles: string[] | undefined;

/** The SVG as a PNG `width` pixels wide (the height follows the picture's proportions). */
export function svgToPng(svg: string, width: number): Buffer {
  fontFiles ??= [fontPath("DejaVuSans"), fontPath("DejaVuSans-Bold")];
  const resvg = new Resvg(svg, {
    fitTo: { mode: "width", value: width },
    background: "#ffffff",
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}
