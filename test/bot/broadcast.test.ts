/**
 * /broadcast as an admin uses it (target, text, preview with the audience, confirm) and delivery
 * through the worker; /deliveries lists what failed. Non-admins get neither.
 */
import { Delivery, School, Account } from "../../src/db/models";
import type { BotHarness } from "../support/bot-harness";
import { startBotWithWorker, type BotWithWorker } from "../support/bot-worker";
import { useTestDb } from "../support/db";
import { useTestRedis } from "../support/redis";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";

useTestDb();
const redis = useTestRedis();
let h: BotHarness;
let fx: SchoolFixture;
let running: BotWithWorker;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
  running = await startBotWithWorker(redis);
  h = running.h;
});

afterAll(() => running.stop());

const admin = (telegramId: number) => Account.create({ telegramId, chatId: telegramId, roles: [{ role: "admin", schoolId: fx.school._id }] });

test("only admins may broadcast or see failed deliveries", async () => {
  const user = h.user();
  expect((await user.send("/broadcast"))[0].plain).toContain("для администраторов");
  expect((await user.send("/deliveries"))[0].plain).toContain("для администраторов");
});

test("to one class: preview with the audience, confirm, one message per family, paper for the others", async () => {
  const parent = await guardianAccount(fx, 970_001, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  const user = h.user();
  await admin(user.profile.id);
  const [targets] = await user.send("/broadcast");
  expect(targets.plain).toContain("Кому?");
  const classes = (await user.press("bc:t:class")).at(-1)!;
  expect(classes.plain).toContain("Выберите класс");
  const ask = (await user.press("bc:c:1")).at(-1)!; // 3Б, 7А by grade
  expect(ask.plain).toContain("Напишите текст");
  const [preview] = await user.send("Завтра родительское собрание в 18:00 <актовый зал>");
  expect(preview.plain).toContain("класс 7А");
  expect(preview.plain).toContain("Электронно: 1 семья, в бумажной распечатке: 1 семья.");
  expect(preview.text).toContain("&lt;актовый зал&gt;");
  const done = (await user.press("bc:send")).at(-1)!;
  expect(done.plain).toContain("Рассылка поставлена в очередь: 2 семьи");
  const message = await h.fake.waitForMessage(parent.chatId, "родительское собрание", 15_000);
  expect(message.plain).toContain("Сообщение от школы");
  const paper = async () => Delivery.findOne({ kind: "broadcast", channel: "paper", "recipient.guardianId": fx.guardians.otherParent._id }).lean();
  for (let i = 0; i < 50 && !(await paper()); i++) await new Promise((r) => setTimeout(r, 100));
  expect(await paper()).toMatchObject({ status: "pending_paper" });
  await new Promise((r) => setTimeout(r, 1500));
  expect(h.fake.sent(parent.chatId).filter((m) => m.plain?.includes("собрание"))).toHaveLength(1); // two children, one message
}, 30_000);

test("/deliveries lists failed deliveries without message texts", async () => {
  await Delivery.create({ schoolId: fx.school._id, idempotencyKey: "x/a1/telegram", kind: "final", channel: "telegram", status: "failed", attempts: 9, failedAt: new Date(), lastError: "telegram 502: Bad Gateway", recipient: { studentId: fx.students.maria._id } });
  const user = h.user();
  await admin(user.profile.id);
  const [view] = await user.send("/deliveries");
  expect(view.plain).toContain("Не доставлено после всех попыток: 1");
  expect(view.plain).toContain("telegram 502: Bad Gateway");
  expect(view.plain).toContain("Иванова Мария Сергеевна");
});
