/**
 * A school changed what its consent text says (a new version: src/services/school-settings.ts).
 * Everyone who agreed in a messenger to an older text is "outdated" from that moment: the bot shows
 * them nothing and asks them again when they next write, and their children's results go on paper.
 * So each of them is told once, on their own messenger, that the school asks them to read the new
 * text and answer (/start). Run with the school's morning (src/queue/school-rhythm.ts), whatever
 * changed the text (the console, the CLI); the delivery key names the school and the version, so a
 * version is announced once per person however often this runs.
 *
 * The message concerns the consent itself, not a child: it goes as an account's own message (the
 * gate asks no consent of it), carries no child's data, and respects quiet hours.
 */
import { createHash } from "node:crypto";
import type { Types } from "mongoose";
import { Account, ConsentRecord, Delivery, GuardianLink, School } from "../../db/models";
import { consentStateOf, consentVersionOf } from "../../domain/consent";
import { messengerOf } from "./channels";
import { deliveryKey, enqueueDeliveries, type PlannedDelivery } from "./deliveries";
import type { NotifyEnv } from "./env";

export interface ConsentRenewalResult {
  version: string;
  /** Accounts whose consent in the school is of an older text. */
  outdated: number;
  /** Messages planned now (the others were announced before). */
  planned: number;
}

export async function announceConsentRenewal(env: NotifyEnv, schoolId: Types.ObjectId): Promise<ConsentRenewalResult | null> {
  const school = await School.findById(schoolId, { name: 1, settings: 1 }).lean();
  if (!school) return null;
  const version = consentVersionOf(school);
  const accountIds = [...new Map((await GuardianLink.find({ schoolId }, { accountId: 1 }).lean()).map((l) => [String(l.accountId), l.accountId])).values()];
  if (!accountIds.length) return { version, outdated: 0, planned: 0 };
  const [accounts, records] = await Promise.all([
    Account.find({ _id: { $in: accountIds } }, { telegramId: 1, active: 1, max: 1, channelOrder: 1 }).lean(),
    ConsentRecord.find({ schoolId, accountId: { $in: accountIds } }, { accountId: 1, decision: 1, form: 1, textVersion: 1, recordedAt: 1 }).sort({ recordedAt: -1, _id: -1 }).lean(),
  ]);
  const newest = new Map<string, (typeof records)[number]>();
  for (const r of records) if (!newest.has(String(r.accountId))) newest.set(String(r.accountId), r);

  const source = `consent-renewal-${createHash("sha256").update(`${String(schoolId)}|${version}`).digest("hex").slice(0, 32)}`;
  const plans: PlannedDelivery[] = accounts
    .filter((a) => consentStateOf(newest.get(String(a._id)) ?? null, version) === "outdated")
    .map((a) => ({ source, schoolId, kind: "consent", channel: messengerOf(a), accountId: a._id, notice: { template: "consent-renewal", school: school.name, version } }));
  // Announced before: nothing again.
  const announced = new Set(
    (await Delivery.find({ idempotencyKey: { $in: plans.map(deliveryKey) } }, { idempotencyKey: 1 }).lean()).map((d) => d.idempotencyKey),
  );
  const fresh = plans.filter((p) => !announced.has(deliveryKey(p)));
  if (fresh.length) await enqueueDeliveries(env.deliveries, fresh, env.now());
  return { version, outdated: plans.length, planned: fresh.length };
}
