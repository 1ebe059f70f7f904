/**
 * Staff for the console's tests: an account with admin and teacher roles (as redeeming codes gives
 * them, in force until the given instant), and a second school that nobody of the fixture belongs to.
 */
import type { Types } from "mongoose";
import { Account, School, SchoolClass, type AccountDocument } from "../../src/db/models";

export type StaffRoleSpec = { role: "admin"; schoolId: Types.ObjectId } | { role: "teacher"; schoolId: Types.ObjectId; teacherId: Types.ObjectId };

/** A Telegram account holding these staff roles (until the end of the 2026/27 school year). */
export async function staffAccount(telegramId: number, roles: StaffRoleSpec[], language: "ru" | "en" = "ru"): Promise<AccountDocument> {
  const expiresAt = new Date("2027-08-31T21:00:00Z");
  return Account.create({ telegramId, chatId: telegramId, language, roles: roles.map((r) => ({ ...r, grantedAt: new Date("2026-09-01T06:00:00Z"), expiresAt })) });
}

/** Another school with one class (8А): what an admin or teacher of the fixture school must never see. */
export async function otherSchool(name = "Гимназия № 2") {
  const school = await School.create({ name, address: "г. Тула, ул. Садовая, 2", timezone: "Europe/Moscow" });
  const schoolClass = await SchoolClass.create({ schoolId: school._id, externalId: "c-8a", name: "8А", grade: 8 });
  return { school, schoolClass };
}
