/**
 * The consent registry of a class as CSV (issue 13): one line per person of each guardian record,
 * the same facts as the console's page, for Excel (src/print/layout-csv.ts: `;`, BOM, formulas made
 * plain text). Texts are shared with the page (`console:registry.*`).
 */
import { inZone } from "../domain/time";
import type { Translate } from "../i18n";
import type { RegistryRow } from "../services/consent-registry";
import { toCsv } from "./layout-csv";

const COLUMNS = ["student", "guardian", "person", "state", "form", "decidedAt", "registeredBy", "docNumber", "docDate", "fileHash", "contacts"] as const;

export function registryPerson(t: Translate, row: RegistryRow): string {
  return row.person.kind === "record" ? t("console:registry.person.record") : t("console:registry.person.account", { tail: row.person.accountTail ?? "" });
}

export function registryRegistrar(t: Translate, row: RegistryRow): string {
  const by = row.registeredBy;
  // A written decision without an account behind it came from the command line (npm run paper-consent).
  if (!by) return row.form === "telegram" || row.form === "max" ? t("console:registry.byThemselves") : row.form === "none" ? "" : t("console:registry.byCli");
  return "teacher" in by ? by.teacher : t("console:registry.byAdmin", { tail: by.admin ?? "" });
}

export function registryContacts(t: Translate, row: RegistryRow): string {
  return row.contacts.map((c) => `${c.value} (${t(`console:registry.source.${c.source}`)})`).join(", ");
}

/** "03.12.2026 18:05" in the school's zone (the same in both languages, as Russian school papers write it). */
export const registryTime = (at: Date, timezone: string): string => inZone(at, timezone).format("DD.MM.YYYY HH:mm");

export function consentRegistryCsv(rows: readonly RegistryRow[], t: Translate, timezone: string): Buffer {
  const lines = rows.map((r) => [
    r.studentName, r.guardianName ?? "", registryPerson(t, r), t(`console:registry.state.${r.state}`), t(`console:registry.form.${r.form}`),
    r.decidedAt ? registryTime(r.decidedAt, timezone) : "", registryRegistrar(t, r),
    r.document?.number ?? "", r.document?.date ?? "", r.document?.fileHash ?? "", registryContacts(t, r),
  ]);
  return toCsv([COLUMNS.map((c) => t(`console:registry.columns.${c}`)), ...lines]);
}
