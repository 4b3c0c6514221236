#!/bin/sh
# test_users.sh: `vigie user` and `vigie audit` on the real binary.
# - bootstrap: the first user must be an admin, created without --as; after it, --as is required;
# - only an admin manages users (an agent, a supervisor, an auditor are refused, nothing written);
#   a user may change their own password; the last active admin cannot be disabled or demoted;
# - user check: exit 0 on the right password, 1 on a wrong one, an unknown or a disabled user;
# - passwords never appear in the output, the audit log or the store in clear;
# - every change is one audit entry (user.add, user.set, user.passwd) with its actor and day;
# - audit verify: intact, then (after dropping the trigger through a direct connection and editing
#   an entry) broken at that entry's seq; UPDATE and DELETE are refused while the trigger is there.
. "$(dirname "$0")/lib.sh"

# sql STATEMENTS: runs SQL on the store through a direct connection (not vigie).
sql() {
  if [ "$BACKEND" = postgres ]; then
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
  else
    sqlite3 "$DB" "$1"
  fi
}

new_db users || exit 1
check "init" v init
printf 'S3cret-r00t\n' >"$WORK/root.pw"
printf 'awa-pass\r\n' >"$WORK/awa.pw"
printf 'wrong\n' >"$WORK/bad.pw"

check_exit "the first user must be an admin" 1 v user add awa --role agent --on 2024-05-20
has_text "says so" "$WORK/err" "the first user of a store must be an admin"
check_exit "bootstrap refuses another --as" 1 v user add root --role admin --on 2024-05-20 --as ghost
check_exit "--on is required" 2 v user add root --role admin
check_exit "bad role" 2 v user add root --role boss --on 2024-05-20
check_exit "bad name" 2 v user add "ro ot" --role admin --on 2024-05-20
check "bootstrap admin, without --as" v user add root --role admin --on 2024-05-20 --password-file "$WORK/root.pw"
check_exit "now --as is required" 2 env -u VIGIE_USER "$VIGIE" --db "$DB" user add awa --role agent --on 2024-05-20
check_exit "an unknown actor is refused" 1 v user add awa --role agent --on 2024-05-20 --as ghost
check "admin adds an agent" v user add awa --role agent --branch Dakar --display "Awa Diop" --phone +221770000001 \
  --email awa@example.sn --language fr --on 2024-05-20 --as root --password-file "$WORK/awa.pw"
check "admin adds a supervisor (\$VIGIE_USER)" env VIGIE_USER=root "$VIGIE" --db "$DB" user add sy --role supervisor \
  --branch Dakar --on 2024-05-20
check "admin adds an auditor (\$VIGIE_PASSWORD)" env VIGIE_PASSWORD=audit-pass "$VIGIE" --db "$DB" user add au \
  --role auditor --on 2024-05-20 --as root
check_exit "a user exists only once" 1 v user add awa --role agent --on 2024-05-20 --as root
check_exit "an agent may not add users" 1 v user add x --role agent --on 2024-05-21 --as awa
check_exit "a supervisor may not either" 1 v user add x --role agent --on 2024-05-21 --as sy
check_exit "nor an auditor" 1 v user add x --role agent --on 2024-05-21 --as au
check_exit "nor change one" 1 v user set awa --role manager --on 2024-05-21 --as sy
check_exit "set of an unknown user" 4 v user set nobody --role agent --on 2024-05-21 --as root
check_exit "bad --active" 2 v user set awa --active maybe --on 2024-05-21 --as root
check_exit "bad --language" 2 v user set awa --language de --on 2024-05-21 --as root

check "list as an auditor" v user list --as au --format csv
has_line "csv header" "$WORK/out" "name,display,role,branch,phone,email,language,active"
has_line "the agent" "$WORK/out" "awa,Awa Diop,agent,Dakar,+221770000001,awa@example.sn,fr,yes"
has_line "the admin" "$WORK/out" "root,,admin,,,,,yes"
check_exit "an agent may not list users" 1 v user list --as awa
check "list json" v user list --as root --format json
eq "four users" "$(jqv '.users | length')" 4
eq "sorted by name" "$(jqv '[.users[].name] | join(",")')" "au,awa,root,sy"

check "right password" v user check root --password-file "$WORK/root.pw"
check "CRLF line end is not part of the password" v user check awa --password-file "$WORK/awa.pw"
check_exit "wrong password" 1 v user check root --password-file "$WORK/bad.pw"
check_exit "unknown user" 1 v user check nobody --password-file "$WORK/root.pw"
check_exit "a user without a password" 1 env VIGIE_PASSWORD=x "$VIGIE" --db "$DB" user check sy
check "password from \$VIGIE_PASSWORD" env VIGIE_PASSWORD=audit-pass "$VIGIE" --db "$DB" user check au
check_exit "a missing password file" 3 v user check root --password-file "$WORK/none.pw"

