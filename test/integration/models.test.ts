/**
 * The mongoose models against a real (or stand-in) MongoDB: declared indexes exist and do their job,
 * validation rejects what the contracts forbid, consent records are append-only, defaults are filled.
 */
import mongoose, { Types, type Model } from "mongoose";
import { useTestDb } from "../support/db";
import {
  CONSENT_APPEND_ONLY_MESSAGE,
  ConsentRecord,
  Delivery,
  EmailVerification,
  Grade,
  Guardian,
  InviteCode,
  Lesson,
  Printout,
  SESSION_TTL_SECONDS,
  School,
  SchoolClass,
  Session,
  Subject,
  Account,
  allModels,
  latestConsent,
} from "../../src/db/models";
import { renameLegacyCollections } from "../../src/db/connect";

useTestDb();

const oid = () => new Types.ObjectId();
const HASH = "a".repeat(64);

/** The validation error of a document, or undefined when it is valid. */
async function validationErrors(doc: mongoose.Document): Promise<Record<string, unknown> | undefined> {
  try {
    await doc.validate();
    return undefined;
  } catch (error) {
    if (error instanceof mongoose.Error.ValidationError) return error.errors;
    throw error;
  }
}

type IndexInfo = { key: Record<string, number>; name: string; unique?: boolean; expireAfterSeconds?: number; partialFilterExpression?: unknown; sparse?: boolean };

async function indexesOf(model: Model<never>): Promise<IndexInfo[]> {
  return (await model.collection.listIndexes().toArray()) as unknown as IndexInfo[];
}

function findIndex(indexes: IndexInfo[], key: Record<string, number>): IndexInfo | undefined {
  return indexes.find((index) => JSON.stringify(index.key) === JSON.stringify(key));
}

