import { readStatementDate, readStatementNumber } from "../../src/domain/statement";

describe("a written statement's number and date as typed in the bot", () => {
  test.each([
    ["12-П", { value: "12-П" }],
    ["  № 7 /  2026 ", { value: "№ 7 / 2026" }],
    ["", { problem: "number" }],
    ["   ", { problem: "number" }],
    ["x".repeat(100), { value: "x".repeat(100) }],
    ["x".repeat(101), { problem: "number" }],
  ])("number %j → %j", (text, expected) => {
    expect(readStatementNumber(text)).toEqual(expected);
  });

  const today = "2026-11-20";
  test.each([
    ["20.11.2026", { value: "2026-11-20" }],
    ["5.3.2026", { value: "2026-03-05" }],
    ["05/03/2026", { value: "2026-03-05" }],
    ["2026-11-01", { value: "2026-11-01" }],
    [" 01.09.2025 ", { value: "2025-09-01" }],
    ["21.11.2026", { problem: "dateFuture" }],
    ["2027-01-01", { problem: "dateFuture" }],
    ["30.02.2026", { problem: "date" }],
    ["2026-02-30", { problem: "date" }],
    ["1.13.2026", { problem: "date" }],
    ["20.11.26", { problem: "date" }],
    ["вчера", { problem: "date" }],
    ["", { problem: "date" }],
  ])("date %j → %j", (text, expected) => {
    expect(readStatementDate(text, today)).toEqual(expected);
  });
});