check "awa changes her own password" env VIGIE_PASSWORD=new-awa "$VIGIE" --db "$DB" user passwd awa --on 2024-05-22 --as awa
check "the new one matches" env VIGIE_PASSWORD=new-awa "$VIGIE" --db "$DB" user check awa
check_exit "the old one no more" 1 v user check awa --password-file "$WORK/awa.pw"
check_exit "awa may not change sy's" 1 env VIGIE_PASSWORD=x "$VIGIE" --db "$DB" user passwd sy --on 2024-05-22 --as awa
check_exit "passwd needs a password" 2 env -u VIGIE_PASSWORD "$VIGIE" --db "$DB" user passwd sy --on 2024-05-22 --as root

check "promote sy, disable awa" v user set sy --role manager --branch "" --on 2024-05-23 --as root
check "disable awa" v user set awa --active no --on 2024-05-23 --as root
check "the same again changes nothing" v user set awa --active no --on 2024-05-23 --as root
has_text "says unchanged" "$WORK/out" "unchanged"
check_exit "a disabled user cannot act" 1 env VIGIE_PASSWORD=x "$VIGIE" --db "$DB" user passwd awa --on 2024-05-23 --as awa
check_exit "nor log in" 1 env VIGIE_PASSWORD=new-awa "$VIGIE" --db "$DB" user check awa
check_exit "the last admin cannot be disabled" 1 v user set root --active no --on 2024-05-23 --as root
check_exit "nor demoted" 1 v user set root --role manager --on 2024-05-23 --as root

# the audit log
check_exit "an agent may not read the log" 1 v audit list --as sy --format csv
check "the auditor reads it" v audit list --as au --format json
eq "one entry per change" "$(jqv '[.entries[].action] | join(",")')" \
  "user.add,user.add,user.add,user.add,user.passwd,user.set,user.set"
eq "actors" "$(jqv '[.entries[].actor] | join(",")')" "root,root,root,root,awa,root,root"
eq "days" "$(jqv '[.entries[].day] | unique | join(",")')" "2024-05-20,2024-05-22,2024-05-23"
eq "the promotion's details" "$(jqv '.entries[5].details | fromjson | .role.to')" "manager"
eq "the first prev_hash" "$(jqv '.entries[0].prev_hash')" "0000000000000000000000000000000000000000000000000000000000000000"
eq "chained" "$(jqv '.entries[1].prev_hash == .entries[0].hash')" "true"
check "by object" v audit list --as au --object user:awa --format csv
eq "three entries about awa" "$(tail -n +2 "$WORK/out" | wc -l | tr -d ' ')" 3
check "by actor" v audit list --as root --actor awa --format csv
eq "one entry by awa" "$(tail -n +2 "$WORK/out" | wc -l | tr -d ' ')" 1
check "table" v audit list --as au
has_text "table shows the action" "$WORK/out" "user.passwd"

# no password in clear anywhere, no hash in the log
v audit list --as au --format json >"$WORK/log.json" 2>&1
v user list --as au --format json >>"$WORK/log.json" 2>&1
if grep -q -e S3cret -e awa-pass -e new-awa -e audit-pass -e argon2 "$WORK/log.json"; then not_ok "a password or hash leaked"; else ok "no password or hash in the outputs"; fi
if [ "$BACKEND" = sqlite ]; then
  if grep -a -q -e S3cret -e new-awa "$DB" "$DB-wal" 2>/dev/null; then not_ok "a password is in the store file"; else ok "no password in the store file"; fi
fi
eq "argon2id hashes" "$(sql "SELECT count(*) FROM app_user WHERE password_hash LIKE '\$argon2id\$%'")" 3

check "verify: intact" v audit verify --as au
has_text "counts" "$WORK/out" "audit log intact: 7 entries, last hash "
# refused DESC SQL: the statement must fail, the trigger saying why
refused() {
  if sql "$2" >"$WORK/out" 2>"$WORK/err"; then not_ok "$1: it succeeded"; else has_text "$1" "$WORK/err" "append-only"; fi
}
refused "UPDATE refused by the store" "UPDATE audit_log SET details = '{}' WHERE seq = 2"
refused "DELETE refused by the store" "DELETE FROM audit_log WHERE seq = 2"
check "still intact" v audit verify --as au
if [ "$BACKEND" = postgres ]; then
  check "drop the trigger (direct connection)" sql "DROP TRIGGER audit_log_no_change ON audit_log"
else
  check "drop the trigger (direct connection)" sql "DROP TRIGGER audit_log_no_update"
fi
check "edit entry 3" sql "UPDATE audit_log SET details = '{\"role\":\"admin\"}' WHERE seq = 3"
check_exit "verify: broken" 1 v audit verify --as au
has_text "names seq 3" "$WORK/out" "audit log broken at seq 3"

done_tests
