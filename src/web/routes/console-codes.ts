/**
 * Invite codes in the school's console (issue 13, admins): issue guardian codes for a class, a
 * guardian or student code for one student, a teacher's code; the clear codes leave the server only
 * in the answer to that POST — the slips' PDF (src/print/code-slips.ts, as the bot's /codes), their
 * CSV, or a page showing them once — and are stored hashed (src/services/codes.ts). The list shows
 * every code's state (active, used, revoked, expired) without the code; revoke one, or all unused of a class.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { Types } from "mongoose";
import { Student, Teacher } from "../../db/models";
import { inZone } from "../../domain/time";
import { codeSlipsCsv, codeSlipTexts, renderCodeSlips, type Slip } from "../../print/code-slips";
import { CODE_STATES, listCodes, revokeCodeById } from "../../services/code-list";
import { CodeRequestError, issueClassCodes, issueStudentCode, issueTeacherCode, revokeClassCodes, type IssuedCode } from "../../services/codes";
import { consoleClasses, consoleRequest, type ConsoleSchool } from "../console/access";
import { schoolHref } from "../console/pages";
import type { WebApp, WebFeature } from "../feature";
import { CODE_RESULTS, codesPage, issuedCodesPage } from "../views/console-codes";

type Params = { schoolId: string };
type Body = Record<string, string | undefined>;
const FORMATS = ["pdf", "csv", "screen"] as const;
const isId = (v: unknown): v is string => typeof v === "string" && /^[0-9a-f]{24}$/.test(v);
const oneOf = <T extends string>(list: readonly T[], v: unknown): T | undefined => ((list as readonly unknown[]).includes(v) ? (v as T) : undefined);

/** The codes' slips: a student's code names the student and class; a teacher's names the teacher. */
function slipsOf(codes: IssuedCode[], timezone: string, teacherName: string | null, staffWord: string): Slip[] {
  return codes.map((c) => ({
    studentName: c.studentName ?? teacherName ?? "", className: c.className ?? staffWord, code: c.code, expires: inZone(c.expiresAt, timezone).format("DD.MM.YYYY"),
  }));
}

