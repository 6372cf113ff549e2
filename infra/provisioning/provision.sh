#!/usr/bin/env bash
# provision.sh - converge one hosted user of the reseller panel to its desired state, or report
# usage. Bash and POSIX tools (plus base64, du, tar) only: no jq, no python.
#
# Usage:
#   provision.sh apply  --root DIR --state-b64 B64 [--system real|dry]
#   provision.sh apply-batch --root DIR --states-b64 "B64 B64 ..." [--system real|dry]
#   provision.sh report --root DIR [--date YYYY-MM-DD] [--system real|dry]
#
# --root     The server's root: "/" on a real hosting server, any directory in tests and for the
#            local agent. Every path below is relative to it.
# --state-b64  The desired state: base64 of "key=value" lines (see
#            shared/domain/provisioning/script-encoding.ts). Free text inside (cron schedule and
#            command, index page) is base64 again. The script validates every line itself and
#            refuses names with "/" or "..", bad domains, cron lines with CR/LF/NUL, unknown keys.
# --system   The one switchable layer for commands that need a real server (useradd, usermod,
#            userdel, setquota, web server reload, chown). "real" runs them and needs --root /;
#            "dry" appends them to $ROOT/var/log/reseller-panel/system.log and remembers their
#            effect under $ROOT/var/lib/reseller-panel/system/. Default: $PROVISION_SYSTEM, else
#            "real" for --root / and "dry" for any other root.
#
# Output: exactly one JSON line on stdout.
#   apply:  {"ok":true,"username":"web12","sequence":7,"locked":false,"deleted":false,"changed":[...]}
#           "changed" lists what was done ("mkdir /var/www/web12/cgi-bin", "write /etc/cron.d/web12",
#           "system useradd web12", ...); [] when the server already was in the desired state.
#           A state older than the last one applied (lower sequence) changes nothing and answers
#           {"ok":true,...,"stale":true,"appliedSequence":N,"changed":[]}.
#   report: {"ok":true,"date":"2024-10-03","users":[{"username":"web12","diskKb":120,
#            "webBytes":5120,"ftpBytes":0}]}
#   errors: {"ok":false,"error":"..."} with exit 2 (invalid input) or 1 (could not converge).
#   apply-batch: many users of the server in one run (one SSM command): each state is applied as by
#           "apply", one after the other, and answers one line per state, in order:
#           {"item":0,"exit":0,"result":{...the apply line...}}; then {"ok":true,"items":N}.
#           A state that fails is reported on its line and does not stop the others.
#
# Layout it converges (for user U):
#   /var/www/U/{html,log}                 always (log/ is root's)
#   /var/www/U/cgi-bin                    while CGI is on; when off moved to /var/www/U/.disabled/
#                                         (empty: removed) and moved back when CGI is on again
#   /var/www/U/phptmp (0777)              while PHP upload is on (same archiving when off)
#   /var/www/U/html/webalizer/.htaccess   while Webalizer is on (+ /etc/reseller-panel/webalizer/U.conf)
#   /var/www/U/cgi-bin/{hello,time}.cgi   standard CGI scripts while standardCgi and CGI are on;
#                                         a file the user already has is never overwritten
#   /var/www/U/html/index.html            the reseller's current index page (##user## replaced) while
#                                         html/ has no index.* of the user's own (see below)
#   /etc/reseller-panel/sites/U.conf      Apache site (a neutral page while locked); the HTTPS block
#                                         while SSL is on and the user has its own certificate
#   /etc/reseller-panel/ssl/U.{crt,key}   the user's certificate (0644) and private key (0600): the key
#                                         is fetched by the server (see fetch_private_key), never sent
#   /etc/reseller-panel/frontpage/U.{conf,htpasswd}  FrontPage on: the extensions' config and the
#                                         login's htpasswd entry (0640, web server group)
#   /etc/reseller-panel/mysql/U.conf      MySQL access (externalAccess=0|1) for the server's grant step
#   /etc/reseller-panel/users/U.conf      login/services file for FTP, mail and other daemons
#   /etc/cron.d/U                         cron jobs (commented out while locked; none: no file)
#   /var/archive/U-seqN.tar.gz            a deleted user's home; config and account are removed
#   /var/lib/reseller-panel/state/U.state the last state applied (orders changes by sequence)
#
# Report: disk use is `du -sk /var/www/U`. Web traffic is the sum of the bytes field of the lines
# of /var/www/U/log/access.log* (not *.gz) for the day, in Apache combined format:
#   host ident user [DD/Mon/YYYY:HH:MM:SS +ZONE] "request" status bytes "referer" "agent"
# FTP traffic is the sum of field 8 (file size) of /var/www/U/log/xferlog* lines of the day, in
# the wu-ftpd/proftpd xferlog format:
#   Www Mon DD HH:MM:SS YYYY secs host bytes file type flag dir mode user service auth authuser status

set -u
umask 022
export LC_ALL=C
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# ---------------------------------------------------------------------------------- output

json_escape() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '%s' "$s" | tr -d '\000-\010\013\014\016-\037'
}

LOCK_HELD=""
release_lock() {
  if [ -n "$LOCK_HELD" ]; then
    rm -f "$LOCK_HELD/pid" 2>/dev/null
    rmdir "$LOCK_HELD" 2>/dev/null
    LOCK_HELD=""
  fi
}

die() { # message [exit code]
  release_lock
  printf '{"ok":false,"error":"%s"}\n' "$(json_escape "$1")"
  exit "${2:-1}"
}
invalid() { die "invalid state: $1" 2; }

CHANGED=()
changed() { CHANGED+=("$1"); }

changed_json() {
  local out="" c
  for c in ${CHANGED[@]+"${CHANGED[@]}"}; do
    out="$out${out:+,}\"$(json_escape "$c")\""
  done
  printf '[%s]' "$out"
}

# ---------------------------------------------------------------------------------- arguments

ACTION=${1:-}
[ $# -gt 0 ] && shift
ROOT_ARG=""
STATE_B64=""
HAVE_STATE=0
STATES_B64=""
HAVE_STATES=0
DATE_ARG=""
SYSTEM=${PROVISION_SYSTEM:-}
while [ $# -gt 0 ]; do
  case $1 in
    --root|--state-b64|--states-b64|--date|--system)
      [ $# -ge 2 ] || die "missing value for $1" 2
      case $1 in
        --root) ROOT_ARG=$2 ;;
        --state-b64) STATE_B64=$2; HAVE_STATE=1 ;;
        --states-b64) STATES_B64=$2; HAVE_STATES=1 ;;
        --date) DATE_ARG=$2 ;;
        --system) SYSTEM=$2 ;;
      esac
      shift 2 ;;
    *) die "unknown argument: $1" 2 ;;
  esac
done

case $ACTION in
  apply|apply-batch|report) ;;
  *) die "usage: provision.sh apply --root DIR --state-b64 B64 | apply-batch --root DIR --states-b64 \"B64 ...\" | report --root DIR [--date YYYY-MM-DD]" 2 ;;
esac

