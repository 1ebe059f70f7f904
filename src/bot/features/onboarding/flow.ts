/**
 * The onboarding dialog, one function for three entries:
 * - "start" (/start): greeting; a returning user is asked again where their consent is not in force
 *   and gets the menu; a new user gets the consent of the only school and then the code, or (several
 *   schools) the code first and then the consent of the code's school;
 * - "link" (/link): the code step only (it asks a school's consent when a guardian code needs it);
 * - "reconsent" (the consent gate): the schools whose consent text changed, then the menu.
 */
import { InlineKeyboard } from "grammy";
import { Types } from "mongoose";
import { GuardianLink, type AccountDocument } from "../../../db/models";
import { accessibleChildren, consentState, type ConsentState } from "../../../services/access";
import { listSchools } from "../../../services/consent";
import { contactsOf } from "../../../services/contacts";
import type { BotDeps } from "../../context";
import { dialogT, type Dialog, type DialogContext } from "../../dialog";
import { mainMenu } from "../../menu";
import { askCodeAndLink } from "./code-step";
import { askConsent, type ConsentOutcome, type ConsentReason } from "./consent-step";

export type OnboardingMode = "start" | "link" | "reconsent";

/** The conversation id of the onboarding dialog. */
export const ONBOARDING_DIALOG = "onboarding";

export interface Plan {
  schools: number;
  /** The only school of the deployment and the account's consent state there. */
  onlySchool?: { id: string; state: ConsentState };
  /** Schools the account has children in, with the consent state. */
  linked: Array<{ schoolId: string; state: ConsentState }>;
  hasRoles: boolean;
}

export async function planFor(account: AccountDocument): Promise<Plan> {
  const schools = await listSchools();
  const links = await GuardianLink.find({ accountId: account._id }, { schoolId: 1 }).lean();
  const linkedIds = [...new Map(links.map((l) => [String(l.schoolId), l.schoolId])).values()];
  const linked = [];
  for (const schoolId of linkedIds) linked.push({ schoolId: String(schoolId), state: await consentState(account._id, schoolId) });
  const plan: Plan = { schools: schools.length, linked, hasRoles: account.roles.length > 0 };
  if (schools.length === 1) {
    const id = schools[0].id;
    plan.onlySchool = { id, state: linked.find((l) => l.schoolId === id)?.state ?? (await consentState(account._id, new Types.ObjectId(id))) };
  }
  return plan;
}

export function reasonFor(state: ConsentState): ConsentReason {
  return state === "outdated" ? "changed" : state === "none" ? "first" : "again";
}

export function onboardingDialog(deps: BotDeps) {
  return async function onboarding(dialog: Dialog, ctx: DialogContext, mode: OnboardingMode = "start"): Promise<void> {
    const t = await dialogT(dialog, deps);
    if (mode === "start") await ctx.reply(t("onboarding:greeting"), { parse_mode: "HTML" });
    const plan = await dialog.external((outer) => planFor(outer.account!));
    if (!plan.schools) {
      await ctx.reply(t("onboarding:noSchools"));
      return;
    }

    if (mode !== "link" && (plan.linked.length || plan.hasRoles || mode === "reconsent")) {
      const pending = plan.linked.filter((s) => (mode === "start" ? s.state !== "granted" : s.state === "outdated"));
      const outcomes: ConsentOutcome[] = [];
      for (const school of pending) outcomes.push(await askConsent(dialog, deps, ctx, school.schoolId, reasonFor(school.state)));
      const children = await dialog.external(async (outer) => (await accessibleChildren(outer.account)).length);
      const tNow = await dialogT(dialog, deps);
      if (children) await ctx.reply(tNow("onboarding:welcome.back", { count: children }), { parse_mode: "HTML", reply_markup: mainMenu(tNow) });
      // A parent on paper by their own choice is offered the way back to the bot.
      const paperFirst = children ? await dialog.external(async (outer) => (await contactsOf(outer.account!)).channelOrder[0] === "paper") : false;
      if (paperFirst) await ctx.reply(tNow("settings:channels.paperNow"), { reply_markup: new InlineKeyboard().text(tNow("settings:channels.toElectronic"), "ch:electronic") });
      else if (!children && !outcomes.includes("declined")) await ctx.reply(tNow("onboarding:welcome.backNoChildren"), { parse_mode: "HTML" });
      return;
    }

    if (mode === "start" && plan.onlySchool && plan.onlySchool.state !== "granted") {
      const outcome = await askConsent(dialog, deps, ctx, plan.onlySchool.id, reasonFor(plan.onlySchool.state));
      if (outcome !== "granted") return;
    }
    await askCodeAndLink(dialog, deps, ctx);
  };
}
