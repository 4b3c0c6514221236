-- Portfolio at risk as of day :d (days since 1970-01-01), written on the raw tables as a user would
-- (SQLite 3.40; bench/par.pg.sql is the same query for PostgreSQL). bench/run.sh sets :d and
-- compares the result with `vigie report par --format json`.
--
-- Default vertical allocation (oldest installment first; within it penalties, fees, interest,
-- principal): a loan's state as of D depends only on P, the total of its payments counted as of D
-- (paid on or before D, not reversed on or before D). With cum_k the total due of installments 1..k:
--   installment k is fully paid iff P >= cum_k;
--   its unpaid principal is max(0, min(principal_k, cum_k - P));
--   the loan is closed iff every installment is paid, days past due = D - due date of the oldest
--   unpaid installment when that date is before D, else 0.
-- Active loans: disbursed on or before D, not written off on or before D, not closed.
-- One row per currency: currency|loans|gross outstanding|then loans|outstanding for each bucket
-- current, 1-30, 31-60, 61-90, 91-180, over 180 (amounts in minor units).
WITH paid AS (
  SELECT account_id, sum(amount) AS p
  FROM payment
  WHERE paid_on <= :d AND (reversed_on IS NULL OR reversed_on > :d)
  GROUP BY account_id
),
inst AS (
  SELECT o.account_id, o.due_on, o.principal,
         sum(o.principal + o.interest + o.fees + o.penalties)
           OVER (PARTITION BY o.account_id ORDER BY o.seq) AS cum
  FROM obligation o
  JOIN account a ON a.id = o.account_id
  WHERE a.kind = 0 AND a.start_on <= :d
    AND (a.written_off_on IS NULL OR a.written_off_on > :d)
),
loan AS (
  SELECT i.account_id,
         sum(max(0, min(i.principal, i.cum - coalesce(pd.p, 0)))) AS outstanding,
         min(CASE WHEN coalesce(pd.p, 0) < i.cum THEN i.due_on END) AS oldest_unpaid
  FROM inst i
  LEFT JOIN paid pd ON pd.account_id = i.account_id
  GROUP BY i.account_id
),
active AS (
  SELECT a.currency, l.outstanding,
         CASE WHEN l.oldest_unpaid < :d THEN :d - l.oldest_unpaid ELSE 0 END AS dpd
  FROM loan l
  JOIN account a ON a.id = l.account_id
  WHERE l.oldest_unpaid IS NOT NULL
)
SELECT currency, count(*), sum(outstanding),
       sum(dpd = 0),               sum(CASE WHEN dpd = 0 THEN outstanding ELSE 0 END),
       sum(dpd BETWEEN 1 AND 30),  sum(CASE WHEN dpd BETWEEN 1 AND 30 THEN outstanding ELSE 0 END),
       sum(dpd BETWEEN 31 AND 60), sum(CASE WHEN dpd BETWEEN 31 AND 60 THEN outstanding ELSE 0 END),
       sum(dpd BETWEEN 61 AND 90), sum(CASE WHEN dpd BETWEEN 61 AND 90 THEN outstanding ELSE 0 END),
       sum(dpd BETWEEN 91 AND 180), sum(CASE WHEN dpd BETWEEN 91 AND 180 THEN outstanding ELSE 0 END),
       sum(dpd > 180),             sum(CASE WHEN dpd > 180 THEN outstanding ELSE 0 END)
FROM active
GROUP BY currency
ORDER BY currency;