export const consoleCodesFeature: WebFeature = {
  name: "console-codes",
  register(app, web: WebApp) {
    const back = (school: ConsoleSchool, query: string) => `${schoolHref(school._id, "codes")}?${query}`;

    app.get<{ Params: Params; Querystring: Record<string, string> }>("/school/:schoolId/codes", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const classes = await consoleClasses(at.school);
      const q = request.query;
      const schoolClass = classes.find((c) => String(c._id) === q.class) ?? null;
      const state = oneOf(CODE_STATES, q.state);
      const now = web.deps.now();
      const [codes, students, teachers] = await Promise.all([
        listCodes({ schoolId: at.school._id, now, classId: q.class === "staff" ? "staff" : schoolClass?._id, state }),
        schoolClass ? Student.find({ schoolId: at.school._id, classId: schoolClass._id, left: null }, { fullName: 1 }).sort({ fullName: 1 }).lean() : [],
        Teacher.find({ schoolId: at.school._id }, { fullName: 1 }).sort({ fullName: 1 }).lean(),
      ]);
      const { t } = request;
      const body = codesPage({ t, lang: request.lang }, {
        school: at.school, classes, classFilter: schoolClass ? String(schoolClass._id) : q.class === "staff" ? "staff" : "", state, codes,
        students: students.map((s) => ({ id: String(s._id), name: s.fullName })), teachers: teachers.map((x) => ({ id: String(x._id), name: x.fullName })),
        csrf: request.viewer!.session.csrfToken, done: oneOf(CODE_RESULTS, q.done), count: Number(q.n) || 0,
      });
      return web.page(request, reply, { title: t("console:codes.title"), body, active: "console-codes" });
    });

    app.post<{ Params: Params; Body: Body }>("/school/:schoolId/codes/issue", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const body = request.body ?? {};
      const now = web.deps.now();
      const format = oneOf(FORMATS, body.format) ?? "pdf";
      const common = { schoolId: at.school._id, pepper: web.deps.config.codePepper, now, issuedBy: at.scope.account._id };
      const refuse = (done: string) => reply.redirect(back(at.school, `done=${done}`), 303);
      let codes: IssuedCode[];
      let teacherName: string | null = null;
      let batch: string;
      try {
        if (body.kind === "class") {
          const schoolClass = (await consoleClasses(at.school)).find((c) => String(c._id) === body.classId);
          if (!schoolClass) return refuse("bad-request");
          codes = await issueClassCodes({ ...common, className: schoolClass.name });
          batch = schoolClass.name;
        } else if (body.kind === "student") {
          const role = oneOf(["guardian", "student"] as const, body.role);
          const student = isId(body.studentId) ? await Student.findOne({ _id: body.studentId, schoolId: at.school._id }, { externalId: 1 }).lean() : null;
          if (!student?.externalId || !role) return refuse("bad-request");
          codes = [await issueStudentCode({ ...common, studentExternalId: student.externalId, role })];
          batch = codes[0].className ?? "";
        } else if (body.kind === "teacher") {
          const teacher = isId(body.teacherId) ? await Teacher.findOne({ _id: body.teacherId, schoolId: at.school._id }, { externalId: 1, fullName: 1 }).lean() : null;
          if (!teacher) return refuse("bad-request");
          const label = body.label?.trim().slice(0, 100) || undefined;
          codes = [await issueTeacherCode({ ...common, teacherExternalId: teacher.externalId, label })];
          teacherName = teacher.fullName;
          batch = teacher.fullName;
        } else {
          return refuse("bad-request");
        }
      } catch (error) {
        if (!(error instanceof CodeRequestError)) throw error;
        return refuse(body.kind === "student" && body.role === "student" ? "student-needs-consent" : "refused");
      }
      if (!codes.length) return refuse("no-students");
      const revokedEarlier = codes.reduce((sum, c) => sum + (c.revokedEarlier ?? 0), 0);
      request.log.info({ schoolId: String(at.school._id), kind: body.kind, count: codes.length, revokedEarlier, format }, "invite codes issued in the console");
      return sendCodes(request, reply, { at: at.school, codes, format, teacherName, batch, revokedEarlier });
    });

    async function sendCodes(
      request: FastifyRequest, reply: FastifyReply,
      input: { at: ConsoleSchool; codes: IssuedCode[]; format: (typeof FORMATS)[number]; teacherName: string | null; batch: string; revokedEarlier: number },
    ) {
      const { t } = request;
      const slips = slipsOf(input.codes, input.at.timezone, input.teacherName, t("console:codes.staffSlip"));
      const file = (ext: string) => `attachment; filename="codes.${ext}"; filename*=UTF-8''${encodeURIComponent(`codes-${input.batch}.${ext}`)}`;
      if (input.format === "csv") {
        const csv = codeSlipsCsv(slips, [t("codes:csv.class"), t("codes:csv.student"), t("codes:csv.code"), t("codes:csv.expires")]);
        return reply.type("text/csv; charset=utf-8").header("content-disposition", file("csv")).send(csv);
      }
      if (input.format === "pdf") {
        const bot = (await web.deps.botUsername?.()) ?? null;
        const pdf = await renderCodeSlips({ schoolName: input.at.name, slips, title: t("codes:pdfTitle", { class: input.batch }), texts: codeSlipTexts(t, bot) });
        return reply.type("application/pdf").header("content-disposition", file("pdf")).send(pdf);
      }
      const body = issuedCodesPage({ t, lang: request.lang }, { school: input.at, slips, roles: input.codes.map((c) => c.role), revokedEarlier: input.revokedEarlier });
      return web.page(request, reply, { title: t("console:codes.issuedTitle"), body, active: "console-codes" });
    }

    app.post<{ Params: Params & { codeId: string }; Body: Body }>("/school/:schoolId/codes/:codeId/revoke", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const result = await revokeCodeById({ schoolId: at.school._id, codeId: request.params.codeId, now: web.deps.now() });
      if (result === "unknown") return web.notFound(request, reply);
      request.log.info({ schoolId: String(at.school._id), codeId: request.params.codeId, result }, "invite code revoked in the console");
      const keep = isId(request.body?.class) || request.body?.class === "staff" ? `&class=${request.body!.class}` : "";
      return reply.redirect(back(at.school, `done=${result}${keep}`), 303);
    });

    app.post<{ Params: Params; Body: Body }>("/school/:schoolId/codes/revoke-class", async (request, reply) => {
      const at = await consoleRequest(web, request, reply, { need: "admin" });
      if (!at) return reply;
      const schoolClass = (await consoleClasses(at.school)).find((c) => String(c._id) === request.body?.classId);
      if (!schoolClass) return reply.redirect(back(at.school, "done=bad-request"), 303);
      const count = await revokeClassCodes({ schoolId: at.school._id, className: schoolClass.name, now: web.deps.now() });
      request.log.info({ schoolId: String(at.school._id), classId: String(schoolClass._id), count }, "class codes revoked in the console");
      return reply.redirect(back(at.school, `done=revoked-class&n=${count}&class=${new Types.ObjectId(schoolClass._id)}`), 303);
    });
  },
};
