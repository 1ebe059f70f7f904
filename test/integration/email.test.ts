/**
 * E-mail delivery against a real local SMTP server (smtp-server): what arrives, to whom, and that
 * only addresses the guardian or the school gave are used (regulation 7).
 */
import { Delivery, Guardian, School } from "../../src/db/models";
import { createSchoolFixture, type SchoolFixture } from "../support/fixtures";
import { useNotifyHarness, type Mail } from "./notify-harness";
import { publishFinal } from "./notify-events";
import { ConsentRecord } from "../../src/db/models";

const h = useNotifyHarness();
let fx: SchoolFixture;

beforeAll(async () => {
  fx = await createSchoolFixture({ data: "none" });
  await School.updateOne({ _id: fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
  await h.start();
});
afterAll(() => h.stopNotifier());

/** The decoded text/plain and text/html parts and the Subject (nodemailer: quoted-printable or base64, UTF-8). */
function decode(mail: Mail): { subject: string; text: string; html: string } {
  const header = (name: string) => new RegExp(`^${name}: (.*(?:\\r\\n[ \\t].*)*)`, "mi").exec(mail.raw)?.[1] ?? "";
  const words = (value: string) => value.replace(/\r\n[ \t]/g, " ").replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === "B" ? Buffer.from(data, "base64").toString("utf8") : qp(data.replace(/_/g, " ")));
  const qp = (s: string) => Buffer.from(s.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), "latin1").toString("utf8");
  const part = (type: string) => {
    const m = new RegExp(`Content-Type: ${type}[^]*?Content-Transfer-Encoding: ([\\w-]+)\\r\\n\\r\\n([^]*?)\\r\\n--`, "i").exec(mail.raw);
    if (!m) return "";
    return m[1].toLowerCase() === "base64" ? Buffer.from(m[2].replace(/\s+/g, ""), "base64").toString("utf8") : qp(m[2]);
  };
  return { subject: words(header("Subject")), text: part("text/plain"), html: part("text/html") };
}

test("a guardian who put e-mail first gets the final by e-mail, with the right content", async () => {
  const guardian = await Guardian.create({
    schoolId: fx.school._id, studentIds: [fx.students.maria._id], channelOrder: ["email", "telegram", "paper"],
    contacts: [{ kind: "email", value: "parent@example.org", source: "school-edoc" }],
  });
  await ConsentRecord.create({ guardianId: guardian._id, schoolId: fx.school._id, decision: "granted", form: "edoc", textVersion: "2026-11", textHash: "a".repeat(64) });
  const { eventId } = await publishFinal(h.queues, fx, fx.students.maria, { value: "5", subject: "alg" });
  await h.waitForStatus({ eventId, channel: "email" }, "sent");
  const mail = h.mails.find((m) => m.to.includes("parent@example.org"))!;
  expect(mail.from).toBe("school@example.org");
  const { subject, text, html } = decode(mail);
  expect(subject).toBe("Итоговая оценка: Иванова Мария Сергеевна");
  expect(text).toContain("Иванова Мария Сергеевна — Алгебра, 1 четверть: 5");
  expect(text).not.toContain("<b>");
  expect(html).toContain("<b>5</b>");
  expect(await Delivery.countDocuments({ eventId, channel: "telegram" })).toBe(0);
});

test("an e-mail that only came from the journal is not used: the final goes on paper", async () => {
  const guardian = await Guardian.create({
    schoolId: fx.school._id, studentIds: [fx.students.petya._id], channelOrder: ["email", "paper", "telegram"],
    contacts: [{ kind: "email", value: "journal@example.org", source: "journal" }],
  });
  await ConsentRecord.create({ guardianId: guardian._id, schoolId: fx.school._id, decision: "granted", form: "paper", textVersion: "2026-11", textHash: "b".repeat(64) });
  const { eventId } = await publishFinal(h.queues, fx, fx.students.petya, { value: "4", subject: "geom" });
  await h.waitForStatus({ eventId, "recipient.guardianId": guardian._id }, "pending_paper");
  expect(h.mails.some((m) => m.to.includes("journal@example.org"))).toBe(false);
});

test("a mailbox the server refuses: the final falls back to paper and the address never reaches the record", async () => {
  const guardian = await Guardian.create({
    schoolId: fx.school._id, studentIds: [fx.students.maria._id], channelOrder: ["email", "paper", "telegram"],
    contacts: [{ kind: "email", value: "nobody@example.org", source: "school-paper" }],
  });
  await ConsentRecord.create({ guardianId: guardian._id, schoolId: fx.school._id, decision: "granted", form: "paper", textVersion: "2026-11", textHash: "c".repeat(64) });
  const { eventId } = await publishFinal(h.queues, fx, fx.students.maria, { value: "3", subject: "hist" });
  await h.waitForStatus({ eventId, "recipient.guardianId": guardian._id, channel: "paper" }, "pending_paper");
  const refused = await Delivery.findOne({ eventId, "recipient.guardianId": guardian._id, channel: "email" }).lean();
  expect(refused?.status).toBe("fell_back");
  expect(refused?.lastError).toMatch(/^smtp 550/);
  expect(refused?.lastError).not.toContain("nobody@example.org");
});
