// Migration 0003: help article views per day and readers' answers to "Was this helpful?". One definition for both dialects.
import { type Kysely, type Migration, sql } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function helpFeedback(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Views are aggregated per article and day: no row per visit, so nothing about a visitor is kept.
      await db.schema
        .createTable("help_article_views")
        .addColumn("slug", "text", (c) => c.notNull())
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("views", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("help_article_views_pk", ["slug", "day"])
        .execute();
      await db.schema.createIndex("help_article_views_day").on("help_article_views").column("day").execute();
      // One answer per visitor and article: the primary key makes a second answer replace the first.
      await db.schema
        .createTable("help_feedback")
        .addColumn("slug", "text", (c) => c.notNull())
        .addColumn("visitor_id", "text", (c) => c.notNull())
        .addColumn("article_version", "text", (c) => c.notNull())
        .addColumn("helpful", t.bool, (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.check(sql`reason in ('confusing', 'didnt_answer', 'inaccurate', 'too_long', 'other')`))
        .addColumn("comment", "text")
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("answered_at", t.time, (c) => c.notNull())
        .addColumn("first_answered_at", t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint("help_feedback_pk", ["slug", "visitor_id"])
        .execute();
      await db.schema.createIndex("help_feedback_day").on("help_feedback").column("day").execute();
      await db.schema.createIndex("help_feedback_answered_at").on("help_feedback").column("answered_at").execute();
    },
  };
}
