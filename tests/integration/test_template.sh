#!/bin/sh
# test_template.sh: `vigie template check` on the shipped templates and policies and on broken
# directories made here (unknown variable, missing template, long or UCS-2 SMS), and
# `vigie template render` (SMS with its encoding, email, missing values, fallback language, usage
# errors). No store is involved: the same run on either back-end.
. "$(dirname "$0")/lib.sh"
T="$ROOT/templates"
POL="$ROOT/policies"
t() { "$VIGIE" template "$@"; }

check "help" t --help
has_text "help lists check" "$WORK/out" "usage: vigie template check --templates DIR"
check "check --help" t check --help
check "render --help" t render --help
has_text "render help" "$WORK/out" "vigie template render NAME --templates DIR"
check_exit "unknown sub-command" 2 t frobnicate
check_exit "check without --templates" 2 t check
check_exit "unsupported language" 2 t check --templates "$T" --languages fr,de
has_line "language message" "$WORK/err" "vigie template check: --languages: expected fr or en, found \"de\""

# The shipped templates cover both shipped policies in both languages.
check "check shipped" t check --templates "$T" --policy "$POL/microfinance.yaml" --policy "$POL/trade-receivables-fr.yaml"
has_text "templates OK" "$WORK/out" "$T: "
has_line "microfinance covered" "$WORK/out" "$POL/microfinance.yaml: every template found in fr, en"
has_line "B2B covered" "$WORK/out" "$POL/trade-receivables-fr.yaml: every template found in fr, en"
eq "no warning on the shipped SMS" "$(cat "$WORK/err")" ""
check_exit "missing directory" 4 t check --templates "$WORK/nope"
check_exit "missing policy" 4 t check --templates "$T" --policy "$WORK/nope.yaml"

# A missing template is listed with the policy's line; --languages limits the check.
cp -R "$T" "$WORK/t"
rm "$WORK/t/en/relance_2.letter"
check_exit "missing template" 1 t check --templates "$WORK/t" --policy "$POL/trade-receivables-fr.yaml"
line=$(grep -n 'template: relance_2' "$POL/trade-receivables-fr.yaml" | head -n 1 | cut -d: -f1)
has_text "missing template line" "$WORK/err" "$POL/trade-receivables-fr.yaml:$line: segments[1].steps["
has_text "missing template named" "$WORK/err" "].template: expected $WORK/t/en/relance_2.letter, found no such template"
has_line "count" "$WORK/err" "$POL/trade-receivables-fr.yaml: 1 templates missing"
check "French only" t check --templates "$WORK/t" --policy "$POL/trade-receivables-fr.yaml" --languages fr

# Errors in templates: FILE:LINE, every one.
mkdir -p "$WORK/bad/fr" "$WORK/bad/en"
printf 'Bonjour {{client_name}},\nmontant {{montant}}\n' >"$WORK/bad/fr/x.sms"
printf 'Hello {{client_name\n' >"$WORK/bad/en/x.sms"
printf 'No subject\n\nbody\n' >"$WORK/bad/en/y.email"
check_exit "bad templates" 1 t check --templates "$WORK/bad"
has_text "unknown variable" "$WORK/err" "$WORK/bad/fr/x.sms:2: expected one of client_name, account_id,"
has_text "unknown variable found" "$WORK/err" "indemnity, found \"montant\""
has_line "unclosed" "$WORK/err" "$WORK/bad/en/x.sms:1: expected }} closing {{ on the same line, found the end of the line"
has_line "no subject" "$WORK/err" "$WORK/bad/en/y.email:1: expected \"Subject: ...\" on the first line of an email, found \"No subject\""

