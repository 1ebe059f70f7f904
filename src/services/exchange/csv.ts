/**
 * CSV files for the import CLI: an RFC 4180 parser (quoted fields, "" escapes, CRLF or LF, a BOM
 * tolerated; ";" as the delimiter when the header has no comma, as spreadsheets in Russia export)
 * and the mapping of rows to exchange items: the header names the contract's fields, nested fields
 * are dotted (`movedTo.date`), lists are separated by ";" inside a cell, and an empty cell is "not set".
 */
import type { ExchangeResource } from "../../db/models";

export class CsvError extends Error {}

export function parseCsv(text: string, delimiter?: string): string[][] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const sep = delimiter ?? detectDelimiter(input);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (quoted) {
      if (ch === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        if (i < input.length && input[i] !== sep && input[i] !== "\n" && input[i] !== "\r") throw new CsvError(`line ${line}: unexpected character after a closing quote`);
        continue;
      }
      if (ch === "\n") line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (field !== "") throw new CsvError(`line ${line}: a quote inside an unquoted field`);
      quoted = true;
    } else if (ch === sep) {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      if (ch === "\r" && input[i + 1] === "\n") i++;
      line++;
    } else field += ch;
    i++;
  }
  if (quoted) throw new CsvError(`line ${line}: a quoted field is not closed`);
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  // Blank lines (a trailing newline, an empty line between records) carry no record.
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}

function detectDelimiter(text: string): string {
  const header = text.slice(0, text.search(/\r|\n|$/));
  return !header.includes(",") && header.includes(";") ? ";" : ",";
}

type Kind = "number" | "boolean" | "list";

/** Fields that are not plain strings, per resource (the rest are strings). */
const FIELD_KINDS: Partial<Record<ExchangeResource, Record<string, Kind>>> = {
  classes: { grade: "number" },
  teachers: { subjectIds: "list" },
  students: { groupIds: "list", individualPlan: "boolean", individualTeacherIds: "list" },
  guardians: { studentIds: "list" },
  curriculum: { plannedLessons: "number" },
  grades: { weight: "number" },
  homework: { links: "list" },
  holidays: { classIds: "list" },
  exams: { score: "number", maxScore: "number" },
};

const TRUE = new Set(["true", "1", "yes", "да"]);
const FALSE = new Set(["false", "0", "no", "нет"]);

/** A cell as the item's value; a value that does not convert stays a string, so validation names it. */
function convert(cell: string, kind: Kind | undefined): unknown {
  if (kind === "number") return /^-?\d+(\.\d+)?$/.test(cell.trim()) ? Number(cell.trim()) : cell;
  if (kind === "boolean") {
    const value = cell.trim().toLowerCase();
    return TRUE.has(value) ? true : FALSE.has(value) ? false : cell;
  }
  if (kind === "list") return cell.split(";").map((v) => v.trim()).filter(Boolean);
  return cell;
}

/**
 * Names that would reach an object's prototype instead of a field: `__proto__.x` assigned through
 * `item[outer][inner]` sets `Object.prototype.x` for the whole process. No field of the contract is
 * called so, so a header that names one is refused outright.
 */
const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);

function checkHeader(header: string[]): void {
  header.forEach((name, c) => {
    const part = name.split(".").find((p) => FORBIDDEN_NAMES.has(p));
    if (part !== undefined) throw new CsvError(`column ${c + 1}: "${part}" cannot be a field name`);
  });
}

/** The rows of a CSV file as items of `resource`. */
export function csvToItems(resource: ExchangeResource, text: string): Array<Record<string, unknown>> {
  const rows = parseCsv(text);
  if (!rows.length) throw new CsvError("the file is empty (a header row with the field names is required)");
  const header = rows[0].map((h) => h.trim());
  checkHeader(header);
  const kinds: Record<string, Kind> = { ...FIELD_KINDS[resource], deleted: "boolean" };
  return rows.slice(1).map((cells, r) => {
    if (cells.length !== header.length) throw new CsvError(`record ${r + 1}: ${cells.length} fields, but the header has ${header.length}`);
    const item: Record<string, unknown> = {};
    header.forEach((name, c) => {
      if (cells[c] === "") return;
      const [outer, inner] = name.split(/\.(.*)/s, 2);
      if (inner !== undefined && inner !== "" && !inner.includes(".")) {
        const nested = (item[outer] ??= {}) as Record<string, unknown>;
        nested[inner] = cells[c];
      } else item[name] = convert(cells[c], kinds[name]);
    });
    return item;
  });
}
