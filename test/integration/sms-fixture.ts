/**
 * The set-up of the SMS tests of the worker (sms-delivery.test.ts, sms-receipts.test.ts): the real
 * worker against a real SMPP server on loopback (test/support/smsc.ts), real Redis, the Mongo
 * stand-in, the fake Bot API and a local SMTP server; parents whose order puts SMS first.
 */
import { Account, Delivery, Guardian, School, Student, type StudentDocument } from "../../src/db/models";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { startSmsc, type TestSmsc } from "../support/smsc";
import { useNotifyHarness } from "./notify-harness";

export function useSmsDelivery() {
  const h = useNotifyHarness();
  const now = new Date();
  let n = 0;
  const t = { h, fx: undefined as unknown as SchoolFixture, smsc: undefined as unknown as TestSmsc };

  beforeAll(async () => {
    t.fx = await createSchoolFixture({ data: "none", noQuietHours: true });
    await School.updateOne({ _id: t.fx.school._id }, { $set: { "settings.quietHours": { start: "00:00", end: "00:00" } } });
    t.smsc = await startSmsc();
    await h.start({
      config: {
        BOT_TOKEN: h.fake.token, TELEGRAM_API_ROOT: h.fake.apiRoot, SMTP_URL: h.smtpUrl, SMTP_FROM: "school@example.org",
        SMPP_URL: t.smsc.url, SMS_SOURCE: "School42", SMS_RATE_PER_SECOND: 50, WEB_URL: "https://diary.example.org",
      },
      smsOptions: { throttleBackoffMs: 20, throttleRetries: 1, throttleHoldMs: 300, reconnectBackoffMs: { min: 50, max: 200 }, timeoutMs: 3000 },
    });
  });
  afterAll(async () => {
    await h.stopNotifier();
    await t.smsc.close();
  });

  return {
    ...t,
    get fx() {
      return t.fx;
    },
    get smsc() {
      return t.smsc;
    },
    /** A child of 7А with its own guardian record; `phone` goes on the parent's account as shared with the contact button. */
    async smsParent(name: string, phone: string, channelOrder: string[], email?: string) {
      const student = await Student.create({ schoolId: t.fx.school._id, externalId: `sms-s${++n}`, fullName: `${name} Мария Петровна`, classId: t.fx.classIds.c7a });
      const record = await Guardian.create({ schoolId: t.fx.school._id, externalId: `sms-g${n}`, fullName: `${name} Анна`, studentIds: [student._id] });
      const account = await guardianAccount(t.fx, 880_000 + n, record, [student]);
      const contacts = [{ kind: "phone", value: phone, source: "guardian", verifiedAt: now }, ...(email ? [{ kind: "email", value: email, source: "guardian", verifiedAt: now }] : [])];
      await Account.updateOne({ _id: account._id }, { $set: { channelOrder, contacts } });
      return { student: student as StudentDocument, record, account };
    },
    smsOf: (eventId: string) => Delivery.findOne({ eventId, channel: "sms" }).lean(),
    /** The parts the SMSC got for a number since `from`, and their text joined. */
    received(to: string, from: number) {
      const parts = t.smsc.submits.slice(from).filter((s) => s.to === to);
      return { parts, text: parts.map((s) => s.text).join("") };
    },
  };
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