# SMS warnings: UCS-2 text and too many segments; they do not fail the check.
mkdir -p "$WORK/warn/fr"
printf 'Bonjour {{client_name}}, vous êtes en retard.\n' >"$WORK/warn/fr/ucs.sms"
printf '%s {{client_name}} {{amount_late}}\n' "$(printf 'a%.0s' $(seq 1 300))" >"$WORK/warn/fr/long.sms"
check "warnings only" t check --templates "$WORK/warn"
has_line "UCS-2 warning" "$WORK/err" "$WORK/warn/fr/ucs.sms:1: warning: U+00EA is not in the GSM-7 alphabet: the SMS is sent in UCS-2 (70 characters per segment instead of 160)"
has_line "segments warning" "$WORK/err" "$WORK/warn/fr/long.sms: warning: may need 3 SMS segments (more than 2): 348 septets with long values (docs/templates.md)"
check "higher limit" t check --templates "$WORK/warn" --max-sms-segments 3
eq "no segment warning under 3" "$(grep -c 'may need' "$WORK/err")" "0"

# Render an SMS: the text on standard output, its encoding and segments on standard error.
SMSVARS='--var client_name=Awa_Diop --var institution_name=Caisse --var currency=XOF --var due_amount=26000 --var due_date=2026-11-25 --var institution_phone=338000000'
check "render sms fr" t render reminder_before_due --templates "$T" --lang fr --channel sms $SMSVARS
eq "sms fr text" "$(cat "$WORK/out")" "Caisse: Bonjour Awa_Diop, votre échéance de 26 000 FCFA est à régler le 25/11/2026. Merci de votre ponctualité. Info: 338000000"
has_line "sms fr info" "$WORK/err" "sms: GSM-7, 127 septets, 1 segment"
check "render sms en" t render reminder_before_due --templates "$T" --lang en --channel sms $SMSVARS
eq "sms en text" "$(cat "$WORK/out")" "Caisse: Dear Awa_Diop, your installment of XOF 26,000 is due on 25 Nov 2026. Thank you for paying on time. Info: 338000000"

# Render an email: subject, blank line, body; euros with their decimals.
check "render email en" t render relance_1 --templates "$T" --lang en --channel email --var currency=EUR \
  --var invoice_number=F-17 --var invoice_date=2026-10-26 --var due_date=2026-11-25 --var amount_late=1234.56 \
  --var institution_name=Vigie --var institution_phone=0100000000
eq "subject" "$(sed -n 1p "$WORK/out")" "Subject: Invoice F-17 overdue since 25 Nov 2026"
eq "blank line" "$(sed -n 2p "$WORK/out")" ""
has_text "amount" "$WORK/out" "remains unpaid in the amount of €1,234.56."

# A value missing is an error naming the variables; nothing is printed.
check_exit "missing values" 1 t render reminder_before_due --templates "$T" --lang fr --channel sms --var client_name=A --var currency=XOF --var due_amount=1
has_line "missing named" "$WORK/err" "vigie template render: $T/fr/reminder_before_due.sms: no value for due_date, institution_name, institution_phone (give --var NAME=VALUE)"
eq "nothing printed" "$(cat "$WORK/out")" ""

# Fallback language, not found, bad values.
mkdir -p "$WORK/fb/fr"
printf 'Bonjour {{client_name}}\n' >"$WORK/fb/fr/only.letter"
check "fallback" t render only --templates "$WORK/fb" --lang en --fallback fr --channel letter --var client_name=Awa
eq "fallback text" "$(cat "$WORK/out")" "Bonjour Awa"
has_line "fallback note" "$WORK/err" "note: no en template only.letter, rendered the fr one"
check_exit "no fallback" 4 t render only --templates "$WORK/fb" --lang en --channel letter --var client_name=Awa
check_exit "XOF has no decimals" 2 t render reminder_before_due --templates "$T" --lang fr --channel sms --var currency=XOF --var due_amount=12.5
has_text "decimals message" "$WORK/err" "due_amount: expected an amount in XOF with at most 0 decimals, found \"12.5\""
check_exit "unknown variable" 2 t render reminder_before_due --templates "$T" --lang fr --channel sms --var montant=1
check_exit "bad channel" 2 t render reminder_before_due --templates "$T" --lang fr --channel fax

done_tests
