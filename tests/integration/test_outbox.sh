#!/bin/sh
# test_outbox.sh: rendering the daily run's messages into the outbox (vigie outbox render / outbox /
# settings), on the fixture portfolio with a small policy (sms+email reminders, a first-late
# message, a four-eyes formal notice letter, a payment-plan letter):
# - settings: admins only, checked values, audited;
# - a French SMS for a French client and an English email for an English client, byte for byte;
# - failed renders stored and reported with their reason (no phone, no email, a missing value);
# - rendering again adds nothing; --retry-failed renders the failed ones again once fixed.
# Until the lead renames it, the command is `vigie outbox2`; the test uses `outbox` once it renders.
. "$(dirname "$0")/lib.sh"
TPL="$ROOT/templates"
OB=outbox2
"$VIGIE" outbox2 --help >/dev/null 2>&1 || OB=outbox

cat >"$WORK/pol.yaml" <<'YAML'
name: outbox-test
version: 1
segments:
  - name: all
    steps:
      - {id: before-3, event: due_date, offset: -3, action: message, channels: [sms, email], template: reminder_before_due}
      - {id: late-1, event: dpd, offset: 1, action: message, channels: [sms, email], template: first_late}
      - {id: notice-30, event: dpd, offset: 30, action: formal_notice, template: formal_notice, four_eyes: true}
      - {id: plan-45, event: dpd, offset: 45, action: message, channels: [letter], template: payment_plan_proposal}
YAML
# C3 (the bakery, invoices I1 I2 and loan L3) becomes an English-speaking client
printf 'client_id,name,branch,officer,phone,email,language\nC3,Martin Bakery Ltd,Paris,O3,,accounts@martin.example,en\n' >"$WORK/c3.csv"

new_db ob || exit 1
check "init" v init
for k in clients loans schedules invoices payments; do check "import $k" v import $k "$FIX/$k.csv"; done
check "C3 in English" v import clients "$WORK/c3.csv"
check "admin" v user add admin --role admin --on 2024-01-01
check "officer O1" v user add O1 --role agent --display "Fatou Sall" --phone "+221 77 100 00 01" --as admin --on 2024-01-01
check "officer O3" v user add O3 --role agent --display "Jean Dupont" --phone "+33 1 23 45 67 89" --as admin --on 2024-01-01

# --- settings ----------------------------------------------------------------------------------------
check "set institution_name" v settings set institution_name "Caisse Vigie" --as admin --on 2024-01-01
check "set institution_phone" v settings set institution_phone "+221 33 800 00 00" --as admin --on 2024-01-01
check_exit "an agent may not" 1 v settings set institution_name X --as O3 --on 2024-01-01
has_text "says why" "$WORK/err" "O3 (agent) may not change the settings (admins only)"
check_exit "a bad language" 1 v settings set default_language de --as admin --on 2024-01-01
has_text "expected fr or en" "$WORK/err" "default_language: expected fr or en, found \"de\""
check_exit "no --on" 2 v settings set limit_mode strict --as admin
check "a free key" v settings set limit_mode strict --as admin --on 2024-01-02
check "same value again" v settings set limit_mode strict --as admin --on 2024-01-03
has_line "unchanged" "$WORK/out" "limit_mode unchanged"
check "settings list" v settings list --format csv
has_line "name set" "$WORK/out" "institution_name,Caisse Vigie,set,2024-01-01,admin"
has_line "language by default" "$WORK/out" "default_language,fr,default,,"
has_line "free key listed" "$WORK/out" "limit_mode,strict,set,2024-01-02,admin"
check "settings get" v settings get recovery_indemnity
has_line "the indemnity default" "$WORK/out" "40.00 EUR"
check_exit "get of a key never set" 4 v settings get institution_email
check "audit" v audit list --as admin --format csv
eq "three settings.set entries" "$(grep -c ',settings.set,setting:' "$WORK/out")" "3"
has_text "with the previous value" "$WORK/out" 'setting:institution_name,"{""value"":""Caisse Vigie"",""previous"":null}"'

# --- run, render ------------------------------------------------------------------------------------
check "first run" v run --policy "$WORK/pol.yaml" --as-of 2024-01-01
check "run to June" v run --policy "$WORK/pol.yaml" --as-of 2024-06-30
check_exit "render without templates" 2 v $OB render --as-of 2024-06-30
check_exit "render from a missing directory" 4 v $OB render --templates "$WORK/none" --as-of 2024-06-30
check "render" v $OB render --templates "$TPL" --as-of 2024-06-30
cp "$WORK/out" "$WORK/render.out"
has_line "counts" "$WORK/render.out" "24 decisions rendered: 16 messages queued, 4 held for approval, 20 failed to render"
has_line "no phone, with its reason" "$WORK/render.out" "failed: 2024-02-10 I1 decision 3 first_late sms: no recipient: client C3 has no phone"
has_line "a missing value, with its reason" "$WORK/render.out" "failed: 2024-03-25 I1 decision 11 payment_plan_proposal letter: missing values: next_due_date"
has_line "two reasons at once" "$WORK/render.out" "failed: 2024-03-16 L2 decision 10 first_late email: missing values: officer_phone; no recipient: client C2 has no email"