[ -n "$ROOT_ARG" ] || die "missing --root" 2
case $ROOT_ARG in
  /*) ;;
  *) die "--root must be an absolute path" 2 ;;
esac
case "/$ROOT_ARG/" in
  */../*|*/./*) die "--root must not contain . or .. components" 2 ;;
esac
case $ROOT_ARG in
  *[!A-Za-z0-9._/+@:-]*) die "--root contains unsupported characters" 2 ;;
esac
[ -d "$ROOT_ARG" ] || die "root directory does not exist: $ROOT_ARG"
R=${ROOT_ARG%/}
while [ "${R%/}" != "$R" ]; do R=${R%/}; done

if [ -z "$SYSTEM" ]; then
  if [ -z "$R" ]; then SYSTEM=real; else SYSTEM=dry; fi
fi
case $SYSTEM in
  real) [ -z "$R" ] || die "--system real needs --root /" 2 ;;
  dry) ;;
  *) die "--system must be real or dry" 2 ;;
esac

# ---------------------------------------------------------------------------------- files

mode_of() { stat -c %a "$1" 2>/dev/null || stat -f %Lp "$1"; }
rel() { printf '%s' "${1#"$R"}"; }

# The system layer: the only place that needs a real server.
SYSLOG="$R/var/log/reseller-panel/system.log"
sys_run() { # command words...
  if [ "$SYSTEM" = real ]; then
    "$@" >&2 || die "system command failed: $*"
  else
    mkdir -p "$R/var/log/reseller-panel" || die "directory could not be created: /var/log/reseller-panel"
    printf '%s\n' "$*" >>"$SYSLOG" || die "system log could not be written"
  fi
}
sys_chown() { # owner path
  if [ "$SYSTEM" = real ]; then
    chown -h "$1" "$2" || die "owner could not be set: $(rel "$2")"
  else
    sys_run chown -h "$1" "$(rel "$2")"
  fi
}
sys_reload_webserver() {
  # Inside apply-batch: one reload for the whole batch, after its last user (see do_apply_batch).
  if [ -n "${PROVISION_RELOAD_MARK:-}" ]; then
    : >"$PROVISION_RELOAD_MARK" || die "reload mark could not be written"
    return 0
  fi
  if [ "$SYSTEM" = real ]; then
    if command -v apachectl >/dev/null 2>&1; then
      apachectl -k graceful >&2 || die "web server could not be reloaded"
    elif command -v systemctl >/dev/null 2>&1; then
      systemctl reload apache2 >&2 || systemctl reload httpd >&2 || die "web server could not be reloaded"
    fi
  else
    sys_run reload-webserver
  fi
}
# The reload of apply-batch, once for the batch: answers its status instead of ending the script.
sys_reload_webserver_now() {
  if [ "$SYSTEM" = real ]; then
    if command -v apachectl >/dev/null 2>&1; then
      apachectl -k graceful >&2
    elif command -v systemctl >/dev/null 2>&1; then
      systemctl reload apache2 >&2 || systemctl reload httpd >&2
    fi
  else
    mkdir -p "$R/var/log/reseller-panel" && printf '%s\n' reload-webserver >>"$SYSLOG"
  fi
}

base_dir() { # path mode: a system directory (may be a symlink on a real server)
  if [ ! -d "$1" ]; then
    mkdir -p "$1" 2>/dev/null || die "directory could not be created: $(rel "$1")"
    chmod "$2" "$1" || die "mode could not be set: $(rel "$1")"
  fi
}

ensure_mode() { # path mode
  local m
  m=$(mode_of "$1") || die "mode could not be read: $(rel "$1")"
  if [ "$m" != "$2" ]; then
    chmod "$2" "$1" || die "mode could not be set: $(rel "$1")"
    changed "chmod $2 $(rel "$1")"
  fi
}

ensure_dir() { # path mode owner: a directory inside a home (never follows a symlink)
  local p=$1
  if [ -L "$p" ]; then die "directory could not be created: $(rel "$p") is a symbolic link"; fi
  if [ ! -d "$p" ]; then
    if [ -e "$p" ]; then die "directory could not be created: $(rel "$p") exists and is not a directory"; fi
    mkdir -m "$2" "$p" 2>/dev/null || die "directory could not be created: $(rel "$p")"
    chmod "$2" "$p" || die "mode could not be set: $(rel "$p")"
    changed "mkdir $(rel "$p")"
    sys_chown "$3" "$p"
  else
    ensure_mode "$p" "$2"
  fi
}

write_file() { # path mode content: the file holds exactly content + "\n"
  local p=$1 tmp
  if [ -L "$p" ]; then die "file could not be written: $(rel "$p") is a symbolic link"; fi
  if [ -e "$p" ] && [ ! -f "$p" ]; then die "file could not be written: $(rel "$p") is not a regular file"; fi
  if [ -f "$p" ] && printf '%s\n' "$3" | cmp -s - "$p"; then
    ensure_mode "$p" "$2"
    return 0
  fi
  tmp="$p.tmp.$$"
  printf '%s\n' "$3" >"$tmp" 2>/dev/null || { rm -f "$tmp"; die "file could not be written: $(rel "$p")"; }
  chmod "$2" "$tmp" && mv -f "$tmp" "$p" || { rm -f "$tmp"; die "file could not be written: $(rel "$p")"; }
  changed "write $(rel "$p")"
}

remove_file() { # path
  if [ -e "$1" ] || [ -L "$1" ]; then
    rm -f "$1" || die "file could not be removed: $(rel "$1")"
    changed "remove $(rel "$1")"
  fi
}

write_secret_file() { # path content: readable by its owner only (0600) from its first byte
  local p=$1 tmp
  if [ -L "$p" ]; then die "file could not be written: $(rel "$p") is a symbolic link"; fi
  if [ -e "$p" ] && [ ! -f "$p" ]; then die "file could not be written: $(rel "$p") is not a regular file"; fi
  if [ -f "$p" ] && printf '%s\n' "$2" | cmp -s - "$p"; then
    ensure_mode "$p" 600
    return 0
  fi
  tmp="$p.tmp.$$"
  (umask 077 && printf '%s\n' "$2" >"$tmp") 2>/dev/null || { rm -f "$tmp"; die "file could not be written: $(rel "$p")"; }
  mv -f "$tmp" "$p" || { rm -f "$tmp"; die "file could not be written: $(rel "$p")"; }
  changed "write $(rel "$p")"
}

# The private key of the user's certificate, fetched by the server itself into KEY_TEXT: never on a
# command line, in the output or in a log. From $PROVISION_KEY_STORE_DIR when set (the embedded
# runtime's stand-in of Parameter Store: one 0600 file per parameter name), else from SSM Parameter
# Store (a SecureString, decrypted with the instance role; the region SSM Agent runs in).
fetch_private_key() { # key ref
  local ref=$1 f region
  KEY_TEXT=""
  if [ -n "${PROVISION_KEY_STORE_DIR:-}" ]; then
    f="${PROVISION_KEY_STORE_DIR%/}$ref"
    [ -f "$f" ] && [ ! -L "$f" ] || die "private key not found in the key store: $ref"
    KEY_TEXT=$(cat "$f" 2>/dev/null) || die "private key could not be read from the key store: $ref"
  else
    command -v aws >/dev/null 2>&1 || die "the AWS CLI is needed to fetch the private key $ref"
    region=${AWS_SSM_REGION_NAME:-${AWS_REGION:-${AWS_DEFAULT_REGION:-}}}
    KEY_TEXT=$(aws ssm get-parameter --name "$ref" --with-decryption --query Parameter.Value --output text \
      ${region:+--region "$region"} 2>/dev/null) || die "private key could not be fetched from SSM Parameter Store: $ref"
  fi
  case $KEY_TEXT in
    "-----BEGIN "*"PRIVATE KEY-----"*) ;;
    *) KEY_TEXT=""; die "the key store holds no PEM private key at $ref" ;;
  esac
}
sha256_of_stdin() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1; }

# ---------------------------------------------------------------------------------- report

month_name() {
  case $1 in
    01) echo Jan ;; 02) echo Feb ;; 03) echo Mar ;; 04) echo Apr ;; 05) echo May ;; 06) echo Jun ;;
    07) echo Jul ;; 08) echo Aug ;; 09) echo Sep ;; 10) echo Oct ;; 11) echo Nov ;; 12) echo Dec ;;
    *) return 1 ;;
  esac
}

do_report() {
  local date=$DATE_ARG y m d mon users="" dir u kb web ftp f
  [ -n "$date" ] || date=$(date -u +%Y-%m-%d)
  [[ $date =~ ^([0-9]{4})-([0-9]{2})-([0-9]{2})$ ]] || die "--date must be YYYY-MM-DD" 2
  y=${BASH_REMATCH[1]}; m=${BASH_REMATCH[2]}; d=${BASH_REMATCH[3]}
  mon=$(month_name "$m") || die "--date must be YYYY-MM-DD" 2
  case $d in 0[1-9]|[12][0-9]|3[01]) ;; *) die "--date must be YYYY-MM-DD" 2 ;; esac
  for dir in "$R"/var/www/web*; do
    [ -d "$dir" ] && [ ! -L "$dir" ] || continue
    u=${dir##*/}
    [[ $u =~ ^web[0-9]{1,12}$ ]] || continue
    kb=$(du -sk "$dir" 2>/dev/null | awk 'NR==1 { print $1 }')
    [ -n "$kb" ] || kb=0
    web=0
    ftp=0
    if [ -d "$dir/log" ] && [ ! -L "$dir/log" ]; then
      for f in "$dir"/log/access.log*; do
        [ -f "$f" ] && [ ! -L "$f" ] || continue
        case $f in *.gz) continue ;; esac
        # The time stamp is the first "[...]"; status and bytes follow the request's closing quote
        # (a quote inside the request is escaped as \" by the web server).
        web=$(awk -v day="[$d/$mon/$y:" -v acc="$web" '
          substr($0, index($0, "["), length(day)) == day && match($0, /[^\\]" [0-9][0-9][0-9] [0-9-]+ /) {
            split(substr($0, RSTART + 3, RLENGTH - 3), a, " ")
            if (a[2] ~ /^[0-9]+$/) acc += a[2]
          }
          END { printf "%.0f", acc }' "$f")
      done
      for f in "$dir"/log/xferlog*; do
        [ -f "$f" ] && [ ! -L "$f" ] || continue
        case $f in *.gz) continue ;; esac
        ftp=$(awk -v mon="$mon" -v day="$d" -v year="$y" -v acc="$ftp" '
          $2 == mon && ($3 + 0) == (day + 0) && $5 == year && $8 ~ /^[0-9]+$/ { acc += $8 }
          END { printf "%.0f", acc }' "$f")
      done
    fi
    users="$users${users:+,}{\"username\":\"$u\",\"diskKb\":$kb,\"webBytes\":$web,\"ftpBytes\":$ftp}"
  done
  printf '{"ok":true,"date":"%s","users":[%s]}\n' "$date" "$users"
  exit 0
}

