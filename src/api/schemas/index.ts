/** The exchange API's item schemas, one per resource of EXCHANGE_RESOURCES (see docs/exchange-api.md). */
import type { ExchangeResource } from "../../db/models/enums";
import type { ItemSchemas } from "./common";
import { classes, groups, guardians, students, subjects, teachers } from "./directory";
import { assessments, curriculum, holidays, homework, lessons, periods } from "./schedule";
import { exams, finalGrades, grades } from "./results";

export type { ItemSchemas } from "./common";
export { normalizePhone } from "./directory";

export const ITEM_SCHEMAS: Record<ExchangeResource, ItemSchemas> = {
  classes,
  subjects,
  teachers,
  groups,
  students,
  guardians,
  periods,
  curriculum,
  lessons,
  assessments,
  grades,
  homework,
  holidays,
  finalGrades,
  exams,
};
