/**
 * Names, abbreviations and school slang of subjects. Each entry lists the school subject names it
 * may mean, most likely first: the first one the school actually has wins ("матеша" is Математика,
 * or Алгебра where the school has no Математика). Names are compared normalized (lower case, ё -> е).
 * Subjects missing here are still found by the words of their own names (see subjects.ts).
 */

export interface SubjectAlias {
  targets: readonly string[];
  phrases: readonly string[];
}

const alias = (targets: string, phrases: string): SubjectAlias => ({
  targets: targets.split(",").map((t) => t.trim()),
  phrases: phrases.split(",").map((p) => p.trim()),
});

export const SUBJECT_ALIASES: readonly SubjectAlias[] = [
  alias("математика, алгебра", "математик*, матеш*, матан*, матем*, мат, math, maths, mathematics"),
  alias("алгебра, математика", "алгебр*, algebra"),
  alias("геометрия, математика", "геометри*, геом*, geometry"),
  alias(
    "физическая культура, физкультура",
    "физическ* культур*, физкультур*, физр*, физо, pe, gym, physical education, sport, sports, спорт*",
  ),
  alias("английский язык, иностранный язык", "английск*, английск* язык*, англ*, инглиш*, english"),
  alias("русский язык", "русск* язык*, русск*, русич*, рус, russian"),
  alias("литература, литературное чтение", "литератур*, литр*, лит, literature, lit"),
  alias("литературное чтение, литература", "литературн* чтени*, чтени*, reading"),
  alias("изобразительное искусство", "изобразительн* искусств*, изобразительн*, изо, рисовани*, art, arts, drawing"),
  alias(
    "основы безопасности и защиты родины, основы безопасности жизнедеятельности, обзр, обж",
    "основ* безопасност*, безопасност*, обж, обзр, life safety, obzh, obzr",
  ),
  alias("информатика", "информатик*, инф*, информатик* икт, computer science, informatics, computing, ict, cs"),
  alias("биология", "биологи*, биол*, био, biology, bio"),
  alias("химия", "хими*, химк*, chemistry, chem"),
  alias("физика", "физик*, physics"),
  alias("история", "истори*, ист, history"),
  alias("обществознание", "обществознани*, обществ*, общаг*, social studies, social science"),
  alias("география", "географи*, гео, геогр, geography, geo"),
  alias("музыка", "музык*, пени*, music"),
  alias("технология, труд (технология), труд", "технологи*, труд*, трудов*, technology, crafts, design and technology"),
  alias("окружающий мир", "окружающ* мир*, окружайк*, окружающ*, окр мир, nature studies, world around us"),
];

/** Words too common in subject names to stand for one subject on their own. */
export const GENERIC_SUBJECT_WORDS: ReadonlySet<string> = new Set([
  "язык",
  "мир",
  "культура",
  "искусство",
  "основы",
  "защиты",
  "родины",
  "чтение",
  "иностранный",
  "родной",
  "второй",
  "курс",
  "предмет",
  "практикум",
  "введение",
]);
