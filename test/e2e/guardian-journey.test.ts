/**
 * A guardian's first minutes against the built service, as they happen in life: the school loads its
 * data (seed:demo through the exchange import) and hands out a code; the parent starts the bot,
 * agrees, enters the code, confirms the child, asks for grades; the journal then sends a final grade
 * and the worker pushes it to the parent's chat.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import mongoose from "mongoose";
import { FakeTelegram, type SentMessage } from "../support/fake-telegram";
import { ROOT, E2E_TOKEN, serviceEnv, startService, stopWithSigterm, type StartedService } from "./service-process";

const PEPPER = "e2e-pepper-0123456789abcdef";

const buttons = (message: SentMessage) =>
  ((message.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined)?.inline_keyboard ?? []).flat();

describe("a guardian's first minutes with the built service", () => {
  let fake: FakeTelegram;
  let service: StartedService | undefined;
  let env: Record<string, string>;
  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: E2E_TOKEN, enforceLimits: false });
    env = serviceEnv(fake, { CODE_PEPPER: PEPPER });
  });
  afterAll(async () => {
    if (service) await stopWithSigterm(service);
    await fake.stop();
    const connection = await mongoose.createConnection(env.MONGODB_URI).asPromise();
    await connection.dropDatabase();
    await connection.close();
  });

  test("seed, consent, code, confirm, grades, and a final grade pushed by the worker", async () => {
    const seeded = JSON.parse(
      execFileSync(process.execPath, [path.join(ROOT, "dist/src/cli/seed-demo.js"), "--json"], { env, encoding: "utf8", timeout: 120_000 }),
    ) as { schoolId: string; token: string; codes: Array<{ code: string; studentExternalId: string; className: string }> };
    expect(seeded.codes.length).toBeGreaterThan(0);
    const invite = seeded.codes[0];

    service = await startService(env);
    // A wait that fails shows what the service logged (a rare failure once left nothing to go on).
    const logged = <T>(waiting: Promise<T>): Promise<T> =>
      waiting.catch((error: Error) => {
        throw new Error(`${error.message}\n--- the service's log, last lines ---\n${service!.output().split("\n").slice(-40).join("\n")}`);
      });
    const parent = { id: 6_000_001, first_name: "Анна", language_code: "ru" };
    const chat = parent.id;
    // The bot may answer with several messages; the one with the buttons is the one to press.
    const waitWithButtons = async (match: RegExp): Promise<SentMessage> => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const found = fake.sent(chat).find((m) => buttons(m).length > 0 && match.test(m.plain ?? m.text ?? ""));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no message with buttons matching ${match}; sent: ${fake.sent(chat).map((m) => m.plain).join(" | ")}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    fake.injectMessage(parent, "/start");
    const consent = await logged(waitWithButtons(/согласи/i));
    const agree = buttons(consent).find((b) => b.callback_data?.startsWith("cs:yes"));
    expect(agree).toBeDefined();
    fake.clear();
    fake.injectCallback(parent, agree!.callback_data!, { message_id: consent.messageId, chat_id: chat });
    await logged(fake.waitForMessage(chat, "код приглашения", 15_000));

    fake.clear();
    fake.injectMessage(parent, invite.code.toLowerCase().replace(/-/g, " "));
    const confirm = await logged(waitWithButtons(/Это ваш ребёнок/));
    expect(confirm.plain).toContain(invite.className);
    fake.clear();
    fake.injectCallback(parent, buttons(confirm)[0].callback_data!, { message_id: confirm.messageId, chat_id: chat });
    await logged(fake.waitForMessage(chat, "Готово!", 15_000));

    fake.clear();
    fake.injectMessage(parent, "/grades");
    const grades = await logged(fake.waitForMessage(chat, "Оценки", 15_000));
    expect(grades.parse_mode).toBe("HTML");

    // The journal changes a final grade of this child; the worker tells the parent.
    const db = await mongoose.createConnection(env.MONGODB_URI).asPromise();
    try {
      const schoolId = new mongoose.Types.ObjectId(seeded.schoolId);
      await db.collection("schools").updateOne({ _id: schoolId }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
      const student = await db.collection("students").findOne({ schoolId, externalId: invite.studentExternalId });
      const final = await db.collection("final_grades").findOne({ schoolId, studentId: student!._id, status: "final" });
      expect(final).not.toBeNull();
      const [subject, period] = await Promise.all([
        db.collection("subjects").findOne({ _id: final!.subjectId }),
        db.collection("periods").findOne({ _id: final!.periodId }),
      ]);
      const value = final!.value === "5" ? "4" : "5";
      fake.clear();
      const response = await fetch(`http://127.0.0.1:${service.port}/api/v1/finalGrades`, {
        method: "PUT",
        headers: { authorization: `Bearer ${seeded.token}`, "content-type": "application/json" },
        body: JSON.stringify({ items: [{ externalId: final!.externalId, studentId: invite.studentExternalId, subjectId: subject!.externalId, periodId: period!.externalId, value, status: "final", resultsAt: new Date().toISOString() }] }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ received: 1, updated: 1 });
      const pushed = await logged(fake.waitForMessage(chat, "Итоговая оценка", 30_000));
      expect(pushed.plain).toContain(`${subject!.name}, ${period!.name}: ${value}`);
    } finally {
      await db.close();
    }
    expect(service.output()).not.toContain(invite.code);
  }, 180_000);
});
