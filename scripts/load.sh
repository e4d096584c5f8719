#!/usr/bin/env bash
# End-to-end load test on loopback: an axum app without the layer, with it (HS256, RS256), with
# the verified-token cache (RS256), and with the usual baseline (a middleware calling
# jsonwebtoken::decode, HS256 and RS256), each driven by wrk. A calibration mode, spin4.5, is the
# unprotected app burning 4.5 µs per request in its handler (about the HS256 layer's time in
# benches/layer.rs): the best any middleware costing that much can do on this machine. The server runs on core 0 and wrk
# on core 1 (taskset). The modes take turns, round after round, and each ratio is the median of
# the per-round ratios, so a slow spell on this shared machine hits every mode alike.
#
#   bash scripts/load.sh [seconds per mode, default 5] [connections, default 32] [rounds, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
conns=${2:-32}
rounds=${3:-5}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --example load_server -q
bin=target/release/examples/load_server
port=18080
modes=(none spin4.5 hs256 hs256-decode rs256 rs256-decode rs256-cache)

to_ms() { # wrk prints 1.23ms, 456.00us or 1.20s
  local v=$1
  case $v in *ms) echo "${v%ms}";; *us) awk "BEGIN{print ${v%us}/1000}";; *s) awk "BEGIN{print ${v%s}*1000}";; esac
}

results=$(mktemp)
for round in $(seq 1 "$rounds"); do
  for mode in "${modes[@]}"; do
    out=$(mktemp)
    taskset -c 0 "$bin" "$mode" "$port" >"$out" &
    pid=$!
    for _ in $(seq 1 100); do [ -s "$out" ] && break; sleep 0.1; done
    token=$(head -n1 "$out")
    for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
    report=$(taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/")
    kill "$pid"; wait "$pid" 2>/dev/null || true; rm -f "$out"
    rps=$(echo "$report" | awk '/Requests\/sec/ {print $2}')
    p99=$(to_ms "$(echo "$report" | awk '$1 == "99%" {print $2}')")
    echo "$round $mode $rps $p99" >>"$results"
    echo "round $round: $mode $rps req/s, p99 $p99 ms" >&2
  done
done

# Per round: each mode against that round's unprotected run; then the median over rounds.
echo "| mode | requests/s (median) | ratio to unprotected | p99 (median) | p99 ratio |"
echo "| --- | --- | --- | --- | --- |"
for mode in "${modes[@]}"; do
  awk -v m="$mode" '
    { rps[$1, $2] = $3; p99[$1, $2] = $4; if ($1 > n) n = $1 }
    function median(a, k,   i, j, t) {
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    END {
      for (r = 1; r <= n; r++) {
        R[r] = rps[r, m]; P[r] = p99[r, m]
        RR[r] = rps[r, m] / rps[r, "none"]; PR[r] = p99[r, m] / p99[r, "none"]
      }
      printf "| %s | %.0f | %.2f | %.2f ms | %.2f |\n", m, median(R, n), median(RR, n), median(P, n), median(PR, n)
    }' "$results"
done
echo
echo "per-round ratios to unprotected (requests/s):"
for mode in "${modes[@]}"; do
  awk -v m="$mode" '{ rps[$1, $2] = $3; if ($1 > n) n = $1 }
    END { printf "%s:", m; for (r = 1; r <= n; r++) printf " %.2f", rps[r, m] / rps[r, "none"]; printf "\n" }' "$results"
done
rm -f "$results"