describe("indexes", () => {
  const models = allModels as unknown as Model<never>[];

  it("syncIndexes() succeeds on every model and listIndexes shows every declared index", async () => {
    for (const model of models) {
      await model.syncIndexes();
      const actual = await indexesOf(model);
      for (const [key, options] of model.schema.indexes()) {
        const found = findIndex(actual, key as Record<string, number>);
        expect({ model: model.modelName, key, found: Boolean(found) }).toEqual({ model: model.modelName, key, found: true });
        if (options.unique) expect(found?.unique).toBe(true);
        if (options.expireAfterSeconds !== undefined) expect(found?.expireAfterSeconds).toBe(options.expireAfterSeconds);
      }
    }
  });

  it("every model with a journal externalId has a unique {schoolId, externalId} index", () => {
    const journal = models.filter((model) => model.schema.path("externalId"));
    expect(journal.map((model) => model.modelName).sort()).toEqual(
      [
        "Assessment",
        "Curriculum",
        "ExamResult",
        "FinalGrade",
        "Grade",
        "Group",
        "Guardian",
        "Holiday",
        "Homework",
        "Lesson",
        "Period",
        "SchoolClass",
        "Student",
        "Subject",
        "Teacher",
      ].sort(),
    );
    for (const model of journal) {
      const index = model.schema.indexes().find(([key]) => JSON.stringify(key) === '{"schoolId":1,"externalId":1}');
      expect({ model: model.modelName, unique: index?.[1].unique }).toEqual({ model: model.modelName, unique: true });
    }
  });

  it("sessions expire by a TTL index on updatedAt; e-mail verifications at expiresAt", async () => {
    const sessionTtl = findIndex(await indexesOf(Session as unknown as Model<never>), { updatedAt: 1 });
    expect(sessionTtl?.expireAfterSeconds).toBe(SESSION_TTL_SECONDS);
    expect(SESSION_TTL_SECONDS).toBe(90 * 24 * 3600);
    const verificationTtl = findIndex(await indexesOf(EmailVerification as unknown as Model<never>), { expiresAt: 1 });
    expect(verificationTtl?.expireAfterSeconds).toBe(0);
  });

  it("a session upsert sets updatedAt (what the TTL counts from)", async () => {
    await Session.updateOne({ key: "chat:1" }, { $set: { value: { step: 1 } } }, { upsert: true });
    const stored = await Session.findOne({ key: "chat:1" }).lean();
    expect(stored?.updatedAt).toBeInstanceOf(Date);
    expect(stored?.value).toEqual({ step: 1 });
  });

  it("unique {schoolId, externalId} rejects a duplicate with E11000 but allows the same id in another school", async () => {
    const schoolA = oid();
    const schoolB = oid();
    await Subject.create({ schoolId: schoolA, externalId: "math", name: "Математика" });
    await expect(Subject.create({ schoolId: schoolA, externalId: "math", name: "Алгебра" })).rejects.toMatchObject({ code: 11000 });
    await expect(Subject.create({ schoolId: schoolB, externalId: "math", name: "Математика" })).resolves.toBeDefined();

    const grade = {
      schoolId: schoolA,
      externalId: "g-1",
      studentId: oid(),
      subjectId: oid(),
      date: "2026-02-03",
      value: "5" as const,
      weight: 2,
      workType: "контрольная работа",
    };
    await Grade.create(grade);
    await expect(Grade.create({ ...grade, value: "4" })).rejects.toMatchObject({ code: 11000 });
    await expect(Grade.create({ ...grade, schoolId: schoolB })).resolves.toBeDefined();
  });

  it("guardians: many without externalId in one school, but a journal externalId is unique", async () => {
    const schoolId = oid();
    await Guardian.create({ schoolId, studentIds: [oid()] });
    await Guardian.create({ schoolId, studentIds: [oid()] });
    await Guardian.create({ schoolId });
    expect(await Guardian.countDocuments({ schoolId })).toBe(3);
    await Guardian.create({ schoolId, externalId: "p-1", fullName: "Иванова А. А." });
    await expect(Guardian.create({ schoolId, externalId: "p-1" })).rejects.toMatchObject({ code: 11000 });
    await expect(Guardian.create({ schoolId: oid(), externalId: "p-1" })).resolves.toBeDefined();
    const partial = findIndex(await indexesOf(Guardian as unknown as Model<never>), { schoolId: 1, externalId: 1 });
    expect(partial?.unique).toBe(true);
    expect(partial?.partialFilterExpression).toEqual({ externalId: { $type: "string" } });
  });

  it("other unique keys: telegramId, invite code hash, delivery idempotency key, printout per class and week", async () => {
    await Account.create({ telegramId: 1001, chatId: 1001 });
    await expect(Account.create({ telegramId: 1001, chatId: 5 })).rejects.toMatchObject({ code: 11000 });

    const code = { schoolId: oid(), codeHash: "h".repeat(64), role: "admin" as const, expiresAt: new Date() };
    await InviteCode.create(code);
    await expect(InviteCode.create({ ...code, schoolId: oid() })).rejects.toMatchObject({ code: 11000 });

    const delivery = {
      schoolId: oid(),
      idempotencyKey: "final:1|guardian:2|telegram",
      kind: "final" as const,
      channel: "telegram" as const,
    };
    await Delivery.create(delivery);
    await expect(Delivery.create(delivery)).rejects.toMatchObject({ code: 11000 });

    const printout = { schoolId: oid(), classId: oid(), weekStart: "2026-02-02" };
    await Printout.create({ ...printout, slips: [{ studentId: oid(), guardianId: oid() }] });
    await expect(Printout.create(printout)).rejects.toMatchObject({ code: 11000 });
    await expect(Printout.create({ ...printout, weekStart: "2026-02-09" })).resolves.toBeDefined();
  });
});

