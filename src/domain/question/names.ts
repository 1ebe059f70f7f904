/**
 * Finding a child by first name in any grammatical case, possessive ("Сашины") or short form
 * ("Маши" ~ Мария). Every form is generated up front from nominatives, so a lookup is one Map get.
 */
import { withinOneTypo } from "./fuzzy";
import { NAME_FAMILIES } from "./name-lexicon";
import { normalizeWord, transliterations, type Token } from "./text";

const CASES_HARD_A = ["а", "ы", "е", "у", "ой", "ою"];
const CASES_SOFT_A = ["а", "и", "е", "у", "ой", "ей", "ою", "ею"]; // after г к х ж ш ч щ: Маши, Машей
const CASES_YA = ["я", "и", "е", "ю", "ей", "ею"];
const CASES_Y = ["й", "я", "ю", "ем", "е", "и"]; // "и": о Дмитрии
const CASES_SOFT_SIGN = ["ь", "я", "ю", "ем", "е", "и"];
const CASES_CONSONANT = ["", "а", "у", "ом", "е"];
const CASES_OBLIQUE = ["а", "у", "ом", "е"];
const POSSESSIVE_IN = ["ин", "ина", "ину", "ины", "иной", "иным", "иных", "ино", "ином", "иного", "иному"];
const POSSESSIVE_OV = ["ов", "ова", "ову", "овы", "овой", "овым", "овых", "ово", "овом", "ового", "овому"];
const POSSESSIVE_EV = POSSESSIVE_OV.map((e) => `е${e.slice(1)}`);
/** Affectionate suffixes guardians add to short forms: Машка, Машенька, Сашуля, Настюша, Егорушка. */
const DIMINUTIVES = ["к", "ьк", "еньк", "ечк", "очк", "ул", "уш", "юш", "ун"].flatMap((s) =>
  ["а", "и", "е", "у", "ой", "ей"].map((e) => s + e),
);

/** All written forms of a listed name (normalized): cases, possessives, affectionate forms. */
export function declensions(entry: string): string[] {
  if (entry.endsWith("-")) return CASES_OBLIQUE.map((e) => entry.slice(0, -1) + e);
  const last = entry.slice(-1);
  const stem = entry.slice(0, -1);
  let forms: string[];
  if (last === "а") {
    const soft = /[гкхжшчщ]$/.test(stem);
    forms = [...(soft ? CASES_SOFT_A : CASES_HARD_A), ...POSSESSIVE_IN, ...DIMINUTIVES].map((e) => stem + e);
  } else if (last === "я") {
    forms = [...CASES_YA, ...POSSESSIVE_IN, ...DIMINUTIVES].map((e) => stem + e);
  } else if (last === "й") {
    forms = [...CASES_Y, ...POSSESSIVE_EV].map((e) => stem + e);
  } else if (last === "ь") {
    forms = [...CASES_SOFT_SIGN, ...POSSESSIVE_EV].map((e) => stem + e);
  } else {
    forms = [...CASES_CONSONANT, ...POSSESSIVE_OV, ...DIMINUTIVES].map((e) => entry + e);
  }
  return forms.filter((f) => f.length >= 3);
}

export interface NameFamily {
  /** The family's first name, normalized ("мария"): identifies the family. */
  key: string;
  /** Form -> needs a capital letter (the form is also a common word). */
  forms: Map<string, boolean>;
}

function buildFamily(line: string): NameFamily {
  const [russian, english = ""] = line.split("|");
  const entries = russian.trim().split(/\s+/);
  const forms = new Map<string, boolean>();
  const add = (form: string, needsCapital: boolean) => {
    if (!forms.has(form) || forms.get(form) === true) forms.set(form, needsCapital);
  };
  for (const raw of entries) {
    const needsCapital = raw.startsWith("!");
    const entry = raw.replace(/^!/, "");
    for (const form of declensions(entry)) add(form, needsCapital);
    if (!entry.endsWith("-")) for (const latin of transliterations(entry)) add(latin, false);
  }
  for (const latin of english.trim().split(/\s+/).filter(Boolean)) add(latin, false);
  return { key: entries[0].replace(/^!/, ""), forms };
}

let families: NameFamily[] | undefined;
let familyByForm: Map<string, NameFamily[]> | undefined;

function allFamilies(): NameFamily[] {
  if (!families) {
    families = NAME_FAMILIES.map(buildFamily);
    familyByForm = new Map();
    for (const family of families) {
      for (const form of family.forms.keys()) {
        const list = familyByForm.get(form) ?? [];
        list.push(family);
        familyByForm.set(form, list);
      }
    }
  }
  return families;
}

/** The family of a child's first name; a name we do not list gets a family of its own. */
export function familyOfName(firstName: string): NameFamily {
  const first = normalizeWord(firstName.trim().split(/\s+/)[0] ?? "");
  const known = allFamilies().find((f) => f.key === first || f.forms.has(first));
  return known ?? buildFamily(first);
}

export interface ChildNames {
  childId: string;
  family: NameFamily;
}

export function childNames(children: readonly { id: string; firstName: string }[]): ChildNames[] {
  return children.map((c) => ({ childId: c.id, family: familyOfName(c.firstName) }));
}

function formMatches(family: NameFamily, token: Token, typo: boolean): boolean {
  const needsCapital = family.forms.get(token.text);
  if (needsCapital !== undefined) return !needsCapital || token.capitalized;
  if (!typo || token.text.length < 5) return false;
  for (const [form, capital] of family.forms) {
    if (!capital && withinOneTypo(token.text, form)) return true;
  }
  return false;
}

/** Ids of the children whose name this word is (several when it is ambiguous, "Саша" for two). */
export function childrenNamedBy(token: Token, children: readonly ChildNames[], typo: boolean): string[] {
  if (token.kind !== "word") return [];
  return children.filter((c) => formMatches(c.family, token, typo)).map((c) => c.childId);
}

/** Is this word some first name (of any family), i.e. a child the guardian has no link to? */
export function isSomeFirstName(token: Token): boolean {
  if (token.kind !== "word") return false;
  allFamilies();
  const matches = familyByForm?.get(token.text) ?? [];
  return matches.some((family) => !family.forms.get(token.text) || token.capitalized);
}
