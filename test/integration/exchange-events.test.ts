/** Domain events: exactly once per real change, none for an unchanged re-send, silent first loads and ?notify=false. */
import { DomainEvent } from "../../src/db/models";
import { WRITE_ORDER } from "../../src/services/exchange/resources";
import { createSchool } from "../../src/services/schools";
import { useExchangeApp } from "../fixtures/exchange/harness";
import { SAMPLE } from "../fixtures/exchange/sample";

const api = useExchangeApp();
let token: string;
let schoolId: string;

beforeAll(async () => {
  ({ token, schoolId } = await createSchool({ name: "Школа событий" }));
  // The first load of every resource is silent.
  for (const resource of WRITE_ORDER) {
    expect((await api.put(token, resource, { items: SAMPLE[resource] })).statusCode).toBe(200);
  }
});

async function eventTypes(): Promise<string[]> {
  return (await DomainEvent.find({ schoolId }).sort({ createdAt: 1 }).lean()).map((e) => e.type);
}

/** Sends a batch and returns the types of the events it produced. */
async function produced(resource: string, items: unknown[], query?: string): Promise<string[]> {
  const before = await DomainEvent.countDocuments({ schoolId });
  const answer = await api.put(token, resource, { items }, { query });
  expect(answer.statusCode).toBe(200);
  return (await eventTypes()).slice(before);
}

test("the first load of each resource is silent", async () => {
  expect(await DomainEvent.countDocuments({ schoolId })).toBe(0);
  expect(await api.events.count()).toBe(0);
});

test("grades: added, changed, removed, each once; nothing for an unchanged re-send", async () => {
  const g2 = { ...SAMPLE.grades[0], externalId: "g2", value: "4", lessonId: undefined };
  expect(await produced("grades", [g2])).toEqual(["grade.created"]);
  expect(await produced("grades", [g2])).toEqual([]);
  expect(await produced("grades", [{ ...g2, value: "3" }])).toEqual(["grade.changed"]);
  expect(await produced("grades", [{ ...g2, value: "3" }])).toEqual([]);
  expect(await produced("grades", [{ ...g2, value: "3", lessonId: "l1" }])).toEqual([]);
  expect(await produced("grades", [{ externalId: "g2", deleted: true }])).toEqual(["grade.removed"]);
  expect(await produced("grades", [{ externalId: "g2", deleted: true }])).toEqual([]);
});

test("each event is a BullMQ job whose id is the eventId", async () => {
  const events = await DomainEvent.find({ schoolId }).lean();
  expect(events.every((e) => e.enqueuedAt instanceof Date)).toBe(true);
  const jobs = await api.events.getJobs(["waiting", "delayed", "active", "completed", "failed"]);
  expect(jobs.map((j) => j.id).sort()).toEqual(events.map((e) => e.eventId).sort());
  expect(jobs[0].data).toEqual({ eventId: jobs[0].id, type: jobs[0].name, schoolId });
});

test("the payload speaks externalIds and carries no names", async () => {
  const event = await DomainEvent.findOne({ schoolId, type: "grade.changed" }).lean();
  expect(event!.payload).toEqual({
    externalId: "g2",
    before: { studentId: "s1", subjectId: "math", date: "2026-09-01", value: "4", weight: 1, workType: "ответ на уроке" },
    after: { studentId: "s1", subjectId: "math", date: "2026-09-01", value: "3", weight: 1, workType: "ответ на уроке" },
  });
  expect(event!.entity).toMatchObject({ resource: "grades", externalId: "g2" });
  expect(event!.studentIds).toHaveLength(1);
  expect(JSON.stringify(await DomainEvent.find({ schoolId }).lean())).not.toContain("Петров");
});

test("?notify=false makes a batch silent", async () => {
  expect(await produced("grades", [{ ...SAMPLE.grades[0], value: "2" }], "notify=false")).toEqual([]);
  expect(await produced("grades", [{ ...SAMPLE.grades[0], value: "2" }])).toEqual([]);
  expect((await api.put(token, "grades", { items: [] }, { query: "notify=maybe" })).statusCode).toBe(400);
});

