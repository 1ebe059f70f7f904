/**
 * String-literal vocabularies and formats shared by the mongoose models and the zod schemas of the
 * exchange API, the bot and the CLI. Each list is a `const` array so that both `enum:` (mongoose)
 * and `z.enum(...)` (zod) reuse it, and its element type is exported next to it.
 */

// ---- formats ---------------------------------------------------------------------------------

/**
 * A journal day, `YYYY-MM-DD` in the school's time zone. The regex checks the shape and the ranges
 * of month (01-12) and day (01-31) only; real-calendar checks ("2026-02-30") belong to the API's
 * zod schemas (see `isCalendarDay` in src/domain/time.ts).
 */
export const DAY_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** A wall-clock time `HH:mm`, 00:00..23:59. */
export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
/** A SHA-256 digest as 64 lowercase hex characters. */
export const SHA256_HEX_RE = /^[0-9a-f]{64}$/;
/** A plausible e-mail address (one @, no spaces); delivery proves the rest. */
export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A phone number stored normalized: optional "+", then 5..15 digits, no spaces or punctuation. */
export const PHONE_RE = /^\+?\d{5,15}$/;
/** A link in homework: http or https only. */
export const URL_RE = /^https?:\/\/\S+$/;

// ---- exchange API ----------------------------------------------------------------------------

/**
 * Resources of the exchange API v1 (`PUT /api/v1/<resource>`), in dependency order: a resource comes
 * after those it refers to (classes name their homeroom teacher), the order imports write in.
 */
export const EXCHANGE_RESOURCES = [
  "subjects",
  "teachers",
  "classes",
  "groups",
  "students",
  "guardians",
  "periods",
  "curriculum",
  "lessons",
  "assessments",
  "grades",
  "homework",
  "holidays",
  "finalGrades",
  "exams",
] as const;
export type ExchangeResource = (typeof EXCHANGE_RESOURCES)[number];

/** Resources a domain event can be about: the exchange resources plus the bot's own records. */
export const EVENT_RESOURCES = [...EXCHANGE_RESOURCES, "recommendations", "broadcasts"] as const;
export type EventResource = (typeof EVENT_RESOURCES)[number];

// ---- school settings -------------------------------------------------------------------------

/** Reporting-period kinds a school's year is split into. */
export const SCHOOL_PERIOD_KINDS = ["quarter", "trimester", "half"] as const;
export type SchoolPeriodKind = (typeof SCHOOL_PERIOD_KINDS)[number];

/** Kinds of a journal period: the school's reporting periods plus the whole year. */
export const PERIOD_KINDS = [...SCHOOL_PERIOD_KINDS, "year"] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export const DEFAULT_TIMEZONE = "Europe/Moscow";

// ---- grades ----------------------------------------------------------------------------------

/** Grade values as the journal sends them; "зачёт"/"незачёт" are pass/fail and not averaged. */
export const GRADE_VALUES = ["5", "4", "3", "2", "1", "зачёт", "незачёт"] as const;
export type GradeValue = (typeof GRADE_VALUES)[number];
/** The numeric subset of GRADE_VALUES (the ones the weighted average uses). */
export const NUMERIC_GRADE_VALUES = ["5", "4", "3", "2", "1"] as const;
export type NumericGradeValue = (typeof NUMERIC_GRADE_VALUES)[number];

export const GRADE_WEIGHT_MIN = 1;
export const GRADE_WEIGHT_MAX = 10;
export const CLASS_GRADE_MIN = 1;
export const CLASS_GRADE_MAX = 11;

export const FINAL_GRADE_STATUSES = ["final", "deferred", "not_attested"] as const;
export type FinalGradeStatus = (typeof FINAL_GRADE_STATUSES)[number];

// ---- timetable -------------------------------------------------------------------------------

export const LESSON_KINDS = [
  "lesson",
  "lab",
  "practice",
  "test",
  "excursion",
  "consultation",
  "elective",
  "online",
  "other",
] as const;
export type LessonKind = (typeof LESSON_KINDS)[number];

export const LESSON_STATUSES = ["planned", "held", "cancelled", "substituted", "moved"] as const;
export type LessonStatus = (typeof LESSON_STATUSES)[number];

/** Kinds of scheduled assessments (the tests schedule): контрольная, тест, диктант, сочинение, ... */
export const ASSESSMENT_KINDS = [
  "control",
  "test",
  "dictation",
  "essay",
  "exposition",
  "lab",
  "practical",
  "diagnostic",
  "exam",
  "other",
] as const;
export type AssessmentKind = (typeof ASSESSMENT_KINDS)[number];

// ---- people, access, consent -----------------------------------------------------------------

