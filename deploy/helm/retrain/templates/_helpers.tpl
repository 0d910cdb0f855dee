{{- define "retrain.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "retrain.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "retrain.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* the secret the chart creates from inline values (only when some credential is given inline) */}}
{{- define "retrain.credentials" -}}
{{- printf "%s-credentials" (include "retrain.fullname" .) -}}
{{- end -}}

{{- define "retrain.databaseSecret" -}}
{{- .Values.database.existingSecret | default (include "retrain.credentials" .) -}}
{{- end -}}

{{- define "retrain.rabbitmqSecret" -}}
{{- .Values.rabbitmq.existingSecret | default (include "retrain.credentials" .) -}}
{{- end -}}

{{- define "retrain.s3Secret" -}}
{{- .Values.storage.s3.existingSecret | default (include "retrain.credentials" .) -}}
{{- end -}}

{{- define "retrain.s3HasKeys" -}}
{{- if or .Values.storage.s3.existingSecret .Values.storage.s3.accessKey -}}true{{- end -}}
{{- end -}}

{{/* environment shared by orchestrator nodes and workers: database, broker, storage, security */}}
{{- define "retrain.env" -}}
- name: SPRING_PROFILES_ACTIVE
  value: postgres
- name: SERVER_PORT
  value: {{ .Values.port | quote }}
- name: RETRAIN_NODEID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: SPRING_DATASOURCE_URL
  value: {{ .Values.database.url | quote }}
- name: SPRING_DATASOURCE_USERNAME
  value: {{ .Values.database.username | quote }}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "retrain.databaseSecret" . }}
      key: {{ .Values.database.passwordKey }}
{{- if .Values.workers.enabled }}
- name: SPRING_RABBITMQ_HOST
  value: {{ .Values.rabbitmq.host | quote }}
- name: SPRING_RABBITMQ_PORT
  value: {{ .Values.rabbitmq.port | quote }}
- name: SPRING_RABBITMQ_USERNAME
  value: {{ .Values.rabbitmq.username | quote }}
- name: SPRING_RABBITMQ_VIRTUALHOST
  value: {{ .Values.rabbitmq.virtualHost | default "/" | quote }}
- name: SPRING_RABBITMQ_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "retrain.rabbitmqSecret" . }}
      key: {{ .Values.rabbitmq.passwordKey }}
{{- end }}
- name: RETRAIN_STOREURI
  value: {{ .Values.storage.storeUri | quote }}
- name: RETRAIN_WORKSPACEURI
  value: {{ .Values.storage.workspaceUri | quote }}
{{- with .Values.storage.s3.endpoint }}
- name: RETRAIN_STORAGE_S3_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: RETRAIN_STORAGE_S3_REGION
  value: {{ .Values.storage.s3.region | quote }}
- name: RETRAIN_STORAGE_S3_PATHSTYLE
  value: {{ .Values.storage.s3.pathStyle | quote }}
- name: RETRAIN_STORAGE_S3_CHECKSUMS
  value: {{ .Values.storage.s3.checksums | default "auto" | quote }}
{{- if include "retrain.s3HasKeys" . }}
- name: RETRAIN_STORAGE_S3_ACCESSKEY
  valueFrom:
    secretKeyRef:
      name: {{ include "retrain.s3Secret" . }}
      key: {{ .Values.storage.s3.accessKeyKey }}
- name: RETRAIN_STORAGE_S3_SECRETKEY
  valueFrom:
    secretKeyRef:
      name: {{ include "retrain.s3Secret" . }}
      key: {{ .Values.storage.s3.secretKeyKey }}
{{- end }}
{{- range $i, $key := .Values.security.apiKeys }}
- name: RETRAIN_SECURITY_APIKEYS_{{ $i }}_NAME
  value: {{ $key.name | quote }}
- name: RETRAIN_SECURITY_APIKEYS_{{ $i }}_SHA256
  value: {{ $key.sha256 | quote }}
