/**
 * Issue #16.12: a pupil's own account rests on a guardian's consent (docs/decisions.md, "Students'
 * own accounts"). No student code without a guardian whose consent is in force; redeeming checks
 * again; the account sees and receives the pupil's data only while such a consent lasts.
 */
import { Types } from "mongoose";
import { Delivery, InviteCode, Account } from "../../src/db/models";
import { hashCode, normalizeCode } from "../../src/domain/codes";
import { createI18n, translator } from "../../src/i18n";
import { QUEUES } from "../../src/queue/names";
import { accessibleChildren } from "../../src/services/access";
import { CodeRequestError, issueStudentCode } from "../../src/services/codes";
import { redeemCode } from "../../src/services/linking";
import { enqueueDeliveries } from "../../src/services/notify/deliveries";
import { studentAccounts } from "../../src/services/notify/recipients";
import { registerPaperDecision } from "../../src/services/paper-consent";
import { withdrawConsent } from "../../src/services/privacy";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { useNotifyHarness } from "./notify-harness";
import { publishFinal } from "./notify-events";

const h = useNotifyHarness();
const PEPPER = "student-test-pepper-0123456789";
const ru = translator(createI18n("ru"), "ru");
let tgId = 940_000;

const school = (): Promise<SchoolFixture> => createSchoolFixture({ data: "none", noQuietHours: true });

const codeId = async (code: string) => String((await InviteCode.findOne({ codeHash: hashCode(PEPPER, normalizeCode(code)) }).lean())!._id);
const issue = (fx: SchoolFixture, student = "st-petya") => issueStudentCode({ schoolId: fx.school._id, studentExternalId: student, role: "student", pepper: PEPPER, now: new Date() });

test("no student code while no guardian of the pupil has consent in force; with one, the code is issued", async () => {
  const fx = await school();
  await expect(issue(fx)).rejects.toThrow(CodeRequestError);
  await expect(issue(fx)).rejects.toThrow('Student "st-petya" has no guardian with consent in force');
  // A parent who declined is no basis either.
  await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya], { consent: "declined" });
  await expect(issue(fx)).rejects.toThrow(CodeRequestError);
  await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya]);
  expect(await issue(fx)).toMatchObject({ role: "student", studentExternalId: "st-petya" });
});

test("a written consent of the guardian is a basis too; redeeming checks again and leaves the code unused when it is gone", async () => {
  const fx = await school();
  await registerPaperDecision({ schoolId: fx.school._id, guardianId: fx.guardians.otherParent._id, decision: "granted", form: "paper", t: ru, now: new Date() });
  const { code } = await issue(fx);
  await registerPaperDecision({ schoolId: fx.school._id, guardianId: fx.guardians.otherParent._id, decision: "withdrawn", form: "paper", t: ru, now: new Date() });
  const pupil = await Account.create({ telegramId: ++tgId, chatId: tgId });
  expect(await redeemCode({ accountId: pupil._id, codeId: await codeId(code), now: new Date() })).toEqual({ status: "guardian-consent-required", schoolId: String(fx.school._id) });
  expect((await InviteCode.findById(await codeId(code)).lean())!.usedAt).toBeUndefined();
  await registerPaperDecision({ schoolId: fx.school._id, guardianId: fx.guardians.otherParent._id, decision: "granted", form: "edoc", t: ru, now: new Date() });
  expect(await redeemCode({ accountId: pupil._id, codeId: await codeId(code), now: new Date() })).toMatchObject({ status: "linked", role: "student" });
});

test("the pupil's account sees and gets its data only while a guardian's consent lasts", async () => {
  const fx = await school();
  const parent = await guardianAccount(fx, ++tgId, fx.guardians.otherParent, [fx.students.petya]);
  const { code } = await issue(fx);
  const pupil = await Account.create({ telegramId: ++tgId, chatId: tgId });
  expect(await redeemCode({ accountId: pupil._id, codeId: await codeId(code), now: new Date() })).toMatchObject({ status: "linked" });
  const reload = async () => (await Account.findById(pupil._id))!;
  expect((await accessibleChildren(await reload())).map((c) => [String(c.studentId), c.via])).toEqual([[String(fx.students.petya._id), "student"]]);
  expect((await studentAccounts(fx.school._id, [fx.students.petya._id])).get(String(fx.students.petya._id))).toEqual([{ accountId: pupil._id, channel: "telegram" }]);

  // A message to the pupil already queued when the parent withdraws is stopped at send time.
  const source = `pupil-${new Types.ObjectId()}`;
  await enqueueDeliveries(h.queues.queue(QUEUES.deliveries), [{
    source, schoolId: fx.school._id, kind: "final", channel: "telegram", accountId: pupil._id, studentId: fx.students.petya._id,
    notice: { template: "final", student: "Смирнов Пётр", subject: "Алгебра", period: "1 четверть", status: "final", value: "5" },
  }], new Date());
  await withdrawConsent({ accountId: parent._id, schoolId: fx.school._id, now: new Date() });
  expect(await accessibleChildren(await reload())).toEqual([]);
  expect((await studentAccounts(fx.school._id, [fx.students.petya._id])).size).toBe(0);
  await h.start();
  await h.waitForStatus({ idempotencyKey: `${source}/a${pupil._id}/telegram` }, "cancelled");
  // And a new final reaches nobody electronically: the pupil is not planned at all.
  const { eventId } = await publishFinal(h.queues, fx, fx.students.petya, { value: "4", subject: "alg" });
  await h.waitForStatus({ eventId, channel: "paper" }, "pending_paper");
  expect(await Delivery.countDocuments({ eventId, "recipient.accountId": pupil._id })).toBe(0);
  expect(h.fake.sent(pupil.chatId!)).toHaveLength(0);
  await h.stopNotifier();
});
