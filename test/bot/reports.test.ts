/** /report in the real bot: the summary sheet, curriculum statistics and missing finals as files, for the right people only. */
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness } from "../support/bot-harness";
import { School } from "../../src/db/models";
import { importBundle } from "../../src/services/exchange/import";
import { FINALS_Q1, loadFixtureSchool, pdfText, staffAccount, type FixtureSchool } from "../integration/printouts-fixture";

useTestDb();

let harness: BotHarness;
let fixture: FixtureSchool;
beforeAll(async () => {
  harness = await startBotHarness({ now: new Date("2026-11-20T09:00:00Z") });
  fixture = await loadFixtureSchool();
  await importBundle((await School.findById(fixture.schoolId))!, FINALS_Q1, { notify: false });
});
afterAll(async () => {
  await harness.stop();
});

async function as(role: "admin" | "teacher", teacher?: string) {
  const account = await staffAccount(fixture, role, teacher);
  return harness.user({ id: account.telegramId });
}

describe("/report", () => {
  test("finals: the summary sheet as a PDF with its rates in the caption, and as CSV", async () => {
    const teacher = await as("teacher", "t1");
    const [pdf] = await teacher.send("/report finals 7Б q1");
    expect(pdf.method).toBe("sendDocument");
    expect(pdf.document!.filename).toBe("Сводная ведомость 7Б 1 четверть.pdf");
    expect(pdf.caption).toBe("Сводная ведомость: 7Б, 1 четверть. Качество знаний — 66,7 %, успеваемость — 66,7 %.");
    expect(pdfText(pdf.document!.bytes)).toContain("Сводная ведомость итоговых оценок");

    const [csv] = await teacher.send("/report finals 7 Б q1 csv");
    expect(csv.document!.filename).toBe("Сводная ведомость 7Б 1 четверть.csv");
    expect(csv.document!.bytes.toString("utf8")).toContain("3;Петров Артём Сергеевич;5;5;4;5");
  });

  test("curriculum and missing finals; the current period when none is named", async () => {
    const teacher = await as("teacher", "t1");
    const [curriculum] = await teacher.send("/report curriculum 7Б");
    expect(curriculum.document!.filename).toBe("Учебный план 7Б 2 четверть.pdf");
    expect(curriculum.caption).toMatch(/^Выполнение учебного плана: 7Б, 2 четверть\. Отстают от плана: \d+\.$/);

    const [missing] = await teacher.send("/report missing");
    expect(missing.document!.filename).toBe("Недостающие итоговые 7Б.pdf");
    expect(missing.caption).toBe("Недостающие итоговые оценки (7Б): 1.");
    expect(pdfText(missing.document!.bytes).replace(/\s+/g, " ")).toContain("отсрочка до 15.11.2026 истекла");

    const admin = await as("admin");
    const [school] = await admin.send("/report missing");
    expect(school.caption).toBe("Недостающие итоговые оценки (вся школа): 1.");
  });

  test("another class's teacher, a guardian, a wrong period, a wrong report", async () => {
    const other = await as("teacher", "t3");
    expect((await other.send("/report finals 7Б q1"))[0].text).toBe("Класс «7Б» не найден или недоступен вам.");
    expect((await harness.user().send("/report finals 7Б"))[0].text).toBe("Отчёты доступны администраторам школы и классным руководителям (по своему классу).");
    const teacher = await as("teacher", "t1");
    expect((await teacher.send("/report finals 7Б q9"))[0].text).toBe("Период «q9» не найден. Периоды школы: q1 (1 четверть), q2 (2 четверть).");
    const [usage] = await teacher.send("/report marks 7Б");
    expect(usage.text).toContain("/report finals 7Б [период]");
    expect(usage.text).toContain("/report compliance [7Б] [период]");
  });

  test("compliance: how the period's finals reached the guardians, for the class and the whole school", async () => {
    const teacher = await as("teacher", "t1");
    // The fixture's finals were loaded without notifications: nobody was told, all overdue.
    const [pdf] = await teacher.send("/report compliance 7Б q1");
    expect(pdf.document!.filename).toBe("Доведение результатов 7Б 1 четверть.pdf");
    const count = Number(/в срок 0 из (\d+) \(0 %\), просрочено — (\d+)\.$/.exec(pdf.caption ?? "")?.[1]);
    expect(count).toBeGreaterThan(0);
    expect(pdf.caption).toBe(`Доведение итоговых результатов (7Б, 1 четверть): в срок 0 из ${count} (0 %), просрочено — ${count}.`);
    expect(pdfText(pdf.document!.bytes).replace(/\s+/g, " ")).toContain("не доводилось");

    const [csv] = await teacher.send("/report compliance 7Б q1 csv");
    expect(csv.document!.bytes.toString("utf8")).toContain("не доводилось;7Б;Петров Артём Сергеевич;");

    const [school] = await (await as("admin")).send("/report compliance q1");
    expect(school.document!.filename).toBe("Доведение результатов вся школа 1 четверть.pdf");
    const other = await as("teacher", "t3");
    expect((await other.send("/report compliance 7Б q1"))[0].text).toBe("Класс «7Б» не найден или недоступен вам.");
  });
});
