/**
 * Diary queries for the bot's views: pure data out (no text), one query per concern, every "today"
 * from the scope (the school's day of deps.now() in its zone).
 */
export * from "./scope";
export * from "./calendar";
export * from "./grades";
export * from "./homework";
export * from "./timetable";
export * from "./assessments";
export * from "./teachers";
export * from "./holidays";
export * from "./recommendations";
export * from "./finals";
export * from "./progress";
export { subjectNames, teacherNames } from "./names";