[ "$ACTION" = report ] && do_report

# ---------------------------------------------------------------------------------- batch

# apply-batch: this script again, once per state (each run validates, locks and converges its own
# user exactly as "apply" does), so one command carries many users and a failure stays on its line.
do_apply_batch() {
  local item=0 s line code tmp running=0 i
  local jobs=${PROVISION_BATCH_JOBS:-4}
  [ "$HAVE_STATES" = 1 ] || die "missing --states-b64" 2
  [[ $STATES_B64 =~ ^[A-Za-z0-9+/=\ ]*$ ]] || die "invalid state: states must be base64 separated by spaces" 2
  [[ $jobs =~ ^[1-9][0-9]?$ ]] || jobs=4
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/reseller-panel-batch.XXXXXX") || die "temporary directory could not be created"
  # Users run a few at a time (each holds its own user's lock); the web server is reloaded once.
  set -f
  for s in $STATES_B64; do
    (
      PROVISION_RELOAD_MARK="$tmp/reload" bash "$0" apply --root "${R:-/}" --state-b64 "$s" --system "$SYSTEM" >"$tmp/$item.out" 2>/dev/null
      printf '%s\n' "$?" >"$tmp/$item.exit"
    ) &
    item=$((item + 1))
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n 2>/dev/null || wait; running=$((running - 1)); fi
  done
  set +f
  wait
  if [ -e "$tmp/reload" ]; then
    if sys_reload_webserver_now 2>/dev/null; then reloaded=1; else reloaded=0; fi
  else
    reloaded=""
  fi
  i=0
  while [ "$i" -lt "$item" ]; do
    code=$(cat "$tmp/$i.exit" 2>/dev/null || echo 1)
    line=$(grep '^{.*}$' "$tmp/$i.out" 2>/dev/null | tail -n 1)
    [ -n "$line" ] || line=null
    # A user whose site changed is converged only once the web server has reloaded.
    if [ "$reloaded" = 0 ] && [ "$code" = 0 ] && printf '%s' "$line" | grep -q '"system reload-webserver"'; then
      line='{"ok":false,"error":"web server could not be reloaded"}'
      code=1
    fi
    printf '{"item":%d,"exit":%d,"result":%s}\n' "$i" "$code" "$line"
    i=$((i + 1))
  done
  rm -rf "$tmp"
  printf '{"ok":true,"items":%d}\n' "$item"
  exit 0
}
[ "$ACTION" = apply-batch ] && do_apply_batch

# ---------------------------------------------------------------------------------- state

[ "$HAVE_STATE" = 1 ] || die "missing --state-b64" 2
[ -n "$STATE_B64" ] || invalid "empty"
[[ $STATE_B64 =~ ^[A-Za-z0-9+/]+={0,2}$ ]] || invalid "not base64"

b64_bytes() { printf '%s' "$1" | base64 -d 2>/dev/null | wc -c | tr -d ' '; }
b64_bytes_no_nul() { printf '%s' "$1" | base64 -d 2>/dev/null | tr -d '\000' | wc -c | tr -d ' '; }
# b64_check B64 WHAT: refuses (exit 2) what is not base64 or holds a NUL byte. Must run in the main
# shell (never inside $(...)), so that its refusal ends the script.
b64_check() {
  [[ $1 =~ ^[A-Za-z0-9+/]*={0,2}$ ]] || invalid "$2 is not base64"
  printf '%s' "$1" | base64 -d >/dev/null 2>&1 || invalid "$2 is not base64"
  [ "$(b64_bytes "$1")" = "$(b64_bytes_no_nul "$1")" ] || invalid "$2 contains a NUL byte"
}
b64_text() { printf '%s' "$1" | base64 -d 2>/dev/null; }
text_bytes() { printf '%s' "$1" | wc -c | tr -d ' '; }

