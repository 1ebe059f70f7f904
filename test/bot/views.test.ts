/**
 * Every view with a year of real data (Мария, 7А, on Thursday 2026-12-03 at noon in Moscow) and
 * with none; the main menu's buttons in both languages; long answers split under the limit.
 */
import { useTestDb } from "../support/db";
import { startBotHarness, type BotHarness, type TestUser } from "../support/bot-harness";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { Grade, Homework, Period, SchoolClass } from "../../src/db/models";
import { weightedAverage } from "../../src/domain/grading";
import { formatDecimal } from "../../src/domain/format";
import { buttonData, inlineButtons, INTERNAL_ERROR, last, moscow, plain } from "./views-support";

useTestDb();

let harness: BotHarness;
let fx: SchoolFixture;
let parent: TestUser;

beforeAll(async () => {
  fx = await createSchoolFixture();
  harness = await startBotHarness({ now: moscow("2026-12-03 12:00") });
  parent = harness.user();
  await guardianAccount(fx, parent.profile.id, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
}, 60_000);
afterAll(async () => harness.stop());

describe("views with a year of data", () => {
  test("/grades: this week by day with weight, work type and comment; the quarter by subject with weighted averages", async () => {
    const replies = await parent.send("/grades");
    const text = plain(replies);
    expect(text).toContain("📒 Оценки · Мария, 7А");
    expect(text).toContain("Эта неделя (30.11–06.12)");
    expect(text).toContain("пн, 30 ноября\n• Алгебра: 5 — ответ на уроке, вес 1\n• Русский язык: 4 — диктант, вес 2\n   💬 Две ошибки на безударные гласные");
    expect(text).toContain("ср, 2 декабря\n• История: 5 — контрольная работа, вес 3");
    expect(text).toContain("чт, 3 декабря (сегодня)");
    // A journal comment with "<" and "&" arrives escaped and reads as written.
    expect(last(replies).text).toContain("Ответ &lt;неполный&gt; &amp; без вывода");
    expect(text).toContain("Ответ <неполный> & без вывода");

    expect(text).toContain("2 четверть (04.11–30.12): по предметам");
    const algebra = await Grade.find({ studentId: fx.students.maria._id, subjectId: fx.subjects.alg, date: { $gte: "2026-11-04", $lte: "2026-12-03" } }).lean();
    expect(text).toContain(`• Алгебра: ${algebra.map((g) => (g.weight === 1 ? g.value : `${g.value} (×${g.weight})`)).join(", ")} — средний ${formatDecimal(weightedAverage(algebra)!, "ru")}`);
    expect(text).toContain("• Физика: 5, 4 — средний 4,50");
    expect(text).toContain("(×3) — вес оценки");
    // Navigation: the previous week and the quarters begun so far; the switcher for two children.
    const labels = inlineButtons(last(replies)).map((b) => b.text);
    expect(labels).toEqual(["◀ 23.11–29.11", "1 четверть", "• 2 четверть •", "📊 График", "• Мария •", "Александр"]);
  });

  test("grades navigation: the previous week, back, and another quarter, edited in place", async () => {
    const [grades] = await parent.send("/grades");
    const [previous] = await parent.press(buttonData(grades, "◀ 23.11–29.11"), grades);
    expect(previous.method).toBe("editMessageText");
    expect(previous.plain).toContain("Неделя 23.11–29.11");
    expect(previous.plain).not.toContain("по предметам");
    expect(inlineButtons(previous).map((b) => b.text)).toEqual(expect.arrayContaining(["◀ 16.11–22.11", "30.11–06.12 ▶"]));

    const [quarter] = await parent.press(buttonData(previous, "1 четверть"), previous);
    expect(quarter.plain).toContain("1 четверть (01.09–25.10): по предметам");
    expect(quarter.plain).toContain("Период закончился; итоговые оценки — /finals.");
    expect(inlineButtons(quarter).map((b) => b.text)).toEqual(expect.arrayContaining(["Эта неделя", "• 1 четверть •"]));
  });

  test("/forecast: subjects at risk first, with average, forecast, margin and what moves it", async () => {
    const text = plain(await parent.send("/forecast"));
    expect(text).toContain("Прогноз: 2 четверть (04.11–30.12)");
    expect(text).toMatch(/⚠️ В зоне риска \d+ предмет/);
    const blocks = text.split("\n\n").slice(2);
    const risky = blocks.map((b) => b.startsWith("⚠️"));
    expect(risky.indexOf(false)).toBeGreaterThan(0);
    expect(risky.slice(risky.indexOf(false))).not.toContain(true); // no risky subject after a safe one
    const physics = blocks.find((b) => b.includes("Физика"))!;
    expect(physics).toContain("средний 4,50 → прогноз 5");
    expect(physics).toContain("ровно на пороге");
    expect(physics).toContain("одна «4» опустит до 4");
    expect(physics).toContain("мало оценок (2, нужно не меньше 3): риск не быть аттестованным");
  });

  test("/homework: the next school day by default, then today, the week and one subject by button", async () => {
    const replies = await parent.send("/homework");
    const due = await Homework.find({ classId: fx.classIds.c7a, dueOn: "2026-12-04", $or: [{ groupId: null }, { groupId: fx.groups.eng1 }] }).lean();
    const text = plain(replies);
    expect(text).toContain("пт, 4 декабря (завтра)");
    expect(text.split("\n").filter((l) => l.startsWith("• "))).toHaveLength(due.length);
    for (const h of due) expect(text).toContain(h.text);

    const [week] = await parent.press(buttonData(last(replies), "Неделя"), last(replies));
    expect(week.plain).toContain("пн, 30 ноября");
    expect(week.plain).toContain("пт, 4 декабря (завтра)");
    const [subjects] = await parent.press(buttonData(week, "По предметам"), week);
    expect(subjects.plain).toContain("Выберите предмет");
    const [algebra] = await parent.press(buttonData(subjects, "Алгебра"), subjects);
    expect(algebra.plain).toContain("• Алгебра:");
    expect(algebra.plain).not.toContain("• Русский язык:");
  });

  test("/schedule: today and the next school day with the cancellation, the substitution and the move", async () => {
    const replies = await parent.send("/schedule");
    const text = plain(replies);
    expect(text).toContain("чт, 3 декабря (сегодня)\n❌ 08:30–09:15 Геометрия — урок отменён\n09:25–10:10 Русский язык · каб. 214 · Соколова И. П.");
    expect(text).toContain("12:30–13:15 Английский язык · каб. 201 · Новикова М. А.");
    expect(text).not.toContain("Фёдорова"); // the other English group's teacher
    expect(text).toContain("09:25–10:10 География · каб. 214\n   🔁 замена: ведёт Орлов П. С. (по расписанию — Васильев А. М.)");
    expect(text).toContain("➡️ 11:35–12:20 История — перенесён на пн, 7 декабря, 14:20–15:05");

    const [monday] = await parent.press(buttonData(last(replies), "пн 07.12 ▶"), last(replies));
    expect(monday.plain).toContain("⬅️ 14:20–15:05 История · каб. 214 · Попова С. Ю. — перенесён с пт, 4 декабря (11:35)");
    expect(inlineButtons(monday).map((b) => b.text)).toEqual(expect.arrayContaining(["◀ пт 04.12", "Сегодня", "вт 08.12 ▶"]));
  });

  test("/tests: the quarter's assessments, upcoming nearest first, then those already written", async () => {
    const text = plain(await parent.send("/tests"));
    expect(text).toContain("2 четверть (04.11–30.12)");
    const [ahead, past] = text.split("Уже прошли");
    expect(ahead).toContain("• чт, 3 декабря (сегодня) — Русский язык: контрольная работа — Предлог");
    expect(ahead).toContain("(через 18 дней)");
    const upcomingDays = [...ahead.matchAll(/• \S+ (\d+) (\S+)/g)].map((m) => m[1] + m[2]);
    expect(upcomingDays[0]).toBe("3декабря");
    expect(past).toContain("вт, 1 декабря — Геометрия");
  });

  test("/teachers: the homeroom teacher, the subject teachers with the child's group, the individual plan", async () => {
    const maria = plain(await parent.send("/teachers"));
    expect(maria).toContain("Классный руководитель: Соколова Ирина Петровна");
    expect(maria).toContain("• Английский язык — Новикова Мария Александровна (7А английский, группа 1)");
    expect(maria).toContain("• Алгебра — Кузнецов Дмитрий Олегович");
    expect(maria).not.toContain("Фёдорова");
    expect(maria).not.toContain("Индивидуальный план");

    const [shown] = await parent.send("/teachers");
    const [alex] = await parent.press(buttonData(shown, "Александр"), shown);
    expect(alex.plain).toContain("Классный руководитель: Морозова Елена Викторовна");
    expect(alex.plain).toContain("Индивидуальный план\n• Лебедева Ольга Андреевна — Музыка");
    await parent.press(buttonData(alex, "Мария"), alex); // back to Мария for the other tests
  });

  test("/holidays: the next ones with days left and the whole year of the child's class", async () => {
    const text = plain(await parent.send("/holidays"));
    expect(text).toContain("Ближайшие: Зимние каникулы\n31 декабря – 11 января (12 дней)\nНачнутся через 28 дней.");
    expect(text).toContain("✓ Осенние каникулы: 26 октября – 3 ноября (9 дней)");
    expect(text).toContain("• Весенние каникулы: 23 марта – 31 марта (9 дней)");
    expect(text).not.toContain("Дополнительные каникулы"); // 3Б's own holidays
  });

  test("/recommendations: the child's own and the class's, newest first, never another child's", async () => {
    const text = plain(await parent.send("/recommendations"));
    const personal = text.indexOf("Повторить формулы сокращённого умножения");
    const forClass = text.indexOf("Прочитать «Капитанскую дочку»");
    expect(personal).toBeGreaterThan(0);
    expect(forClass).toBeGreaterThan(personal);
    expect(text).toContain("1 декабря, 15:00 · Алгебра · Кузнецов Д. О. · лично");
    expect(text).toContain("всему классу 7А");
    expect(text).not.toContain("Пётр, нужно пересдать");
    expect(text).not.toContain("Выучить стихотворение");
  });

  test("/finals: the closed quarter with a deferral explained, and exam results", async () => {
    const text = plain(await parent.send("/finals"));
    expect(text).toContain("1 четверть (01.09–25.10)");
    expect(text).toContain("• Физика: ⏳ аттестация отложена до 20 ноября — по болезни");
    expect(text).toContain("Отсрочка значит");
    expect(text).toContain("• 8 октября — ВПР по математике: баллы 14 / 19, оценка 4");
    expect(text).not.toContain("Не аттестован");
  });

  test("/finals of the other child: \"not attested\" with its reason and an explanation", async () => {
    const [finals] = await parent.send("/finals");
    const [alex] = await parent.press(buttonData(finals, "Александр"), finals);
    expect(alex.plain).toContain("• Музыка: ❌ не аттестован(а) — пропущено больше половины уроков");
    expect(alex.plain).toContain("«Не аттестован» значит");
    expect(alex.plain).toContain("Входная диагностика по русскому языку: баллы 8 / 10, оценка 4");
    await parent.press(buttonData(alex, "Мария"), alex);
  });

  test("no view ever fails or sends invalid HTML", () => {
    const sent = harness.fake.sent(parent.profile.id);
    expect(sent.length).toBeGreaterThan(10);
    expect(sent.filter((m) => m.plain?.includes(INTERNAL_ERROR))).toEqual([]);
  });
});

describe("main menu and the More menu", () => {
  test("menu buttons open the views, in either language", async () => {
    expect(plain(await parent.send("📒 Оценки"))).toContain("📒 Оценки · Мария, 7А");
    expect(plain(await parent.send("📚 Домашнее задание"))).toContain("📚 Домашнее задание · Мария, 7А");
    expect(plain(await parent.send("📈 Прогноз"))).toContain("Прогноз: 2 четверть");
    // An old English keyboard still works for a Russian-speaking user.
    expect(plain(await parent.send("🗓 Timetable"))).toContain("🗓 Расписание · Мария, 7А");
  });

  test("an English-speaking guardian gets English views", async () => {
    const english = harness.user({ language_code: "en" });
    await guardianAccount(fx, english.profile.id, fx.guardians.parent, [fx.students.maria], { language: "en" });
    const text = plain(await english.send("🗓 Timetable"));
    expect(text).toContain("🗓 Timetable · Мария, 7А");
    expect(text).toContain("Thu, 3 December (today)\n❌ 08:30–09:15 Геометрия — cancelled");
    expect(text).toContain("🔁 substitution: Орлов П. С. teaches (scheduled: Васильев А. М.)");
    const holidays = plain(await english.send("/holidays"));
    expect(holidays).toContain("They start in 28 days.");
    expect(inlineButtons(last(await english.send("/grades"))).map((b) => b.text)).not.toContain("Александр");
  });

  test("More lists the other views; its buttons open them for the chosen child", async () => {
    const [more] = await parent.send("☰ Ещё");
    expect(more.plain).toContain("Что ещё показать?");
    expect(inlineButtons(more).map((b) => b.text)).toEqual(["📝 Контрольные", "👩‍🏫 Учителя", "🏖 Каникулы", "💡 Рекомендации", "🎓 Итоговые"]);
    const replies = await parent.press(buttonData(more, "🏖 Каникулы"), more);
    expect(plain(replies)).toContain("🏖 Каникулы · Мария, 7А");
    expect(parent.callbackAnswers().at(-1)?.text).toBeUndefined();
  });
});

describe("long answers", () => {
  test("a very long homework text is split under 4096 characters, every part valid HTML", async () => {
    const words = Array.from({ length: 1100 }, (_, i) => `слово${i}`).join(" ");
    await Homework.create({ schoolId: fx.school._id, externalId: "hw-long", classId: fx.classIds.c7a, subjectId: fx.subjects.bio, assignedOn: "2026-12-02", dueOn: "2026-12-04", text: `Прочитать <главу> & ответить: ${words}` });
    try {
      const replies = await parent.send("/homework");
      expect(replies.length).toBeGreaterThanOrEqual(3);
      for (const reply of replies) expect(reply.plain!.length).toBeLessThanOrEqual(4096);
      const text = plain(replies);
      expect(text).toContain("Прочитать <главу> & ответить");
      expect(text).toContain("слово0 ");
      expect(text).toContain("слово1099");
      expect(inlineButtons(replies[0])).toEqual([]);
      expect(inlineButtons(last(replies)).length).toBeGreaterThan(0); // the keyboard goes on the last part
    } finally {
      await Homework.deleteOne({ externalId: "hw-long" });
    }
  });
});

describe("views with no data", () => {
  let empty: SchoolFixture;
  let user: TestUser;
  beforeAll(async () => {
    empty = await createSchoolFixture({ data: "none", name: "Новая школа" });
    user = harness.user();
    await guardianAccount(empty, user.profile.id, empty.guardians.parent, [empty.students.maria]);
  });

  test.each([
    ["/grades", ["На этой неделе оценок пока нет.", "Учебные периоды ещё не пришли из журнала"]],
    ["/forecast", ["Учебные периоды ещё не пришли из журнала — прогноз пока не из чего считать."]],
    ["/homework", ["пт, 4 декабря (завтра)\nНичего не задано."]],
    ["/schedule", ["чт, 3 декабря (сегодня)\nУроков в расписании нет."]],
    ["/tests", ["расписания контрольных пока нет"]],
    ["/teachers", ["Классный руководитель: Соколова Ирина Петровна", "Расписание уроков ещё не пришло из журнала"]],
    ["/holidays", ["Каникулы ещё не внесены в журнал."]],
    ["/recommendations", ["Рекомендаций учителей пока нет."]],
    ["/finals", ["Итоговых оценок и результатов экзаменов пока нет."]],
  ])("%s says something useful", async (command, expected) => {
    const replies = await user.send(command);
    expect(replies).toHaveLength(1);
    for (const phrase of expected) expect(replies[0].plain).toContain(phrase);
    expect(replies[0].plain).toContain("Мария, 7А");
  });

  test("a school with periods but no grades yet explains the empty quarter", async () => {
    await Period.create({ schoolId: empty.school._id, externalId: "q2", name: "2 четверть", kind: "quarter", start: "2026-11-04", end: "2026-12-30" });
    expect(plain(await user.send("/grades"))).toContain("2 четверть (04.11–30.12): по предметам\nОценок за этот период пока нет.");
    expect(plain(await user.send("/forecast"))).toContain("Оценок и уроков в этом периоде пока нет");
    expect(plain(await user.send("/finals"))).toContain("Итоговых оценок пока нет: первые появятся после окончания периода «2 четверть» (30 декабря).");
    expect(await SchoolClass.countDocuments({ schoolId: empty.school._id })).toBe(2);
  });
});
