#!/usr/bin/env bash
# End-to-end load test on loopback: an axum app without the layer, with it (HS256, RS256) and
# with the verified-token cache (RS256), each driven by wrk. The server runs on core 0 and wrk
# on core 1 (taskset), one after another, so the ratios come from one run on one machine.
#
#   bash scripts/load.sh [seconds per mode, default 10] [connections, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --example load_server -q
bin=target/release/examples/load_server
port=18080

declare -A rps p99
for mode in none hs256 rs256 rs256-cache; do
  out=$(mktemp)
  taskset -c 0 "$bin" "$mode" "$port" >"$out" &
  pid=$!
  for _ in $(seq 1 100); do [ -s "$out" ] && break; sleep 0.1; done
  token=$(head -n1 "$out")
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  report=$(taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/")
  kill "$pid"; wait "$pid" 2>/dev/null || true; rm -f "$out"
  rps[$mode]=$(echo "$report" | awk '/Requests\/sec/ {print $2}')
  p99[$mode]=$(echo "$report" | awk '$1 == "99%" {print $2}')
done

to_ms() { # wrk prints 1.23ms, 456.00us or 1.20s
  local v=$1
  case $v in *ms) echo "${v%ms}";; *us) awk "BEGIN{print ${v%us}/1000}";; *s) awk "BEGIN{print ${v%s}*1000}";; esac
}
base_rps=${rps[none]}; base_p99=$(to_ms "${p99[none]}")
echo "| mode | requests/s | ratio to unprotected | p99 | p99 ratio |"
echo "| --- | --- | --- | --- | --- |"
for mode in none hs256 rs256 rs256-cache; do
  p=$(to_ms "${p99[$mode]}")
  awk -v m="$mode" -v r="${rps[$mode]}" -v b="$base_rps" -v p="$p" -v bp="$base_p99" \
    'BEGIN { printf "| %s | %.0f | %.2f | %.2f ms | %.2f |\n", m, r, r / b, p, p / bp }'
done
