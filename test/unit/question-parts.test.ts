import { parseQuestion, schoolYearStart, type QuestionContext } from "../../src/domain/question";
import { editDistance, withinOneTypo } from "../../src/domain/question/fuzzy";
import { childNames, childrenNamedBy, declensions, isSomeFirstName } from "../../src/domain/question/names";
import { stemWithinOneTypo, RUSSIAN_ENDINGS } from "../../src/domain/question/patterns";
import { detectLanguage, tokenize, transliterations } from "../../src/domain/question/text";
import { CONTEXT } from "./question-phrasings";

const word = (text: string, capitalized = false) => ({ text, raw: text, capitalized, kind: "word" as const });

describe("text", () => {
  test("tokenize normalizes case, ё, hyphens and possessives, and keeps dates whole", () => {
    expect(tokenize("Физ-ра у Лёши 12.12, Masha's 12-го 2026-12-01 д/з").map((t) => t.text)).toEqual([
      "физра",
      "у",
      "леши",
      "12.12",
      "masha",
      "12-го",
      "2026-12-01",
      "дз",
    ]);
    expect(tokenize("P.E. tomorrow").map((t) => t.text)).toEqual(["pe", "tomorrow"]);
  });

  test("capitalization is kept as a hint", () => {
    expect(tokenize("поля Поля").map((t) => t.capitalized)).toEqual([false, true]);
  });

  test.each([
    ["какие оценки", "ru"],
    ["grades of Маша", "en"],
    ["", "ru"],
  ])("detectLanguage(%j) = %s", (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  test("transliterations", () => {
    expect(transliterations("мария")).toEqual(expect.arrayContaining(["mariya", "maria"]));
    expect(transliterations("александр")).toEqual(expect.arrayContaining(["aleksandr", "alexandr"]));
  });
});

describe("typos (Damerau-Levenshtein, adjacent swaps count once)", () => {
  test.each([
    ["оценки", "оценки", 0],
    ["оцнеки", "оценки", 1], // swap
    ["оцнки", "оценки", 1], // deletion
    ["оцеенки", "оценки", 1], // insertion
    ["оцинки", "оценки", 1], // substitution
    ["ценки", "оценки", 1],
    ["оцнеик", "оценки", 2], // two swaps
    ["", "abc", 3],
  ])("editDistance(%s, %s) = %d", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  test("short words get no typo tolerance", () => {
    expect(withinOneTypo("физра", "физры")).toBe(true);
    expect(withinOneTypo("дз", "да")).toBe(false);
    expect(withinOneTypo("англ", "анол")).toBe(false);
  });

  test("a typo in the stem, any ending", () => {
    expect(stemWithinOneTypo("алгибре", "алгебр", RUSSIAN_ENDINGS)).toBe(true);
    expect(stemWithinOneTypo("алгибрами", "алгебр", RUSSIAN_ENDINGS)).toBe(true);
    expect(stemWithinOneTypo("алгибрпр", "алгебр", RUSSIAN_ENDINGS)).toBe(false);
  });
});

describe("names", () => {
  test.each([
    ["маша", ["маши", "маше", "машу", "машей", "машин", "машины", "машенька", "машке"]],
    ["мария", ["марии", "марию", "марией", "мариин"]],
    ["александр", ["александра", "александру", "александром", "александре", "александров"]],
    ["дмитрий", ["дмитрия", "дмитрию", "дмитрием", "дмитрии"]],
    ["игорь", ["игоря", "игорю", "игорем", "игоре"]],
    ["павл-", ["павла", "павлу", "павлом"]],
  ])("declensions(%s) include %j", (name, forms) => {
    expect(declensions(name)).toEqual(expect.arrayContaining(forms));
  });

  const children = childNames([
    { id: "m", firstName: "Мария" },
    { id: "a", firstName: "Александр" },
    { id: "p", firstName: "Полина" },
    { id: "y", firstName: "Ярослава" },
    { id: "z", firstName: "Злата Игоревна" },
  ]);

  test.each([
    ["маши", false, ["m"]],
    ["машуне", false, ["m"]],
    ["masha", false, ["m"]],
    ["mary", false, ["m"]],
    ["сашей", false, ["a"]],
    ["шуре", false, ["a"]],
    ["alex", false, ["a"]],
    ["полины", false, ["p"]],
    ["поля", false, []], // "поля" are fields unless written with a capital
    ["поля", true, ["p"]],
    ["ярославы", false, ["y"]],
    ["златой", false, ["z"]],
    ["александер", false, []], // a typo is only forgiven in the typo pass
  ])("%s (capital %s) names %j", (text, capitalized, ids) => {
    expect(childrenNamedBy(word(text, capitalized), children, false)).toEqual(ids);
  });

  test("one typo in a long name form", () => {
    expect(childrenNamedBy(word("александер"), children, true)).toEqual(["a"]);
    expect(childrenNamedBy(word("марийя"), children, true)).toEqual(["m"]);
  });

  test("first names that are none of the children are recognized, common words are not", () => {
    expect(isSomeFirstName(word("пети"))).toBe(true);
    expect(isSomeFirstName(word("вовы"))).toBe(true);
    expect(isSomeFirstName(word("любой"))).toBe(false);
    expect(isSomeFirstName(word("тема"))).toBe(false);
    expect(isSomeFirstName(word("тема", true))).toBe(true);
    expect(isSomeFirstName(word("оценки"))).toBe(false);
  });
});

describe("parseQuestion details", () => {
  test("a name that fits two children is ambiguous, not guessed", () => {
    const twins: QuestionContext = {
      ...CONTEXT,
      children: [
        { id: "boy", firstName: "Александр" },
        { id: "girl", firstName: "Александра" },
      ],
    };
    const parsed = parseQuestion("оценки Саши", twins);
    expect(parsed.childId).toBeUndefined();
    expect(parsed.childIds).toEqual(["boy", "girl"]);
    expect(parsed.notUnderstood.ambiguousChild).toBe(true);
  });

  test("another child's name is reported, so the bot never answers with the remembered child", () => {
    const parsed = parseQuestion("какие оценки у Пети по алгебре", CONTEXT);
    expect(parsed).toMatchObject({ intent: "grades", subjectId: "alg", notUnderstood: { unknownChildName: "Пети" } });
    expect(parsed.childId).toBeUndefined();
  });

  test("words it did not use are reported", () => {
    const parsed = parseQuestion("оценки по алгебре за 31.02 и ещё бегемот", CONTEXT);
    expect(parsed.notUnderstood.words).toEqual(["31.02", "бегемот"]);
    expect(parsed.range).toBeUndefined();
    expect(parsed.confidence).toBeLessThan(parseQuestion("оценки по алгебре", CONTEXT).confidence);
  });

  test("confidence: a naming word > a hint or rule > nothing", () => {
    expect(parseQuestion("расписание на завтра", CONTEXT).confidence).toBe(0.95);
    expect(parseQuestion("будет ли завтра физра", CONTEXT).confidence).toBe(0.6);
    expect(parseQuestion("привет", CONTEXT).confidence).toBe(0);
  });

  test("language of the question", () => {
    expect(parseQuestion("homework for tomorrow", CONTEXT).language).toBe("en");
    expect(parseQuestion("домашка", CONTEXT).language).toBe("ru");
  });

  test("slang falls back to the subject the school has: no Математика -> Алгебра", () => {
    const noMath = { ...CONTEXT, subjects: CONTEXT.subjects.filter((s) => s.id !== "math") };
    expect(parseQuestion("оценки по матеше", noMath).subjectId).toBe("alg");
  });

  test("subjects not in the slang table are found by their own words", () => {
    const extra: QuestionContext = {
      ...CONTEXT,
      subjects: [
        { id: "astro", name: "Астрономия" },
        { id: "ger", name: "Немецкий язык" },
        { id: "eng2", name: "Иностранный язык (английский)" },
      ],
    };
    expect(parseQuestion("оценки по астрономии", extra).subjectId).toBe("astro");
    expect(parseQuestion("дз по немецкому", extra).subjectId).toBe("ger");
    expect(parseQuestion("дз по английскому", extra).subjectId).toBe("eng2");
    // "язык" alone is shared by two subjects and names none.
    expect(parseQuestion("дз по языку", extra).subjectId).toBeUndefined();
  });

  test("months belong to the current school year, also in spring", () => {
    const spring = { ...CONTEXT, today: "2027-03-15" };
    expect(parseQuestion("оценки в декабре", spring).range).toEqual({ from: "2026-12-01", to: "2026-12-31" });
    expect(parseQuestion("контрольные в мае", spring).range).toEqual({ from: "2027-05-01", to: "2027-05-31" });
    expect(parseQuestion("дз на 12.12", spring).range).toEqual({ from: "2026-12-12", to: "2026-12-12" });
    expect(schoolYearStart("2026-09-01")).toBe(2026);
    expect(schoolYearStart("2027-08-31")).toBe(2026);
  });

  test("English 'may' is a month only next to a day or after 'in'", () => {
    expect(parseQuestion("tests in may", CONTEXT).range).toEqual({ from: "2027-05-01", to: "2027-05-31" });
    expect(parseQuestion("may I see the homework", CONTEXT).range).toBeUndefined();
  });

  test("February 29 exists only in leap years", () => {
    expect(parseQuestion("дз на 29 февраля", CONTEXT).range).toBeUndefined();
    expect(parseQuestion("дз на 29 февраля", { ...CONTEXT, today: "2027-09-10" }).range).toEqual({
      from: "2028-02-29",
      to: "2028-02-29",
    });
  });

  test("contexts are compiled per list, so two schools do not mix", () => {
    const other: QuestionContext = { ...CONTEXT, subjects: [{ id: "x", name: "Алгебра" }] };
    expect(parseQuestion("оценки по алгебре", CONTEXT).subjectId).toBe("alg");
    expect(parseQuestion("оценки по алгебре", other).subjectId).toBe("x");
  });
});
