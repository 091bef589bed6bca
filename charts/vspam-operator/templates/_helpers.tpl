{{/* Chart name, at most 63 characters. */}}
{{- define "vspam-operator.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name, and the chart name unless the release already contains it. */}}
{{- define "vspam-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "vspam-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "vspam-operator.labels" -}}
helm.sh/chart: {{ include "vspam-operator.chart" . }}
{{ include "vspam-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* What selects the operator pods. */}}
{{- define "vspam-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vspam-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "vspam-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "vspam-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "vspam-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "vspam-operator.agentImage" -}}
{{- printf "%s:%s" .Values.agentImage.repository (default .Chart.AppVersion .Values.agentImage.tag) }}
{{- end }}

{{/* The namespaces watched in namespace scope: the release namespace first, then watch.namespaces. */}}
{{- define "vspam-operator.watchedNamespaces" -}}
{{- $namespaces := list .Release.Namespace }}
{{- range .Values.watch.namespaces }}{{ $namespaces = append $namespaces . }}{{ end }}
{{- $namespaces | uniq | join "," }}
{{- end }}

{{/* The webhook's MutatingWebhookConfiguration, and the name cert-manager objects are given. */}}
{{- define "vspam-operator.webhookName" -}}
{{- printf "%s-webhook" (include "vspam-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
