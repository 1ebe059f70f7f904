/**
 * Small layout helpers for A4 pages: headings that never sit alone at the bottom of a page, text
 * blocks, tables that break across pages with their header repeated, and signature lines. Every
 * function writes at the left margin from the current `doc.y`.
 */
import { FONTS, type FontName } from "./fonts";
import type { Pdf } from "./pdf";

export const COLORS = { text: "#000000", muted: "#555555", rule: "#999999", header: "#e6e6e6", zebra: "#f5f5f5", flag: "#fde2e2", pending: "#fff4c2" } as const;

export function contentWidth(doc: Pdf): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

function bottomOf(doc: Pdf): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** Starts a new page unless `height` points still fit on this one. */
export function ensureSpace(doc: Pdf, height: number): void {
  if (doc.y + height > bottomOf(doc)) doc.addPage();
}

export function title(doc: Pdf, text: string, size = 15): void {
  doc.font(FONTS.bold).fontSize(size).fillColor(COLORS.text);
  doc.text(text, doc.page.margins.left, doc.y, { width: contentWidth(doc), align: "center" });
  doc.moveDown(0.3);
}

/** A section heading, kept together with at least `keep` points of what follows. */
export function heading(doc: Pdf, text: string, keep = 40): void {
  doc.moveDown(0.5);
  ensureSpace(doc, 18 + keep);
  doc.font(FONTS.bold).fontSize(11).fillColor(COLORS.text);
  doc.text(text, doc.page.margins.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.2);
}

export function paragraph(doc: Pdf, text: string, options: { font?: FontName; size?: number; color?: string; align?: "left" | "center" | "right" } = {}): void {
  doc.font(options.font ?? FONTS.regular).fontSize(options.size ?? 10).fillColor(options.color ?? COLORS.text);
  doc.text(text, doc.page.margins.left, doc.y, { width: contentWidth(doc), align: options.align ?? "left" });
  doc.fillColor(COLORS.text);
}

/** "Label: value" lines with the labels in bold, e.g. the header of a slip. */
export function fields(doc: Pdf, rows: Array<[string, string]>, size = 10): void {
  for (const [label, value] of rows) {
    doc.font(FONTS.bold).fontSize(size).text(`${label}: `, doc.page.margins.left, doc.y, { continued: true, width: contentWidth(doc) });
    doc.font(FONTS.regular).text(value);
  }
}

/** A bulleted list; each item may wrap. */
export function bullets(doc: Pdf, items: readonly string[], size = 9.5): void {
  doc.font(FONTS.regular).fontSize(size).fillColor(COLORS.text);
  const indent = 12;
  for (const item of items) {
    ensureSpace(doc, doc.heightOfString(item, { width: contentWidth(doc) - indent }) + 2);
    const y = doc.y;
    doc.text("•", doc.page.margins.left, y, { width: indent });
    doc.text(item, doc.page.margins.left + indent, y, { width: contentWidth(doc) - indent });
    doc.moveDown(0.15);
  }
}

/** "Label ____________ / name /" lines for signatures, side by side when there are two. */
export function signatureLines(doc: Pdf, lines: readonly string[]): void {
  doc.moveDown(1);
  ensureSpace(doc, 30 * lines.length);
  doc.font(FONTS.regular).fontSize(10).fillColor(COLORS.text);
  for (const line of lines) {
    doc.text(line, doc.page.margins.left, doc.y, { width: contentWidth(doc) });
    doc.moveDown(0.9);
  }
}

export interface Column {
  header: string;
  /** Relative width (the columns share the content width in proportion). */
  width: number;
  align?: "left" | "center" | "right";
}

export interface TableOptions {
  columns: Column[];
  rows: string[][];
  fontSize?: number;
  font?: FontName;
  boldFont?: FontName;
  /** Background of a row (e.g. a flagged subject), by row index. */
  rowFill?: (row: number) => string | null;
  /** Background of one cell (a failing mark), drawn over the row's. */
  cellFill?: (row: number, column: number) => string | null;
  /** Rows written in bold (totals). */
  boldRow?: (row: number) => boolean;
  /** Columns from this index on get vertical headers (many narrow columns: the summary sheet). */
  verticalFrom?: number;
  zebra?: boolean;
  /** Rows at least this tall (room for a signature). */
  minRowHeight?: number;
  /** Header font size (default: the body's). */
  headerFontSize?: number;
  /** Cell padding in points (default 3). */
  padding?: number;
  /** Vertical headers wrap beyond this height (points, default 110). */
  maxHeaderHeight?: number;
  /** Table width in points (default: the page's content width); a few narrow columns stay narrow. */
  width?: number;
}