describe("consent records are append-only", () => {
  const accountId = oid();
  let first: InstanceType<typeof ConsentRecord>;

  beforeAll(async () => {
    first = await ConsentRecord.create({
      accountId,
      decision: "granted",
      form: "telegram",
      textVersion: "2026-01",
      textHash: HASH,
      recordedAt: new Date("2026-01-10T10:00:00Z"),
    });
  });

  const attempts: Array<[string, () => Promise<unknown>]> = [
    ["Model.updateOne", () => ConsentRecord.updateOne({ accountId }, { decision: "withdrawn" })],
    ["Model.updateMany", () => ConsentRecord.updateMany({}, { decision: "withdrawn" })],
    ["Model.findOneAndUpdate", () => ConsentRecord.findOneAndUpdate({ accountId }, { decision: "withdrawn" })],
    ["Model.findByIdAndUpdate", () => ConsentRecord.findByIdAndUpdate(first._id, { decision: "withdrawn" })],
    ["Model.replaceOne", () => ConsentRecord.replaceOne({ accountId }, { ...first.toObject(), decision: "withdrawn" })],
    ["Model.findOneAndReplace", () => ConsentRecord.findOneAndReplace({ accountId }, { ...first.toObject(), decision: "withdrawn" })],
    ["Model.deleteOne", () => ConsentRecord.deleteOne({ accountId })],
    ["Model.deleteMany", () => ConsentRecord.deleteMany({})],
    ["Model.findOneAndDelete", () => ConsentRecord.findOneAndDelete({ accountId })],
    ["Model.findByIdAndDelete", () => ConsentRecord.findByIdAndDelete(first._id)],
    ["Model.bulkWrite(updateOne)", () => ConsentRecord.bulkWrite([{ updateOne: { filter: { accountId }, update: { decision: "withdrawn" } } }])],
    ["doc.updateOne", () => first.updateOne({ decision: "withdrawn" })],
    ["doc.deleteOne", () => first.deleteOne()],
    [
      "doc.save of an existing record",
      async () => {
        const doc = await ConsentRecord.findById(first._id).orFail();
        doc.decision = "withdrawn";
        return doc.save();
      },
    ],
  ];

  it.each(attempts)("%s throws", async (_name, attempt) => {
    await expect(attempt()).rejects.toThrow(CONSENT_APPEND_ONLY_MESSAGE);
    const stored = await ConsentRecord.findById(first._id).lean();
    expect(stored?.decision).toBe("granted");
  });

  it("a withdrawal is a new record, and latestConsent returns the newest", async () => {
    await ConsentRecord.create({
      accountId,
      decision: "withdrawn",
      form: "telegram",
      textVersion: "2026-01",
      textHash: HASH,
      recordedAt: new Date("2026-03-01T10:00:00Z"),
    });
    await ConsentRecord.insertMany([
      { accountId: oid(), decision: "granted", form: "telegram", textVersion: "2026-01", textHash: HASH },
    ]);
    expect(await ConsentRecord.countDocuments({ accountId })).toBe(2);
    expect((await latestConsent({ accountId }))?.decision).toBe("withdrawn");
    expect(await latestConsent({ accountId: oid() })).toBeNull();
  });

  it("validates who, what and how", async () => {
    const noAccount = await validationErrors(
      new ConsentRecord({ decision: "granted", form: "telegram", textVersion: "1", textHash: HASH }),
    );
    expect(noAccount).toHaveProperty("accountId");
    const paperWithoutGuardian = await validationErrors(
      new ConsentRecord({ decision: "declined", form: "paper", textVersion: "1", textHash: HASH, recordedBy: oid() }),
    );
    expect(paperWithoutGuardian).toHaveProperty("guardianId");
    const bad = await validationErrors(
      new ConsentRecord({ accountId, decision: "maybe", form: "fax", textVersion: "1", textHash: "not-a-hash" }),
    );
    expect(Object.keys(bad ?? {}).sort()).toEqual(["decision", "form", "textHash"]);
  });
});