test("lessons: cancelled, substituted, moved", async () => {
  const l1 = SAMPLE.lessons[0];
  expect(await produced("lessons", [{ ...l1, status: "cancelled" }])).toEqual(["lesson.cancelled"]);
  expect(await produced("lessons", [{ ...l1, status: "substituted", substituteTeacherId: "t2" }])).toEqual(["lesson.substituted"]);
  expect(await produced("lessons", [{ ...l1, status: "substituted", substituteTeacherId: "t2", room: "5" }])).toEqual([]);
  expect(await produced("lessons", [{ ...l1, status: "moved", movedTo: { date: "2026-09-02", start: "10:00", end: "10:45" } }])).toEqual(["lesson.moved"]);
  expect(await produced("lessons", [{ ...l1, start: "09:30", end: "10:15" }])).toEqual(["lesson.moved"]);
  expect(await produced("lessons", [{ ...l1, externalId: "l2", status: "held" }])).toEqual([]);
  expect(await produced("lessons", [{ ...l1, externalId: "l3", status: "cancelled" }])).toEqual(["lesson.cancelled"]);
});

test("assessments, homework, holidays, final grades, exams", async () => {
  expect(await produced("assessments", [{ ...SAMPLE.assessments[0], externalId: "a2" }])).toEqual(["assessment.scheduled"]);
  expect(await produced("assessments", [{ ...SAMPLE.assessments[0], externalId: "a2", date: "2026-09-25" }])).toEqual(["assessment.moved"]);
  expect(await produced("assessments", [{ ...SAMPLE.assessments[0], externalId: "a2", date: "2026-09-25", topic: "Дроби" }])).toEqual([]);
  expect(await produced("homework", [{ ...SAMPLE.homework[0], externalId: "h2" }])).toEqual(["homework.created"]);
  expect(await produced("homework", [{ ...SAMPLE.homework[0], externalId: "h2", text: "№ 20" }])).toEqual(["homework.changed"]);
  expect(await produced("holidays", [{ ...SAMPLE.holidays[0], end: "2026-11-05" }])).toEqual(["holidays.changed"]);
  expect(await produced("holidays", [{ externalId: "autumn", deleted: true }])).toEqual(["holidays.changed"]);
  expect(await produced("finalGrades", [{ ...SAMPLE.finalGrades[0], value: "4" }])).toEqual(["final.published"]);
  expect(await produced("finalGrades", [{ ...SAMPLE.finalGrades[0], externalId: "f2", subjectId: "rus", value: undefined, status: "deferred", deferredUntil: "2026-11-20" }])).toEqual(["final.published"]);
  expect(await produced("exams", [{ ...SAMPLE.exams[0], score: 19 }])).toEqual(["exam.published"]);
  expect(await produced("exams", [{ ...SAMPLE.exams[0], score: 19 }])).toEqual([]);
});

test("a change sent twice at once is one event and one job", async () => {
  const g3 = { ...SAMPLE.grades[0], externalId: "g3", lessonId: undefined };
  const before = await DomainEvent.countDocuments({ schoolId });
  const jobsBefore = await api.events.count();
  await Promise.all([api.put(token, "grades", { items: [g3] }), api.put(token, "grades", { items: [g3] })]);
  expect(await DomainEvent.countDocuments({ schoolId })).toBe(before + 1);
  expect(await api.events.count()).toBe(jobsBefore + 1);
  await Promise.all([api.put(token, "grades", { items: [{ ...g3, value: "2" }] }), api.put(token, "grades", { items: [{ ...g3, value: "2" }] })]);
  expect(await DomainEvent.countDocuments({ schoolId })).toBe(before + 2);
  expect(await api.events.count()).toBe(jobsBefore + 2);
});
