/**
 * A class's pages for its teachers (and the admins) in the school's console (issue 13): the
 * recommendations — written here through the bot's `postRecommendation` (the same scope rule as
 * /recommend: a subject the teacher teaches in the class), with whom each reached from its delivery
 * records — and the class's reports: the summary sheet of final grades and the curriculum
 * statistics of a period (src/services/reports, as /report and the CLI), on the page and as PDF/CSV.
 */
import { Types } from "mongoose";
import { Student } from "../../db/models";
import { schoolDay } from "../../domain/time";
import { QUEUES } from "../../queue/names";
import { classRecommendations, NotAllowedError, postRecommendation, RECOMMENDATION_MAX_LENGTH, teachingScope } from "../../services/recommendations";
import { reportData, reportFile } from "../../services/reports/report-files";
import { periodsOf, ReportInputError } from "../../services/reports/school-data";
import { consoleRequest, type ConsoleClass, type ConsoleSchool } from "../console/access";
import { classHref } from "../console/pages";
import type { WebApp, WebFeature } from "../feature";
import { classReportsPage, recommendationsPage, RECOMMENDATION_RESULTS } from "../views/console-teacher";

type ClassParams = { schoolId: string; classId: string };
const KINDS = ["finals", "curriculum"] as const;

/** What the viewer may address in this class: `<teacherId>:<subjectId>` per subject of theirs here (an admin without a teacher role: none). */
async function subjectsToAddress(school: ConsoleSchool, schoolClass: ConsoleClass, now: Date) {
  const out: Array<{ value: string; teacherId: Types.ObjectId; subjectId: Types.ObjectId; subject: string }> = [];
  for (const teacherId of school.teacherIds) {
    for (const s of await teachingScope(school._id, teacherId, now)) {
      if (s.classId.equals(schoolClass._id)) out.push({ value: `${teacherId}:${s.subjectId}`, teacherId, subjectId: s.subjectId, subject: s.subjectName });
    }
  }
  return out;
}

export const consoleTeacherFeature: WebFeature = {
  name: "console-teacher",
  register(app, web: WebApp) {
    const base = "/school/:schoolId/class/:classId";

    app.get<{ Params: ClassParams; Querystring: { done?: string } }>(`${base}/recommendations`, async (request, reply) => {
      const at = await consoleRequest(web, request, reply);
      if (!at) return reply;
      const schoolClass = at.schoolClass!;
      const [recommendations, subjects, students] = await Promise.all([
        classRecommendations(at.school._id, schoolClass._id),
        subjectsToAddress(at.school, schoolClass, web.deps.now()),
        Student.find({ schoolId: at.school._id, classId: schoolClass._id, left: null }, { fullName: 1 }).sort({ fullName: 1 }).lean(),
      ]);
      const { t } = request;
      const done = (RECOMMENDATION_RESULTS as readonly string[]).includes(request.query.done ?? "") ? (request.query.done as (typeof RECOMMENDATION_RESULTS)[number]) : undefined;
      const body = recommendationsPage({ t, lang: request.lang }, {
        school: at.school, schoolClass, recommendations, subjects: subjects.map((s) => ({ value: s.value, name: s.subject })),
        students: students.map((s) => ({ id: String(s._id), name: s.fullName })), csrf: request.viewer!.session.csrfToken, done, maxLength: RECOMMENDATION_MAX_LENGTH,
      });
      return web.page(request, reply, { title: t("console:teacher.recommendationsTitle", { name: schoolClass.name }), body, active: "console-recommendations" });
    });

    app.post<{ Params: ClassParams; Body: Record<string, string | undefined> }>(`${base}/recommendations`, async (request, reply) => {
      const at = await consoleRequest(web, request, reply);
      if (!at) return reply;
      const schoolClass = at.schoolClass!;
      const body = request.body ?? {};
      const back = (done: string) => reply.redirect(`${classHref(at.school._id, schoolClass._id, "recommendations")}?done=${done}`, 303);
      const now = web.deps.now();
      const chosen = (await subjectsToAddress(at.school, schoolClass, now)).find((s) => s.value === body.subject);
      // Not a teacher of this class's subject (an admin, a forged value): nothing to post as.
      if (!chosen) return web.notFound(request, reply);
      const text = (body.text ?? "").trim();
      if (!text || text.length > RECOMMENDATION_MAX_LENGTH) return back("bad-text");
      const studentId = body.student && /^[0-9a-f]{24}$/.test(body.student) ? new Types.ObjectId(body.student) : undefined;
      try {
        const posted = await postRecommendation(
          { schoolId: at.school._id, teacherId: chosen.teacherId, authorAccountId: at.scope.account._id, classId: schoolClass._id, subjectId: chosen.subjectId, ...(studentId ? { studentId } : {}), text, now },
          web.deps.queues?.queue(QUEUES.events),
        );
        request.log.info({ schoolId: String(at.school._id), recommendationId: String(posted.id) }, "recommendation posted from the console");
      } catch (error) {
        if (!(error instanceof NotAllowedError)) throw error;
        return back("not-allowed");
      }
      return back("posted");
    });

    app.get<{ Params: ClassParams; Querystring: { period?: string } }>(`${base}/reports`, async (request, reply) => {
      const at = await consoleRequest(web, request, reply);
      if (!at) return reply;
      const schoolClass = at.schoolClass!;
      const today = schoolDay(web.deps.now(), at.school.timezone);
      const periodId = request.query.period || undefined;
      try {
        const [finals, curriculum] = await Promise.all(KINDS.map((kind) => reportData({ kind, schoolId: at.school._id, schoolClass, periodId, today })));
        const periods = (await periodsOf(at.school._id)).map((p) => ({ id: p.externalId, name: p.name }));
        const { t } = request;
        const body = classReportsPage({ t, lang: request.lang }, { school: at.school, schoolClass, periods, finals, curriculum });
        return web.page(request, reply, { title: t("console:teacher.reportsTitle", { name: schoolClass.name }), body, active: "console-reports" });
      } catch (error) {
        if (!(error instanceof ReportInputError)) throw error;
        return web.notFound(request, reply);
      }
    });

    for (const kind of KINDS) {
      for (const format of ["pdf", "csv"] as const) {
        app.get<{ Params: ClassParams; Querystring: { period?: string } }>(`${base}/reports/${kind}.${format}`, async (request, reply) => {
          const at = await consoleRequest(web, request, reply);
          if (!at) return reply;
          const today = schoolDay(web.deps.now(), at.school.timezone);
          let data;
          try {
            data = await reportData({ kind, schoolId: at.school._id, schoolClass: at.schoolClass!, periodId: request.query.period || undefined, today });
          } catch (error) {
            if (!(error instanceof ReportInputError)) throw error;
            return web.notFound(request, reply);
          }
          const file = await reportFile(data, format, request.t, request.lang);
          const type = format === "pdf" ? "application/pdf" : "text/csv; charset=utf-8";
          return reply.type(type).header("content-disposition", `attachment; filename="${kind}.${format}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`).send(file.bytes);
        });
      }
    }
  },
};
