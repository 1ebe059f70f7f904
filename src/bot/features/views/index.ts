/**
 * The views as bot features: a command each (/grades ... /finals), the main menu's buttons (matched
 * in both languages with menuLabels), the views' inline buttons, the "more" menu and, last, free-text
 * questions. Views answer in private chats only: a group must never see a child's data.
 */
import { Composer } from "grammy";
import type { BotContext } from "../../context";
import type { BotFeature } from "../../feature";
import { menuLabels, type MenuButton } from "../../menu";
import { decodeViewCallback, VIEW_CALLBACK_RE } from "./callback-data";
import { finalsView } from "./finals";
import { forecastView } from "./forecast";
import { gradesView } from "./grades";
import { holidaysView } from "./holidays";
import { homeworkView } from "./homework";
import { moreFeature } from "./more";
import { questionsFeature } from "./questions";
import { recommendationsView } from "./recommendations";
import { scheduleView } from "./schedule";
import { showView } from "./show";
import { teachersView } from "./teachers";
import { testsView } from "./tests";
import type { ViewDef } from "./types";


export const VIEWS: readonly ViewDef[] = [gradesView, forecastView, homeworkView, scheduleView, testsView, teachersView, holidaysView, recommendationsView, finalsView];

const MENU_BUTTON_OF: Partial<Record<ViewDef["name"], MenuButton>> = { grades: "grades", homework: "homework", schedule: "schedule", forecast: "forecast" };

export function viewByName(name: string): ViewDef | undefined {
  return VIEWS.find((v) => v.name === name);
}

function viewFeature(view: ViewDef): BotFeature {
  const composer = new Composer<BotContext>();
  const privateChat = composer.chatType("private");
  privateChat.command(view.name, async (ctx) => {
    await showView(ctx, view);
  });
  const button = MENU_BUTTON_OF[view.name];
  if (button) {
    privateChat.on("message:text").filter(
      (ctx) => menuLabels(ctx.deps.i18n, button).includes(ctx.message.text),
      async (ctx) => {
        await showView(ctx, view);
      },
    );
  }
  return { name: `view-${view.name}`, composer, commands: [view.name] };
}

/** Every `v:` button: the child id in it is checked again; anything malformed is "out of date". */
function viewButtonsFeature(): BotFeature {
  const composer = new Composer<BotContext>();
  composer.callbackQuery(VIEW_CALLBACK_RE, async (ctx) => {
    const data = decodeViewCallback(ctx.callbackQuery.data);
    const view = data ? VIEWS.find((v) => v.code === data.code) : undefined;
    if (!data || !view || ctx.chat?.type !== "private") {
      await ctx.answerCallbackQuery({ text: ctx.t("errors.staleButton") });
      return;
    }
    const result = await showView(ctx, view, { studentId: data.studentId, params: { mode: data.mode, arg: data.arg }, edit: true });
    await ctx.answerCallbackQuery(result === "not-available" ? { text: ctx.t("views:access.not-available"), show_alert: true } : {});
  });
  return { name: "view-buttons", composer };
}

/** In order: the views, their buttons, "more", and free text last (it takes any text left). */
export function viewFeatures(): BotFeature[] {
  return [...VIEWS.map(viewFeature), viewButtonsFeature(), moreFeature(), questionsFeature(viewByName)];
}
