// Migration 0017: the language of each help answer and of each counted view, so feedback can be compared
// between translations. Rows from before languages existed were all about the English articles.
import { type Kysely, type Migration, sql } from "kysely";

export function helpLanguages(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable("help_feedback")
        .addColumn("locale", "text", (c) => c.notNull().defaultTo("en"))
        .execute();
      await db.schema.createIndex("help_feedback_locale_day").on("help_feedback").columns(["locale", "day"]).execute();

      // Views are counted per article, language and day. The language joins the primary key, which neither
      // dialect can change in place: the table is rebuilt with the old counts as English.
      await db.schema
        .createTable("help_article_views_by_locale")
        .addColumn("slug", "text", (c) => c.notNull())
        .addColumn("locale", "text", (c) => c.notNull())
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("views", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("help_article_views_locale_pk", ["slug", "locale", "day"])
        .execute();
      await sql`insert into help_article_views_by_locale (slug, locale, day, views) select slug, 'en', day, views from help_article_views`.execute(db);
      await db.schema.dropTable("help_article_views").execute();
      await db.schema.alterTable("help_article_views_by_locale").renameTo("help_article_views").execute();
      await db.schema.createIndex("help_article_views_day").on("help_article_views").column("day").execute();
    },
  };
}
