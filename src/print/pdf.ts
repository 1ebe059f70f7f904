/**
 * A4 documents with the DejaVu fonts, collected into a Buffer, and footers written after the last
 * page (pages are buffered) so that each can say "page 2 of 3" of its own part: a weekly printout
 * numbers the pages of each guardian's slip, a report numbers the whole document.
 */
import PDFDocument from "pdfkit";
import { FONTS, registerFonts } from "./fonts";
import { COLORS } from "./layout";

export type Pdf = PDFKit.PDFDocument;

export interface PdfOptions {
  title: string;
  /** Wide tables (the summary sheet) go landscape. */
  landscape?: boolean;
  author?: string;
  /** Fixed creation date: the same data then gives the same bytes (tests, examples). */
  createdAt?: Date;
}

/** Margins in points (1 pt = 1/72 in; 36 pt ≈ 12.7 mm, printable on any office printer). */
export const MARGIN = { top: 40, bottom: 46, left: 42, right: 42 } as const;
/** Room kept free under the bottom margin for the footer line. */
const FOOTER_OFFSET = 26;

export interface PdfBuilder {
  doc: Pdf;
  /** Starts a new part (a guardian's slip): pages from here on belong to it. */
  startPart(label: string): void;
  /** Ends the document: writes footers, returns the file. */
  finish(footer: (page: PageInfo) => string): Promise<Buffer>;
}

export interface PageInfo {
  /** 1-based within the part and the document. */
  pageInPart: number;
  partPages: number;
  page: number;
  pages: number;
  label: string;
}

export function createPdf(options: PdfOptions): PdfBuilder {
  const doc = new PDFDocument({
    size: "A4",
    layout: options.landscape ? "landscape" : "portrait",
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: options.title,
      Author: options.author ?? "",
      Creator: "ED service",
      ...(options.createdAt ? { CreationDate: options.createdAt, ModDate: options.createdAt } : {}),
    },
  });
  registerFonts(doc);
  doc.fontSize(10);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const labels: string[] = [""];
  const pageParts: number[] = [0]; // part index of each page
  let fresh = true; // the first page is still empty: the first part starts on it
  doc.on("pageAdded", () => {
    pageParts.push(labels.length - 1);
    fresh = false;
  });
  return {
    doc,
    startPart(label) {
      if (fresh) {
        labels[0] = label;
        fresh = false;
      } else {
        labels.push(label);
        doc.addPage();
      }
    },
    async finish(footer) {
      const range = doc.bufferedPageRange();
      for (let i = 0; i < range.count; i++) {
        doc.switchToPage(range.start + i);
        const part = pageParts[i];
        const first = pageParts.indexOf(part);
        const partPages = pageParts.filter((p) => p === part).length;
        const text = footer({ pageInPart: i - first + 1, partPages, page: i + 1, pages: range.count, label: labels[part] });
        // Writing below the bottom margin would start a new page: lift the margin while writing.
        const bottom = doc.page.margins.bottom;
        doc.page.margins.bottom = 0;
        doc.font(FONTS.regular).fontSize(7.5).fillColor(COLORS.muted);
        doc.text(text, MARGIN.left, doc.page.height - MARGIN.bottom + FOOTER_OFFSET - 12, {
          width: doc.page.width - MARGIN.left - MARGIN.right,
          align: "center",
          lineBreak: false,
        });
        doc.page.margins.bottom = bottom;
      }
      doc.fillColor(COLORS.text);
      doc.end();
      return done;
    },
  };
}
