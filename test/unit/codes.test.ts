import { CODE_ALPHABET, CODE_LENGTH, formatCode, generateCode, hashCode, isWellFormedCode, maskEmail, maskName, normalizeCode, normalizePhone } from "../../src/domain/codes";
import { splitLongText } from "../../src/domain/consent";

describe("invite codes (pure)", () => {
  test("the alphabet has no look-alikes and a code is at least 10 characters", () => {
    for (const ch of "0O1IL") expect(CODE_ALPHABET).not.toContain(ch);
    expect(new Set(CODE_ALPHABET).size).toBe(CODE_ALPHABET.length);
    expect(CODE_LENGTH).toBeGreaterThanOrEqual(10);
  });

  test("generated codes use only the alphabet, with every character reachable", () => {
    let i = 0;
    const sequential = (max: number) => i++ % max;
    const code = generateCode(sequential, 40);
    expect(code).toHaveLength(40);
    expect(new Set(code).size).toBe(CODE_ALPHABET.length);
    expect(generateCode(() => 0)).toBe("AAAAAAAAAA");
  });

  test.each([
    ["ABCDEFGHJK", "ABCD-EFGH-JK"],
    ["ABCD", "ABCD"],
    ["ABCDEFGHJKMN", "ABCD-EFGH-JKMN"],
  ])("%s is shown as %s", (code, shown) => expect(formatCode(code)).toBe(shown));

  test.each([
    ["abcd-efgh-jk", "ABCDEFGHJK"],
    [" ABCD EFGH JK ", "ABCDEFGHJK"],
    ["abcd_efgh.jk", "ABCDEFGHJK"],
    ["АВСD-ЕFGН-JК", "ABCDEFGHJK"], // Cyrillic А, В, С, Е, Н, К typed on a Russian keyboard
    ["ABCD—EFGH–JK", "ABCDEFGHJK"],
  ])("%j is accepted as %s", (typed, normalized) => {
    expect(normalizeCode(typed)).toBe(normalized);
    expect(isWellFormedCode(normalizeCode(typed))).toBe(true);
  });

  test.each(["ABCD-EFGH-J", "ABCD-EFGH-JKM", "ABCD-EFGH-J0", "ABCD-EFGH-JI", "привет мир", ""])("%j is not shaped like a code", (typed) => {
    expect(isWellFormedCode(normalizeCode(typed))).toBe(false);
  });

  test("the hash is HMAC-SHA256 with the pepper: stable, pepper-dependent, never the code", () => {
    const a = hashCode("pepper-one-0123456789", "ABCDEFGHJK");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(hashCode("pepper-one-0123456789", "ABCDEFGHJK")).toBe(a);
    expect(hashCode("pepper-two-0123456789", "ABCDEFGHJK")).not.toBe(a);
    expect(a).not.toContain("ABCDEFGHJK");
  });

  test.each([
    ["Иванова Мария Петровна", "Иванова М."],
    ["  петров   пётр ", "петров П."],
    ["Smith John", "Smith J."],
    ["Мадонна", "Мадонна"],
    ["", ""],
  ])("%j is masked as %j", (name, masked) => expect(maskName(name)).toBe(masked));

  test("e-mails and phones", () => {
    expect(maskEmail("anna.petrova@mail.ru")).toBe("a***@mail.ru");
    expect(maskEmail("nonsense")).toBe("***");
    expect(normalizePhone("79161234567")).toBe("+79161234567");
    expect(normalizePhone("+7 (916) 123-45-67")).toBe("+79161234567");
    expect(normalizePhone("8 (916) 123-45-67")).toBe("+79161234567");
    expect(normalizePhone("916 123 45 67")).toBe("+79161234567");
    expect(normalizePhone("+44 20 7946 0958")).toBe("+442079460958");
  });
});

describe("splitting the full consent text for Telegram", () => {
  test("short text stays whole", () => expect(splitLongText("  один абзац  ")).toEqual(["один абзац"]));

  test("long text is cut at paragraph breaks under the limit, nothing lost", () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `${i + 1}. ${"слово ".repeat(40).trim()}`);
    const text = paragraphs.join("\n\n");
    const parts = splitLongText(text, 1000);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(1000);
      expect(part).toMatch(/^\d+\. /);
    }
    expect(parts.join("\n\n")).toBe(text);
  });

  test("a text without breaks is cut at spaces, and at the limit as a last resort", () => {
    const words = splitLongText("ab ".repeat(100).trim(), 50);
    for (const part of words) expect(part.length).toBeLessThanOrEqual(50);
    expect(words.join(" ")).toBe("ab ".repeat(100).trim());
    expect(splitLongText("x".repeat(120), 50)).toEqual(["x".repeat(50), "x".repeat(50), "x".repeat(20)]);
  });
});
