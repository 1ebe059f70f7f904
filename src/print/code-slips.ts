/**
 * Printable invite-code slips for a class (`/codes 7Б`): A4 pages of 2 × 5 slips with cut lines,
 * one per student, each with the code, the bot's @username and two lines of instructions; plus the
 * same list as CSV. The DejaVu fonts of `./fonts` cover Cyrillic and keep the text extractable.
 */
import PDFDocument from "pdfkit";
import { FONTS, type FontName, registerFonts } from "./fonts";
import type { Translate } from "../i18n";
import { toCsv } from "./layout-csv";

export interface Slip {
  studentName: string;
  className: string;
  /** Grouped code, "ABCD-EFGH-JK". */
  code: string;
  /** Already formatted for the reader, e.g. "30.12.2026". */
  expires: string;
}

export interface SlipTexts {
  /** Heading of every slip, e.g. "Подключение к «Электронному дневнику»". */
  title: string;
  /** Two lines of instructions; "{{bot}}" and "{{expires}}" are filled in by the caller. */
  line1: (slip: Slip) => string;
  line2: (slip: Slip) => string;
  /** "Telegram: @bot". */
  bot: string;
}

/** The slips' texts (`codes:slip.*`): the bot's @username when known, else words that send the reader to the school. */
export function codeSlipTexts(t: Translate, bot: string | null): SlipTexts {
  return {
    title: t("codes:slip.title"),
    bot: bot ? t("codes:slip.bot", { bot }) : t("codes:slip.botUnknown"),
    line1: () => (bot ? t("codes:slip.line1", { bot }) : t("codes:slip.line1Unknown")),
    line2: (slip) => t("codes:slip.line2", { expires: slip.expires }),
  };
}

const COLUMNS = 2;
const ROWS = 5;
const MARGIN = 28;
const PAD = 12;

/** The slips as a PDF (A4, 10 a page). */
export function renderCodeSlips(input: { schoolName: string; slips: Slip[]; texts: SlipTexts; title: string }): Promise<Buffer> {
  const doc = new PDFDocument({ size: "A4", margin: MARGIN, autoFirstPage: false, info: { Title: input.title, Author: input.schoolName } });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  registerFonts(doc);

  const perPage = COLUMNS * ROWS;
  input.slips.forEach((slip, index) => {
    if (index % perPage === 0) doc.addPage();
    const page = doc.page;
    const width = (page.width - 2 * MARGIN) / COLUMNS;
    const height = (page.height - 2 * MARGIN) / ROWS;
    const x = MARGIN + (index % COLUMNS) * width;
    const y = MARGIN + Math.floor((index % perPage) / COLUMNS) * height;
    // Cut lines: dashed, so that a class teacher can cut the sheet with scissors.
    doc.save().lineWidth(0.5).dash(3, { space: 3 }).strokeColor("#999999").rect(x, y, width, height).stroke().restore();
    const inner = width - 2 * PAD;
    let cursor = y + PAD;
    const line = (font: FontName, size: number, text: string, gap = 3) => {
      doc.font(font).fontSize(size).fillColor("#000000").text(text, x + PAD, cursor, { width: inner, lineBreak: true });
      cursor = doc.y + gap;
    };
    line(FONTS.regular, 7.5, input.schoolName, 2);
    line(FONTS.bold, 8.5, input.texts.title, 4);
    line(FONTS.bold, 11, `${slip.studentName}, ${slip.className}`, 5);
    line(FONTS.mono, 17, slip.code, 5);
    line(FONTS.bold, 9, input.texts.bot, 4);
    line(FONTS.regular, 7.5, input.texts.line1(slip), 2);
    line(FONTS.regular, 7.5, input.texts.line2(slip), 0);
  });
  if (!input.slips.length) doc.addPage().font(FONTS.regular).fontSize(12).text(input.title);
  doc.end();
  return done;
}

/** The same slips as CSV, through the service's one CSV writer (formula cells neutralised). */
export function codeSlipsCsv(slips: Slip[], header: [string, string, string, string] = ["class", "student", "code", "expires"]): Buffer {
  return toCsv([header, ...slips.map((s) => [s.className, s.studentName, s.code, s.expires])]);
}