b64_check "$STATE_B64" "state"
TEXT=$(b64_text "$STATE_B64")
case $TEXT in *$'\r'*) invalid "state contains a carriage return" ;; esac

RESOURCES="storageMb pop3Boxes emailAddresses autoresponders ftpUsers trafficGb subdomains mysqlDatabases wildcardSubdomains atDomains cronjobs mailingLists"
SWITCHES="ftp php ssi phpUpload wap ssl directoryListing cgi python shell coldfusion webalizer passwordProtection errorFiles webftp webmail standardCgi spamFilter"
in_list() { case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

RE_USER='^web[0-9]{1,12}$'
RE_RESELLER='^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'
RE_SEQ='^(0|[1-9][0-9]{0,15})$'
RE_LABEL='[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?'
RE_DOMAIN="^(\\*\\.)?($RE_LABEL\\.)+$RE_LABEL\$"
RE_IPV4='^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
RE_IPV6='^[0-9A-Fa-f:.]{2,45}$'
RE_B64='^[A-Za-z0-9+/]*={0,2}$'
RE_CRONFIELD='^[0-9A-Za-z*,/-]{1,64}$'
RE_KEYREF='^/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$'
RE_SHA256='^[0-9a-f]{64}$'
RE_FPLOGIN='^web[0-9]{1,12}-fp$'
RE_HTPASSWD_SHA='^\{SHA\}[A-Za-z0-9+/]{27}=$'

U=""; RESELLER=""; SEQ=""; LOCKED=""; DELETED=""; IP=""; INDEX_B64=""
SSL_CERT_B64=""; SSL_KEYREF=""; SSL_KEYSHA=""; FP_LOGIN=""; FP_HASH=""; MYSQL_EXTERNAL=""
declare -A SEEN=() LIMIT=() SVC=()
DOMAINS=()   # "name dns dnr"
CRON_SCHED=()
CRON_CMD=()

once() { [ -z "${SEEN[$1]+x}" ] || invalid "duplicate key $1"; SEEN[$1]=1; }

while IFS= read -r line; do
  [ -n "$line" ] || continue
  case $line in *=*) ;; *) invalid "line without '='" ;; esac
  key=${line%%=*}
  val=${line#*=}
  case $key in
    format)
      once "$key"
      [ "$val" = "reseller-panel-state/1" ] || invalid "format must be reseller-panel-state/1" ;;
    username)
      once "$key"
      case $val in */*|*..*) invalid "username must not contain a slash or .." ;; esac
      [[ $val =~ $RE_USER ]] || invalid "username must match ^web[0-9]+$"
      U=$val ;;
    reseller)
      once "$key"
      case $val in */*|*..*) invalid "reseller must not contain a slash or .." ;; esac
      [[ $val =~ $RE_RESELLER ]] || invalid "reseller must be letters, digits, _ or -"
      RESELLER=$val ;;
    sequence)
      once "$key"
      [[ $val =~ $RE_SEQ ]] || invalid "sequence must be a whole number"
      SEQ=$val ;;
    locked|deleted)
      once "$key"
      case $val in 0|1) ;; *) invalid "$key must be 0 or 1" ;; esac
      if [ "$key" = locked ]; then LOCKED=$val; else DELETED=$val; fi ;;
    ip)
      once "$key"
      if [ -n "$val" ]; then
        if [[ $val =~ $RE_IPV4 ]]; then :
        elif [[ $val =~ $RE_IPV6 ]] && [[ $val == *:* ]]; then :
        else invalid "ip must be an IPv4 or IPv6 address"; fi
      fi
      IP=$val ;;
    limit.*)
      once "$key"
      in_list "${key#limit.}" "$RESOURCES" || invalid "unknown limit ${key#limit.}"
      [[ $val =~ ^(-1|0|[1-9][0-9]{0,11})$ ]] || invalid "$key must be a whole number >= -1"
      LIMIT[${key#limit.}]=$val ;;
    service.backup)
      once "$key"
      case $val in no|yes|upload) ;; *) invalid "service.backup must be no, yes or upload" ;; esac
      SVC[backup]=$val ;;
    service.*)
      once "$key"
      in_list "${key#service.}" "$SWITCHES" || invalid "unknown service ${key#service.}"
      case $val in 0|1) ;; *) invalid "$key must be 0 or 1" ;; esac
      SVC[${key#service.}]=$val ;;
    domain)
      case $val in */*|*\\*) invalid "domain must not contain a slash" ;; esac
      set -f
      # shellcheck disable=SC2086
      set -- $val
      set +f
      [ $# -eq 3 ] || invalid "domain must be: name dns dnr"
      [ ${#1} -le 253 ] && [[ $1 =~ $RE_DOMAIN ]] || invalid "domain $1 is not a valid host name"
      case "$2$3" in 00|01|10|11) ;; *) invalid "domain flags must be 0 or 1" ;; esac
      for d in ${DOMAINS[@]+"${DOMAINS[@]}"}; do
        [ "${d%% *}" != "$1" ] || invalid "duplicate domain $1"
      done
      DOMAINS+=("$1 $2 $3") ;;
    cron)
      case $val in *' '*) ;; *) invalid "cron must be: schedule-b64 command-b64" ;; esac
      s64=${val%% *}
      c64=${val#* }
      [[ $s64 =~ $RE_B64 ]] && [[ $c64 =~ $RE_B64 ]] || invalid "cron fields must be base64"
      b64_check "$s64" "cron schedule"
      b64_check "$c64" "cron command"
      sched=$(b64_text "$s64")
      cmd=$(b64_text "$c64")
      # $(...) drops trailing newlines: a byte count that differs means there was one.
      [ "$(text_bytes "$sched")" = "$(b64_bytes "$s64")" ] && [ "$(text_bytes "$cmd")" = "$(b64_bytes "$c64")" ] ||
        invalid "cron line must not contain a newline or carriage return"
      case $sched$cmd in *$'\n'*|*$'\r'*) invalid "cron line must not contain a newline or carriage return" ;; esac
      case $sched in
        @reboot|@yearly|@annually|@monthly|@weekly|@daily|@midnight|@hourly) ;;
        *)
          set -f
          # shellcheck disable=SC2086
          set -- $sched
          set +f
          [ $# -eq 5 ] || invalid "cron schedule must be five fields or a macro"
          [ "$sched" = "$1 $2 $3 $4 $5" ] || invalid "cron schedule must be five fields separated by one space"
          for f in "$@"; do [[ $f =~ $RE_CRONFIELD ]] || invalid "cron schedule field $f is not valid"; done ;;
      esac
      [ -n "${cmd//[[:space:]]/}" ] || invalid "cron command must not be empty"
      [ ${#cmd} -le 1000 ] || invalid "cron command is too long"
      CRON_SCHED+=("$sched")
      CRON_CMD+=("$cmd") ;;
    index)
      once "$key"
      [[ $val =~ $RE_B64 ]] || invalid "index must be base64"
      [ -z "$val" ] || b64_check "$val" "index page"
      INDEX_B64=$val ;;
    ssl)
      once "$key"
      if [ -n "$val" ]; then
        set -f
        # shellcheck disable=SC2086
        set -- $val
        set +f
        [ $# -eq 3 ] || invalid "ssl must be: certificate-b64 key-ref sha256"
        [ -n "$1" ] && [[ $1 =~ $RE_B64 ]] || invalid "ssl certificate must be base64"
        b64_check "$1" "ssl certificate"
        case $(b64_text "$1" | head -n 1) in -----BEGIN\ CERTIFICATE-----) ;; *) invalid "ssl certificate must be PEM" ;; esac
        [ ${#2} -le 1011 ] && [[ $2 =~ $RE_KEYREF ]] || invalid "ssl key reference must be a parameter path"
        case "$2/" in */./*|*/../*) invalid "ssl key reference must not contain . or .. segments" ;; esac
        [[ $3 =~ $RE_SHA256 ]] || invalid "ssl key digest must be a SHA-256 hex digest"
        SSL_CERT_B64=$1; SSL_KEYREF=$2; SSL_KEYSHA=$3
      fi ;;
    frontpage)
      once "$key"
      if [ -n "$val" ]; then
        case $val in *' '*) ;; *) invalid "frontpage must be: login htpasswd-hash" ;; esac
        FP_LOGIN=${val%% *}
        FP_HASH=${val#* }
        [[ $FP_LOGIN =~ $RE_FPLOGIN ]] || invalid "frontpage login must be <username>-fp"
        [[ $FP_HASH =~ $RE_HTPASSWD_SHA ]] || invalid "frontpage hash must be an {SHA} htpasswd hash"
      fi ;;
    mysql.external)
      once "$key"
      case $val in 0|1) ;; *) invalid "mysql.external must be 0 or 1" ;; esac
      MYSQL_EXTERNAL=$val ;;
    *) invalid "unknown key $key" ;;
  esac
done <<<"$TEXT"

for k in format username reseller sequence locked deleted ip index ssl frontpage mysql.external; do
  [ -n "${SEEN[$k]+x}" ] || invalid "missing $k"
done
[ -z "$FP_LOGIN" ] || [ "$FP_LOGIN" = "$U-fp" ] || invalid "frontpage login must be <username>-fp"
for k in $RESOURCES; do [ -n "${LIMIT[$k]+x}" ] || invalid "missing limit.$k"; done
for k in $SWITCHES backup; do [ -n "${SVC[$k]+x}" ] || invalid "missing service.$k"; done

# ---------------------------------------------------------------------------------- converge

HOME_REL="/var/www/$U"
HOME_DIR="$R$HOME_REL"
STATE_DIR="$R/var/lib/reseller-panel/state"
MEMO_DIR="$R/var/lib/reseller-panel/system"
SITE="$R/etc/reseller-panel/sites/$U.conf"
USERCONF="$R/etc/reseller-panel/users/$U.conf"
WEBALIZER_CONF="$R/etc/reseller-panel/webalizer/$U.conf"
CRONFILE="$R/etc/cron.d/$U"
LOCKED_PAGE_DIR="$R/var/lib/reseller-panel/locked"
SSL_CRT="$R/etc/reseller-panel/ssl/$U.crt"
SSL_KEY="$R/etc/reseller-panel/ssl/$U.key"
FP_CONF="$R/etc/reseller-panel/frontpage/$U.conf"
FP_HTPASSWD="$R/etc/reseller-panel/frontpage/$U.htpasswd"
MYSQL_CONF="$R/etc/reseller-panel/mysql/$U.conf"
WEB_GROUP=${PROVISION_WEB_GROUP:-www-data}

base_dir "$R/var/www" 755
base_dir "$R/var/archive" 700
base_dir "$R/var/lib/reseller-panel/locks" 700
base_dir "$STATE_DIR" 700
base_dir "$MEMO_DIR" 700
base_dir "$R/etc/reseller-panel/sites" 755
base_dir "$R/etc/reseller-panel/users" 755
base_dir "$R/etc/reseller-panel/webalizer" 755
base_dir "$R/etc/cron.d" 755
base_dir "$R/etc/reseller-panel/ssl" 700
base_dir "$R/etc/reseller-panel/frontpage" 755
base_dir "$R/etc/reseller-panel/mysql" 755

# One run per user at a time (mkdir is atomic); a lock left by a dead run is taken over.
acquire_lock() {
  local lock="$R/var/lib/reseller-panel/locks/$U.lock" waited=0 pid
  while ! mkdir "$lock" 2>/dev/null; do
    pid=$(cat "$lock/pid" 2>/dev/null || true)
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$lock/pid"; rmdir "$lock" 2>/dev/null
      continue
    fi
    [ "$waited" -lt "${PROVISION_LOCK_WAIT:-120}" ] || die "another provisioning run for $U is still going on"
    sleep 1
    waited=$((waited + 1))
  done
  LOCK_HELD=$lock
  printf '%s\n' "$$" >"$lock/pid"
  trap release_lock EXIT
}
acquire_lock

# Never apply an older state over a newer one.
if [ -f "$STATE_DIR/$U.state" ]; then
  PREV_SEQ=$(sed -n 's/^sequence=\([0-9]*\)$/\1/p' "$STATE_DIR/$U.state" | head -n 1)
  if [ -n "$PREV_SEQ" ] && [ "$((10#$SEQ))" -lt "$((10#$PREV_SEQ))" ]; then
    release_lock
    printf '{"ok":true,"username":"%s","sequence":%s,"stale":true,"appliedSequence":%s,"changed":[]}\n' \
      "$U" "$SEQ" "$PREV_SEQ"
    exit 0
  fi
fi

# Remembered effect of system commands (the truth in dry mode; login lock and quota in both modes).
memo_get() { sed -n "s/^$1=//p" "$MEMO_DIR/$U" 2>/dev/null | head -n 1; }
memo_set() {
  local f="$MEMO_DIR/$U" rest=""
  [ -f "$f" ] && rest=$(grep -v "^$1=" "$f")
  printf '%s\n%s=%s\n' "$rest" "$1" "$2" | sed '/^$/d' >"$f.tmp.$$" && mv -f "$f.tmp.$$" "$f" ||
    die "system memo could not be written"
}
account_exists() {
  if [ "$SYSTEM" = real ]; then id -u "$U" >/dev/null 2>&1; else [ "$(memo_get account)" = present ]; fi
}
current_shell() {
  if [ "$SYSTEM" = real ]; then getent passwd "$U" | cut -d: -f7; else memo_get shell; fi
}
# The login lock is remembered in both modes: `passwd -S` also says "L" for an account that
# simply has no password yet, which would make every run try to unlock it.
current_login() { memo_get login; }
sys_unlock_login() {
  if [ "$SYSTEM" = real ]; then
    # usermod -U refuses an account without a password; the expiry is what locked it then.
    usermod -U -e '' "$U" >&2 2>/dev/null || usermod -e '' "$U" >&2 || die "system command failed: usermod -e '' $U"
  else
    sys_run usermod -U -e '' "$U"
  fi
}

SITE_CHANGED=0

if [ "$DELETED" = 1 ]; then
  # Archive the home (never destroyed), then remove config and account.
  if [ -e "$HOME_DIR" ] || [ -L "$HOME_DIR" ]; then
    archive="$R/var/archive/$U-seq$SEQ.tar.gz"
    n=1
    while [ -e "$archive" ]; do archive="$R/var/archive/$U-seq$SEQ.$n.tar.gz"; n=$((n + 1)); done
    tar -C "$R/var/www" -czf "$archive.tmp.$$" "$U" 2>/dev/null ||
      { rm -f "$archive.tmp.$$"; die "home could not be archived: $HOME_REL"; }
    mv -f "$archive.tmp.$$" "$archive" || die "archive could not be written: $(rel "$archive")"
    chmod 600 "$archive"
    rm -rf "$HOME_DIR" || die "directory could not be deleted: $HOME_REL"
    changed "archive $HOME_REL -> $(rel "$archive")"
  fi
  if [ -e "$SITE" ]; then SITE_CHANGED=1; fi
  remove_file "$SITE"
  remove_file "$USERCONF"
  remove_file "$WEBALIZER_CONF"
  remove_file "$CRONFILE"
  remove_file "$SSL_CRT"
  remove_file "$SSL_KEY"
  remove_file "$FP_CONF"
  remove_file "$FP_HTPASSWD"
  remove_file "$MYSQL_CONF"
  if account_exists; then
    sys_run userdel "$U"
    changed "system userdel $U"
  fi
  rm -f "$MEMO_DIR/$U"
else
  # --- the account, its shell, its login and its quota
  if [ "${SVC[shell]}" = 1 ]; then SHELL_WANTED=/bin/bash; else SHELL_WANTED=/bin/false; fi
  if ! account_exists; then
    sys_run useradd -M -U -d "$HOME_REL" -s "$SHELL_WANTED" "$U"
    memo_set account present
    memo_set shell "$SHELL_WANTED"
    memo_set login unlocked
    changed "system useradd $U"
  fi
  if [ "$(current_shell)" != "$SHELL_WANTED" ]; then
    sys_run usermod -s "$SHELL_WANTED" "$U"
    memo_set shell "$SHELL_WANTED"
    changed "system shell $U $SHELL_WANTED"
  fi
  if [ "$LOCKED" = 1 ]; then LOGIN_WANTED=locked; else LOGIN_WANTED=unlocked; fi
  if [ "$(current_login)" != "$LOGIN_WANTED" ]; then
    if [ "$LOCKED" = 1 ]; then sys_run usermod -L -e 1 "$U"; else sys_unlock_login; fi
    memo_set login "$LOGIN_WANTED"
    changed "system $( [ "$LOCKED" = 1 ] && echo lock || echo unlock ) $U"
  fi
  case ${LIMIT[storageMb]} in
    -1) QUOTA_KB=0 ;;
    0) QUOTA_KB=1 ;;
    *) QUOTA_KB=$((LIMIT[storageMb] * 1024)) ;;
  esac
  if [ "$(memo_get quota)" != "$QUOTA_KB" ]; then
    sys_run setquota -u "$U" "$QUOTA_KB" "$QUOTA_KB" 0 0 -a
    memo_set quota "$QUOTA_KB"
    changed "system quota $U ${LIMIT[storageMb]}MB"
  fi

  # --- the home
  OWNER="$U:$U"
  ensure_dir "$HOME_DIR" 755 "$OWNER"
  ensure_dir "$HOME_DIR/html" 755 "$OWNER"
  ensure_dir "$HOME_DIR/log" 755 root:root

  # A directory that exists only while a service is on: moved to .disabled/ when the service is
  # turned off (removed when empty) and moved back when it is turned on again.
  disable_dir() { # relative path inside home
    local src="$HOME_DIR/$1" base dest n=1
    base=${1##*/}
    [ -e "$src" ] || [ -L "$src" ] || return 0
    if [ -d "$src" ] && [ ! -L "$src" ] && rmdir "$src" 2>/dev/null; then
      changed "rmdir $HOME_REL/$1"
      return 0
    fi
    ensure_dir "$HOME_DIR/.disabled" 755 "$OWNER"
    dest="$HOME_DIR/.disabled/$base"
    while [ -e "$dest" ] || [ -L "$dest" ]; do dest="$HOME_DIR/.disabled/$base.$n"; n=$((n + 1)); done
    mv "$src" "$dest" || die "directory could not be moved: $HOME_REL/$1"
    changed "archive $HOME_REL/$1 -> $(rel "$dest")"
  }
  enable_dir() { # relative path, mode, owner
    local src="$HOME_DIR/$1" saved
    saved="$HOME_DIR/.disabled/${1##*/}"
    if [ ! -e "$src" ] && [ ! -L "$src" ] && [ -d "$saved" ] && [ ! -L "$saved" ]; then
      mv "$saved" "$src" || die "directory could not be restored: $HOME_REL/$1"
      changed "restore $(rel "$saved") -> $HOME_REL/$1"
    fi
    ensure_dir "$src" "$2" "$3"
  }

  if [ "${SVC[cgi]}" = 1 ]; then enable_dir cgi-bin 755 "$OWNER"; else disable_dir cgi-bin; fi
  if [ "${SVC[phpUpload]}" = 1 ]; then enable_dir phptmp 777 "$OWNER"; else disable_dir phptmp; fi

  # --- Webalizer: html/webalizer protected by .htaccess, plus the Webalizer configuration
  if [ "${SVC[webalizer]}" = 1 ]; then
    enable_dir html/webalizer 755 root:root
    write_file "$HOME_DIR/html/webalizer/.htaccess" 644 "# Managed by reseller-panel: statistics of $U (user and reseller only)
