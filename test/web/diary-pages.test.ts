/** The diary's pages over HTTP: the fixture's facts as the bot shows them, the same access rules. */
import { Grade } from "../../src/db/models";
import { formatDecimal } from "../../src/domain/format";
import { weightedAverage } from "../../src/domain/grading";
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, type SchoolFixture } from "../support/fixtures";
import { moscow } from "../bot/views-support";
import { pageText, startWeb, type WebClient, type WebServer } from "../support/web";

useTestDb();

const NOW = moscow("2026-12-03 18:00");
let fx: SchoolFixture;
let web: WebServer;
let olga: WebClient;
let maria: string;

beforeAll(async () => {
  fx = await createSchoolFixture();
  await guardianAccount(fx, 5401, fx.guardians.parent, [fx.students.maria, fx.students.alex]);
  web = await startWeb({ now: NOW });
  olga = web.client();
  await olga.signInTelegram(5401);
  maria = `/app/c/${fx.students.maria._id}`;
});
afterAll(() => web.close());

describe("grades", () => {
  test("the current period by subject with weights, and the subject × period table", async () => {
    const page = await olga.get(`${maria}/grades`);
    expect(page.status).toBe(200);
    const text = pageText(page.text);
    expect(text).toContain("2 четверть (04.11–30.12)");
    expect(text).toMatch(/Физика 5 4 4,50/);
    // A weight shows beside its mark; the legend explains it.
    expect(page.text).toMatch(/<span class="w">×3<\/span>/);
    expect(text).toContain("×3 — вес оценки");
    // By period: the first quarter's algebra average from the journal's records.
    const q1 = await Grade.find({ studentId: fx.students.maria._id, subjectId: fx.subjects.alg, date: { $gte: "2026-09-01", $lte: "2026-10-25" } }).lean();
    expect(text).toContain("Средний балл по периодам");
    expect(text).toMatch(new RegExp(`Алгебра ${formatDecimal(weightedAverage(q1)!, "ru")} `));
  });

  test("another period by its tab; an unknown period id is the current one", async () => {
    expect(pageText((await olga.get(`${maria}/grades?period=${fx.periods.q1}`)).text)).toContain("1 четверть (01.09–25.10)");
    expect(pageText((await olga.get(`${maria}/grades?period=nonsense`)).text)).toContain("2 четверть (04.11–30.12)");
  });

  test("the week view: days with marks, work types, weights and comments; back and forth", async () => {
    const week = await olga.get(`${maria}/grades/week`);
    const text = pageText(week.text);
    expect(text).toContain("Оценки: эта неделя (30.11–06.12)");
    expect(text).toContain("пн, 30 ноября Алгебра : 5 — ответ на уроке, вес 1");
    expect(text).toContain("Две ошибки на безударные гласные");
    // The journal's "<" and "&" read as written and never become markup.
    expect(text).toContain("Ответ <неполный> & без вывода");
    expect(week.text).toContain("Ответ &lt;неполный&gt; &amp; без вывода");
    expect(week.text).not.toContain('rel="next"');
    const previous = pageText((await olga.get(`${maria}/grades/week?week=2026-11-23`)).text);
    expect(previous).toContain("Оценки: неделя 23.11–29.11");
    // Weeks in the future show this week.
    expect(pageText((await olga.get(`${maria}/grades/week?week=2027-03-01`)).text)).toContain("эта неделя (30.11–06.12)");
  });
});

describe("charts", () => {
  test("the page shows both charts with their numbers as tables; the pictures are SVG", async () => {
    const page = await olga.get(`${maria}/charts`);
    const text = pageText(page.text);
    expect(text).toContain("Те же данные таблицей");
    expect(text).toMatch(/Физика .*: 5,00; .*: 4,50 4,50/);
    expect(page.text).toContain(`src="${maria}/charts/averages.svg?period=${fx.periods.q2}&amp;cols=1"`);
    const svg = await olga.get(`${maria}/charts/averages.svg?period=${fx.periods.q2}&cols=2`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toContain("image/svg+xml");
    expect(svg.text).toMatch(/^<svg[^>]+width="854"/);
    expect(svg.text).toContain("Физика — 4,50");
    const marks = await olga.get(`${maria}/charts/marks.svg?period=${fx.periods.q2}`);
    expect(marks.text).toContain("Русский язык");
  });

  test("another family's child's chart is 404, as a missing page", async () => {
    const foreign = await olga.get(`/app/c/${fx.students.petya._id}/charts/averages.svg?period=${fx.periods.q2}`);
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get("content-type")).toContain("text/html");
  });
});

