-- Article views: one row per article, visitor and day (UTC), so reloading a page is not another view.
CREATE TABLE article_views (
    lang    TEXT NOT NULL,
    slug    TEXT NOT NULL,
    visitor TEXT NOT NULL,
    day     TEXT NOT NULL DEFAULT (date('now')),
    PRIMARY KEY (lang, slug, visitor, day)
);
