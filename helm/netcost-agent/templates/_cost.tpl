{{/*
The cost model's pieces of the agents' configuration (docs/cost-model.md). Kept out of the shared
helpers so that each process' ConfigMap only includes them.
*/}}

{{/* Pod label keys the node agent copies into netcost_pod_labels: teamLabel first, then podLabelKeys. */}}
{{- define "netcost.podLabelKeys" -}}
{{- $keys := list -}}
{{- with .Values.teamLabel }}{{ $keys = append $keys . }}{{ end -}}
{{- range .Values.podLabelKeys }}{{ $keys = append $keys . }}{{ end -}}
{{- toJson ($keys | uniq) -}}
{{- end -}}

{{/* The node agent's labels: section. */}}
{{- define "netcost.podLabelsConfig" -}}
{{- $keys := include "netcost.podLabelKeys" . | fromJsonArray -}}
{{- if $keys }}
labels:
  pod: {{ toJson $keys }}
{{- end }}
{{- end -}}

{{/* The webhook's pricing: section: only the keys the user set; the agent holds the defaults. */}}
{{- define "netcost.pricingConfig" -}}
{{- with .Values.pricing }}
pricing:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* teamLabel as netcost_pod_labels names it: label_ and the key with [^a-zA-Z0-9_] as _. */}}
{{- define "netcost.teamLabelName" -}}
label_{{ regexReplaceAll "[^a-zA-Z0-9_]" .Values.teamLabel "_" }}
{{- end -}}
