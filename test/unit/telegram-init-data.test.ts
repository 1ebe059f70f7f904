import { createHmac } from "node:crypto";
import { checkInitData, signInitData, INIT_DATA_MAX_LENGTH } from "../../src/web/auth/telegram-init-data";

const TOKEN = "123456789:TEST-token-for-the-fake-bot-api";
const NOW = new Date("2026-12-03T15:00:00Z");
const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));
const user = JSON.stringify({ id: 5001, first_name: "Ольга", language_code: "ru" });
const fields = { query_id: "AAH1", user, auth_date: unix(NOW) };

describe("Mini App init data", () => {
  test("the signature is Telegram's: HMAC(HMAC('WebAppData', token), sorted lines)", () => {
    // Computed here step by step, independently of the module's helper.
    const lines = `auth_date=${fields.auth_date}\nquery_id=AAH1\nuser=${user}`;
    const secret = createHmac("sha256", "WebAppData").update(TOKEN).digest();
    const hash = createHmac("sha256", secret).update(lines).digest("hex");
    const initData = new URLSearchParams({ ...fields, hash }).toString();
    expect(checkInitData(initData, TOKEN, NOW)).toEqual({ ok: true, user: { id: 5001, languageCode: "ru" }, authDate: new Date(Number(fields.auth_date) * 1000) });
    expect(signInitData(fields, TOKEN)).toContain(`hash=${hash}`);
  });

  test("a field Telegram added later (signature) is part of the signed lines", () => {
    const initData = signInitData({ ...fields, signature: "abc_DEF-123" }, TOKEN);
    expect(checkInitData(initData, TOKEN, NOW).ok).toBe(true);
    const without = new URLSearchParams(initData);
    without.delete("signature");
    expect(checkInitData(without.toString(), TOKEN, NOW)).toEqual({ ok: false, reason: "bad-signature" });
  });

  const tampered = (change: (p: URLSearchParams) => void) => {
    const p = new URLSearchParams(signInitData(fields, TOKEN));
    change(p);
    return p.toString();
  };

  test.each<[string, unknown, string, Date?]>([
    ["signed with another bot's token", signInitData(fields, "987654321:ANOTHER-token-of-another-bot"), "bad-signature"],
    ["another user id put in", tampered((p) => p.set("user", JSON.stringify({ id: 5002, first_name: "X" }))), "bad-signature"],
    ["auth_date moved forward", tampered((p) => p.set("auth_date", unix(new Date(NOW.getTime() + 1000)))), "bad-signature"],
    ["no hash", tampered((p) => p.delete("hash")), "malformed"],
    ["a hash of the wrong shape", tampered((p) => p.set("hash", "zz")), "malformed"],
    ["a field repeated", signInitData(fields, TOKEN) + "&user=%7B%22id%22%3A1%7D", "malformed"],
    ["not a string", { initData: "x" }, "malformed"],
    ["empty", "", "malformed"],
    ["too long", "a=" + "x".repeat(INIT_DATA_MAX_LENGTH), "malformed"],
    ["no user", signInitData({ auth_date: fields.auth_date }, TOKEN), "no-user"],
    ["a user that is not JSON", signInitData({ ...fields, user: "{id:1" }, TOKEN), "malformed"],
    ["a user without a numeric id", signInitData({ ...fields, user: JSON.stringify({ id: "5001" }) }, TOKEN), "no-user"],
    ["no auth_date", signInitData({ user }, TOKEN), "malformed"],
    ["older than an hour", signInitData({ ...fields, auth_date: unix(new Date(NOW.getTime() - 3601_000)) }, TOKEN), "expired"],
    ["from the future beyond clock skew", signInitData({ ...fields, auth_date: unix(new Date(NOW.getTime() + 6 * 60_000)) }, TOKEN), "expired"],
  ])("refused: %s", (_name, initData, reason) => {
    expect(checkInitData(initData, TOKEN, NOW)).toEqual({ ok: false, reason });
  });

  test.each([
    ["59 minutes old", -59 * 60_000],
    ["exactly an hour old", -3600_000],
    ["a minute ahead (clock skew)", 60_000],
  ])("accepted: %s", (_name, offset) => {
    const initData = signInitData({ ...fields, auth_date: unix(new Date(NOW.getTime() + offset)) }, TOKEN);
    expect(checkInitData(initData, TOKEN, NOW).ok).toBe(true);
  });
});
