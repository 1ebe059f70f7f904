/** Class names as people type them: one key for every spelling of a class. */
import { classNameKey, sameClassName } from "../../src/domain/class-name";

describe("class names as people type them", () => {
  test.each([
    ["7Б", "7б"],
    ["7Б", " 7 Б "],
    ["7Б", "7-б"],
    ["10А", "10A"],
    ["11Е", "11ё"],
    ["5В", "5B"],
    ["5А", "5а"],
  ])("%s = %s", (a, b) => {
    expect(classNameKey(a)).toBe(classNameKey(b));
    expect(sameClassName(a, b)).toBe(true);
  });
  test("different classes stay different", () => {
    expect(classNameKey("7Б")).not.toBe(classNameKey("7В"));
    expect(classNameKey("1А")).not.toBe(classNameKey("11А"));
    expect(sameClassName("7А", "7Б")).toBe(false);
  });
});
