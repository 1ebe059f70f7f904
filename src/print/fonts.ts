/**
 * The fonts of every PDF: DejaVu from the npm package `dejavu-fonts-ttf` (full Cyrillic, free
 * licence). The standard PDF fonts pdfkit falls back to have no Cyrillic at all, so every document
 * registers these and never uses Helvetica.
 */
import fs from "node:fs";
import path from "node:path";

export const FONTS = {
  regular: "DejaVuSans",
  bold: "DejaVuSans-Bold",
  italic: "DejaVuSans-Oblique",
  /** Narrower letters for dense tables (the summary sheet, the curriculum report). */
  condensed: "DejaVuSansCondensed",
  condensedBold: "DejaVuSansCondensed-Bold",
  /** Fixed-width letters for codes that are typed in by hand (the invite-code slips). */
  mono: "DejaVuSansMono-Bold",
} as const;
export type FontName = (typeof FONTS)[keyof typeof FONTS];

/** The package's ttf folder, found through node's resolution (works from src/ and dist/). */
export function fontDir(): string {
  return path.join(path.dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
}

export function fontPath(font: FontName): string {
  return path.join(fontDir(), `${font}.ttf`);
}

// Read once per process: a class's printouts and the benchmark build many documents.
const loaded = new Map<FontName, Buffer>();

/** Registers every font under its own name; `doc.font(FONTS.bold)` then picks it. */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const font of Object.values(FONTS)) {
    if (!loaded.has(font)) loaded.set(font, fs.readFileSync(fontPath(font)));
    doc.registerFont(font, loaded.get(font)!);
  }
  doc.font(FONTS.regular);
}
