#!/usr/bin/env bash
# Records the agent's AOT cache (JDK 25, JEP 514): runs the agent the way its image does, sends it
# policy and HTTP requests like a mail server and Kubernetes would, stops it, and the JVM writes what it
# loaded and linked into CACHE. A later start with -XX:AOTCache=CACHE skips that work.
#
# The cache is the sidecar's: a policy service with health and metrics, asking the API and the DNSBL. A
# JVM loads every class its cache holds at start, whatever the configuration, so what only some agents use
# (the milter and its MIME and HTML parsers, the Redis client) is left out and read from the jar by the
# agents configured for it.
#
#   aot-training.sh JAR CACHE JVM-OPTIONS-FILE
#
# The agent listens on two free loopback ports, so that a build may run beside a running agent. They
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
  policy_port=$(free_port) http_port=$(free_port)
  while [ "$policy_port" = "$http_port" ]; do http_port=$(free_port); done

  # The agent's own HTTP listener stands in for the API: it answers every lookup 404 (not listed), so the
  # API client's whole path (connect, request, answer, verdict) is recorded. Nothing answers DNS on port 9:
  # the DNSBL client runs its error path, quickly.
  export VSPAM_API_URL=http://127.0.0.1:$http_port VSPAM_DNSBL_RESOLVERS=127.0.0.1:9 VSPAM_DECISION_TIMEOUT=200ms \
    VSPAM_CACHE_PATH="" VSPAM_LISTEN=tcp://127.0.0.1:$policy_port VSPAM_HTTP_ENABLED=true \
    VSPAM_HTTP_LISTEN=127.0.0.1:$http_port VSPAM_LOG_LEVEL=error
  "$java" @"$options" -XX:AOTCacheOutput="$cache" -Xlog:aot=error -jar "$jar" serve &
  agent=$!
  # the HTTP listener opens last: once it answers, the policy listener is open too
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
for path in "/check?sender_domain=example.org&client_ip=192.0.2.1" /health /metrics; do
  exec 4<>"/dev/tcp/127.0.0.1/$http_port"
  printf 'GET %s HTTP/1.0\r\n\r\n' "$path" >&4
  cat <&4 >/dev/null
  exec 4<&-
done

kill -TERM "$agent"
wait "$agent" || true # a JVM stopped by SIGTERM exits with 143
test -s "$cache" || { echo "aot-training: $cache was not written" >&2; exit 1; }
