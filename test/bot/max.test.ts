/**
 * The MAX front end end to end (issue 14): long polling of the fake MAX Bot API, onboarding
 * (consent, invite code, confirmation), a view with its navigation, /mydata, withdrawal, and MAX's
 * 429s and errors — with the real services, the test database and real update JSON.
 */
import { useTestDb } from "../support/db";
import { startMaxHarness, payloads, labels, plainOf, type MaxHarness } from "../support/max-harness";
import { createSchoolFixture, type SchoolFixture } from "../support/fixtures";
import { Account, ConsentRecord, GuardianLink, Session } from "../../src/db/models";
import { issueStudentCode } from "../../src/services/codes";
import { moscow } from "./views-support";

useTestDb();

let h: MaxHarness;
let fx: SchoolFixture;

beforeAll(async () => {
  fx = await createSchoolFixture();
  h = await startMaxHarness({ now: moscow("2026-12-03 12:00") });
}, 60_000);
afterAll(async () => h.stop());

const code = async () => (await issueStudentCode({ schoolId: fx.school._id, studentExternalId: fx.students.maria.externalId, role: "guardian", pepper: h.deps.config.codePepper, now: h.deps.now() })).code;

/** A MAX user who went through the whole onboarding. */
async function onboarded() {
  const parent = h.user();
  await parent.start();
  await parent.press(`cs:yes:${fx.school._id}`);
  const [confirm] = await parent.write(await code());
  await parent.press(payloads(confirm)[0], confirm);
  return parent;
}

describe("onboarding in MAX", () => {
  test("Start → consent (full text, agree) → code (a typo first) → confirm → the menu; the account is a MAX account", async () => {
    const parent = h.user();
    const started = await parent.start();
    expect(plainOf(started)).toContain("Здравствуйте! Это «Электронный дневник» школы");
    const consent = started[started.length - 1];
    expect(consent.format).toBe("html");
    expect(payloads(consent)).toEqual([`cs:yes:${fx.school._id}`, `cs:no:${fx.school._id}`, `cs:full:${fx.school._id}`]);

    const full = await parent.press(`cs:full:${fx.school._id}`, consent);
    expect(plainOf(full)).toContain(fx.school.name);
    expect(payloads(full[full.length - 1])).toContain(`cs:yes:${fx.school._id}`);

    const agreed = await parent.press(`cs:yes:${fx.school._id}`);
    // The summary loses its buttons (the press is answered with the message replaced), then the code is asked.
    expect(agreed[0].via).toBe("answer");
    expect(agreed[0].buttons).toEqual([]);
    expect(plainOf(agreed)).toContain("Введите код приглашения");
    const record = await ConsentRecord.findOne({ decision: "granted" }).sort({ _id: -1 }).lean();
    expect(record).toMatchObject({ form: "max", schoolId: fx.school._id });

    expect(plainOf(await parent.write("привет"))).toContain("Это не похоже на код приглашения");
    const [confirm] = await parent.write(await code());
    expect(confirm.plain).toContain("Это ваш ребёнок?");
    expect(confirm.plain).toContain("7А");
    const done = await parent.press(payloads(confirm)[0], confirm);
    const menu = done[done.length - 1];
    expect(menu.plain).toContain("Готово!");
    expect(labels(menu)).toEqual(["📒 Оценки", "📚 Домашнее задание", "🗓 Расписание", "📈 Прогноз", "🎓 Итоговые", "💡 Рекомендации"]);

    const account = await Account.findOne({ "max.userId": parent.profile.user_id }).lean();
    expect(account?.telegramId).toBeUndefined();
    expect(String(record?.accountId)).toBe(String(account?._id));
    expect(await GuardianLink.countDocuments({ accountId: account!._id, studentId: fx.students.maria._id })).toBe(1);
    // A finished dialog leaves no state behind (it held the typed code).
    expect(await Session.countDocuments({ key: `max:dialog:${parent.profile.user_id}` })).toBe(0);
  });

  test("an old button of another step is out of date; a second MAX user is a second account", async () => {
    const parent = h.user();
    await parent.start();
    const callbackId = h.fake.press(parent.profile, `ob:yes:${"0".repeat(24)}`, h.fake.sentTo(parent.profile.user_id).at(-1));
    await h.settled();
    expect(h.fake.answered(callbackId)).toBe(true);
    const answer = h.fake.calls.filter((c) => c.path === "/answers").at(-1);
    expect(answer?.body).toEqual({ notification: expect.stringContaining("устарела") });
    expect(await Account.countDocuments({ "max.userId": { $in: [parent.profile.user_id] } })).toBe(1);
  });

  test("a message in a group chat is not answered", async () => {
    const parent = h.user();
    const before = h.fake.sent.length;
    h.fake.write(parent.profile, "/grades", "chat");
    await h.settled();
    expect(h.fake.sent.length).toBe(before);
  });
});

