/**
 * Fixtures of the onboarding, privacy, settings, codes and paper-consent bot tests: a school as
 * the journal would have sent it, codes issued through the real service, and small readers of
 * what the bot sent (buttons, keyboards).
 */
import { Types } from "mongoose";
import { Guardian, School, SchoolClass, Student, type SchoolDocument } from "../../src/db/models";
import { issueStudentCode } from "../../src/services/codes";
import type { BotHarness } from "../support/bot-harness";
import type { SentMessage } from "../support/fake-telegram";

export interface TestSchool {
  school: SchoolDocument;
  classId: Types.ObjectId;
  /** Иванова Мария Петровна, 7Б (one journal guardian: Иванова Анна Сергеевна). */
  masha: Types.ObjectId;
  /** Петров Пётр Иванович, 7Б (no guardian from the journal). */
  petya: Types.ObjectId;
  annaGuardian: Types.ObjectId;
}

let schoolCounter = 0;

export async function makeSchool(name = `Школа № ${++schoolCounter}`, address: string | null = "г. Москва, ул. Школьная, д. 1"): Promise<TestSchool> {
  const school = await School.create({ name, ...(address ? { address } : {}) });
  const schoolClass = await SchoolClass.create({ schoolId: school._id, externalId: "7b", name: "7Б", grade: 7 });
  const masha = await Student.create({ schoolId: school._id, externalId: "s-masha", fullName: "Иванова Мария Петровна", classId: schoolClass._id });
  const petya = await Student.create({ schoolId: school._id, externalId: "s-petya", fullName: "Петров Пётр Иванович", classId: schoolClass._id });
  const anna = await Guardian.create({ schoolId: school._id, externalId: "g-anna", fullName: "Иванова Анна Сергеевна", studentIds: [masha._id] });
  return { school, classId: schoolClass._id, masha: masha._id, petya: petya._id, annaGuardian: anna._id };
}

/** A fresh guardian code for the student (the service's real issuing). */
export async function guardianCode(harness: BotHarness, school: TestSchool, studentExternalId = "s-masha", role: "guardian" | "student" = "guardian"): Promise<string> {
  const issued = await issueStudentCode({
    schoolId: school.school._id, studentExternalId, role, pepper: harness.deps.config.codePepper, now: harness.deps.now(),
  });
  return issued.code;
}

type Button = { text: string; callback_data?: string; request_contact?: boolean };

export function inlineButtons(message: SentMessage | undefined): Button[] {
  const markup = message?.reply_markup as { inline_keyboard?: Button[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

export function buttonData(message: SentMessage | undefined): string[] {
  return inlineButtons(message).map((b) => b.callback_data ?? "");
}

/** The reply keyboard's labels (the main menu, the contact button). */
export function keyboardLabels(message: SentMessage | undefined): string[] {
  const markup = message?.reply_markup as { keyboard?: Array<Array<{ text: string } | string>> } | undefined;
  return markup?.keyboard?.flat().map((b) => (typeof b === "string" ? b : b.text)) ?? [];
}

/** The last message of a batch that has inline buttons. */
export function withButtons(messages: SentMessage[]): SentMessage {
  const found = [...messages].reverse().find((m) => inlineButtons(m).length > 0);
  if (!found) throw new Error(`no message with buttons among: ${messages.map((m) => m.text ?? m.caption).join(" | ")}`);
  return found;
}

export function texts(messages: SentMessage[]): string {
  return messages.map((m) => m.plain ?? m.text ?? m.caption ?? "").join("\n---\n");
}

/** A parent who agreed and linked a child through the real dialog; returns the Telegram user. */
export async function linkedParent(harness: BotHarness, school: TestSchool, studentExternalId = "s-masha", profile: Parameters<BotHarness["user"]>[0] = {}) {
  const parent = harness.user(profile);
  const start = await parent.send("/start");
  const consent = start.find((m) => buttonData(m).some((d) => d.startsWith("cs:yes:")));
  if (consent) await parent.press(`cs:yes:${school.school._id}`, consent);
  else await parent.send("/link");
  const confirm = withButtons(await parent.send(await guardianCode(harness, school, studentExternalId)));
  const done = await parent.press(buttonData(confirm)[0], confirm);
  if (!texts(done).match(/Готово|Done/)) throw new Error(`linking failed: ${texts(done)}`);
  return parent;
}