AuthType Basic
AuthName \"Statistics of $U\"
AuthUserFile /etc/reseller-panel/htpasswd/$U
Require valid-user"
    if [ ${#DOMAINS[@]} -gt 0 ]; then WHOST=${DOMAINS[0]%% *}; else WHOST=$U; fi
    write_file "$WEBALIZER_CONF" 644 "# Managed by reseller-panel: Webalizer for $U
LogFile $HOME_REL/log/access.log
LogType clf
OutputDir $HOME_REL/html/webalizer
HistoryName $HOME_REL/html/webalizer/webalizer.hist
Incremental yes
IncrementalName $HOME_REL/html/webalizer/webalizer.current
HostName $WHOST"
  else
    disable_dir html/webalizer
    remove_file "$WEBALIZER_CONF"
  fi

  # --- standard CGI scripts: only files the user does not have are installed
  std_cgi_hello() {
    printf '%s\n' '#!/bin/sh' \
      '# Standard CGI script installed by the reseller panel: shows that CGI works.' \
      'printf "Content-Type: text/plain\r\n\r\n"' \
      'echo "CGI works."'
  }
  std_cgi_time() {
    printf '%s\n' '#!/bin/sh' \
      '# Standard CGI script installed by the reseller panel: the server time (UTC).' \
      'printf "Content-Type: text/plain\r\n\r\n"' \
      'date -u "+%Y-%m-%dT%H:%M:%SZ"'
  }
  if [ "${SVC[cgi]}" = 1 ] && [ "${SVC[standardCgi]}" = 1 ]; then
    for script in hello time; do
      target="$HOME_DIR/cgi-bin/$script.cgi"
      if [ ! -e "$target" ] && [ ! -L "$target" ]; then
        "std_cgi_$script" >"$target" 2>/dev/null || die "file could not be written: $(rel "$target")"
        chmod 755 "$target"
        changed "install $(rel "$target")"
        sys_chown "$OWNER" "$target"
      fi
    done
  fi

  # --- the reseller's index page. html/index.html follows the panel's current page for as long as
  # it is the panel's: the file equals the page of the last state applied (or of this one). An
  # index file of the user's own (another index.*, a link, an edited index.html) is never touched.
  render_index() { printf '%s' "$1" | base64 -d 2>/dev/null | sed "s/##user##/$U/g"; }
  is_rendering_of() { [ -n "$1" ] && render_index "$1" | cmp -s - "$INDEX_FILE"; }
  INDEX_FILE="$HOME_DIR/html/index.html"
  PREV_INDEX_B64=$(sed -n 's/^index=//p' "$STATE_DIR/$U.state" 2>/dev/null | head -n 1)
  [[ $PREV_INDEX_B64 =~ $RE_B64 ]] || PREV_INDEX_B64=""
  index_is_panels=1
  for f in "$HOME_DIR"/html/index.* "$HOME_DIR"/html/INDEX.*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    if [ "$f" != "$INDEX_FILE" ] || [ -L "$f" ] || [ ! -f "$f" ]; then index_is_panels=0; continue; fi
    is_rendering_of "$INDEX_B64" || is_rendering_of "$PREV_INDEX_B64" || index_is_panels=0
  done
  if [ "$index_is_panels" = 1 ] && [ -n "$INDEX_B64" ]; then
    if ! { [ -f "$INDEX_FILE" ] && is_rendering_of "$INDEX_B64"; }; then
      render_index "$INDEX_B64" >"$INDEX_FILE.tmp.$$" &&
        chmod 644 "$INDEX_FILE.tmp.$$" && mv -f "$INDEX_FILE.tmp.$$" "$INDEX_FILE" ||
        { rm -f "$INDEX_FILE.tmp.$$"; die "file could not be written: $(rel "$INDEX_FILE")"; }
      changed "write $(rel "$INDEX_FILE")"
      sys_chown "$OWNER" "$INDEX_FILE"
    fi
  elif [ "$index_is_panels" = 1 ]; then
    remove_file "$INDEX_FILE" # the panel's page, and the panel has none any more
  fi

  # --- the user's own certificate and its private key (fetched by the server, owner-only)
  n_before=${#CHANGED[@]}
  SSL_FILES=0
  if [ -n "$SSL_CERT_B64" ]; then
    fetch_private_key "$SSL_KEYREF"
    if [ "$(printf '%s\n' "$KEY_TEXT" | sha256_of_stdin)" != "$SSL_KEYSHA" ]; then
      KEY_TEXT=""
      die "the private key at $SSL_KEYREF is not the key of this certificate (replaced meanwhile?)"
    fi
    write_file "$SSL_CRT" 644 "$(b64_text "$SSL_CERT_B64")"
    write_secret_file "$SSL_KEY" "$KEY_TEXT"
    KEY_TEXT=""
    SSL_FILES=1
  else
    remove_file "$SSL_CRT"
    remove_file "$SSL_KEY"
  fi
  [ "${#CHANGED[@]}" = "$n_before" ] || SITE_CHANGED=1

  # --- FrontPage: the extensions' config and the login's htpasswd entry (the web server reads it)
  n_before=${#CHANGED[@]}
  if [ -n "$FP_LOGIN" ]; then
    write_file "$FP_CONF" 644 "# Managed by reseller-panel: FrontPage Server Extensions of $U. Changes are overwritten.
username=$U
login=$FP_LOGIN
docroot=$HOME_REL/html
enabled=$( [ "$LOCKED" = 0 ] && echo 1 || echo 0 )"
    new_htpasswd=0
    [ -f "$FP_HTPASSWD" ] || new_htpasswd=1
    write_file "$FP_HTPASSWD" 640 "$FP_LOGIN:$FP_HASH"
    [ "$new_htpasswd" = 0 ] || sys_chown "root:$WEB_GROUP" "$FP_HTPASSWD"
  else
    remove_file "$FP_CONF"
    remove_file "$FP_HTPASSWD"
  fi
  [ "${#CHANGED[@]}" = "$n_before" ] || SITE_CHANGED=1

  # --- MySQL: which hosts the user's MySQL accounts may connect from (the server's grant step
  # reads this file: localhost only, or any host with external access; none while locked)
  if [ "$MYSQL_EXTERNAL" = 1 ] && [ "$LOCKED" = 0 ]; then mysql_ext=1; mysql_hosts="localhost %"; else mysql_ext=0; mysql_hosts=localhost; fi
  write_file "$MYSQL_CONF" 644 "# Managed by reseller-panel: MySQL access of $U. Changes are overwritten.
username=$U
databases=${LIMIT[mysqlDatabases]}
externalAccess=$mysql_ext
hosts=$mysql_hosts"

  # --- the web server's site
  if [ -n "$IP" ]; then
    case $IP in *:*) ADDR="[$IP]" ;; *) ADDR=$IP ;; esac
  else
    ADDR='*'
  fi
  NAMES=""
  ALIASES=""
  # ServerName: the first domain that is not a wildcard; every other name is an alias.
  for d in ${DOMAINS[@]+"${DOMAINS[@]}"}; do
    name=${d%% *}
    case $name in '*.'*) continue ;; esac
    if [ -z "$NAMES" ]; then NAMES=$name; else ALIASES="$ALIASES $name"; fi
    case $name in www.*) ;; *) ALIASES="$ALIASES www.$name" ;; esac
  done
  for d in ${DOMAINS[@]+"${DOMAINS[@]}"}; do
    name=${d%% *}
    case $name in '*.'*) ;; *) continue ;; esac
    if [ -z "$NAMES" ]; then NAMES=$name; else ALIASES="$ALIASES $name"; fi
  done
  on() { [ "${SVC[$1]}" = 1 ]; }
  site_header="# Managed by reseller-panel: site of $U (reseller $RESELLER). Changes are overwritten."
  if [ -z "$NAMES" ]; then
    SITE_TEXT="$site_header
