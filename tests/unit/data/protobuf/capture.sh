#!/usr/bin/env bash
# Captures the protobuf request bodies `kubectl create <generator>` POSTs (see
# /work/shared/KUBECTL-WIRE.md §7) and the JSON form of the same objects, for tst_protobuf.
#
# Runs the kubectl on PATH against a tiny plain-HTTP fake API server (python3) that answers
# /version and legacy discovery and saves each POST body. For every case it writes
#   NAME.pb   the body exactly as kubectl sent it (k8s\0 + runtime.Unknown)
#   NAME.json the object from `kubectl create ... --dry-run=client -o json`
# Re-run from anywhere: tests/unit/data/protobuf/capture.sh
set -euo pipefail

out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

cat >"$work/server.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

work = sys.argv[1]

def verbs():
    return ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

def res(name, kind, namespaced=True, short=()):
    return {"name": name, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
            "verbs": verbs(), "shortNames": list(short)}

lists = {
    "/api/v1": ("v1", [res("namespaces", "Namespace", False, ["ns"]),
                       res("configmaps", "ConfigMap", True, ["cm"]),
                       res("secrets", "Secret"),
                       res("services", "Service", True, ["svc"]),
                       res("serviceaccounts", "ServiceAccount", True, ["sa"]),
                       res("resourcequotas", "ResourceQuota", True, ["quota"])]),
    "/apis/apps/v1": ("apps/v1", [res("deployments", "Deployment", True, ["deploy"])]),
    "/apis/batch/v1": ("batch/v1", [res("jobs", "Job"), res("cronjobs", "CronJob", True, ["cj"])]),
    "/apis/networking.k8s.io/v1": ("networking.k8s.io/v1", [res("ingresses", "Ingress", True, ["ing"])]),
    "/apis/policy/v1": ("policy/v1", [res("poddisruptionbudgets", "PodDisruptionBudget", True, ["pdb"])]),
}

def group(name, version):
    gv = {"groupVersion": name + "/" + version, "version": version}
    return {"name": name, "versions": [gv], "preferredVersion": gv}

class Handler(BaseHTTPRequestHandler):
    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/version":
            self.reply(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.4-capture",
                             "platform": "linux/amd64"})
        elif path == "/api":
            self.reply(200, {"kind": "APIVersions", "versions": ["v1"]})
        elif path == "/apis":
            self.reply(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                group("apps", "v1"), group("batch", "v1"),
                group("networking.k8s.io", "v1"), group("policy", "v1")]})
        elif path in lists:
            gv, resources = lists[path]
            self.reply(200, {"kind": "APIResourceList", "apiVersion": "v1",
                             "groupVersion": gv, "resources": resources})
        else:
            self.reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                             "reason": "NotFound", "code": 404, "message": "not found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(work + "/last.pb", "wb") as f:
            f.write(body)
        with open(work + "/last.type", "w") as f:
            f.write(self.headers.get("Content-Type", ""))
        plural = self.path.split("?")[0].rstrip("/").split("/")[-1]
        gv, kind = {r["name"]: (gv, r["kind"]) for gv, rs in lists.values() for r in rs}[plural]
        self.reply(201, {"kind": kind, "apiVersion": gv, "metadata": {"name": "captured"}})

    def log_message(self, *args):
        pass

server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_port, flush=True)
server.serve_forever()
PY

python3 -u "$work/server.py" "$work" >"$work/port" &
server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

export KUBECONFIG=$work/kubeconfig
touch "$KUBECONFIG"
k() { kubectl --server="http://127.0.0.1:$port" --cache-dir="$work/cache" "$@"; }

# Input files for --from-file, --from-env-file and TLS secrets.
printf 'log.level=debug\nlog.format=json\n' >"$work/app.properties"
printf '\x00\x01\x02\xff binary' >"$work/blob.bin"
printf 'USER=admin\nMODE=fast\n' >"$work/env"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj /CN=example.com \
    -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
cd "$work"

# capture NAME ARGS...: one `kubectl create ARGS` POST, and its client dry-run JSON.
capture() {
    local name=$1
    shift
    rm -f last.pb last.type
    k create "$@" >/dev/null
    [ "$(cat last.type)" = application/vnd.kubernetes.protobuf ] ||
        { echo "$name: sent $(cat last.type), not protobuf" >&2; exit 1; }
    cp last.pb "$out/$name.pb"
    # The dry-run flags go before a `--` that starts a container command.
    local flags=() rest=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
    rest=("$@")
    k create "${flags[@]}" --dry-run=client -o json "${rest[@]}" >"$out/$name.json"
    echo "$name: $(stat -c %s "$out/$name.pb") bytes"
}

capture deployment-minimal deployment web --image=nginx
capture deployment-replicas-port deployment web --image=nginx:1.27 --replicas=3 --port=8080
capture deployment-zero-replicas deployment idle --image=busybox --replicas=0
capture deployment-command deployment sleeper --image=busybox -- sleep 3600
capture deployment-save-config deployment saved --image=nginx --save-config
capture namespace namespace team-a
capture configmap-literals configmap settings --from-literal=color=blue --from-literal=empty= \
    --from-literal=greeting='héllo, wörld'
capture configmap-files configmap files --from-file=app.properties --from-file=blob=blob.bin
capture configmap-env configmap env --from-env-file=env --append-hash
capture secret-generic secret generic creds --from-literal=user=admin --from-literal=password='s3cr3t!' \
    --type=Opaque
capture secret-files secret generic blobs --from-file=blob.bin
capture secret-docker-registry secret docker-registry regcred --docker-server=registry.example.com \
    --docker-username=bob --docker-password=hunter2 --docker-email=bob@example.com
capture secret-tls secret tls web-tls --cert=tls.crt --key=tls.key
capture service-clusterip service clusterip api --tcp=80:8080 --tcp=443:https
capture service-headless service clusterip db --clusterip=None
capture service-nodeport service nodeport web --tcp=80:8080 --node-port=30080
capture service-loadbalancer service loadbalancer lb --tcp=5678:8080
capture service-externalname service externalname ext --external-name=example.com
capture serviceaccount serviceaccount builder
capture job job once --image=busybox -- echo done
capture cronjob cronjob nightly --image=busybox --schedule='0 3 * * *' --restart=OnFailure -- date
capture ingress-simple ingress simple --rule='foo.com/bar=svc1:8080'
capture ingress-full ingress full --class=nginx --default-backend=defaultsvc:http \
    --rule='foo.com/=svc:https,tls=my-cert' --rule='bar.com/api*=api:80' \
    --annotation=ingress.annotation1=foo
capture quota quota compute --hard=cpu=1,memory=1G,pods=2,services.nodeports=0 --scopes=BestEffort
capture quota-plain quota counts --hard=configmaps=10,requests.storage=5Gi
capture pdb-min-available poddisruptionbudget web --selector=app=web --min-available=1
capture pdb-max-unavailable poddisruptionbudget api --selector='app=api,tier in (web,api),!legacy' \
    --max-unavailable=50%
