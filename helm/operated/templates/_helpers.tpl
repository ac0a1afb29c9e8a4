{{/* The chart's name, overridable. */}}
{{- define "operated.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every resource name: the release name, plus the chart's unless it has it. */}}
{{- define "operated.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The metrics Service's name. A Service name must be a DNS-1035 label (kube-apiserver's
ValidateServiceName): at most 63 characters, lowercase letters, digits and '-', starting with a
letter. Helm accepts release names that are not (up to 53 characters, dots, a leading digit).
*/}}
{{- define "operated.metricsServiceName" -}}
{{- $name := printf "%s-metrics" (include "operated.fullname" . | trunc 55 | trimSuffix "-") }}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $name) }}
{{- fail (printf "the operator's metrics Service would be named %q, which Kubernetes refuses as a Service name (lowercase letters, digits and '-', starting with a letter): set fullnameOverride to such a name" $name) }}
{{- end }}
{{- $name }}
{{- end }}

{{- define "operated.selectorLabels" -}}
app.kubernetes.io/name: {{ include "operated.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "operated.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "operated.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "operated.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "operated.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "operated.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
"true" when leader election is on: asked for, or auto with more than one replica. More than one
replica with leader election off would run two operators writing the same objects: refused.
*/}}
{{- define "operated.leaderElection" -}}
{{- $enabled := .Values.leaderElection.enabled }}
{{- if kindIs "bool" $enabled }}
{{- if and (not $enabled) (gt (int .Values.replicaCount) 1) }}
{{- fail (printf "leaderElection.enabled is false with replicaCount %d: more than one operator would reconcile the same services. Set leaderElection.enabled to auto (or true), or replicaCount to 1." (int .Values.replicaCount)) }}
{{- end }}
{{- ternary "true" "false" $enabled }}
{{- else }}
{{- ternary "true" "false" (gt (int .Values.replicaCount) 1) }}
{{- end }}
{{- end }}

{{/* The value of OPERATED_WATCH_NAMESPACES: all, own, or a comma-separated list. */}}
{{- define "operated.watchNamespaces" -}}
{{- if eq .Values.watch.mode "list" }}
{{- join "," .Values.watch.namespaces }}
{{- else }}
{{- .Values.watch.mode }}
{{- end }}
{{- end }}

{{/*
The operator's RBAC rules. dev.operated.runtime.OperatorPermissions is the source of truth:
ChartTest renders this chart and fails when the two differ, so change both together.
*/}}
{{- define "operated.rules.watchedNamespace" -}}
- apiGroups: ["operated.dev"]
  resources: ["operatedservices"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["operated.dev"]
  resources: ["operatedservices/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["create", "get", "list", "patch", "watch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["create", "get", "list", "patch", "watch"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["create", "delete", "get", "list", "patch", "watch"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["create", "delete", "get", "list", "patch", "watch"]
- apiGroups: ["monitoring.coreos.com"]
  resources: ["servicemonitors"]
  verbs: ["create", "delete", "get", "list", "patch", "watch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* Cluster-scoped reads; namespaces by name when they are known at install time. */}}
{{- define "operated.rules.clusterScoped" -}}
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  resourceNames: ["servicemonitors.monitoring.coreos.com"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["namespaces"]
  {{- if eq .Values.watch.mode "list" }}
  resourceNames: {{ .Values.watch.namespaces | sortAlpha | toJson }}
  {{- else if eq .Values.watch.mode "own" }}
  resourceNames: [{{ .Release.Namespace | quote }}]
  {{- end }}
  verbs: ["get", "list", "watch"]
{{- end }}

{{- define "operated.rules.leaderElection" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  resourceNames: [{{ .Values.leaderElection.leaseName | quote }}]
  verbs: ["get", "patch", "update"]
{{- end }}