/** A table with thin rules; rows never split; the header is repeated on every page it spans. */
export function table(doc: Pdf, options: TableOptions): void {
  const size = options.fontSize ?? 9;
  const headerSize = options.headerFontSize ?? size;
  const PAD = options.padding ?? 3;
  const font = options.font ?? FONTS.regular;
  const bold = options.boldFont ?? FONTS.bold;
  const left = doc.page.margins.left;
  const tableWidth = Math.min(options.width ?? Infinity, contentWidth(doc));
  const total = options.columns.reduce((s, c) => s + c.width, 0);
  const widths = options.columns.map((c) => (c.width / total) * tableWidth);
  const xs = widths.map((_, i) => left + widths.slice(0, i).reduce((s, w) => s + w, 0));
  const vertical = (i: number) => options.verticalFrom !== undefined && i >= options.verticalFrom;

  const cellHeight = (cells: string[], f: FontName, fontSize: number) => {
    doc.font(f).fontSize(fontSize);
    return Math.max(...cells.map((text, i) => doc.heightOfString(text || " ", { width: widths[i] - 2 * PAD }))) + 2 * PAD;
  };
  const maxVertical = options.maxHeaderHeight ?? 110;
  const headerHeight = Math.max(
    cellHeight(options.columns.map((c, i) => (vertical(i) ? "" : c.header)), bold, headerSize),
    ...options.columns.map((c, i) => (vertical(i) ? Math.min(maxVertical, doc.font(bold).fontSize(headerSize).widthOfString(c.header) + 2 * PAD) : 0)),
  );

  const drawHeader = () => {
    const y = doc.y;
    doc.rect(left, y, tableWidth, headerHeight).fill(COLORS.header);
    doc.fillColor(COLORS.text).font(bold).fontSize(headerSize);
    options.columns.forEach((c, i) => {
      if (vertical(i)) {
        // Rotated a quarter turn: read from bottom to top, as in a paper class journal.
        doc.save();
        doc.rotate(-90, { origin: [xs[i], y + headerHeight] });
        doc.text(c.header, xs[i] + PAD, y + headerHeight + PAD, { width: headerHeight - 2 * PAD, height: widths[i], lineGap: -1 });
        doc.restore();
      } else doc.text(c.header, xs[i] + PAD, y + PAD, { width: widths[i] - 2 * PAD, align: c.align ?? "left" });
    });
    gridRow(doc, xs, widths, y, headerHeight);
    doc.y = y + headerHeight;
  };

  ensureSpace(doc, headerHeight + cellHeight(options.rows[0] ?? [""], font, size));
  drawHeader();
  options.rows.forEach((cells, r) => {
    const f = options.boldRow?.(r) ? bold : font;
    const height = Math.max(options.minRowHeight ?? 0, cellHeight(cells, f, size));
    if (doc.y + height > bottomOf(doc)) {
      doc.addPage();
      drawHeader();
    }
    const y = doc.y;
    const fill = options.rowFill?.(r) ?? (options.zebra && r % 2 === 1 ? COLORS.zebra : null);
    if (fill) doc.rect(left, y, tableWidth, height).fill(fill);
    widths.forEach((w, i) => {
      const cell = options.cellFill?.(r, i);
      if (cell) doc.rect(xs[i], y, w, height).fill(cell);
    });
    doc.fillColor(COLORS.text).font(f).fontSize(size);
    cells.forEach((text, i) => doc.text(text, xs[i] + PAD, y + PAD, { width: widths[i] - 2 * PAD, align: options.columns[i].align ?? "left" }));
    gridRow(doc, xs, widths, y, height);
    doc.y = y + height;
  });
  doc.x = left;
  doc.moveDown(0.3);
}

function gridRow(doc: Pdf, xs: number[], widths: number[], y: number, height: number): void {
  doc.save().lineWidth(0.5).strokeColor(COLORS.rule);
  const right = xs[xs.length - 1] + widths[widths.length - 1];
  doc.rect(xs[0], y, right - xs[0], height).stroke();
  for (const x of xs.slice(1)) doc.moveTo(x, y).lineTo(x, y + height).stroke();
  doc.restore();
}
