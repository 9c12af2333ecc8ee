-- hand-written below
-- Stored addresses in the form normalizeEmail gives new ones (README, "Account lifecycle"), as
-- far as SQL can: NFKC, default-ignorable code points removed, lower case, no trailing dot. A
-- live row whose new form another live row already holds (or would hold) keeps its stored form,
-- so the unique index still holds; a domain that stays non-ASCII needs its IDNA form, which SQL
-- cannot compute: such rows are left as they are (an administrator re-saves the address).
WITH normalized AS (
  SELECT id, email, deleted_at, regexp_replace(lower(btrim(regexp_replace(normalize(email, NFKC),
      '[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFF8\U0001BCA0-\U0001BCA3\U0001D173-\U0001D17A\U000E0000-\U000E0FFF]',
      '', 'g'))), '\.+$', '') AS target
  FROM users
), movable AS (
  SELECT n.id, n.target FROM normalized n
  WHERE n.target <> n.email
    AND n.target !~ '@[^@]*[^\x01-\x7f]'
    AND (n.deleted_at IS NOT NULL OR NOT EXISTS (
      SELECT 1 FROM normalized o
      WHERE o.id <> n.id AND o.deleted_at IS NULL AND (lower(o.email) = n.target OR o.target = n.target)))
)
UPDATE users u SET email = m.target FROM movable m WHERE u.id = m.id;
