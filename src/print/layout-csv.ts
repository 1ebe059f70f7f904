/**
 * CSV for spreadsheets in a Russian office: `;` between fields (Excel's default where the decimal
 * sign is a comma), CRLF line ends, RFC 4180 quoting, and a UTF-8 byte order mark so that Excel
 * reads Cyrillic correctly when the file is opened with a double click.
 */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): Buffer {
  const text = rows.map((row) => row.map(csvField).join(";")).join("\r\n") + "\r\n";
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]);
}

function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[";\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
