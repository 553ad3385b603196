#!/usr/bin/env bash
# Smoke test of the real desktop binary: under Xvfb, `handover gui --demo` must start, create
# its demo vault on first run and keep running. Needs xvfb-run (Debian package xvfb).
set -euo pipefail
bin=${1:-bin/handover}
home=$(mktemp -d)
log=$home/gui.log
# The app runs in its own process group, so stopping it also stops Xvfb and the app itself,
# not only the xvfb-run wrapper.
trap 'kill -- -$pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$home"' EXIT
HANDOVER_HOME=$home GSETTINGS_BACKEND=memory setsid xvfb-run -a -s "-screen 0 1366x768x24" "$bin" gui --demo >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  [[ -f $home/demo-vault/vault.json && -f $home/demo-vault/keytable.bin ]] && break
  kill -0 $pid 2>/dev/null || { echo "smoke-gui: the application exited early:"; cat "$log"; exit 1; }
  sleep 1
done
[[ -f $home/demo-vault/vault.json ]] || { echo "smoke-gui: no demo vault after 120 s"; cat "$log"; exit 1; }
sleep 3
kill -0 $pid 2>/dev/null || { echo "smoke-gui: the application exited:"; cat "$log"; exit 1; }
if grep -qiE "panic|fatal|error" "$log"; then echo "smoke-gui: the application logged errors:"; cat "$log"; exit 1; fi
echo "smoke-gui: the desktop application started and created its demo vault"