describe("forecast", () => {
  test("subjects at risk first, with what moves the grade, in the bot's words", async () => {
    const text = pageText((await olga.get(`${maria}/forecast`)).text);
    expect(text).toMatch(/В зоне риска \d+ предмет/);
    expect(text).toContain("Физика средний 4,50 → прогноз 5");
    expect(text).toContain("мало оценок (2, нужно не меньше 3): риск не быть аттестованным");
    expect(text).toContain("Что изменит:");
    expect(text).toContain("«5» — от 4,50, «4» — от 3,50, «3» — от 2,50");
  });

  test("without a session: the sign-in page, not the data", async () => {
    const stranger = web.client();
    const page = await stranger.get(`${maria}/forecast`);
    expect(pageText(page.text)).toContain("Вход в дневник");
    expect(pageText(page.text)).not.toContain("Физика");
  });
});

describe("the rest of the diary", () => {
  const text = async (path: string) => {
    const page = await olga.get(`${maria}/${path}`);
    expect(page.status).toBe(200);
    return pageText(page.text);
  };

  test("homework of the school week, by due day", async () => {
    const page = await text("homework");
    expect(page).toContain("К пт, 4 декабря завтра");
    expect(page).toMatch(/Алгебра : § \d+, упражнения/);
    expect(pageText((await olga.get(`${maria}/homework?week=2026-11-23`)).text)).toContain("23.11–29.11");
  });

  test("the timetable: today's cancellation, tomorrow's substitution and move, the group's own English teacher", async () => {
    const page = await text("timetable");
    expect(page).toContain("08:30–09:15 Геометрия — урок отменён");
    expect(page).toContain("Замена: ведёт Орлов Павел Сергеевич (по расписанию — Васильев Андрей Михайлович)");
    expect(page).toContain("История — перенесён на 7 декабря, 14:20");
    expect(page).toContain("Новикова Мария Александровна");
    expect(page).not.toContain("Фёдорова");
    const next = await text("timetable?week=2026-12-07");
    expect(next).toContain("перенесён с 4 декабря, 11:35");
  });

  test("tests, teachers, holidays, recommendations and finals", async () => {
    const tests = await text("tests");
    expect(tests).toContain("чт, 3 декабря (сегодня) — Русский язык : контрольная работа — Предлог");
    expect(tests).toContain("Уже прошли");
    const teachers = await text("teachers");
    expect(teachers).toContain("Классный руководитель: Соколова Ирина Петровна");
    expect(teachers).toContain("Английский язык Новикова Мария Александровна (7А английский, группа 1)");
    expect(teachers).not.toContain("Фёдорова");
    const holidays = await text("holidays");
    expect(holidays).toContain("Ближайшие: Зимние каникулы");
    expect(holidays).toContain("начнутся через 28 дней");
    expect(holidays).not.toContain("Дополнительные каникулы");
    const recommendations = await text("recommendations");
    expect(recommendations).toContain("1 декабря, 15:00 · Алгебра · Кузнецов Дмитрий Олегович · лично");
    expect(recommendations).not.toContain("Пётр, нужно пересдать");
    const finals = await text("finals");
    expect(finals).toContain("Физика ⏳ аттестация отложена до 20 ноября — по болезни");
    expect(finals).toContain("8 октября — ВПР по математике: баллы 14 / 19, оценка 4");
  });

  test("every page of another family's child is 404", async () => {
    for (const path of ["grades", "grades/week", "charts", "charts/marks.svg", "forecast", "homework", "timetable", "tests", "teachers", "holidays", "recommendations", "finals"]) {
      expect((await olga.get(`/app/c/${fx.students.petya._id}/${path}`)).status).toBe(404);
    }
  });
});