export const ROLES = ["guardian", "student", "teacher", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const LANGUAGES = ["ru", "en"] as const;
export type LanguageCode = (typeof LANGUAGES)[number];

export const CONSENT_DECISIONS = ["granted", "declined", "withdrawn"] as const;
export type ConsentDecision = (typeof CONSENT_DECISIONS)[number];

/** How a decision was given: in a messenger bot (Telegram, MAX), or in writing (paper, e-document). */
export const CONSENT_FORMS = ["telegram", "max", "paper", "edoc"] as const;
export type ConsentForm = (typeof CONSENT_FORMS)[number];

export const CONTACT_KINDS = ["email", "phone"] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/** Where a contact came from (regulation 7: only the guardian's own or the school's paper/edoc). */
export const CONTACT_SOURCES = ["guardian", "school-paper", "school-edoc", "journal"] as const;
export type ContactSource = (typeof CONTACT_SOURCES)[number];

// ---- delivery --------------------------------------------------------------------------------

export const DELIVERY_MODES = ["electronic", "paper"] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** Why a guardian's delivery mode is what it is. */
export const DELIVERY_REASONS = ["declined", "withdrawn", "paper-refusal", "blocked", "chosen", "journal"] as const;
export type DeliveryReason = (typeof DELIVERY_REASONS)[number];

/** The delivery channels; what each carries and how it sends: src/services/notify/channels.ts (the registry). */
export const CHANNELS = ["telegram", "max", "email", "sms", "paper"] as const;
export type Channel = (typeof CHANNELS)[number];
/**
 * A new person's order. The messengers first (MAX beside Telegram: a person who has both gets each
 * notice once, on the first that works), SMS (paid, finals and exams by default) after the free channels.
 */
export const DEFAULT_CHANNEL_ORDER: readonly Channel[] = ["telegram", "max", "email", "sms", "paper"];
/** The messengers: a person's own chat with the bot (staff and students are reached on these only). */
export const MESSENGERS = ["telegram", "max"] as const satisfies readonly Channel[];
export type Messenger = (typeof MESSENGERS)[number];

export const GRADE_NOTIFY_MODES = ["instant", "digest", "off"] as const;
export type GradeNotifyMode = (typeof GRADE_NOTIFY_MODES)[number];

export const DOMAIN_EVENT_TYPES = [
  "grade.created",
  "grade.changed",
  "grade.removed",
  "final.published",
  "exam.published",
  "homework.created",
  "homework.changed",
  "lesson.substituted",
  "lesson.cancelled",
  "lesson.moved",
  "assessment.scheduled",
  "assessment.moved",
  "holidays.changed",
  "recommendation.created",
  /** An admin's broadcast, recorded before it is planned so that a Redis loss cannot drop it (src/services/broadcast.ts). */
  "broadcast.requested",
] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export const DELIVERY_KINDS = [
  "final",
  "exam",
  "grade",
  "forecast",
  "timetable",
  "assessment",
  "homework",
  "holidays",
  "recommendation",
  "broadcast",
  "admin-alert",
  "printout",
  /** The new school year: a child's new class, or the child left the school (issue 15). */
  "school-year",
  /** The school changed its consent text: the person is asked to read it and agree again (issue 13). */
  "consent",
] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const DELIVERY_STATUSES = [
  "queued",
  /** Claimed by a worker just before the channel call (see src/queue/delivery-engine.ts). */
  "sending",
  "sent",
  /** An SMS whose delivery receipt said DELIVRD (every part). */
  "delivered",
  "failed",
  "fell_back",
  "cancelled",
  "pending_paper",
  "printed",
  "handed",
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

// ---- audit log -------------------------------------------------------------------------------

/** Staff roles: granted by a teacher or admin code, expire at the end of the school year unless renewed. */
export const STAFF_ROLES = ["teacher", "admin"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * What an audit entry records (`audit_log`), `<object>.<what happened>`. Add new actions here (the
 * console lists them by this vocabulary).
 */
export const AUDIT_ACTIONS = [
  /** A staff role was granted (a teacher or admin code redeemed). */
  "role.granted",
  /** A staff role's expiry was moved to a later school year (CLI, console), or set for an old role. */
  "role.renewed",
  /** A staff role was taken away by someone (CLI, console). */
  "role.revoked",
  /** A staff role reached its expiry (the end of the school year) and was removed by the upkeep job. */
  "role.expired",
  /** The classes a teacher's journal lessons (or homeroom) give them access to changed. */
  "role.classes-changed",
  /** A person asked to delete their account (/privacy): its decisions were recorded, its data erased. */
  "account.deleted",
  /** The retention period after a withdrawal or refusal ended: the person's own data were erased (daily job). */
  "person.data-erased",
  /** Contacts given in writing on their own (no new decision) were registered in the console (issue 13). */
  "contacts.written",
  /** A school's setting changed (console or `school:settings`): `key`, before, after; `consent.version` when the consent got a new version. */
  "school.setting-changed",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who acted: a person through their account (bot, console), school IT on the command line, or the service itself (scheduled jobs). */
export const AUDIT_ACTOR_KINDS = ["account", "cli", "system"] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];
