import { htmlToPlain } from "../support/fake-telegram";
import { firstNameOf, formatDay, formatDecimal, formatScore, shortNameOf, splitLine, surnameInitialOf, splitMessage, TELEGRAM_TEXT_LIMIT } from "../../src/domain/format";

describe("splitMessage", () => {
  test("short sections stay together, joined by blank lines", () => {
    expect(splitMessage(["<b>A</b>", "b", "", "c"])).toEqual(["<b>A</b>\n\nb\n\nc"]);
    expect(splitMessage([])).toEqual([]);
  });

  test("parts break at section boundaries first", () => {
    const a = "a".repeat(60);
    const b = "b".repeat(60);
    expect(splitMessage([a, b], 100)).toEqual([a, b]);
    expect(splitMessage([a.slice(0, 40), b.slice(0, 40), a], 100)).toEqual([`${a.slice(0, 40)}\n\n${b.slice(0, 40)}`, a]);
  });

  test("a section too long for one part breaks at its lines", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `строка ${i} ${"x".repeat(20)}`);
    const parts = splitMessage(["заголовок", lines.join("\n")], 200);
    expect(parts.length).toBeGreaterThan(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(200);
    expect(parts.join("\n")).toContain(lines.join("\n").slice(0, 50));
    // No line is cut: every line of the input is whole in some part.
    for (const line of lines) expect(parts.some((p) => p.split("\n").includes(line))).toBe(true);
  });

  test("an overlong line is cut at spaces with its tags closed and reopened", () => {
    const line = `<b>Алгебра</b>: <i>${"слово ".repeat(400)}</i> &amp; конец`;
    const parts = splitMessage([line], 500);
    expect(parts.length).toBeGreaterThan(4);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(500);
      expect(() => htmlToPlain(part)).not.toThrow();
    }
    expect(parts[1].startsWith("<i>")).toBe(true);
    expect(parts.at(-1)).toContain("&amp; конец");
    const plain = parts.map((p) => htmlToPlain(p)).join("");
    expect(plain.replace(/\s+/g, " ")).toBe(htmlToPlain(line).replace(/\s+/g, " "));
  });

  test("a word longer than a part is cut, never inside an entity", () => {
    const pieces = splitLine(`${"я".repeat(250)}&amp;${"ю".repeat(10)}`, 100);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(100);
      expect(piece).not.toMatch(/&[a-z]*$/);
    }
    expect(pieces.join("")).toBe(`${"я".repeat(250)}&amp;${"ю".repeat(10)}`);
  });

  test("Telegram's limit is the default", () => {
    const parts = splitMessage(Array.from({ length: 100 }, (_, i) => `${i} ${"ж".repeat(100)}`));
    expect(parts.length).toBe(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
  });
});

describe("names", () => {
  test.each([
    ["Иванова Мария Сергеевна", "Мария", "Иванова М. С.", "Иванова М."],
    ["Смирнов Пётр", "Пётр", "Смирнов П.", "Смирнов П."],
    ["Мария", "Мария", "Мария", "Мария"],
    ["  Кузнецов   Дмитрий  Олегович ", "Дмитрий", "Кузнецов Д. О.", "Кузнецов Д."],
    ["", "", "", ""],
  ])("%s -> %s, %s, %s", (full, first, short, surnameInitial) => {
    expect(firstNameOf(full)).toBe(first);
    expect(shortNameOf(full)).toBe(short);
    expect(surnameInitialOf(full)).toBe(surnameInitial);
  });
});

describe("numbers and days", () => {
  test("averages with the language's decimal mark", () => {
    expect(formatDecimal(4.5, "ru")).toBe("4,50");
    expect(formatDecimal(4.333, "en")).toBe("4.33");
    expect(formatDecimal(0, "ru")).toBe("0,00");
  });

  test("scores", () => {
    expect(formatScore(14, "ru", 19)).toBe("14 / 19");
    expect(formatScore(15.5, "ru", 20)).toBe("15,5 / 20");
    expect(formatScore(7, "en")).toBe("7");
  });

  test("days in Russian (genitive month) and English", () => {
    expect(formatDay("2026-12-03", "ru", "weekdayLong")).toBe("чт, 3 декабря");
    expect(formatDay("2026-12-03", "en", "weekdayLong")).toBe("Thu, 3 December");
    expect(formatDay("2027-01-12", "ru", "weekdayShort")).toBe("вт 12.01");
    expect(formatDay("2026-03-08", "ru", "withYear")).toBe("8 марта 2026");
  });
});
