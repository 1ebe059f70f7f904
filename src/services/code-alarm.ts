/**
 * The alarm for invite-code guessing across all users (issue 16.13). One account is closed for an
 * hour after 5 wrong codes (src/services/codes.ts), but a guesser with many accounts is not; so
 * every wrong code also counts in Redis, shared by every bot process, over a sliding window
 * (`CODE_ALARM_WINDOW_MINUTES`). When the count reaches `CODE_ALARM_THRESHOLD`, the admins — of
 * every school (a wrong code belongs to no school) and the bootstrap admins — get one bot message,
 * at most once per window, through the delivery engine like any other message.
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { Account, School, type Messenger } from "../db/models";
import type { Logger } from "../logger";
import { messengerOf } from "./notify/channels";
import { enqueueDeliveries, type PlannedDelivery } from "./notify/deliveries";
import { inForce } from "./staff";

export interface CodeAlarmSettings {
  /** Wrong codes within the window that raise the alarm. */
  threshold: number;
  windowMs: number;
}

export interface CodeAlarm {
  /** Counts one wrong code; raises the alarm when the window's count reaches the threshold. Never throws. */
  wrongCode(now: Date): Promise<void>;
}

export interface CodeAlarmDeps {
  redis: Redis;
  prefix: string;
  deliveries: Queue;
  logger: Logger;
  settings: CodeAlarmSettings;
  bootstrapAdmins: readonly number[];
}

export function createCodeAlarm(deps: CodeAlarmDeps): CodeAlarm {
  const { redis, settings } = deps;
  const key = (what: string, bucket: number) => `${deps.prefix}:code-alarm:${what}:${bucket}`;
  const log = deps.logger.child({ component: "code-alarm" });

  /**
   * The count over the last window: this window's bucket plus the part of the previous bucket the
   * window still covers (a fixed window alone lets a flood straddle two windows unseen).
   */
  async function count(now: number, bucket: number): Promise<number> {
    const result = await redis.multi().incr(key("count", bucket)).pexpire(key("count", bucket), 2 * settings.windowMs).get(key("count", bucket - 1)).exec();
    const current = Number(result?.[0]?.[1] ?? 0);
    const previous = Number(result?.[2]?.[1] ?? 0);
    const covered = 1 - (now % settings.windowMs) / settings.windowMs;
    return current + Math.floor(previous * covered);
  }

  /** True for exactly one caller per window, across processes. */
  async function firstInWindow(now: number, bucket: number): Promise<boolean> {
    const raisedBefore = Number(await redis.get(key("raised", bucket - 1)));
    if (raisedBefore && now - raisedBefore < settings.windowMs) return false;
    return (await redis.set(key("raised", bucket), String(now), "PX", 2 * settings.windowMs, "NX")) === "OK";
  }

  return {
    async wrongCode(at) {
      try {
        const now = at.getTime();
        const bucket = Math.floor(now / settings.windowMs);
        const wrong = await count(now, bucket);
        if (wrong < settings.threshold || !(await firstInWindow(now, bucket))) return;
        const admins = await adminRecipients(deps.bootstrapAdmins, at);
        const minutes = Math.round(settings.windowMs / 60_000);
        const planned: PlannedDelivery[] = admins.map(({ accountId, schoolId, channel }) => ({
          source: `code-alarm-${bucket}`, schoolId, kind: "admin-alert", channel, accountId,
          notice: { template: "code-alarm", count: wrong, threshold: settings.threshold, minutes },
        }));
        if (planned.length) await enqueueDeliveries(deps.deliveries, planned, at);
        log.warn({ wrongCodes: wrong, threshold: settings.threshold, windowMinutes: minutes, admins: planned.length }, "wrong invite codes above the alarm threshold: admins alerted");
      } catch (error) {
        // The user's own answer must not suffer from the alarm.
        log.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, "invite-code alarm failed");
      }
    },
  };
}

/**
 * Every active admin account once: admins by code (roles in force), each with one of their
 * schools, and the bootstrap admins who have an account (with the first school by name).
 */
export async function adminRecipients(bootstrapAdmins: readonly number[], now: Date): Promise<Array<{ accountId: string; schoolId: string; channel: Messenger }>> {
  const accounts = await Account.find(
    { active: true, $or: [{ "roles.role": "admin" }, { telegramId: { $in: [...bootstrapAdmins] } }] },
    { telegramId: 1, roles: 1, max: 1, channelOrder: 1, active: 1 },
  ).lean();
  const recipients: Array<{ accountId: string; schoolId: string | null; channel: Messenger }> = accounts.map((a) => {
    const role = a.roles.find((r) => r.role === "admin" && inForce(r, now));
    const schoolId = role ? String(role.schoolId) : typeof a.telegramId === "number" && bootstrapAdmins.includes(a.telegramId) ? null : "";
    return { accountId: String(a._id), schoolId, channel: messengerOf(a) };
  });
  const someSchool = recipients.some((r) => r.schoolId === null) ? await School.findOne({}, { _id: 1 }).sort({ name: 1 }).lean() : null;
  return recipients
    .map((r) => ({ ...r, schoolId: r.schoolId ?? (someSchool ? String(someSchool._id) : "") }))
    .filter((r) => r.schoolId !== "");
}