describe("validation", () => {
  const gradeBase = () => ({
    schoolId: oid(),
    externalId: "g",
    studentId: oid(),
    subjectId: oid(),
    date: "2026-02-03",
    value: "5",
    weight: 1,
    workType: "ответ на уроке",
  });

  it("accepts a valid grade, including зачёт", async () => {
    expect(await validationErrors(new Grade(gradeBase()))).toBeUndefined();
    expect(await validationErrors(new Grade({ ...gradeBase(), value: "зачёт", weight: 10 }))).toBeUndefined();
  });

  it.each([
    ["value", { value: "6" }],
    ["value", { value: "5+" }],
    ["weight", { weight: 0 }],
    ["weight", { weight: 11 }],
    ["weight", { weight: 1.5 }],
    ["date", { date: "2026-2-03" }],
    ["date", { date: "03.02.2026" }],
    ["date", { date: "2026-13-01" }],
    ["date", { date: "2026-02-32" }],
    ["workType", { workType: "" }],
    ["studentId", { studentId: undefined }],
  ])("rejects a grade with a bad %s (%j)", async (path, change) => {
    const errors = await validationErrors(new Grade({ ...gradeBase(), ...change }));
    expect(Object.keys(errors ?? {})).toEqual([path]);
  });

  it("leaves real-calendar checks to the API's zod schemas: 2026-02-30 has the right shape", async () => {
    expect(await validationErrors(new Grade({ ...gradeBase(), date: "2026-02-30" }))).toBeUndefined();
  });

  it("checks lesson times, kinds and statuses", async () => {
    const lesson = {
      schoolId: oid(),
      externalId: "l",
      classId: oid(),
      subjectId: oid(),
      teacherId: oid(),
      date: "2026-02-03",
      start: "08:30",
      end: "09:15",
    };
    const ok = new Lesson(lesson);
    expect(await validationErrors(ok)).toBeUndefined();
    expect(ok.kind).toBe("lesson");
    expect(ok.status).toBe("planned");
    const bad = await validationErrors(
      new Lesson({ ...lesson, start: "8:30", end: "24:00", kind: "party", status: "postponed", movedTo: { date: "2026-02-04", start: "10:00" } }),
    );
    expect(Object.keys(bad ?? {}).sort()).toEqual(["end", "kind", "movedTo.end", "start", "status"]);
  });

  it("checks a class's grade is 1..11", async () => {
    const base = { schoolId: oid(), externalId: "c", name: "7Б" };
    expect(await validationErrors(new SchoolClass({ ...base, grade: 7 }))).toBeUndefined();
    expect(await validationErrors(new SchoolClass({ ...base, grade: 0 }))).toHaveProperty("grade");
    expect(await validationErrors(new SchoolClass({ ...base, grade: 12 }))).toHaveProperty("grade");
  });

  it("checks role references of accounts and invite codes", async () => {
    const schoolId = oid();
    const account = new Account({ telegramId: 7, chatId: 7, roles: [{ role: "guardian", schoolId }] });
    expect(await validationErrors(account)).toHaveProperty(["roles.0.guardianId"]);
    const admin = new Account({ telegramId: 8, chatId: 8, roles: [{ role: "admin", schoolId }] });
    expect(await validationErrors(admin)).toBeUndefined();
    expect(admin.roles[0].grantedAt).toBeInstanceOf(Date);
    const code = new InviteCode({ schoolId, codeHash: "x".repeat(64), role: "guardian", expiresAt: new Date() });
    expect(await validationErrors(code)).toHaveProperty("studentId");
  });

  it("guardian contacts: e-mails lower-cased, phones normalized, channels not repeated", async () => {
    const guardian = new Guardian({
      schoolId: oid(),
      contacts: [{ kind: "email", value: "Parent@Example.RU", source: "guardian" }],
    });
    expect(await validationErrors(guardian)).toBeUndefined();
    expect(guardian.contacts[0].value).toBe("parent@example.ru");
    expect(guardian.delivery).toBe("electronic");
    expect(guardian.channelOrder).toEqual(["telegram", "max", "email", "sms", "paper"]);
    expect(guardian.toObject().notify).toEqual({
      grades: "instant",
      forecast: true,
      timetable: true,
      assessments: true,
      homeworkDigest: false,
      weeklyDigest: true,
    });

    const bad = new Guardian({
      schoolId: oid(),
      contacts: [
        { kind: "phone", value: "+7 (916) 123-45-67", source: "school-paper" },
        { kind: "email", value: "no-at-sign", source: "rumour" },
      ],
      channelOrder: ["email", "email"],
      notify: { grades: "hourly", quietHours: { start: "22:00", end: "7:00" } },
    });
    expect(Object.keys((await validationErrors(bad)) ?? {}).sort()).toEqual(
      ["channelOrder", "contacts.0.value", "contacts.1.source", "contacts.1.value", "notify.grades", "notify.quietHours.end"].sort(),
    );
  });
});

