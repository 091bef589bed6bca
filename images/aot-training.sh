#!/usr/bin/env bash
# Records the agent's AOT cache (JDK 25, JEP 514): runs the agent the way its image does, sends it
# policy, milter and HTTP requests like a mail server would, stops it, and the JVM writes what it loaded
# and linked into CACHE. A later start with -XX:AOTCache=CACHE skips that work.
#
#   aot-training.sh JAR CACHE JVM-OPTIONS-FILE
#
# The agent listens on three free loopback ports, so that a build may run beside a running agent. They
# are taken below the kernel's range for outgoing connections' ports, which a connection of another
# program may hold at any moment; an agent that still cannot listen is started again on other ports.
set -euo pipefail
jar=$1 cache=$2 options=$3
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

read -r ephemeral_low _ 2>/dev/null < /proc/sys/net/ipv4/ip_local_port_range || ephemeral_low=32768
ports=10000-$((ephemeral_low - 1))
[ "$ephemeral_low" -gt 11000 ] || ports=20000-59999
free_port() {
  local port
  for port in $(shuf -i "$ports" -n 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  echo "aot-training: no free loopback port" >&2; exit 69
}

for attempt in 1 2 3; do
  policy_port=$(free_port) http_port=$(free_port) milter_port=$(free_port)
  [ "$policy_port" != "$http_port" ] || http_port=$(free_port)
  while [ "$milter_port" = "$policy_port" ] || [ "$milter_port" = "$http_port" ]; do milter_port=$(free_port); done

  # The agent's own HTTP listener stands in for the API: it answers every lookup 404 (not listed), so the
  # API client's whole path (connect, request, answer, verdict) is recorded. Nothing answers DNS on port 9:
  # the DNSBL client runs its error path, quickly.
  export VSPAM_API_URL=http://127.0.0.1:$http_port VSPAM_DNSBL_RESOLVERS=127.0.0.1:9 VSPAM_DECISION_TIMEOUT=200ms \
    VSPAM_CACHE_PATH="" VSPAM_LISTEN=tcp://127.0.0.1:$policy_port VSPAM_HTTP_ENABLED=true \
    VSPAM_HTTP_LISTEN=127.0.0.1:$http_port VSPAM_MILTER_LISTEN=tcp://127.0.0.1:$milter_port VSPAM_LOG_LEVEL=error
  "$java" @"$options" -XX:AOTCacheOutput="$cache" -Xlog:aot=error -jar "$jar" serve &
  agent=$!
  # the HTTP listener opens last: once it answers, the policy and milter listeners are open too
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$http_port") 2>/dev/null || ! kill -0 "$agent" 2>/dev/null; then break; fi
    sleep 0.1
  done
  kill -0 "$agent" 2>/dev/null && break
  wait "$agent" || true
  [ "$attempt" -lt 3 ] || { echo "aot-training: the agent did not start" >&2; exit 1; }
  echo "aot-training: the agent did not start (attempt $attempt), trying other ports" >&2
done
exec 3<>"/dev/tcp/127.0.0.1/$policy_port"
for i in $(seq 1 40); do
  printf 'request=smtpd_access_policy\nsender=user@s%d.example.org\nclient_address=192.0.2.%d\n\n' "$i" "$i" >&3
  read -r _ <&3 && read -r _ <&3
done
exec 3<&-
# One message through the milter, as Postfix sends it: negotiation, connect, MAIL, a header, a
# multipart/alternative body with a plain-text and an HTML part, end of message (its answer awaited, as
# an MTA does), quit. A packet is a 4-byte length, a command letter and its data.
packet() { # LETTER DATA: DATA holds no NUL, the fixed packets below are written out in full
  local n=$(( ${#2} + 1 ))
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' 0 0 $((n >> 8)) $((n & 255)))%s%s" "$1" "$2"
}
body=$'--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee https://link.example.com/ or www.example.net\r\n--b\r\n'
body+=$'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
body+=$'<p><a href=3D"https://link.example.com/">example.org</a></p>\r\n--b--\r\n'
exec 5<>"/dev/tcp/127.0.0.1/$milter_port"
{
  printf '\x00\x00\x00\x0dO\x00\x00\x00\x06\x00\x00\x01\xff\x00\x1f\xff\xff'
  printf '\x00\x00\x00\x1fCmail.example.com\x004\x00\x19192.0.2.1\x00'
  printf '\x00\x00\x00\x11M<a@example.org>\x00'
  printf '\x00\x00\x00\x30LContent-Type\x00multipart/alternative; boundary=b\x00'
  printf '\x00\x00\x00\x01N'
  packet B "$body"
  printf '\x00\x00\x00\x01E'
} >&5
# the negotiation (17 bytes) and five replies of 5: connect, MAIL, headers' end, body, end of message
timeout 30 head -c 42 <&5 >/dev/null || echo "aot-training: the milter did not answer; its classes are left out of the cache" >&2
printf '\x00\x00\x00\x01Q' >&5
timeout 30 cat <&5 >/dev/null || true
exec 5<&-
for path in "/check?sender_domain=example.org&client_ip=192.0.2.1" /health /metrics; do
  exec 4<>"/dev/tcp/127.0.0.1/$http_port"
  printf 'GET %s HTTP/1.0\r\n\r\n' "$path" >&4
  cat <&4 >/dev/null
  exec 4<&-
done

kill -TERM "$agent"
wait "$agent" || true # a JVM stopped by SIGTERM exits with 143
test -s "$cache" || { echo "aot-training: $cache was not written" >&2; exit 1; }
