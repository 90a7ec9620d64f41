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

{{/* image.repository is required until a public image exists: the message says how to make one. */}}
{{- define "netcost.image" -}}
{{- $repo := required "image.repository is required: no public netcost image exists yet. Build one with scripts/build-image.sh (it prints the image reference, e.g. localhost/netcost-agent:0.1.0), push it to your registry (e.g. podman push localhost/netcost-agent:0.1.0 <account>.dkr.ecr.<region>.amazonaws.com/netcost-agent:0.1.0) and install with --set image.repository=<account>.dkr.ecr.<region>.amazonaws.com/netcost-agent" .Values.image.repository -}}
{{ $repo }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The ServiceAccount of each component: serviceAccount.name for both when set, else a generated one. */}}
{{- define "netcost.node.serviceAccount" -}}
{{- if .Values.serviceAccount.name }}{{ .Values.serviceAccount.name }}{{ else if .Values.serviceAccount.create }}{{ include "netcost.node.name" . }}{{ else }}{{ fail "serviceAccount.create is false: set serviceAccount.name to the existing ServiceAccount both components run as" }}{{ end -}}
{{- end -}}
{{- define "netcost.webhook.serviceAccount" -}}
{{- if .Values.serviceAccount.name }}{{ .Values.serviceAccount.name }}{{ else if .Values.serviceAccount.create }}{{ include "netcost.webhook.name" . }}{{ else }}{{ fail "serviceAccount.create is false: set serviceAccount.name to the existing ServiceAccount both components run as" }}{{ end -}}
{{- end -}}

{{/* The webhook's leader-election Lease: one per release, so two releases never elect one leader. */}}
{{- define "netcost.webhook.lease" -}}{{ include "netcost.webhook.name" . }}{{- end -}}

{{/* externalLabels with cluster from the required top-level value; they label every series sent. */}}
{{- define "netcost.externalLabels" -}}
{{- $cluster := required "cluster is required: the name of this cluster, added to every series as the label cluster (e.g. --set cluster=prod-us-east-2)" .Values.cluster -}}
{{- toYaml (merge (dict "cluster" $cluster) (deepCopy .Values.externalLabels)) -}}
{{- end -}}

{{/*
JVM flags for a small container: heap as a share of the memory limit, started small (-Xms16m) and
kept close to what is live (heap free ratios), so resident memory follows use rather than the limit;
the C1 compiler only when jit is c1; the class-data archive when the image has one (-Xshare:auto ignores one that does not match). Each
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
{{- if eq .jit "c1" }}
- -XX:TieredStopAtLevel=1
{{- end }}
{{- with .sharedArchive }}
- -XX:SharedArchiveFile={{ . }}
- -Xshare:auto
{{- end }}
- -Djava.io.tmpdir=/tmp
- -Dorg.xerial.snappy.tempdir=/tmp
{{- end -}}

{{/*
The agent configuration both processes share: remote write (credentials as files from mounted
Secrets), external labels, interval. Keys: docs/configuration.md. Each process adds its own debug
section (netcost.debugConfig).
*/}}
{{- define "netcost.coreConfig" -}}
nodeName: ${NODE_NAME}
interval: {{ .Values.interval }}
externalLabels:
  {{- include "netcost.externalLabels" . | nindent 2 }}
{{- with .Values.exporterTimeout }}
exporterTimeout: {{ . }}
{{- end }}
localFile:
  path: /var/lib/netcost/samples.prom
dataDir: /var/lib/netcost
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
    {{- with $rw.sigv4 }}
    {{- if or $rw.bearerTokenSecret $rw.basicAuth }}
    {{- fail (printf "remoteWrite[%d]: sigv4 cannot be combined with bearerTokenSecret or basicAuth (SigV4 writes the Authorization header itself); remove one of them" $i) }}
    {{- end }}
    sigv4:
      region: {{ .region | quote }}
      service: {{ .service | default "aps" | quote }}
      {{- with .roleArn }}
      roleArn: {{ . | quote }}
      {{- end }}
    {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
A debug section: listen on every address of the pod (the node's, with hostNetwork) so /metrics and the
probes work, /debug/* only for loopback clients (kubectl port-forward) unless told otherwise.
Called with (dict "port" P "pages" BOOL "loopbackOnly" BOOL).
*/}}
{{- define "netcost.debugConfig" -}}
debug:
  listen: "0.0.0.0:{{ .port }}"
  pages: {{ .pages }}
  pagesLoopbackOnly: {{ .loopbackOnly }}
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
{{ include "netcost.debugConfig" (dict "port" .Values.webhook.debugPort "pages" true "loopbackOnly" true) }}
kubernetes:
  enabled: true
webhook:
  listen: "0.0.0.0:{{ .Values.webhook.port }}"
  leaderElection:
    namespace: {{ .Release.Namespace }}
    name: {{ include "netcost.webhook.lease" . }}
    identity: ${POD_NAME}
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

{{/* The node agent's debug, Kubernetes, classification and exporter sections (docs/configuration.md). */}}
{{- define "netcost.nodeConfig" -}}
{{ include "netcost.debugConfig" (dict "port" .Values.nodeAgent.debugPort "pages" .Values.nodeAgent.debugPages "loopbackOnly" .Values.nodeAgent.debugPagesLoopbackOnly) }}
kubernetes:
  enabled: true
  # The agent's own pod: at shutdown, whether its DaemonSet is being deleted (iptables.cleanupOnUninstall).
  podName: ${POD_NAME}
  podNamespace: ${POD_NAMESPACE}
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
  # Keep the rules and their counters across restarts and upgrades; remove them on helm uninstall.
  cleanupOnExit: false
  cleanupOnUninstall: {{ .cleanupOnUninstall }}
{{- end }}
{{- end -}}

{{/* The ConfigMap the webhook leader publishes discovered load balancers in (docs/load-balancers.md). */}}
{{- define "netcost.loadBalancers.configMap" -}}{{ include "netcost.fullname" . | trunc 48 | trimSuffix "-" }}-load-balancers{{- end -}}

{{/* Load-balancer discovery needs the webhook (it publishes) and aws.enabled. */}}
{{- define "netcost.loadBalancers.enabled" -}}{{ and .Values.aws.enabled .Values.webhook.enabled | ternary "true" "" }}{{- end -}}

{{/*
The aws section both processes share (docs/configuration.md#aws): IMDS + DescribeSubnets on the nodes,
DescribeNetworkInterfaces on the webhook leader, the ConfigMap between them.
*/}}
{{- define "netcost.awsConfig" -}}
aws:
  enabled: {{ .Values.aws.enabled }}
  {{- with .Values.aws.region }}
  region: {{ . | quote }}
  {{- end }}
  {{- with .Values.aws.vpcId }}
  vpcId: {{ . | quote }}
  {{- end }}
  {{- range $key := list "imdsEndpoint" "ec2Endpoint" "stsEndpoint" }}
  {{- with (index $.Values.aws $key) }}
  {{ $key }}: {{ . | quote }}
  {{- end }}
  {{- end }}
  subnetRefresh: {{ .Values.aws.subnetRefresh }}
  discoveryInterval: {{ .Values.aws.discoveryInterval }}
  {{- if include "netcost.loadBalancers.enabled" . }}
  loadBalancerConfigMap: {{ include "netcost.loadBalancers.configMap" . }}
  {{- else }}
  loadBalancerConfigMap: ""
  {{- end }}
  loadBalancerConfigMapNamespace: {{ .Release.Namespace }}
{{- end -}}
