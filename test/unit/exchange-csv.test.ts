import { CsvError, csvToItems, parseCsv } from "../../src/services/exchange/csv";

describe("parseCsv (RFC 4180)", () => {
  test("plain fields, CRLF and LF, a trailing newline", () => {
    expect(parseCsv("a,b\r\n1,2\n3,4\n")).toEqual([["a", "b"], ["1", "2"], ["3", "4"]]);
  });

  test("quoted fields with commas, quotes and line breaks", () => {
    expect(parseCsv('name,text\n"Иванов, Иван","say ""hi""\nnext line"\n')).toEqual([
      ["name", "text"],
      ["Иванов, Иван", 'say "hi"\nnext line'],
    ]);
  });

  test("empty fields and a last line without newline", () => {
    expect(parseCsv("a,b,c\n,,\nx,,z")).toEqual([["a", "b", "c"], ["", "", ""], ["x", "", "z"]]);
  });

  test("a BOM and semicolons (spreadsheet export)", () => {
    expect(parseCsv("\ufeffa;b\n1;2\n")).toEqual([["a", "b"], ["1", "2"]]);
  });

  test("malformed quoting is an error naming the line", () => {
    expect(() => parseCsv('a\n"open')).toThrow(new CsvError("line 2: a quoted field is not closed"));
    expect(() => parseCsv('a\n"x"y')).toThrow("line 2: unexpected character after a closing quote");
    expect(() => parseCsv('a\nx"y')).toThrow("line 2: a quote inside an unquoted field");
  });
});

describe("csvToItems", () => {
  test("numbers, lists, booleans, nested fields, empty cells", () => {
    const csv = [
      "externalId,classId,subjectId,teacherId,date,start,end,kind,status,movedTo.date,movedTo.start,movedTo.end,room",
      "l1,5a,math,t1,2026-09-01,08:30,09:15,lesson,moved,2026-09-02,10:00,10:45,",
    ].join("\n");
    expect(csvToItems("lessons", csv)).toEqual([
      { externalId: "l1", classId: "5a", subjectId: "math", teacherId: "t1", date: "2026-09-01", start: "08:30", end: "09:15", kind: "lesson", status: "moved", movedTo: { date: "2026-09-02", start: "10:00", end: "10:45" } },
    ]);
    expect(csvToItems("students", "externalId,fullName,classId,groupIds,individualPlan\ns1,Петров Артём,5a,g1; g2,да\n")).toEqual([
      { externalId: "s1", fullName: "Петров Артём", classId: "5a", groupIds: ["g1", "g2"], individualPlan: true },
    ]);
    expect(csvToItems("grades", "externalId,weight,deleted\ng1,2,\ng2,x,true\n")).toEqual([
      { externalId: "g1", weight: 2 },
      { externalId: "g2", weight: "x", deleted: true },
    ]);
  });

  test("a record with the wrong number of fields", () => {
    expect(() => csvToItems("subjects", "externalId,name\nmath\n")).toThrow("record 1: 1 fields, but the header has 2");
    expect(() => csvToItems("subjects", "")).toThrow("the file is empty");
  });
});

describe("csvToItems refuses header names that reach the prototype", () => {
  afterEach(() => {
    // Undo a pollution so that one failing case does not break every later test of the process.
    for (const key of ["polluted", "isAdmin"]) delete (Object.prototype as Record<string, unknown>)[key];
  });

  test.each(["__proto__.polluted", "__proto__", "constructor", "prototype", "constructor.prototype", "movedTo.__proto__", " __proto__.isAdmin "])(
    "%j is refused, and no object in the process gains a field",
    (name) => {
      const csv = `externalId,${name}\nmath,yes\n`;
      expect(() => csvToItems("subjects", csv)).toThrow(CsvError);
      expect(() => csvToItems("subjects", csv)).toThrow(/column 2: "(__proto__|constructor|prototype)" cannot be a field name/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    },
  );

  test("ordinary dotted names still work", () => {
    expect(csvToItems("lessons", "externalId,movedTo.date\nl1,2026-09-02\n")).toEqual([{ externalId: "l1", movedTo: { date: "2026-09-02" } }]);
  });
});
