/**
 * The console's permissions over real HTTP (docs/web.md, "The school's console"): an admin sees their
 * school and every class; a teacher sees their classes only; an admin of another school, a guardian,
 * a student, someone signed out and a forged id all get the same 404 as a page that does not exist.
 */
import { useTestDb } from "../support/db";
import { createSchoolFixture, guardianAccount, studentAccount, type SchoolFixture } from "../support/fixtures";
import { otherSchool, staffAccount } from "../support/console";
import { moscow } from "../bot/views-support";
import { startWeb, type WebClient, type WebServer, signedInAs } from "../support/web";
import { CLASS_PAGES, SCHOOL_PAGES } from "../../src/web/console/pages";

useTestDb();

const NOW = moscow("2026-12-03 18:00");
const ADMIN = 7101;
const KUZNETSOV = 7102; // algebra in 7А only
const MOROZOVA = 7103; // homeroom teacher of 3Б
const OTHER_ADMIN = 7104;
const PARENT = 7105;
const STUDENT = 7106;
const BOOTSTRAP = 7107;
let fx: SchoolFixture;
let other: Awaited<ReturnType<typeof otherSchool>>;
let web: WebServer;

beforeAll(async () => {
  fx = await createSchoolFixture();
  other = await otherSchool();
  await staffAccount(ADMIN, [{ role: "admin", schoolId: fx.school._id }]);
  await staffAccount(KUZNETSOV, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.kuznetsov }]);
  await staffAccount(MOROZOVA, [{ role: "teacher", schoolId: fx.school._id, teacherId: fx.teachers.morozova }]);
  await staffAccount(OTHER_ADMIN, [{ role: "admin", schoolId: other.school._id }]);
  await guardianAccount(fx, PARENT, fx.guardians.parent, [fx.students.maria]);
  await studentAccount(fx, STUDENT, fx.students.maria);
  web = await startWeb({ now: NOW, env: { ADMIN_TELEGRAM_IDS: String(BOOTSTRAP) } });
}, 60_000);
afterAll(async () => {
  await web?.close();
});

const signedIn = (telegramId: number): Promise<WebClient> => signedInAs(web, telegramId);

const school = () => `/app/school/${fx.school._id}/`;
const classPage = (key: "c7a" | "c3b") => `/app/school/${fx.school._id}/class/${fx.classIds[key]}/`;
const otherPages = () => [`/app/school/${other.school._id}/`, `/app/school/${other.school._id}/class/${other.schoolClass._id}/`];

/** The answer is this viewer's not-found page itself: the same status and page as for a path that does not exist. */
async function expectRefused(client: WebClient, path: string) {
  const [response, missing] = [await client.get(path), await client.get("/app/no-such-page")];
  expect({ path, status: response.status }).toEqual({ path, status: 404 });
  expect(response.text.split(path).join("PATH")).toBe(missing.text.split("/app/no-such-page").join("PATH"));
}

test("an admin sees their school, every class and the console in the navigation", async () => {
  const admin = await signedIn(ADMIN);
  const list = await admin.get("/app/school/");
  expect(list.status).toBe(303);
  expect(list.location).toBe(school());
  const page = await admin.get(school());
  expect(page.status).toBe(200);
  expect(page.text).toContain(`<h1>${fx.school.name}</h1>`);
  expect(page.text).toContain(`href="${classPage("c7a")}">7А</a>`);
  expect(page.text).toContain(`href="${classPage("c3b")}">3Б</a>`);
  expect(page.text).toMatch(new RegExp(`<a href="${school()}" aria-current="page">Обзор</a>`));
  const sevenA = await admin.get(classPage("c7a"));
  expect(sevenA.status).toBe(200);
  expect(sevenA.text).toContain("Класс 7А");
  expect(sevenA.text).toContain("Соколова Ирина Петровна");
  // The diary's pages offer the console too.
  expect((await admin.get("/app/settings")).text).toContain(`href="${school()}"`);
});

test("an admin of one school sees nothing of another", async () => {
  const admin = await signedIn(ADMIN);
  for (const path of otherPages()) await expectRefused(admin, path);
  const otherAdmin = await signedIn(OTHER_ADMIN);
  for (const path of [school(), classPage("c7a"), classPage("c3b")]) await expectRefused(otherAdmin, path);
  const own = await otherAdmin.get(`/app/school/${other.school._id}/`);
  expect(own.status).toBe(200);
  expect(own.text).not.toContain(fx.school.name);
});