# No domains: the site is not served."
  elif [ "$LOCKED" = 1 ]; then
    base_dir "$LOCKED_PAGE_DIR" 755
    write_file "$LOCKED_PAGE_DIR/index.html" 644 '<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Unavailable</title></head>
<body><h1>This site is currently unavailable.</h1></body></html>'
    SITE_TEXT="$site_header
# locked: the user's pages are replaced by a neutral page; files are kept.
<VirtualHost $ADDR:80>
  ServerName $NAMES${ALIASES:+
  ServerAlias$ALIASES}
  DocumentRoot /var/lib/reseller-panel/locked
  AliasMatch ^ /var/lib/reseller-panel/locked/index.html
  <Directory /var/lib/reseller-panel/locked>
    Options None
    AllowOverride None
    Require all granted
  </Directory>
</VirtualHost>"
    if on ssl && [ "$SSL_FILES" = 1 ]; then SITE_TEXT="$SITE_TEXT
<VirtualHost $ADDR:443>
  ServerName $NAMES${ALIASES:+
  ServerAlias$ALIASES}
  SSLEngine on
  SSLCertificateFile /etc/reseller-panel/ssl/$U.crt
  SSLCertificateKeyFile /etc/reseller-panel/ssl/$U.key
  DocumentRoot /var/lib/reseller-panel/locked
  AliasMatch ^ /var/lib/reseller-panel/locked/index.html
