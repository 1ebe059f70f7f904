/**
 * The console's pages, for its navigation and landing pages: each console page group adds its
 * entries here (docs/web.md, "The school's console"). `need` says who is offered the link; the route
 * itself still asks `consoleRequest` (access.ts) — a link not shown is never a permission.
 */
import type { ConsoleNeed } from "./access";

export interface ConsolePage {
  /** The nav item id (`active` of the page). */
  id: string;
  /** i18next key of the link's text. */
  label: string;
  /** The path after /app/school/<schoolId>/ ("" is the school's landing page). */
  path: string;
  need: ConsoleNeed;
}

/** Pages of a school (in the navigation and on the school's landing page), in order. */
export const SCHOOL_PAGES: ConsolePage[] = [
  { id: "console", label: "console:nav.school", path: "", need: "staff" },
  { id: "console-settings", label: "console:nav.settings", path: "settings", need: "admin" },
  { id: "console-audit", label: "console:nav.audit", path: "audit", need: "admin" },
  { id: "console-codes", label: "console:codes.nav", path: "codes", need: "admin" },
  { id: "console-compliance", label: "console:deliveries.navCompliance", path: "compliance", need: "admin" },
  { id: "console-deliveries", label: "console:deliveries.nav", path: "deliveries", need: "admin" },
  { id: "console-printouts", label: "console:printouts.nav", path: "printouts", need: "admin" },
  { id: "console-staff", label: "console:staffPage.nav", path: "staff", need: "admin" },
];

/** Pages of a class (on the class's landing page /app/school/<schoolId>/class/<classId>/), in order. */
export const CLASS_PAGES: ConsolePage[] = [
  { id: "console-consents", label: "console:registry.nav", path: "consents", need: "staff" },
  { id: "console-class-printouts", label: "console:printouts.nav", path: "printouts", need: "staff" },
  { id: "console-recommendations", label: "console:teacher.recommendationsNav", path: "recommendations", need: "staff" },
  { id: "console-reports", label: "console:teacher.reportsNav", path: "reports", need: "staff" },
];

export const schoolHref = (schoolId: unknown, path = "") => `/app/school/${String(schoolId)}/${path}`;
export const classHref = (schoolId: unknown, classId: unknown, path = "") => `/app/school/${String(schoolId)}/class/${String(classId)}/${path}`;
