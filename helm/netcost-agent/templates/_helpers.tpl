{{/* Chart name, truncated to a DNS label. */}}
{{- define "netcost.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: release-chart unless the release name already holds the chart name. */}}
{{- define "netcost.fullname" -}}
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

{{- define "netcost.node.name" -}}{{ include "netcost.fullname" . | trunc 58 | trimSuffix "-" }}-node{{- end -}}
{{- define "netcost.webhook.name" -}}{{ include "netcost.fullname" . | trunc 55 | trimSuffix "-" }}-webhook{{- end -}}
{{- define "netcost.webhook.tlsSecret" -}}{{ include "netcost.webhook.name" . }}-tls{{- end -}}

{{- define "netcost.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "netcost.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "netcost.selector" -}}
app.kubernetes.io/name: {{ include "netcost.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "netcost.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/*
JVM flags for a small container: heap as a share of the memory limit, started small (-Xms16m) and
kept close to what is live (heap free ratios), so resident memory follows use rather than the limit;
the class-data archive when the image has one (-Xshare:auto ignores one that does not match). Each
was measured on its own: bench/results/peers.md.
*/}}
{{- define "netcost.jvmArgs" -}}
- -XX:MaxRAMPercentage={{ .heapPercent }}
- -Xms16m
- -XX:MinHeapFreeRatio=10
- -XX:MaxHeapFreeRatio=20
- -XX:+UseSerialGC
- -XX:+ExitOnOutOfMemoryError
- -Xss512k
{{- with .sharedArchive }}
- -XX:SharedArchiveFile={{ . }}
- -Xshare:auto
{{- end }}
- -Djava.io.tmpdir=/tmp
- -Dorg.xerial.snappy.tempdir=/tmp
{{- end -}}

{{/*
The agent configuration both processes share: remote write (credentials as files from mounted
Secrets), debug endpoint, interval. Keys: docs/configuration.md.
*/}}
{{- define "netcost.coreConfig" -}}
nodeName: ${NODE_NAME}
interval: {{ .Values.interval }}
{{- with .Values.exporterTimeout }}
exporterTimeout: {{ . }}
{{- end }}
kubernetes:
  enabled: true
debug:
  listen: "0.0.0.0:{{ .Values.nodeAgent.debugPort }}"
  pages: {{ .Values.nodeAgent.debugPages }}
localFile:
  path: /var/lib/netcost/samples.prom
{{- if and (eq .Values.output.type "remoteWrite") (not .Values.remoteWrite) }}
{{- fail "output.type is remoteWrite but remoteWrite has no endpoint: add remoteWrite[0].url, or set output.type=localFile" }}
{{- end }}
{{- if and (ne .Values.output.type "localFile") .Values.remoteWrite }}
remoteWrite:
{{- range $i, $rw := .Values.remoteWrite }}
  - url: {{ $rw.url | quote }}
    {{- with $rw.name }}
    name: {{ . | quote }}
    {{- end }}
    {{- with $rw.bearerTokenSecret }}
    bearerTokenFile: /etc/netcost/secrets/rw-{{ $i }}-token/{{ .key }}
    {{- end }}
    {{- with $rw.basicAuth }}
    basicAuth:
      username: {{ .username | quote }}
      passwordFile: /etc/netcost/secrets/rw-{{ $i }}-password/{{ .passwordSecret.key }}
    {{- end }}
    {{- with $rw.tls }}
    tls:
      {{- with .caSecret }}
      caFile: /etc/netcost/secrets/rw-{{ $i }}-ca/{{ .key }}
      {{- end }}
      {{- with .certSecret }}
      certFile: /etc/netcost/secrets/rw-{{ $i }}-cert/{{ .key }}
      {{- end }}
      {{- with .keySecret }}
      keyFile: /etc/netcost/secrets/rw-{{ $i }}-key/{{ .key }}
      {{- end }}
      insecureSkipVerify: {{ .insecureSkipVerify | default false }}
    {{- end }}
    {{- with $rw.headers }}
    headers:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $rw.timeout }}
    timeout: {{ . }}
    {{- end }}
    {{- with $rw.queue }}
    queue:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Secret volumes for remote-write credentials, and their mounts. */}}
{{- define "netcost.secretVolumes" -}}
{{- range $i, $rw := .Values.remoteWrite }}
{{- with $rw.bearerTokenSecret }}
- name: rw-{{ $i }}-token
  secret: {secretName: {{ .name }}, items: [{key: {{ .key | quote }}, path: {{ .key | quote }}}]}
{{- end }}
{{- with $rw.basicAuth }}
- name: rw-{{ $i }}-password
  secret: {secretName: {{ .passwordSecret.name }}, items: [{key: {{ .passwordSecret.key | quote }}, path: {{ .passwordSecret.key | quote }}}]}
{{- end }}
{{- with $rw.tls }}
{{- range $kind := list "ca" "cert" "key" }}
{{- with (index $rw.tls (printf "%sSecret" $kind)) }}
- name: rw-{{ $i }}-{{ $kind }}
  secret: {secretName: {{ .name }}, items: [{key: {{ .key | quote }}, path: {{ .key | quote }}}]}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "netcost.secretMounts" -}}
{{- range $i, $rw := .Values.remoteWrite }}
{{- if $rw.bearerTokenSecret }}
- {name: rw-{{ $i }}-token, mountPath: /etc/netcost/secrets/rw-{{ $i }}-token, readOnly: true}
{{- end }}
{{- if $rw.basicAuth }}
- {name: rw-{{ $i }}-password, mountPath: /etc/netcost/secrets/rw-{{ $i }}-password, readOnly: true}
{{- end }}
{{- with $rw.tls }}
{{- range $kind := list "ca" "cert" "key" }}
{{- if (index $rw.tls (printf "%sSecret" $kind)) }}
- {name: rw-{{ $i }}-{{ $kind }}, mountPath: /etc/netcost/secrets/rw-{{ $i }}-{{ $kind }}, readOnly: true}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
The webhook's own section (docs/webhook.md). certManager: serve the pair cert-manager writes to the
mounted Secret. selfManaged: the webhook fills the chart's (empty) Secret itself, keeps the
configuration's caBundle in sync and writes its pair to the writable state volume.
*/}}
{{- define "netcost.webhookConfig" -}}
webhook:
  listen: "0.0.0.0:8443"
  {{- if eq .Values.webhook.tls.mode "certManager" }}
  tlsCertFile: /etc/netcost/tls/tls.crt
  tlsKeyFile: /etc/netcost/tls/tls.key
  {{- else }}
  selfManagedTls:
    enabled: true
    secretName: {{ include "netcost.webhook.tlsSecret" . }}
    secretNamespace: {{ .Release.Namespace }}
    webhookConfigurationName: {{ include "netcost.webhook.name" . }}
    serviceName: {{ include "netcost.webhook.name" . }}
    serviceNamespace: {{ .Release.Namespace }}
    certDir: /var/lib/netcost/tls
  {{- end }}
  resync: {{ .Values.webhook.resync }}
  labels:
    ingress: {{ toJson .Values.webhook.labels.ingress }}
    service: {{ toJson .Values.webhook.labels.service }}
{{- end -}}

{{/* The node agent's classification and exporter sections (docs/configuration.md). */}}
{{- define "netcost.nodeConfig" -}}
{{- with .Values.classification }}
{{- if or .zones .vpc }}
classification:
  {{- with .zones }}
  zones:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .vpc }}
  vpc:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end }}
{{- with .Values.exporters.cadvisor }}
cadvisor:
  enabled: {{ .enabled }}
  source: {{ .source }}
  insecureSkipVerify: {{ .insecureSkipVerify }}
  {{- if eq .source "procfs" }}
  procRoot: /host/proc
  cgroupRoot: /host/sys/fs/cgroup
  {{- end }}
{{- end }}
{{- with .Values.exporters.iptables }}
iptables:
  enabled: {{ .enabled }}
  backend: {{ .backend }}
  chainPrefix: {{ .chainPrefix }}
  # Keep the rules and their counters across restarts and upgrades.
  cleanupOnExit: false
{{- end }}
{{- end -}}
