{{/* The chart's name, or nameOverride. */}}
{{- define "sima.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's resource name: fullnameOverride, or release-chart. */}}
{{- define "sima.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the release's pods. */}}
{{- define "sima.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sima.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels on every resource. */}}
{{- define "sima.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "sima.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The Secret the server's credentials come from. */}}
{{- define "sima.secretName" -}}
{{- default (include "sima.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* "true" when the database is SQLite on the data volume. */}}
{{- define "sima.sqlite" -}}
{{- if and (not .Values.database.url) (not .Values.database.existingSecret) -}}
true
{{- else if hasPrefix "sqlite:" .Values.database.url -}}
true
{{- end -}}
{{- end -}}

{{/* The Secret the chart makes: the credentials set in the values. */}}
{{- define "sima.secretData" -}}
{{- $auth := .Values.auth -}}
{{- $data := dict -}}
{{- range $variable, $value := dict "SIMA_API_TOKEN" $auth.apiToken "SIMA_API_READ_TOKEN" $auth.apiReadToken "SIMA_WEBHOOK_TOKEN" $auth.webhookToken "SIMA_METRICS_TOKEN" $auth.metricsToken "SIMA_SESSION_KEY" $auth.sessionKey "SIMA_DATABASE_URL" .Values.database.url -}}
{{- if $value -}}
{{- $_ := set $data $variable ($value | toString) -}}
{{- end -}}
{{- end -}}
{{- range $variable, $value := .Values.extraSecretEnv -}}
{{- $_ := set $data $variable ($value | toString) -}}
{{- end -}}
{{- toYaml $data -}}
{{- end -}}

{{/* Refuses values the server could not run with, naming what to fix. */}}
{{- define "sima.validate" -}}
{{- $auth := .Values.auth -}}
{{- if .Values.existingSecret -}}
{{- if or $auth.apiToken $auth.apiReadToken $auth.webhookToken $auth.metricsToken $auth.sessionKey .Values.extraSecretEnv .Values.database.url -}}
{{- fail "existingSecret is set: put the credentials and SIMA_DATABASE_URL in that Secret, and leave auth, extraSecretEnv and database.url empty" -}}
{{- end -}}
{{- else -}}
{{- $_ := required "auth.apiToken is required: in a pod SIMA listens on 0.0.0.0 and refuses API and dashboard clients without a token (openssl rand -hex 32), or name your own Secret in existingSecret" $auth.apiToken -}}
{{- range $key, $value := dict "auth.apiToken" $auth.apiToken "auth.apiReadToken" $auth.apiReadToken "auth.webhookToken" $auth.webhookToken "auth.metricsToken" $auth.metricsToken -}}
{{- if and $value (lt (len ($value | toString)) 16) -}}
{{- fail (printf "%s must be at least 16 characters (openssl rand -hex 32)" $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if gt (int .Values.replicaCount) 1 -}}
{{- if include "sima.sqlite" . -}}
{{- fail "replicaCount > 1 needs PostgreSQL: set database.url (postgres://…) or database.existingSecret; SQLite serves one process only" -}}
{{- end -}}
{{- if and .Values.persistence.enabled (not .Values.persistence.existingClaim) (has "ReadWriteOnce" .Values.persistence.accessModes) -}}
{{- fail "replicaCount > 1 cannot share a ReadWriteOnce volume: set persistence.accessModes to [ReadWriteMany], or persistence.enabled=false (Markdown post-mortems are then lost with their pod: use Notion or Confluence)" -}}
{{- end -}}
{{- end -}}
{{- end -}}
