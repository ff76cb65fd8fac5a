#!/usr/bin/env bash
# client-go exec credential plugin for the test cluster. Mints a token
# ktop-exec.<unix-expiry>.<hex HMAC-SHA256(secret, "ktop-exec.<unix-expiry>")>
# that the cluster's token webhook accepts only until <unix-expiry>, and logs
# each invocation to invocations.log next to this file so tests can count
# refreshes. KTOP_EXEC_TTL (seconds, default 60) sets the lifetime.
set -euo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ttl=${KTOP_EXEC_TTL:-60}
if [[ -e "$dir/login-needed" ]]; then
  echo "ktop-exec-credential: the login has expired; sign in again" >&2
  exit 1
fi
now=$(date +%s)
exp=$((now + ttl))
payload="ktop-exec.${exp}"
mac=$(printf '%s' "$payload" | openssl dgst -sha256 -hmac "$(cat "$dir/secret")" -r | cut -d' ' -f1)
printf '%s pid=%s ttl=%s expiry=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$$" "$ttl" "$exp" >>"$dir/invocations.log"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s.%s","expirationTimestamp":"%s"}}\n' \
  "$payload" "$mac" "$(date -u -d "@${exp}" +%Y-%m-%dT%H:%M:%SZ)"