test("a subject teacher sees the classes of their lessons only; a homeroom teacher their class", async () => {
  const kuznetsov = await signedIn(KUZNETSOV);
  const page = await kuznetsov.get(school());
  expect(page.status).toBe(200);
  expect(page.text).toContain(`href="${classPage("c7a")}">7А</a>`);
  expect(page.text).not.toContain(classPage("c3b"));
  expect((await kuznetsov.get(classPage("c7a"))).status).toBe(200);
  await expectRefused(kuznetsov, classPage("c3b"));
  for (const path of otherPages()) await expectRefused(kuznetsov, path);

  const morozova = await signedIn(MOROZOVA);
  expect((await morozova.get(classPage("c3b"))).status).toBe(200);
  await expectRefused(morozova, classPage("c7a"));
  // A class of one school under another school's address is no class at all.
  await expectRefused(morozova, `/app/school/${other.school._id}/class/${fx.classIds.c3b}/`);
});

test("a guardian, a student, someone signed out and forged ids get the same 404 on every console page", async () => {
  const pages = ["/app/school/", school(), classPage("c7a"), ...otherPages()];
  for (const telegramId of [PARENT, STUDENT]) {
    const client = await signedIn(telegramId);
    for (const path of pages) await expectRefused(client, path);
    expect((await client.get("/app/settings")).text).not.toContain("/app/school/");
  }
  const anonymous = web.client();
  for (const path of pages) await expectRefused(anonymous, path);
  const admin = await signedIn(ADMIN);
  for (const path of ["/app/school/nope/", `/app/school/${fx.school._id}/class/nope/`, `/app/school/${fx.school._id}/class/${fx.students.maria._id}/`]) {
    await expectRefused(admin, path);
  }
});

test("a bootstrap admin (ADMIN_TELEGRAM_IDS) has every school, listed", async () => {
  const bootstrap = await signedIn(BOOTSTRAP);
  const list = await bootstrap.get("/app/school/");
  expect(list.status).toBe(200);
  expect(list.text).toContain(`href="${school()}"`);
  expect(list.text).toContain(`href="/app/school/${other.school._id}/"`);
  expect((await bootstrap.get(`/app/school/${other.school._id}/class/${other.schoolClass._id}/`)).status).toBe(200);
});

test("every page of SCHOOL_PAGES and CLASS_PAGES: open to whom it is offered, the same 404 for everyone else", async () => {
  const schoolPages = SCHOOL_PAGES.filter((p) => p.path);
  const classPages = (key: "c7a" | "c3b") => CLASS_PAGES.map((p) => `${classPage(key)}${p.path}`);
  const admin = await signedIn(ADMIN);
  for (const path of [...schoolPages.map((p) => `${school()}${p.path}`), ...classPages("c7a"), ...classPages("c3b")]) {
    expect({ path, status: (await admin.get(path)).status }).toEqual({ path, status: 200 });
  }
  const kuznetsov = await signedIn(KUZNETSOV);
  for (const p of schoolPages) expect({ path: p.path, status: (await kuznetsov.get(`${school()}${p.path}`)).status }).toEqual({ path: p.path, status: p.need === "staff" ? 200 : 404 });
  for (const path of classPages("c7a")) expect({ path, status: (await kuznetsov.get(path)).status }).toEqual({ path, status: 200 });
  for (const path of classPages("c3b")) await expectRefused(kuznetsov, path);
  const morozova = await signedIn(MOROZOVA);
  for (const path of classPages("c7a")) await expectRefused(morozova, path);
  for (const telegramId of [OTHER_ADMIN, PARENT, STUDENT]) {
    const client = await signedIn(telegramId);
    for (const path of [...schoolPages.map((p) => `${school()}${p.path}`), ...classPages("c7a")]) await expectRefused(client, path);
  }
  const otherClassPages = CLASS_PAGES.map((p) => `/app/school/${other.school._id}/class/${other.schoolClass._id}/${p.path}`);
  for (const path of [...schoolPages.map((p) => `/app/school/${other.school._id}/${p.path}`), ...otherClassPages]) await expectRefused(admin, path);
});
