/**
 * People's names as the journal sends them: "Фамилия Имя Отчество" (surname first, the Russian
 * official order). A single word is taken as the first name.
 */

function words(fullName: string): string[] {
  return fullName.trim().split(/\s+/).filter(Boolean);
}

/** "Иванова Мария Петровна" -> "Мария"; "Мария" -> "Мария". */
export function firstNameOf(fullName: string): string {
  const parts = words(fullName);
  return parts.length >= 2 ? parts[1] : (parts[0] ?? "");
}

/** "Иванова Ирина Петровна" -> "Иванова И. П." (a teacher's name in a timetable line). */
export function shortNameOf(fullName: string): string {
  const [surname, ...rest] = words(fullName);
  if (!surname) return "";
  const initials = rest.map((w) => `${w[0].toUpperCase()}.`).join(" ");
  return initials ? `${surname} ${initials}` : surname;
}

/** "Иванова Мария Петровна" -> "Иванова М." (a student in a class list); "Мария" -> "Мария". */
export function surnameInitialOf(fullName: string): string {
  const [surname, first] = words(fullName);
  if (!surname) return "";
  return first ? `${surname} ${first[0].toUpperCase()}.` : surname;
}