describe("views and privacy in MAX", () => {
  test("the menu's grades: the shared view as MAX HTML with navigation; a navigation press replaces the message", async () => {
    const parent = await onboarded();
    const [grades] = await parent.press("v:g:-"); // the menu's button: the child chosen last

    expect(grades.plain).toContain("📒 Оценки · Мария, 7А");
    expect(grades.plain).toContain("Эта неделя (30.11–06.12)");
    expect(grades.format).toBe("html");
    const previous = grades.buttons.flat().find((b) => b.text.startsWith("◀"))!;
    const [edited] = await parent.press(previous.payload!, grades);
    expect(edited.via).toBe("answer");
    expect(edited.mid).toBe(grades.mid);
    expect(edited.plain).toContain("Неделя 23.11–29.11");
    // A forged child id is refused on the button.
    const forged = h.fake.press(parent.profile, `v:g:${"a".repeat(24)}`, grades);
    await h.settled();
    expect(h.fake.answered(forged)).toBe(true);
    expect(h.fake.calls.filter((c) => c.path === "/answers").at(-1)?.body).toEqual({ notification: expect.stringContaining("недоступ") });
  });

  test("/homework as a command; /mydata names the MAX id; withdrawing consent unlinks and stops the views", async () => {
    const parent = await onboarded();
    expect(plainOf(await parent.write("/homework"))).toContain("📚 Домашнее задание · Мария, 7А");
    expect(plainOf(await parent.write("/mydata"))).toContain(`MAX ID ${parent.profile.user_id}`);

    const [overview] = await parent.write("/privacy");
    const withdraw = payloads(overview).find((p) => p.startsWith("pv:wd:"))!;
    const [ask] = await parent.press(withdraw, overview);
    const confirmed = await parent.press(payloads(ask)[0], ask);
    expect(plainOf(confirmed)).toContain("отозвано");
    const account = await Account.findOne({ "max.userId": parent.profile.user_id }).lean();
    expect(await ConsentRecord.findOne({ accountId: account!._id }).sort({ seq: -1 }).lean()).toMatchObject({ decision: "withdrawn", form: "max" });
    expect(await GuardianLink.countDocuments({ accountId: account!._id })).toBe(0);
    expect(plainOf(await parent.write("/grades"))).not.toContain("Оценки · Мария");
  });
});

describe("MAX's answers", () => {
  test("a 429 on a send is waited out and the reply arrives once; a failing poll is retried", async () => {
    const parent = h.user();
    h.fake.failNext("POST", "/messages", { status: 429, code: "too.many.requests", message: "Too many requests" }, 2);
    const replies = await parent.write("/help");
    expect(replies).toHaveLength(1);
    expect(replies[0].plain).toContain("Электронный дневник в MAX");
    expect(h.fake.calls.filter((c) => c.path === "/messages" && c.status === 429)).toHaveLength(2);

    h.fake.failNext("GET", "/updates", { status: 503, code: "service.unavailable", message: "Service unavailable" });
    await new Promise((resolve) => setTimeout(resolve, 2_200)); // the current long poll ends; the next one fails
    expect(plainOf(await parent.write("/menu"))).toContain("Пока в дневнике нет детей");
  });

  test("an error MAX will not take (400) is answered with the error text once, and logged without personal data", async () => {
    const parent = h.user();
    h.fake.failNext("POST", "/messages", { status: 400, code: "proto.payload", message: "bad request" });
    const replies = await parent.write("/help");
    expect(plainOf(replies)).toContain("что-то пошло не так");
    expect(h.logs.join("")).toContain("max: update failed");
    expect(h.logs.join("")).not.toContain(String(parent.profile.user_id));
  });
});
