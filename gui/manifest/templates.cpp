#include "templates.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace timonel::manifest {

namespace {

const char16_t deployment[] = uR"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
        resources:
          requests:
            cpu: 100m
            memory: 64Mi
          limits:
            memory: 128Mi
)";

const char16_t service[] = uR"(apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 80
)";

const char16_t configMap[] = uR"(apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  LOG_LEVEL: info
  app.properties: |
    greeting=hello
    color=blue
)";

const char16_t secret[] = uR"(apiVersion: v1
kind: Secret
metadata:
  name: credentials
type: Opaque
stringData:
  username: admin
  password: change-me
)";

const char16_t ingress[] = uR"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  ingressClassName: timonel
  rules:
  - host: web.localhost
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
)";

// The course's nginx pod: the readiness probe lets traffic in, the liveness probe restarts
// nginx when it stops answering.
const char16_t pod[] = uR"(apiVersion: v1
kind: Pod
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  containers:
  - name: nginx
    image: nginx
    imagePullPolicy: IfNotPresent
    ports:
    - containerPort: 80
    readinessProbe:
      httpGet:
        path: /
        port: 80
      initialDelaySeconds: 5
      periodSeconds: 5
    livenessProbe:
      httpGet:
        path: /
        port: 80
      initialDelaySeconds: 5
      periodSeconds: 3
  restartPolicy: Always
)";

const char16_t job[] = uR"(apiVersion: batch/v1
kind: Job
metadata:
  name: hello
spec:
  backoffLimit: 4
  template:
    spec:
      containers:
      - name: hello
        image: busybox
        command: ["sh", "-c", "echo Hello from the cluster"]
      restartPolicy: Never
)";

const char16_t cronJob[] = uR"(apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox
            command: ["sh", "-c", "date; echo Hello from the cluster"]
          restartPolicy: OnFailure
)";

// A StatefulSet names its pods through a headless Service: db-0.db, db-1.db...
const char16_t statefulSet[] = uR"(apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector:
    app: db
  ports:
  - name: redis
    port: 6379
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: redis
        image: redis
        ports:
        - name: redis
          containerPort: 6379
        volumeMounts:
        - name: data
          mountPath: /data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
)";

const char16_t daemonSet[] = uR"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
spec:
  selector:
    matchLabels:
      app: node-agent
  template:
    metadata:
      labels:
        app: node-agent
    spec:
      containers:
      - name: agent
        image: busybox
        command: ["sh", "-c", "while true; do date; sleep 60; done"]
)";

const char16_t persistentVolumeClaim[] = uR"(apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
)";

const char16_t namespaceYaml[] = uR"(apiVersion: v1
kind: Namespace
metadata:
  name: team-a
)";

} // namespace

QList<ManifestTemplate> templates()
{
    // Titles are literal here so that lupdate finds them.
    return {
        {u"Deployment"_s, QCoreApplication::translate("timonel::manifest", "Deployment"),
         QString::fromUtf16(deployment)},
        {u"Service"_s, QCoreApplication::translate("timonel::manifest", "Service"),
         QString::fromUtf16(service)},
        {u"ConfigMap"_s, QCoreApplication::translate("timonel::manifest", "ConfigMap"),
         QString::fromUtf16(configMap)},
        {u"Secret"_s, QCoreApplication::translate("timonel::manifest", "Secret"),
         QString::fromUtf16(secret)},
        {u"Ingress"_s, QCoreApplication::translate("timonel::manifest", "Ingress"),
         QString::fromUtf16(ingress)},
        {u"Pod"_s, QCoreApplication::translate("timonel::manifest", "Pod (nginx with probes)"),
         QString::fromUtf16(pod)},
        {u"Job"_s, QCoreApplication::translate("timonel::manifest", "Job"),
         QString::fromUtf16(job)},
        {u"CronJob"_s, QCoreApplication::translate("timonel::manifest", "CronJob"),
         QString::fromUtf16(cronJob)},
        {u"StatefulSet"_s,
         QCoreApplication::translate("timonel::manifest", "StatefulSet with a headless Service"),
         QString::fromUtf16(statefulSet)},
        {u"DaemonSet"_s, QCoreApplication::translate("timonel::manifest", "DaemonSet"),
         QString::fromUtf16(daemonSet)},
        {u"PersistentVolumeClaim"_s,
         QCoreApplication::translate("timonel::manifest", "PersistentVolumeClaim"),
         QString::fromUtf16(persistentVolumeClaim)},
        {u"Namespace"_s, QCoreApplication::translate("timonel::manifest", "Namespace"),
         QString::fromUtf16(namespaceYaml)},
    };
}

} // namespace timonel::manifest