</VirtualHost>"; fi
  else
    opts="+SymLinksIfOwnerMatch"
    if on directoryListing; then opts="$opts +Indexes"; else opts="$opts -Indexes"; fi
    if on ssi; then opts="$opts +IncludesNOEXEC"; else opts="$opts -Includes"; fi
    override="Limit"
    on passwordProtection && override="$override AuthConfig"
    on errorFiles && override="$override FileInfo"
    on directoryListing && override="$override Indexes"
    body="  DocumentRoot $HOME_REL/html
  CustomLog $HOME_REL/log/access.log combined
  ErrorLog $HOME_REL/log/error.log
  <Directory $HOME_REL/html>
    Options $opts
    AllowOverride $override
    Require all granted"
    if on ssi; then body="$body
    AddType text/html .shtml
    AddOutputFilter INCLUDES .shtml"; fi
    if on wap; then body="$body
    AddType text/vnd.wap.wml .wml
    AddType text/vnd.wap.wmlscript .wmls
    AddType image/vnd.wap.wbmp .wbmp"; else body="$body
    <FilesMatch \"\\.(wml|wmls)\$\">
      Require all denied
    </FilesMatch>"; fi
    if on python; then body="$body
    <FilesMatch \"\\.py\$\">
      Options +ExecCGI
      SetHandler cgi-script
    </FilesMatch>"; else body="$body
    <FilesMatch \"\\.py\$\">
      Require all denied
    </FilesMatch>"; fi
    if on coldfusion; then body="$body
    AddHandler cfm-handler .cfm .cfml .cf"; else body="$body
    <FilesMatch \"\\.(cfm|cfml|cf)\$\">
      Require all denied
    </FilesMatch>"; fi
    body="$body
  </Directory>"
    if on php; then
      body="$body
  <IfModule php_module>
    php_admin_flag engine on
    php_admin_value open_basedir $HOME_REL/:/tmp/"
      if on phpUpload; then body="$body
    php_admin_flag file_uploads on
    php_admin_value upload_tmp_dir $HOME_REL/phptmp"; else body="$body
    php_admin_flag file_uploads off"; fi
      body="$body
  </IfModule>"
    else
      body="$body
  <IfModule php_module>
    php_admin_flag engine off
  </IfModule>
  <FilesMatch \"\\.(php[0-9]?|phtml)\$\">
    Require all denied
  </FilesMatch>"
    fi
    if on cgi; then body="$body
  ScriptAlias /cgi-bin/ $HOME_REL/cgi-bin/
  <Directory $HOME_REL/cgi-bin>
    Options +ExecCGI
    AllowOverride None
    Require all granted
  </Directory>"; fi
    if on webalizer; then body="$body
  <Directory $HOME_REL/html/webalizer>
    AllowOverride AuthConfig
  </Directory>"; fi
    if [ -n "$FP_LOGIN" ]; then body="$body
  <Directory $HOME_REL/html/_vti_bin>
    AuthType Basic
    AuthName \"FrontPage $U\"
    AuthUserFile /etc/reseller-panel/frontpage/$U.htpasswd
    Require valid-user
  </Directory>"; fi
    SITE_TEXT="$site_header
