{{/* The release's full name: the release name, suffixed with the chart name unless it contains it. */}}
{{- define "ou-operator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ou-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ou-operator.labels" -}}
{{ include "ou-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: ou-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "ou-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ou-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* watchNamespaces as a JSON list; a comma-separated string (--set-string watchNamespaces=a,b) works too. */}}
{{- define "ou-operator.watchNamespaces" -}}
{{- $ns := .Values.watchNamespaces | default list -}}
{{- if kindIs "string" $ns -}}{{- $ns = splitList "," $ns | compact -}}{{- end -}}
{{- toJson $ns -}}
{{- end -}}

{{- define "ou-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
What the operator does to the objects of the units it manages, derived from its code (see the chart
README). Used by the ClusterRole (all namespaces) or by one Role per watched namespace.
*/}}
{{- define "ou-operator.unitRules" -}}
# The units: watched; status written; the finalizer earlier versions added is removed (no finalizer now).
- apiGroups: ["ou.availability.dev"]
  resources: ["operationalunits"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["ou.availability.dev"]
  resources: ["operationalunits/status"]
  verbs: ["get", "patch", "update"]
# Owner references with blockOwnerDeletion (needed where OwnerReferencesPermissionEnforcement is on).
- apiGroups: ["ou.availability.dev"]
  resources: ["operationalunits/finalizers"]
  verbs: ["update"]
# Standby pools (docs/pools.md): read, and their status written (members, in sync, capacity).
- apiGroups: ["ou.availability.dev"]
  resources: ["standbypools"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["ou.availability.dev"]
  resources: ["standbypools/status"]
  verbs: ["update"]
# The pool's shared pods, ServiceAccount, Role and RoleBinding are owned by it with blockOwnerDeletion.
- apiGroups: ["ou.availability.dev"]
  resources: ["standbypools/finalizers"]
  verbs: ["update"]
# Member pods: created, assigned (merge patch of labels and the assignment annotation), deleted (fencing);
# "get" is not used by the operator itself but it must hold every rule of the member Role it grants.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# The members' claims (replication.storage): created before a member's pod, read when one of its name exists (a
# claim the unit did not create is never used), watched, deleted once their member is gone for good.
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "watch", "create", "delete"]
# The unit's Service: created, then applied server-side (its selector names the primary); read when one of its
# name exists that the informer does not hold (a Service the unit did not create is never taken over).
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch"]
# Where the Service's traffic really goes (traffic-switched timing).
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["list", "watch"]
# The unit's primary Lease (<unit>-primary): created, handed to a new holder at promotion. (patch: only so that
# it may grant it to the members, whose first renewal after a promotion is one conditional patch.)
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "list", "watch", "create", "update", "patch"]
# The members' peer key: created once, never read back (an existing one is the unit's only if the unit's
# ServiceAccount, created after it, exists too).
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create"]
# The members' ServiceAccount, Role and RoleBinding, the PodDisruptionBudget and the NetworkPolicy: watched (by the
# unit label: one deleted or edited is restored within seconds), read where the watch holds none of the unit's (one
# the unit did not create is never taken over), then applied server-side.
# (Granting the member Role requires the operator to hold its rules itself: pods get/list/watch/patch and
# leases get/update/patch, which the rules above include.)
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch"]
# Each unit's NetworkPolicy: only its own members may open the replication port (networkPolicy.enabled).
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch", "create", "patch"]
# Events on units (repeats are folded into one Event: read, then patched).
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "get", "patch"]
{{- end -}}
