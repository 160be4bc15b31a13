// /admin: the help feedback report for admins, and its CSV export. To everyone else these addresses do
// not exist: they answer exactly like an unknown page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import type { HelpLibrary } from "../help/articles.ts";
import { utcDayOf } from "../help/feedback.ts";
import { sendPage } from "../http/render.ts";
import { ADMIN_PERIODS, adminPage } from "../views/admin-page.ts";
import { helpFeedbackCSV } from "./csv.ts";
import { buildHelpFeedbackReport } from "./report.ts";

/**
 * Throws NOT_FOUND unless an admin is signed in. Not 401 or 403: answering like any unknown address
 * does not tell anyone that an admin area exists, or that the signed-in account is not allowed in.
 */
function requireAdmin(request: FastifyRequest): void {
  if (!request.auth?.account.isAdmin) throw new AppError("NOT_FOUND", { detail: `${request.method} ${request.url}` });
}

const READ_METHODS = ["GET", "HEAD"];
const OTHER_METHODS = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/**
 * Other methods on an admin address answer like an unknown address too (the router would otherwise say
 * 405 and so reveal that the address exists); only admins learn that just GET is accepted.
 */
function refuseOtherMethods(request: FastifyRequest, reply: FastifyReply): never {
  requireAdmin(request);
  reply.header("allow", READ_METHODS.join(", "));
  throw new AppError("METHOD_NOT_ALLOWED", { detail: `${request.method} ${request.url}` });
}

/** ?days= as one of the offered periods, or null for all time. */
function periodDays(request: FastifyRequest): number | null {
  const raw = (request.query as Record<string, unknown>).days;
  const days = typeof raw === "string" ? Number(raw) : Number.NaN;
  return ADMIN_PERIODS.some((p) => p.days === days) ? days : null;
}

export function registerAdminRoutes(app: FastifyInstance, deps: Deps, library: HelpLibrary): void {
  for (const url of ["/admin", "/admin/feedback.csv"]) {
    app.route({ method: [...OTHER_METHODS], url, handler: async (request, reply) => refuseOtherMethods(request, reply) });
  }

  app.get("/admin", async (request, reply) => {
    requireAdmin(request);
    const days = periodDays(request);
    const report = await buildHelpFeedbackReport(deps, library, days ? { sinceDays: days } : {});
    return sendPage(request, reply, deps, { title: "Help feedback", body: adminPage(report, days), narrow: false });
  });

  app.get("/admin/feedback.csv", async (request, reply) => {
    requireAdmin(request);
    const csv = helpFeedbackCSV(await deps.stores.helpFeedback.listFeedback(), library);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="help-feedback-${utcDayOf(deps.clock.now())}.csv"`)
      .send(csv);
  });
}