describe("School", () => {
  it("fills the settings defaults", async () => {
    const school = await School.create({ name: "Школа № 1", address: "Москва, ул. Школьная, 1" });
    const stored = await School.findById(school._id).lean().orFail();
    expect(stored.timezone).toBe("Europe/Moscow");
    expect(stored.loadedResources).toEqual([]);
    const { workTypeWeights, ...settings } = stored.settings;
    expect(Object.fromEntries(Object.entries(workTypeWeights ?? {}))).toEqual({});
    expect(settings).toEqual({
      periodKind: "quarter",
      thresholds: { five: 4.5, four: 3.5, three: 2.5 },
      minGrades: 3,
      digestTime: "18:00",
      quietHours: { start: "21:00", end: "08:00" },
      weeklyDigest: { weekday: 7, time: "18:00", enabled: true },
      forecastSchedule: { weeklyDay: 1, weeklyTime: "17:00", dailyLastDays: 10, enabled: true },
      printoutSchedule: { weekday: 5, time: "12:00" },
      dailySlipTime: "08:00",
      periodEndWarningDays: 10,
      nonResponderDays: 7,
      retentionDays: 30,
      sixDayWeek: false,
      sms: { forecasts: false, recommendations: false, maxParts: 2 },
      finalsDeliveryLimitHours: 20,
      codeTtlDays: 30,
      consentRevision: 0,
    });
    expect(stored.operator).toEqual({});
    expect(stored.exchangeTokenHash).toBeUndefined();
  });

  it("stores work-type weights as a map and looks schools up by token hash", async () => {
    const school = await School.create({
      name: "Лицей",
      exchangeTokenHash: "b".repeat(64),
      exchangeTokenIssuedAt: new Date(),
      settings: { periodKind: "trimester", workTypeWeights: { "контрольная работа": 3 } },
    });
    const found = await School.findOne({ exchangeTokenHash: "b".repeat(64) }).orFail();
    expect(found._id).toEqual(school._id);
    expect(found.settings.workTypeWeights.get("контрольная работа")).toBe(3);
    expect(found.settings.minGrades).toBe(3);
    // Schools without a token do not collide on the sparse unique index.
    await School.create({ name: "Без токена 1" });
    await School.create({ name: "Без токена 2" });
    await expect(School.create({ name: "Копия", exchangeTokenHash: "b".repeat(64) })).rejects.toMatchObject({ code: 11000 });
  });

  it("rejects an unknown time zone, out-of-order thresholds and bad times", async () => {
    const errors = await validationErrors(
      new School({
        name: "X",
        timezone: "Mars/Olympus",
        settings: { thresholds: { five: 3, four: 3.5, three: 2.5 }, digestTime: "18:60", forecastSchedule: { weeklyDay: 8 } },
      }),
    );
    expect(Object.keys(errors ?? {})).toEqual(
      expect.arrayContaining(["timezone", "settings.thresholds", "settings.digestTime", "settings.forecastSchedule.weeklyDay"]),
    );
  });
});

describe("collections of an older release", () => {
  it("renames telegram_accounts to accounts once, keeping the documents", async () => {
    const db = mongoose.connection.db!;
    await Account.collection.drop().catch(() => undefined);
    await db.collection("telegram_accounts").insertOne({ telegramId: 4242, chatId: 4242, language: "en", active: true, roles: [] });
    await renameLegacyCollections(db);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toContain("accounts");
    expect(names).not.toContain("telegram_accounts");
    expect(await Account.findOne({ telegramId: 4242 }).lean()).toMatchObject({ language: "en" });
    await renameLegacyCollections(db); // a second start changes nothing
    expect(await Account.countDocuments({ telegramId: 4242 })).toBe(1);
    await Account.init();
  });
});
