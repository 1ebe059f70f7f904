/**
 * Admin broadcasts (/broadcast): a text to the guardians of the whole school, one class or one
 * parallel (all classes of a grade), through the same delivery engine. Guardians without
 * electronic delivery get it on their paper printout.
 */
import { randomBytes } from "node:crypto";
import { Types } from "mongoose";
import type { Queue } from "bullmq";
import { School, SchoolClass, Student } from "../db/models";
import { SCHEDULED_JOBS } from "../queue/names";
import type { BroadcastTarget, ScheduledJobData } from "../queue/jobs";
import { enqueueDeliveries, planForGuardian, type EnqueueCounts, type PlannedDelivery } from "./notify/deliveries";
import type { NotifyEnv } from "./notify/env";
import { guardianTargets } from "./notify/recipients";

export const BROADCAST_MAX_LENGTH = 3500;

export async function audienceStudents(schoolId: Types.ObjectId, target: BroadcastTarget): Promise<Types.ObjectId[]> {
  let classFilter: Record<string, unknown> = {};
  if (target.kind === "class") classFilter = { classId: new Types.ObjectId(target.classId) };
  if (target.kind === "parallel") {
    const classes = await SchoolClass.find({ schoolId, grade: target.grade }, { _id: 1 }).lean();
    classFilter = { classId: { $in: classes.map((c) => c._id) } };
  }
  return (await Student.find({ schoolId, ...classFilter }, { _id: 1 }).lean()).map((s) => s._id);
}

/** For the preview: how many families the message reaches electronically and on paper. */
export async function audienceSize(schoolId: Types.ObjectId, target: BroadcastTarget): Promise<{ electronic: number; paper: number }> {
  const targets = await guardianTargets(schoolId, await audienceStudents(schoolId, target));
  const electronic = new Set<string>();
  const all = new Set<string>();
  for (const t of [...targets.values()].flat()) {
    all.add(String(t.guardianId));
    if (t.electronic && (t.accountIds.length || t.email)) electronic.add(String(t.guardianId));
  }
  return { electronic: electronic.size, paper: all.size - electronic.size };
}

/** Hands the broadcast to the worker (its fan-out may be large); the id makes a double confirm harmless. */
export async function requestBroadcast(scheduled: Queue, schoolId: Types.ObjectId, authorAccountId: Types.ObjectId, target: BroadcastTarget, text: string, id = randomBytes(8).toString("hex")) {
  const data: ScheduledJobData = { schoolId: String(schoolId), broadcast: { id, text, target, authorAccountId: String(authorAccountId) } };
  await scheduled.add(SCHEDULED_JOBS.broadcast, data, { jobId: `broadcast-${id}`, attempts: 5, backoff: { type: "exponential", delay: 5000 }, removeOnComplete: { age: 7 * 24 * 3600 } });
  return id;
}

/** The admin-broadcast job: one message per guardian (not per child). */
export async function runBroadcast(env: NotifyEnv, schoolId: Types.ObjectId, broadcast: NonNullable<ScheduledJobData["broadcast"]>): Promise<EnqueueCounts> {
  const school = await School.findById(schoolId, { name: 1 }).lean();
  if (!school) return { planned: 0, created: 0, jobs: 0, paper: 0 };
  const targets = await guardianTargets(schoolId, await audienceStudents(schoolId, broadcast.target));
  const seen = new Set<string>();
  const planned: PlannedDelivery[] = [];
  for (const target of [...targets.values()].flat()) {
    if (seen.has(String(target.guardianId))) continue;
    seen.add(String(target.guardianId));
    planned.push(...planForGuardian(target, { source: `broadcast-${broadcast.id}`, schoolId, kind: "broadcast", notice: { template: "broadcast", school: school.name, text: broadcast.text } }));
  }
  return enqueueDeliveries(env.deliveries, planned, env.now());
}