- name: RETRAIN_SECURITY_APIKEYS_{{ $i }}_ROLES
  value: {{ join "," $key.roles | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* probes on Actuator's health groups: liveness is the process alone, readiness adds the database */}}
{{- define "retrain.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: 5
  failureThreshold: 60
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: http
  periodSeconds: 10
  failureThreshold: 3
{{- end -}}

{{- define "retrain.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "retrain.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* the pod spec's identity: its ServiceAccount, and no API token unless asked for */}}
{{- define "retrain.podIdentity" -}}
serviceAccountName: {{ include "retrain.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountToken }}
{{- end -}}

{{/* pods of one component spread over machines: root, component, mode (ScheduleAnyway, DoNotSchedule, "") */}}
{{- define "retrain.spread" -}}
{{- if .mode -}}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: {{ .mode }}
    labelSelector:
      matchLabels:
        {{- include "retrain.selector" (dict "root" .root "component" .component) | nindent 8 }}
{{- end }}
{{- end -}}

{{- define "retrain.podSecurity" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "retrain.containerSecurity" -}}
allowPrivilegeEscalation: false
# the application writes only to /var/retrain and /tmp (emptyDir volumes); the natives in /opt/djl are read
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "retrain.volumeMounts" -}}
- name: data
  mountPath: /var/retrain
- name: pipelines
  mountPath: /config/pipelines
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- if .Values.modelFiles.volume }}
- name: model-files
  mountPath: {{ .Values.modelFiles.mountPath }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "retrain.volumes" -}}
- name: data
  emptyDir:
    {{- with .Values.volumes.dataSizeLimit }}
    sizeLimit: {{ . }}
    {{- else }} {}
    {{- end }}
- name: tmp
  emptyDir:
    {{- with .Values.volumes.tmpSizeLimit }}
    sizeLimit: {{ . }}
    {{- else }} {}
    {{- end }}
- name: pipelines
  configMap:
    name: {{ include "retrain.fullname" . }}-pipelines
{{- if .Values.modelFiles.volume }}
- name: model-files
  {{- toYaml .Values.modelFiles.volume | nindent 2 }}
{{- end }}
{{- end -}}

{{/* what cannot work is refused at render time, naming the value */}}
{{- define "retrain.validate" -}}
{{- if not (or .Values.database.existingSecret .Values.database.password) -}}
{{- fail "database.password or database.existingSecret is required (the PostgreSQL password)" -}}
{{- end -}}
{{- if and .Values.workers.enabled (not (or .Values.rabbitmq.existingSecret .Values.rabbitmq.password)) -}}
{{- fail "rabbitmq.password or rabbitmq.existingSecret is required when workers.enabled is true" -}}
{{- end -}}
{{- if and .Values.storage.s3.accessKey (not .Values.storage.s3.secretKey) -}}
{{- fail "storage.s3.secretKey is required with storage.s3.accessKey" -}}
{{- end -}}
{{- if and .Values.workers.keda.enabled (not .Values.workers.enabled) -}}
{{- fail "workers.keda.enabled needs workers.enabled" -}}
{{- end -}}
{{- with .Values.orchestrator.spreadByHostname -}}
{{- if not (has . (list "ScheduleAnyway" "DoNotSchedule")) -}}
{{- fail "orchestrator.spreadByHostname must be ScheduleAnyway, DoNotSchedule or empty" -}}
{{- end -}}
{{- end -}}
{{- with .Values.workers.spreadByHostname -}}
{{- if not (has . (list "ScheduleAnyway" "DoNotSchedule")) -}}
{{- fail "workers.spreadByHostname must be ScheduleAnyway, DoNotSchedule or empty" -}}
{{- end -}}
{{- end -}}
{{- if and (not .Values.serviceAccount.create) .Values.serviceAccount.annotations -}}
{{- fail "serviceAccount.annotations need serviceAccount.create: true (annotate an existing serviceAccount.name yourself)" -}}
{{- end -}}
{{- if lt (int .Values.orchestrator.replicas) 1 -}}
{{- fail "orchestrator.replicas must be at least 1" -}}
{{- end -}}
{{- end -}}

{{/* The worker pod: the Deployment's and, with KEDA's ScaledJob, each Job's (args: the root context) */}}
{{- define "retrain.workerPodSpec" -}}
{{- include "retrain.podIdentity" $ | nindent 0 }}
securityContext:
  {{- include "retrain.podSecurity" $ | nindent 2 }}
{{- include "retrain.spread" (dict "root" $ "component" "worker" "mode" $.Values.workers.spreadByHostname) | nindent 0 }}
# a worker stopped mid-step leaves the step to another worker, which resumes from its checkpoint
terminationGracePeriodSeconds: 30
{{- with $.Values.workers.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $.Values.workers.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
  - name: worker
    image: "{{ $.Values.image.repository }}:{{ $.Values.image.tag }}"
    imagePullPolicy: {{ $.Values.image.pullPolicy }}
    args: ["worker"]
    ports:
      - name: http
        containerPort: {{ $.Values.port }}
        protocol: TCP
    env:
      {{- include "retrain.env" $ | nindent 6 }}
      {{- with ($.Values.database.workerPoolSize | default $.Values.database.poolSize) }}
      - name: SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE
        value: {{ . | quote }}
      {{- end }}
      - name: RETRAIN_WORKERS_CONSUME
        value: {{ join "," $.Values.workers.queues | quote }}
      - name: RETRAIN_WORKERS_SLOTS
        value: {{ $.Values.workers.slots | quote }}
      {{- if and $.Values.workers.keda.enabled (eq $.Values.workers.keda.kind "ScaledJob") }}
      # a Job per step: the worker takes one request, runs it and exits
      - name: RETRAIN_WORKERS_MAXSTEPS
        value: "1"
      {{- end }}
      {{- with $.Values.workers.javaOptions }}
      - name: JAVA_TOOL_OPTIONS
        value: {{ . | quote }}
      {{- end }}
    {{- with $.Values.security.existingSecret }}
    envFrom:
      - secretRef:
          name: {{ . }}
    {{- end }}
    {{- include "retrain.probes" $ | nindent 4 }}
    resources:
      {{- toYaml $.Values.workers.resources | nindent 6 }}
    securityContext:
      {{- include "retrain.containerSecurity" $ | nindent 6 }}
    volumeMounts:
      {{- include "retrain.volumeMounts" $ | nindent 6 }}
volumes:
  {{- include "retrain.volumes" $ | nindent 2 }}
{{- end }}
