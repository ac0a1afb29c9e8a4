{{/*
The selector of the operator's own series in alert rules: the job Prometheus gives the
operator's scrape, by default the metrics Service's name (what a ServiceMonitor uses as job).
*/}}
{{- define "operated.alerts.operatorSelector" -}}
job="{{ default (include "operated.metricsServiceName" .) .Values.alerts.operatorJob }}"
{{- end }}

{{/* "true" when the PrometheusRule is rendered: asked for, and its CRD served (or forced). */}}
{{- define "operated.alerts.render" -}}
{{- if and .Values.alerts.enabled (or .Values.alerts.renderWithoutCrd (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/PrometheusRule")) -}}
true
{{- end }}
{{- end }}
