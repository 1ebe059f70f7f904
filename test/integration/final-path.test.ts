/**
 * A final's way through the worker costs few database commands (issue 11: "a broadcast never
 * delays a final by more than a second or two" — on a database that answers one command at a time,
 * every command of a final waits behind a broadcast's). Counted with the driver's command
 * monitoring, never timed. The single lane claims first and gates once; it gates again only when
 * the wait for Telegram's slot made the first answer old (a 429 hold: test/integration/notify.test.ts).
 */
import { Delivery, School } from "../../src/db/models";
import { countCommands } from "../../src/db/command-count";
import { QUEUES } from "../../src/queue/names";
import type { DeliveryJobData } from "../../src/queue/jobs";
import { enqueueDeliveries } from "../../src/services/notify/deliveries";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { useNotifyHarness } from "./notify-harness";
import { publishFinal } from "./notify-events";

const h = useNotifyHarness();
let fx: SchoolFixture;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
});

/** Starts the notifier with a command counter; resolves with the counts once `sends` Telegram messages are recorded `sent`. */
async function countUntilSent(sends: number) {
  const counter = countCommands();
  let sent = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await h.start({ onSent: (_data: DeliveryJobData) => ++sent >= sends && done() });
  await finished;
  const counts = { total: counter.total(), byName: counter.byName() };
  counter.stop();
  await h.stopNotifier();
  return counts;
}

test("a final's delivery job: the claim, one consent gate and the settle (6 commands)", async () => {
  const account = await guardianAccount(fx, 950_001, fx.guardians.parent, [fx.students.maria]);
  await enqueueDeliveries(h.queues.queue(QUEUES.deliveries), [{
    source: "final-path-1", schoolId: fx.school._id, kind: "final", channel: "telegram", accountId: account._id, guardianId: fx.guardians.parent._id, studentId: fx.students.maria._id,
    notice: { template: "final", student: "Иванова Мария", subject: "Алгебра", period: "1 четверть", status: "final", value: "5" },
  }], new Date());
  const { total, byName } = await countUntilSent(1);
  expect(h.fake.sent(account.chatId)).toHaveLength(1);
  // claim (findAndModify), gate (schools, accounts, consents, links), settle (update)
  expect({ total, byName }).toEqual({ total: 6, byName: { findAndModify: 1, find: 4, update: 1 } });
  expect(await Delivery.findOne({ idempotencyKey: `final-path-1/a${account._id}/telegram` }).lean()).toMatchObject({ status: "sent", attempts: 1 });
});

test("a final from its event to the send: at most 20 commands (the event's planning, then the delivery)", async () => {
  const other = await createSchoolFixture({ data: "none" });
  await School.updateOne({ _id: other.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
  const account = await guardianAccount(other, 950_002, other.guardians.parent, [other.students.alex]);
  const { eventId } = await publishFinal(h.queues, other, other.students.alex, { value: "4" });
  const { total, byName } = await countUntilSent(1);
  await h.fake.waitForMessage(account.chatId, "Итоговая оценка", 5000);
  // Planning: the event, the final, its student, subject and period, the child's families (school,
  // records, links, accounts, two consent queries), the student's own accounts, the records' write,
  // the event marked processed (14); the delivery: 6.
  if (total > 20) throw new Error(`${total} commands: ${JSON.stringify(byName)}`);
  expect(total).toBeLessThanOrEqual(20);
  expect(await Delivery.countDocuments({ eventId, channel: "telegram", status: "sent" })).toBe(1);
});

test("a job whose record someone else holds does not gate nor reserve the chat: claim, one look, retry later", async () => {
  const account = await guardianAccount(fx, 950_003, fx.guardians.otherParent, [fx.students.petya]);
  const key = `final-path-3/a${account._id}/telegram`;
  await enqueueDeliveries(h.queues.queue(QUEUES.deliveries), [{
    source: "final-path-3", schoolId: fx.school._id, kind: "final", channel: "telegram", accountId: account._id, guardianId: fx.guardians.otherParent._id, studentId: fx.students.petya._id,
    notice: { template: "final", student: "Петров Петя", subject: "Алгебра", period: "1 четверть", status: "final", value: "3" },
  }], new Date());
  // A batch (or another worker) holds it right now.
  await Delivery.updateOne({ idempotencyKey: key }, { $set: { status: "sending", claim: "someone-else" } });
  const counter = countCommands();
  await h.start();
  const job = await h.queues.queue(QUEUES.deliveries).getJob(key);
  for (let i = 0; i < 100 && (await job!.getState()) !== "delayed"; i++) await new Promise((r) => setTimeout(r, 50));
  const counts = counter.byName();
  counter.stop();
  await h.stopNotifier();
  expect(await job!.getState()).toBe("delayed"); // backing off until the holder is done
  expect(counts).toEqual({ findAndModify: 1, find: 1 });
  expect(h.fake.sent(account.chatId)).toHaveLength(0);
  // The chat is not reserved by a job that did not send.
  expect(await h.queues.redis.exists(`${h.queues.prefix}:tg:chat:${account.chatId}`)).toBe(0);
  await job!.remove();
  await Delivery.deleteOne({ idempotencyKey: key });
});
