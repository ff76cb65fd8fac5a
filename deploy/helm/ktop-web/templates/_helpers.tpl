{{/* The release's name, cut to the 63 characters a label or DNS name allows. */}}
{{- define "ktop-web.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ktop-web.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ktop-web.labels" -}}
{{ include "ktop-web.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "ktop-web.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ktop-web.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Checks the values that only make sense together; every template includes it, so a bad
combination fails `helm install` and `helm template` with the reason.
*/}}
{{- define "ktop-web.validate" -}}
{{- $mode := .Values.auth.mode -}}
{{- if not (has $mode (list "token" "proxy")) -}}
{{- fail (printf "auth.mode must be token or proxy, not %q" $mode) -}}
{{- end -}}
{{- if not (has .Values.metricsSource (list "auto" "metrics-server" "prometheus" "none")) -}}
{{- fail (printf "metricsSource must be auto, metrics-server, prometheus or none, not %q" .Values.metricsSource) -}}
{{- end -}}
{{- if .Values.oauth2Proxy.enabled -}}
{{- if ne $mode "proxy" -}}
{{- fail "oauth2Proxy.enabled needs auth.mode=proxy: the sidecar names the viewers" -}}
{{- end -}}
{{- if .Values.auth.trustedProxies -}}
{{- fail "auth.trustedProxies must be empty with oauth2Proxy.enabled: only the sidecar, on 127.0.0.1, is trusted" -}}
{{- end -}}
{{- if eq (int .Values.oauth2Proxy.port) (int .Values.listen.port) -}}
{{- fail "oauth2Proxy.port and listen.port must differ: both listen in the same pod" -}}
{{- end -}}
{{- if not .Values.oauth2Proxy.clientId -}}
{{- fail "oauth2Proxy.clientId is required with oauth2Proxy.enabled" -}}
{{- end -}}
{{- if not .Values.oauth2Proxy.clientSecret.name -}}
{{- fail "oauth2Proxy.clientSecret.name must name an existing Secret with the OAuth client secret" -}}
{{- end -}}
{{- if not .Values.oauth2Proxy.cookieSecret.name -}}
{{- fail "oauth2Proxy.cookieSecret.name must name an existing Secret with the cookie secret" -}}
{{- end -}}
{{- if and (eq .Values.oauth2Proxy.provider "oidc") (not .Values.oauth2Proxy.oidcIssuerUrl) -}}
{{- fail "oauth2Proxy.oidcIssuerUrl is required with provider oidc" -}}
{{- end -}}
{{- else if eq $mode "proxy" -}}
{{- if not .Values.auth.trustedProxies -}}
{{- fail "auth.mode=proxy needs auth.trustedProxies: the addresses or CIDRs the authenticating proxy connects from" -}}
{{- end -}}
{{- if and .Values.networkPolicy.enabled (not .Values.networkPolicy.from.podSelector) (not .Values.networkPolicy.from.namespaceSelector) -}}
{{- fail "auth.mode=proxy: set networkPolicy.from.podSelector and/or namespaceSelector to the authenticating proxy's pods, so that nothing else can connect" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The port the Service targets: the sidecar's when it is on, else ktop-web's. */}}
{{- define "ktop-web.servingPort" -}}
{{- if .Values.oauth2Proxy.enabled -}}
{{- .Values.oauth2Proxy.port -}}
{{- else -}}
{{- .Values.listen.port -}}
{{- end -}}
{{- end -}}

{{/* ktop-web's command line, one quoted `--flag=value` per item. */}}
{{- define "ktop-web.args" -}}
{{- $sidecar := .Values.oauth2Proxy.enabled -}}
{{- $args := list (printf "--address=%s" (ternary "127.0.0.1" .Values.listen.address $sidecar)) -}}
{{- $args = append $args (printf "--port=%d" (int .Values.listen.port)) -}}
{{- $args = append $args (printf "--metrics-source=%s" .Values.metricsSource) -}}
{{- $args = append $args (printf "--log-level=%s" .Values.logLevel) -}}
{{- $args = append $args (printf "--auth=%s" .Values.auth.mode) -}}
{{- if eq .Values.auth.mode "proxy" -}}
{{- $trusted := ternary (list "127.0.0.1/32") .Values.auth.trustedProxies $sidecar -}}
{{- range $trusted -}}
{{- $args = append $args (printf "--trusted-proxy=%s" .) -}}
{{- end -}}
{{- with .Values.auth.userHeader -}}
{{- $args = append $args (printf "--user-header=%s" .) -}}
{{- end -}}
{{- with .Values.auth.groupsHeader -}}
{{- $args = append $args (printf "--groups-header=%s" .) -}}
{{- end -}}
{{- with .Values.auth.emailHeader -}}
{{- $args = append $args (printf "--email-header=%s" .) -}}
{{- end -}}
{{- end -}}
{{- if not $sidecar -}}
{{- $svc := include "ktop-web.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- range (list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns $.Values.clusterDomain)) -}}
{{- $args = append $args (printf "--allowed-host=%s:%d" . (int $.Values.service.port)) -}}
{{- end -}}
{{- end -}}
{{- range .Values.allowedHosts -}}
{{- $args = append $args (printf "--allowed-host=%s" .) -}}
{{- end -}}
{{- range .Values.embedOrigins -}}
{{- $args = append $args (printf "--embed-origin=%s" .) -}}
{{- end -}}
{{- with .Values.historySource -}}
{{- $args = append $args (printf "--history-source=%s" .) -}}
{{- end -}}
{{- with .Values.watchNamespace -}}
{{- $args = append $args (printf "--namespace=%s" .) -}}
{{- end -}}
{{- range .Values.extraArgs -}}
{{- $args = append $args (toString .) -}}
{{- end -}}
{{- range $args }}
- {{ . | quote }}
{{- end -}}
{{- end -}}
