// Help article views and readers' answers in SQL (Kysely): the same code serves SQLite and PostgreSQL.
// Both writes are single upserts (INSERT … ON CONFLICT DO UPDATE), so they are atomic on every dialect.
import type { Kysely, Selectable } from "kysely";
import { sql } from "kysely";
import type { HelpArticleFeedbackSummary, HelpFeedbackDay, HelpFeedbackReason, HelpFeedbackRecord, HelpFeedbackStore } from "../types.ts";
import type { Database, HelpFeedbackTable, SqlCodec } from "./schema.ts";

/** The UTC day of a moment, as YYYY-MM-DD. */
function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function createSqlHelpFeedbackStore(db: Kysely<Database>, codec: SqlCodec): HelpFeedbackStore {
  const toRecord = (row: Selectable<HelpFeedbackTable>): HelpFeedbackRecord => ({
    slug: row.slug,
    locale: row.locale,
    articleVersion: row.article_version,
    visitorId: row.visitor_id,
    helpful: codec.fromBool(row.helpful),
    reason: row.reason as HelpFeedbackReason | null,
    comment: row.comment,
    answeredAt: codec.date(row.answered_at),
    firstAnsweredAt: codec.date(row.first_answered_at),
  });

  return {
    async recordArticleView(slug, day, locale) {
      await db
        .insertInto("help_article_views")
        .values({ slug, locale, day, views: 1 })
        .onConflict((oc) => oc.columns(["slug", "locale", "day"]).doUpdateSet({ views: sql<number>`help_article_views.views + 1` }))
        .execute();
    },

    async saveFeedback(f) {
      const at = codec.time(f.at);
      await db
        .insertInto("help_feedback")
        .values({
          slug: f.slug,
          locale: f.locale,
          visitor_id: f.visitorId,
          article_version: f.articleVersion,
          helpful: codec.bool(f.helpful),
          reason: f.reason,
          comment: f.comment,
          day: utcDay(f.at),
          answered_at: at,
          first_answered_at: at,
        })
        // The earlier answer is replaced in the same statement; first_answered_at keeps its first value.
        .onConflict((oc) =>
          oc.columns(["slug", "visitor_id"]).doUpdateSet((eb) => ({
            locale: eb.ref("excluded.locale"),
            article_version: eb.ref("excluded.article_version"),
            helpful: eb.ref("excluded.helpful"),
            reason: eb.ref("excluded.reason"),
            comment: eb.ref("excluded.comment"),
            day: eb.ref("excluded.day"),
            answered_at: eb.ref("excluded.answered_at"),
          })),
        )
        .execute();
    },

    async getFeedback(slug, visitorId) {
      const row = await db.selectFrom("help_feedback").selectAll().where("slug", "=", slug).where("visitor_id", "=", visitorId).executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async summarizeFeedback(options = {}) {
      let views = db
        .selectFrom("help_article_views")
        .select((eb) => ["slug", "locale", eb.fn.sum<number | string>("views").as("views")])
        .groupBy(["slug", "locale"]);
      let answers = db
        .selectFrom("help_feedback")
        .select((eb) => [
          "slug",
          "locale",
          "article_version",
          "helpful",
          "reason",
          eb.fn.countAll<number | string>().as("answers"),
          eb.fn.max("answered_at").as("latest"),
        ])
        .groupBy(["slug", "locale", "article_version", "helpful", "reason"]);
      if (options.since) {
        views = views.where("day", ">=", utcDay(options.since));
        answers = answers.where("answered_at", ">=", codec.time(options.since));
      }
      if (options.locale !== undefined) {
        views = views.where("locale", "=", options.locale);
        answers = answers.where("locale", "=", options.locale);
      }
      const [viewRows, answerRows] = await Promise.all([views.execute(), answers.execute()]);

      const bySlug = new Map<string, HelpArticleFeedbackSummary & { latestByVersion: Map<string, number> }>();
      const entry = (slug: string) => {
        let found = bySlug.get(slug);
        if (!found) {
          found = { slug, views: 0, yes: 0, no: 0, reasons: {}, versions: [], locales: [], latestByVersion: new Map() };
          bySlug.set(slug, found);
        }
        return found;
      };
      const localeOf = (summary: HelpArticleFeedbackSummary, locale: string) => {
        let found = summary.locales.find((l) => l.locale === locale);
        if (!found) {
          found = { locale, views: 0, yes: 0, no: 0 };
          summary.locales.push(found);
        }
        return found;
      };
      for (const row of viewRows) {
        const summary = entry(row.slug);
        summary.views += Number(row.views);
        localeOf(summary, row.locale).views += Number(row.views);
      }
      for (const row of answerRows) {
        const summary = entry(row.slug);
        const count = Number(row.answers);
        const helpful = codec.fromBool(row.helpful);
        if (helpful) summary.yes += count;
        else summary.no += count;
        if (helpful) localeOf(summary, row.locale).yes += count;
        else localeOf(summary, row.locale).no += count;
        if (!helpful && row.reason !== null) {
          const reason = row.reason as HelpFeedbackReason;
          summary.reasons[reason] = (summary.reasons[reason] ?? 0) + count;
        }
        let version = summary.versions.find((v) => v.version === row.article_version);
        if (!version) {
          version = { version: row.article_version, yes: 0, no: 0 };
          summary.versions.push(version);
        }
        if (helpful) version.yes += count;
        else version.no += count;
        const latest = codec.date(row.latest as number | Date).getTime();
        summary.latestByVersion.set(row.article_version, Math.max(latest, summary.latestByVersion.get(row.article_version) ?? 0));
      }
      return [...bySlug.values()].map(({ latestByVersion, ...summary }) => ({
        ...summary,
        locales: summary.locales.sort((a, b) => (a.locale < b.locale ? -1 : a.locale > b.locale ? 1 : 0)),
        versions: summary.versions.sort(
          (a, b) => (latestByVersion.get(b.version) ?? 0) - (latestByVersion.get(a.version) ?? 0) || (a.version < b.version ? -1 : 1),
        ),
      }));
    },

    async feedbackTrend(options) {
      const since = utcDay(options.since);
      let views = db
        .selectFrom("help_article_views")
        .select((eb) => ["day", eb.fn.sum<number | string>("views").as("views")])
        .where("day", ">=", since)
        .groupBy("day");
      let answers = db
        .selectFrom("help_feedback")
        .select((eb) => ["day", "helpful", eb.fn.countAll<number | string>().as("answers")])
        .where("day", ">=", since)
        .groupBy(["day", "helpful"]);
      if (options.slug !== undefined) {
        views = views.where("slug", "=", options.slug);
        answers = answers.where("slug", "=", options.slug);
      }
      if (options.locale !== undefined) {
        views = views.where("locale", "=", options.locale);
        answers = answers.where("locale", "=", options.locale);
      }
      const [viewRows, answerRows] = await Promise.all([views.execute(), answers.execute()]);
      const byDay = new Map<string, HelpFeedbackDay>();
      const entry = (day: string) => {
        let found = byDay.get(day);
        if (!found) {
          found = { day, views: 0, yes: 0, no: 0 };
          byDay.set(day, found);
        }
        return found;
      };
      for (const row of viewRows) entry(row.day).views += Number(row.views);
      for (const row of answerRows) {
        if (codec.fromBool(row.helpful)) entry(row.day).yes += Number(row.answers);
        else entry(row.day).no += Number(row.answers);
      }
      return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    },

    async latestComments(options) {
      let query = db
        .selectFrom("help_feedback")
        .selectAll()
        .where("comment", "is not", null)
        .orderBy("answered_at", "desc")
        .orderBy("slug")
        .orderBy("visitor_id")
        .limit(Math.max(0, Math.floor(options.limit)));
      if (options.slug !== undefined) query = query.where("slug", "=", options.slug);
      if (options.locale !== undefined) query = query.where("locale", "=", options.locale);
      return (await query.execute()).map(toRecord);
    },

    async listFeedback(options = {}) {
      let query = db.selectFrom("help_feedback").selectAll();
      const after = options.after;
      if (after) {
        query = query.where((eb) =>
          eb(eb.refTuple("answered_at", "slug", "visitor_id"), ">", eb.tuple(codec.time(after.answeredAt), after.slug, after.visitorId)),
        );
      }
      query = query.orderBy("answered_at").orderBy("slug").orderBy("visitor_id");
      if (options.limit !== undefined) query = query.limit(Math.max(0, Math.floor(options.limit)));
      return (await query.execute()).map(toRecord);
    },
  };
}
