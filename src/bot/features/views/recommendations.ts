/** The latest teachers' recommendations for the child: their own and the ones for the whole class. */
import { formatInstant, shortNameOf } from "../../../domain/format";
import { latestRecommendations } from "../../../services/diary";
import { escapeHtml } from "./render";
import type { ViewDef } from "./types";

export const recommendationsView: ViewDef = {
  name: "recommendations",
  code: "r",
  async render(view, params) {
    const { scope, t } = view;
    const items = await latestRecommendations(scope, undefined, params.subjectId);
    if (items.length === 0) return { sections: [t("views:recommendations.none")] };
    return {
      sections: items.map((r) =>
        [
          t("views:recommendations.head", {
            date: escapeHtml(formatInstant(r.createdAt, scope.timezone, view.lang)),
            subject: escapeHtml(r.subjectName),
            teacher: escapeHtml(shortNameOf(r.teacherName)),
            audience: r.forClass ? t("views:recommendations.forClass", { className: escapeHtml(scope.className) }) : t("views:recommendations.personal"),
          }),
          escapeHtml(r.text),
        ].join("\n"),
      ),
    };
  },
};
