-- Aged balance as of day :d (days since 1970-01-01), written on the raw tables as a user would
-- (PostgreSQL 15; bench/ageing.sqlite.sql is the same query for SQLite). bench/run.sh sets :d and
-- compares the result with `vigie report ageing --format json`.
--
-- Default vertical allocation (see bench/par.sqlite.sql): with P the total counted payments of the
-- account as of D and cum_k the total due of its obligations 1..k, obligation k has
-- max(0, min(due_k, cum_k - P)) unpaid, aged by its own days overdue D - due_on: not due (0 or
-- less), 1-30, 31-60, 61-90, over 90. Loans and invoices alike; accounts not started (start_on after
-- D) and written off on or before D are left out; what is paid beyond everything due, max(0, P -
-- total due), is a credit balance, summed apart.
-- One row per currency: currency|total unpaid|credit|then accounts|obligations|amount for each
-- bucket not due, 1-30, 31-60, 61-90, over 90 (amounts in minor units).
WITH paid AS (
  SELECT account_id, sum(amount) AS p
  FROM payment
  WHERE paid_on <= :d AND (reversed_on IS NULL OR reversed_on > :d)
  GROUP BY account_id
),
acct AS (
  SELECT a.id, a.currency, coalesce(pd.p, 0) AS p
  FROM account a
  LEFT JOIN paid pd ON pd.account_id = a.id
  WHERE a.start_on <= :d AND (a.written_off_on IS NULL OR a.written_off_on > :d)
),
inst AS (
  SELECT o.account_id, o.due_on,
         o.principal + o.interest + o.fees + o.penalties AS due,
         sum(o.principal + o.interest + o.fees + o.penalties)
           OVER (PARTITION BY o.account_id ORDER BY o.seq) AS cum
  FROM obligation o
  JOIN acct a ON a.id = o.account_id
),
unpaid AS (
  SELECT a.currency, i.account_id,
         GREATEST(0, LEAST(i.due, i.cum - a.p)) AS amount,
         CASE WHEN :d - i.due_on <= 0 THEN 0
              WHEN :d - i.due_on <= 30 THEN 1
              WHEN :d - i.due_on <= 60 THEN 2
              WHEN :d - i.due_on <= 90 THEN 3
              ELSE 4 END AS bucket
  FROM inst i
  JOIN acct a ON a.id = i.account_id
),
per_account AS (
  SELECT currency, account_id, bucket, count(*) AS obligations, sum(amount) AS amount
  FROM unpaid
  WHERE amount > 0
  GROUP BY currency, account_id, bucket
),
credit AS (
  SELECT a.currency, sum(GREATEST(0, a.p - coalesce(t.due, 0))) AS credit
  FROM acct a
  LEFT JOIN (SELECT account_id, sum(principal + interest + fees + penalties) AS due
             FROM obligation GROUP BY account_id) t ON t.account_id = a.id
  GROUP BY a.currency
),
bucket AS (
  SELECT currency, bucket, count(*) AS accounts, sum(obligations) AS obligations, sum(amount) AS amount
  FROM per_account
  GROUP BY currency, bucket
),
cur AS (
  SELECT currency FROM bucket UNION SELECT currency FROM credit WHERE credit > 0
)
SELECT c.currency,
       coalesce((SELECT sum(amount) FROM bucket b WHERE b.currency = c.currency), 0),
       coalesce((SELECT credit FROM credit r WHERE r.currency = c.currency), 0),
       coalesce(max(CASE WHEN b.bucket = 0 THEN b.accounts END), 0),
       coalesce(max(CASE WHEN b.bucket = 0 THEN b.obligations END), 0),
       coalesce(max(CASE WHEN b.bucket = 0 THEN b.amount END), 0),
       coalesce(max(CASE WHEN b.bucket = 1 THEN b.accounts END), 0),
       coalesce(max(CASE WHEN b.bucket = 1 THEN b.obligations END), 0),
       coalesce(max(CASE WHEN b.bucket = 1 THEN b.amount END), 0),
       coalesce(max(CASE WHEN b.bucket = 2 THEN b.accounts END), 0),
       coalesce(max(CASE WHEN b.bucket = 2 THEN b.obligations END), 0),
       coalesce(max(CASE WHEN b.bucket = 2 THEN b.amount END), 0),
       coalesce(max(CASE WHEN b.bucket = 3 THEN b.accounts END), 0),
       coalesce(max(CASE WHEN b.bucket = 3 THEN b.obligations END), 0),
       coalesce(max(CASE WHEN b.bucket = 3 THEN b.amount END), 0),
       coalesce(max(CASE WHEN b.bucket = 4 THEN b.accounts END), 0),
       coalesce(max(CASE WHEN b.bucket = 4 THEN b.obligations END), 0),
       coalesce(max(CASE WHEN b.bucket = 4 THEN b.amount END), 0)
FROM cur c
LEFT JOIN bucket b ON b.currency = c.currency
GROUP BY c.currency
ORDER BY c.currency;