check "list as json" v $OB --format json
cp "$WORK/out" "$WORK/list.json"
jql() { jq -r "$1" "$WORK/list.json"; }
eq "40 messages" "$(jql '.count')" "40"
eq "French SMS of L1 (French client) on its first day late" \
  "$(jql '.messages[] | select(.account_id == "L1" and .template == "first_late" and .channel == "sms") | "\(.language)|\(.recipient)|\(.status)|\(.sms_encoding)|\(.sms_segments)|\(.body)"')" \
  "fr|+221770000001|queued|GSM-7|1|Caisse Vigie: Awa Diop, sauf erreur, votre échéance du 31/03/2024 reste impayée: 41 500 FCFA. Merci de régulariser rapidement. Info: +221 33 800 00 00"
jql '.messages[] | select(.account_id == "I1" and .template == "first_late" and .channel == "email") | .body' >"$WORK/email.got"
cat >"$WORK/email.want" <<'TXT'
Dear Martin Bakery Ltd,

According to our records, the installment due on 9 Feb 2024 on your account I1 has not been paid in full. The overdue amount is €1,200.50.

Please settle it as soon as possible. If your payment is already on its way, please disregard this message.

If you have any question, please contact Jean Dupont (+33 1 23 45 67 89).

Kind regards,

Caisse Vigie
+221 33 800 00 00
TXT
check "English email of I1 (English client), body" diff "$WORK/email.want" "$WORK/email.got"
eq "English email of I1, header" \
  "$(jql '.messages[] | select(.account_id == "I1" and .template == "first_late" and .channel == "email") | "\(.language)|\(.recipient)|\(.subject)"')" \
  "en|accounts@martin.example|Unpaid installment of 9 Feb 2024 - account I1"
eq "the formal notice of L1: a French letter held for approval" \
  "$(jql '.messages[] | select(.account_id == "L1" and .template == "formal_notice") | "\(.channel)|\(.language)|\(.status)|\(.recipient)"')" \
  "letter|fr|held|Awa Diop, Dakar"
eq "no failed render without a reason" "$(jql '[.messages[] | select(.status == "failed_render" and .error == "")] | length')" "0"
eq "no queued message with an empty body" "$(jql '[.messages[] | select(.status != "failed_render" and .body == "")] | length')" "0"

check "filters" v $OB --status failed_render --channel sms --as-of 2024-03-01 --format csv
eq "failed SMS up to March 1st" "$(tail -n +2 "$WORK/out" | grep -c 'no recipient: client C3 has no phone')" "4"
check "table" v $OB --as-of 2024-02-10
has_line "table count" "$WORK/out" "6 messages"
id=$(v $OB --format json | jq -r '.messages[] | select(.account_id == "L1" and .template == "first_late" and .channel == "sms") | .id')
check "show" v $OB --show "$id"
has_line "show: encoding" "$WORK/out" "sms: GSM-7, 150 septets, 1 segment"
has_line "show: body" "$WORK/out" "Caisse Vigie: Awa Diop, sauf erreur, votre échéance du 31/03/2024 reste impayée: 41 500 FCFA. Merci de régulariser rapidement. Info: +221 33 800 00 00"
check_exit "show of an unknown message" 4 v $OB --show 9999
check_exit "a bad status" 2 v $OB --status lost
check_exit "a bad channel" 2 v $OB --channel fax

# --- idempotence, retry ---------------------------------------------------------------------------
v $OB --format csv >"$WORK/before.csv"
check "render again" v $OB render --templates "$TPL" --as-of 2024-06-30
has_line "nothing new" "$WORK/out" "0 decisions rendered: 0 messages queued, 0 held for approval, 0 failed to render"
v $OB --format csv >"$WORK/after.csv"
check "same rows" diff "$WORK/before.csv" "$WORK/after.csv"
check "L2's officer becomes a user with a phone" v user add O2 --role agent --display "Moussa Fall" --phone "+221 77 200" --as admin --on 2024-06-30
check "retry the failed" v $OB render --templates "$TPL" --as-of 2024-06-30 --retry-failed
# each retried SMS or email decision keeps its other, rendered channel: "already stored"
has_line "retry counts" "$WORK/out" "20 decisions rendered: 0 messages queued, 0 held for approval, 20 failed to render, 16 already stored"
has_text "L2's email now fails only for want of an address" "$WORK/out" "failed: 2024-03-16 L2 decision 10 first_late email: no recipient: client C2 has no email"
check "list after retry" v $OB --format json
eq "still 40 messages, none twice" "$(jqv '[.messages[] | "\(.decision_id)|\(.channel)"] | unique | length')" "40"

done_tests
