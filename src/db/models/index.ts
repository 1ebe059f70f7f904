/**
 * Every mongoose model of the service (on mongoose's default connection) and its types:
 * for each entity `X`, the model `X` (value), the plain shape `X` (type), `XDocument` (hydrated
 * document) and `XModel` (the model's type). Field docs: docs/data-model.md.
 */
export * from "./enums";
export * from "./school";
export * from "./class";
export * from "./group";
export * from "./subject";
export * from "./teacher";
export * from "./student";
export * from "./guardian";
export * from "./account";
export * from "./consent";
export * from "./guardian-link";
export * from "./invite-code";
export * from "./period";
export * from "./curriculum";
export * from "./lesson";
export * from "./assessment";
export * from "./grade";
export * from "./homework";
export * from "./holiday";
export * from "./final-grade";
export * from "./exam-result";
export * from "./recommendation";
export * from "./domain-event";
export * from "./delivery";
export * from "./session";
export * from "./email-verification";
export * from "./email-code-send";
export * from "./printout";
export * from "./audit-entry";
export * from "./web-session";
export * from "./web-sign-in";
export * from "./rhythm-mark";

import { Assessment } from "./assessment";
import { AuditEntry } from "./audit-entry";
import { SchoolClass } from "./class";
import { ConsentRecord } from "./consent";
import { Curriculum } from "./curriculum";
import { Delivery } from "./delivery";
import { DomainEvent } from "./domain-event";
import { EmailVerification } from "./email-verification";
import { EmailCodeSend } from "./email-code-send";
import { ExamResult } from "./exam-result";
import { FinalGrade } from "./final-grade";
import { Grade } from "./grade";
import { Group } from "./group";
import { Guardian } from "./guardian";
import { GuardianLink } from "./guardian-link";
import { Holiday } from "./holiday";
import { Homework } from "./homework";
import { InviteCode } from "./invite-code";
import { Lesson } from "./lesson";
import { Period } from "./period";
import { Printout, ResultSlip } from "./printout";
import { Recommendation } from "./recommendation";
import { School } from "./school";
import { Session } from "./session";
import { Student } from "./student";
import { Subject } from "./subject";
import { Teacher } from "./teacher";
import { Account } from "./account";
import { WebSession } from "./web-session";
import { WebSignIn } from "./web-sign-in";
import { RhythmMark } from "./rhythm-mark";

/** All models, e.g. for `syncIndexes()` at start-up or in tests. */
export const allModels = [
  School,
  SchoolClass,
  Group,
  Subject,
  Teacher,
  Student,
  Guardian,
  Account,
  ConsentRecord,
  GuardianLink,
  InviteCode,
  Period,
  Curriculum,
  Lesson,
  Assessment,
  Grade,
  Homework,
  Holiday,
  FinalGrade,
  ExamResult,
  Recommendation,
  DomainEvent,
  Delivery,
  Session,
  EmailVerification,
  EmailCodeSend,
  Printout,
  ResultSlip,
  AuditEntry,
  WebSession,
  WebSignIn,
  RhythmMark,
] as const;
