import { CONCAT_PART_CHARS, fitText, fromUcs2, maskPhone, parseReceipt, partCount, splitUcs2, toE164, ucs2 } from "../../src/domain/sms";

describe("SMS texts", () => {
  test.each([
    ["Иванова М.: итог по алгебре за 2 четверть — 5.", 1],
    ["а".repeat(70), 1],
    ["а".repeat(71), 2],
    ["а".repeat(134), 2],
    ["а".repeat(500), 2],
  ])("text %# fits its number of parts", (text, parts) => {
    expect(partCount(text)).toBe(parts);
  });

  test.each([
    [1, 70],
    [2, 134],
    [3, 201],
  ])("a long text fits %i part(s): %i characters ending in an ellipsis", (maxParts, length) => {
    const fitted = fitText("б".repeat(1000), maxParts);
    expect(fitted).toHaveLength(length);
    expect(fitted.endsWith("…")).toBe(true);
  });

  test("UCS-2 is big-endian and round-trips Cyrillic", () => {
    expect(ucs2("Я5").toString("hex")).toBe("042f0035");
    expect(fromUcs2(ucs2("Итог — 5"))).toBe("Итог — 5");
  });

  test("concatenated parts carry 05 00 03 ref total seq and reassemble", () => {
    const text = "ж".repeat(CONCAT_PART_CHARS) + "з".repeat(10);
    const parts = splitUcs2(text, 7);
    expect(parts).toHaveLength(2);
    expect(parts.map((p) => p.udh!.toString("hex"))).toEqual(["0500030702" + "01", "0500030702" + "02"]);
    expect(parts.map((p) => fromUcs2(p.message)).join("")).toBe(text);
    expect(splitUcs2("коротко", 1)).toEqual([{ message: ucs2("коротко") }]);
  });

  test("a surrogate pair is never split between parts", () => {
    const text = "ж".repeat(CONCAT_PART_CHARS - 1) + "😀" + "ж".repeat(5);
    const parts = splitUcs2(text, 1).map((p) => fromUcs2(p.message));
    expect(parts[0]).toHaveLength(CONCAT_PART_CHARS - 1);
    expect(parts.join("")).toBe(text);
  });

  test.each([
    ["+7 (912) 345-67-89", "+79123456789"],
    ["8 912 345 67 89", "+79123456789"],
    ["79123456789", "+79123456789"],
    ["9123456789", "+79123456789"],
    ["+44 20 7946 0958", "+442079460958"],
    ["+7 912 345", null],
    ["12345", null],
    ["ivanova@mail.ru", null],
    ["", null],
  ])("%s as E.164 is %s", (raw, e164) => {
    expect(toE164(raw)).toBe(e164);
  });

  test("numbers are masked for logs", () => {
    expect(maskPhone("+79123456789")).toBe("+7912***6789");
  });

  test.each([
    ["id:abc123 sub:001 dlvrd:001 submit date:2612051200 done date:2612051201 stat:DELIVRD err:000 text:", {}, { messageId: "abc123", state: "delivered", stat: "DELIVRD" }],
    ["id:abc123 sub:001 dlvrd:000 submit date:2612051200 done date:2612051201 stat:UNDELIV err:001 text:", {}, { messageId: "abc123", state: "failed", stat: "UNDELIV" }],
    ["id:x stat:EXPIRED", {}, { messageId: "x", state: "failed", stat: "EXPIRED" }],
    ["id:x stat:ENROUTE", {}, { messageId: "x", state: "pending", stat: "ENROUTE" }],
    ["", { receiptedMessageId: "m1", messageState: 2 }, { messageId: "m1", state: "delivered", stat: "DELIVRD" }],
    ["", { receiptedMessageId: "m1", messageState: 8 }, { messageId: "m1", state: "failed", stat: "REJECTD" }],
    ["hello", {}, null],
  ])("receipt %#", (text, tlv, receipt) => {
    expect(parseReceipt(text, tlv)).toEqual(receipt);
  });
});
