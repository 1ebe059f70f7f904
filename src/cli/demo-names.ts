/** Plausible Russian names for the demo school, drawn by a seeded generator (same seed, same people). */

/** mulberry32: a small, fast, deterministic pseudo-random generator. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

export const pick = <T>(rnd: Random, list: readonly T[]): T => list[Math.floor(rnd() * list.length)];

const SURNAMES = [
  "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
  "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
  "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
  "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
  "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов",
  "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров",
  "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
  "Голубев", "Чернов", "Островский", "Шестаков", "Тихонов", "Калинин", "Гаврилов", "Ершов", "Ефимов", "Щербаков",
];

/** Male first names with the patronymics they give (son, daughter). */
const MEN: Array<[string, string, string]> = [
  ["Александр", "Александрович", "Александровна"], ["Дмитрий", "Дмитриевич", "Дмитриевна"], ["Максим", "Максимович", "Максимовна"],
  ["Сергей", "Сергеевич", "Сергеевна"], ["Андрей", "Андреевич", "Андреевна"], ["Алексей", "Алексеевич", "Алексеевна"],
  ["Артём", "Артёмович", "Артёмовна"], ["Илья", "Ильич", "Ильинична"], ["Кирилл", "Кириллович", "Кирилловна"],
  ["Михаил", "Михайлович", "Михайловна"], ["Никита", "Никитич", "Никитична"], ["Матвей", "Матвеевич", "Матвеевна"],
  ["Роман", "Романович", "Романовна"], ["Егор", "Егорович", "Егоровна"], ["Иван", "Иванович", "Ивановна"],
  ["Владимир", "Владимирович", "Владимировна"], ["Павел", "Павлович", "Павловна"], ["Николай", "Николаевич", "Николаевна"],
  ["Денис", "Денисович", "Денисовна"], ["Евгений", "Евгеньевич", "Евгеньевна"], ["Олег", "Олегович", "Олеговна"],
  ["Игорь", "Игоревич", "Игоревна"], ["Юрий", "Юрьевич", "Юрьевна"], ["Тимофей", "Тимофеевич", "Тимофеевна"],
  ["Лев", "Львович", "Львовна"], ["Марк", "Маркович", "Марковна"], ["Фёдор", "Фёдорович", "Фёдоровна"],
];

const WOMEN = [
  "Анастасия", "Мария", "Анна", "Виктория", "Екатерина", "Наталья", "Елена", "Полина", "Софья", "Дарья",
  "Александра", "Ксения", "Алиса", "Вероника", "Варвара", "Ольга", "Татьяна", "Ирина", "Юлия", "Светлана",
  "Марина", "Евгения", "Алёна", "Кристина", "Василиса", "Ульяна", "Милана", "Ева", "Таисия", "Арина",
];

/** Иванов → Иванова, Островский → Островская. */
export function femaleSurname(surname: string): string {
  if (surname.endsWith("ский")) return surname.slice(0, -4) + "ская";
  if (/(ов|ев|ёв|ин)$/.test(surname)) return surname + "а";
  return surname;
}

export type Sex = "m" | "f";

export interface Person {
  surname: string;
  fullName: string;
  sex: Sex;
}

/** A child of a family: surname and patronymic from the father. */
export function child(rnd: Random, surname: string, father: [string, string, string], sex: Sex): Person {
  const first = sex === "m" ? pick(rnd, MEN)[0] : pick(rnd, WOMEN);
  const family = sex === "m" ? surname : femaleSurname(surname);
  return { surname, sex, fullName: `${family} ${first} ${sex === "m" ? father[1] : father[2]}` };
}

/** A family: its surname and the father's name (the children's patronymic comes from it). */
export function family(rnd: Random): { surname: string; father: [string, string, string] } {
  return { surname: pick(rnd, SURNAMES), father: pick(rnd, MEN) };
}

/** An adult with a random patronymic: a teacher or a mother. */
export function adult(rnd: Random, sex: Sex, surname = pick(rnd, SURNAMES)): Person {
  const patronymic = pick(rnd, MEN);
  const first = sex === "m" ? pick(rnd, MEN)[0] : pick(rnd, WOMEN);
  return { surname, sex, fullName: `${sex === "m" ? surname : femaleSurname(surname)} ${first} ${sex === "m" ? patronymic[1] : patronymic[2]}` };
}

export function fatherName(surname: string, father: [string, string, string], rnd: Random): string {
  return `${surname} ${father[0]} ${pick(rnd, MEN)[1]}`;
}
