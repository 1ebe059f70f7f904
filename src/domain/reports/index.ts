/**
 * The school's reports as pure computations (regulation 5, 9): the summary sheet of final grades
 * with quality and success rates, the curriculum check of lessons held, missing finals, and which
 * week a weekly printout covers.
 */
export * from "./summary-sheet";
export * from "./curriculum";
export * from "./missing-finals";
export * from "./printout-week";
export * from "./compliance";
