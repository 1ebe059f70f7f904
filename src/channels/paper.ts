/**
 * The paper channel: a delivery is marked `pending_paper` and the weekly printout (src/print)
 * collects it. Only results the regulation obliges the school to hand over go on paper; grades,
 * timetable and forecasts are on every printout anyway.
 */
import type { DeliveryKind } from "../db/models";

export const PAPER_KINDS: ReadonlySet<DeliveryKind> = new Set<DeliveryKind>(["final", "exam", "broadcast"]);

export function goesOnPaper(kind: DeliveryKind): boolean {
  return PAPER_KINDS.has(kind);
}