<VirtualHost $ADDR:80>
  ServerName $NAMES${ALIASES:+
  ServerAlias$ALIASES}
$body
</VirtualHost>"
    if on ssl && [ "$SSL_FILES" = 1 ]; then SITE_TEXT="$SITE_TEXT
<VirtualHost $ADDR:443>
  ServerName $NAMES${ALIASES:+
  ServerAlias$ALIASES}
  SSLEngine on
  SSLCertificateFile /etc/reseller-panel/ssl/$U.crt
  SSLCertificateKeyFile /etc/reseller-panel/ssl/$U.key
$body
</VirtualHost>"; fi
  fi
  n_before=${#CHANGED[@]}
  write_file "$SITE" 644 "$SITE_TEXT"
  [ "${#CHANGED[@]}" = "$n_before" ] || SITE_CHANGED=1

  # --- the user's login/services file for FTP, mail and the other daemons
  if [ "$LOCKED" = 1 ]; then login=disabled; else login=enabled; fi
  eff() { if [ "$LOCKED" = 0 ] && on "$1"; then echo 1; else echo 0; fi; }
  USER_TEXT="# Managed by reseller-panel: logins and services of $U. Changes are overwritten.
username=$U
reseller=$RESELLER
home=$HOME_REL
login=$login
ip=$IP
ftp=$(eff ftp)
shell=$(eff shell)
webftp=$(eff webftp)
webmail=$(eff webmail)
spamFilter=$(eff spamFilter)
backup=$( [ "$LOCKED" = 0 ] && echo "${SVC[backup]}" || echo no )
storageMb=${LIMIT[storageMb]}
ftpUsers=${LIMIT[ftpUsers]}
pop3Boxes=${LIMIT[pop3Boxes]}
trafficGb=${LIMIT[trafficGb]}"
  for d in ${DOMAINS[@]+"${DOMAINS[@]}"}; do
    set -f
    # shellcheck disable=SC2086
    set -- $d
    set +f
    USER_TEXT="$USER_TEXT
domain=$1 dns=$2 dnr=$3"
  done
  write_file "$USERCONF" 644 "$USER_TEXT"

  # --- cron jobs (kept, commented out, while locked)
  if [ ${#CRON_CMD[@]} -eq 0 ]; then
    remove_file "$CRONFILE"
  else
    CRON_TEXT="# Managed by reseller-panel: cron jobs of $U. Changes are overwritten.
SHELL=/bin/sh"
    [ "$LOCKED" = 1 ] && CRON_TEXT="$CRON_TEXT
# locked: the jobs below do not run until the user is unlocked."
    i=0
    while [ $i -lt ${#CRON_CMD[@]} ]; do
      entry="${CRON_SCHED[$i]} $U ${CRON_CMD[$i]}"
      [ "$LOCKED" = 1 ] && entry="# $entry"
      CRON_TEXT="$CRON_TEXT
$entry"
      i=$((i + 1))
    done
    write_file "$CRONFILE" 644 "$CRON_TEXT"
  fi
fi

[ "$SITE_CHANGED" = 0 ] || { sys_reload_webserver; changed "system reload-webserver"; }

# Remember the state applied (bookkeeping, not reported as a change).
if ! printf '%s\n' "$TEXT" | cmp -s - "$STATE_DIR/$U.state" 2>/dev/null; then
  printf '%s\n' "$TEXT" >"$STATE_DIR/$U.state.tmp.$$" && mv -f "$STATE_DIR/$U.state.tmp.$$" "$STATE_DIR/$U.state" ||
    die "state could not be recorded"
fi

release_lock
bool() { if [ "$1" = 1 ]; then echo true; else echo false; fi; }
printf '{"ok":true,"username":"%s","sequence":%s,"locked":%s,"deleted":%s,"changed":%s}\n' \
  "$U" "$SEQ" "$(bool "$LOCKED")" "$(bool "$DELETED")" "$(changed_json)"
exit 0
