// A second real client against a Timonel cluster: @kubernetes/client-node lists, creates,
// patches, watches and reads errors the way a Node.js program would.
//
//   KUBECONFIG=/path/to/kubeconfig node clientnode.mjs CONTEXT
//
// Prints one JSON summary on stdout and exits 1 when any check failed (2 on a usage error).
import {
    ApiException,
    AppsV1Api,
    CoreV1Api,
    KubeConfig,
    PatchStrategy,
    VersionApi,
    Watch,
    makeInformer,
    setHeaderOptions,
} from '@kubernetes/client-node';

const context = process.argv[2];
if (!context || !process.env.KUBECONFIG) {
    console.error('usage: KUBECONFIG=FILE node clientnode.mjs CONTEXT');
    process.exit(2);
}

const summary = { context, failures: [] };
const fail = (check, detail) => summary.failures.push({ check, detail });
// Compares as JSON with sorted keys: the server's key order is not part of the contract.
const canonical = (value) =>
    JSON.stringify(value, (_, v) =>
        v && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : v);
const expect = (check, actual, expected) => {
    if (canonical(actual) !== canonical(expected))
        fail(check, { expected, actual });
};
// An error as the report needs it: the HTTP code and the server's body for an ApiException.
const describe = (err) =>
    err instanceof ApiException
        ? { code: err.code, body: parsedBody(err.body) }
        : { error: String(err?.stack ?? err), code: err?.code ?? err?.statusCode };
const parsedBody = (body) => {
    if (typeof body !== 'string')
        return body;
    try {
        return JSON.parse(body);
    } catch {
        return body;
    }
};
// Runs one step; a throw is recorded as that step's failure instead of ending the run.
const step = async (check, fn) => {
    try {
        return await fn();
    } catch (err) {
        fail(check, describe(err));
        return undefined;
    }
};
const withTimeout = (promise, ms, what) =>
    Promise.race([
        promise,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms).unref()),
    ]);

const kc = new KubeConfig();
kc.loadFromDefault(); // reads $KUBECONFIG
kc.setCurrentContext(context);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const ns = `clientnode-${Math.random().toString(36).slice(2, 8)}`;
summary.namespace = ns;

// --- discovery and lists -----------------------------------------------------------------------

const version = await step('version', () => kc.makeApiClient(VersionApi).getCode());
summary.server = { major: version?.major, minor: version?.minor, gitVersion: version?.gitVersion };

const namespaces = await step('listNamespace', () => core.listNamespace());
summary.namespaces = (namespaces?.items ?? []).map((n) => n.metadata?.name).sort();
for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system'])
    if (!summary.namespaces.includes(name))
        fail('listNamespace', `namespace ${name} is missing from ${JSON.stringify(summary.namespaces)}`);
if (namespaces && !namespaces.metadata?.resourceVersion)
    fail('listNamespace', 'the list has no metadata.resourceVersion');

// --- creation ------------------------------------------------------------------------------------

const createdNs = await step('createNamespace', () => core.createNamespace({ body: { metadata: { name: ns } } }));
if (createdNs) {
    expect('createNamespace: name', createdNs.metadata?.name, ns);
    expect('createNamespace: phase', createdNs.status?.phase, 'Active');
    if (!createdNs.metadata?.uid)
        fail('createNamespace', 'no metadata.uid');
}
const duplicate = await core.createNamespace({ body: { metadata: { name: ns } } }).then(
    () => ({ code: 201 }),
    (err) => describe(err));
summary.duplicateNamespace = { code: duplicate.code, reason: duplicate.body?.reason };
expect('createNamespace twice', summary.duplicateNamespace, { code: 409, reason: 'AlreadyExists' });

const settings = await step('createNamespacedConfigMap', () =>
    core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'settings', labels: { app: 'web' } }, data: { greeting: 'hola' } },
    }));
expect('createNamespacedConfigMap: data', settings?.data, { greeting: 'hola' });
const readBack = await step('readNamespacedConfigMap', () =>
    core.readNamespacedConfigMap({ name: 'settings', namespace: ns }));
expect('readNamespacedConfigMap: data', readBack?.data, { greeting: 'hola' });
expect('readNamespacedConfigMap: uid', readBack?.metadata?.uid, settings?.metadata?.uid);

const deployment = await step('createNamespacedDeployment', () =>
    apps.createNamespacedDeployment({
        namespace: ns,
        body: {
            metadata: { name: 'web' },
            spec: {
                replicas: 2,
                selector: { matchLabels: { app: 'web' } },
                template: {
                    metadata: { labels: { app: 'web' } },
                    spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
                },
            },
        },
    }));
summary.deployment = {
    replicas: deployment?.spec?.replicas,
    strategy: deployment?.spec?.strategy,
    generation: deployment?.metadata?.generation,
};
// The defaults Kubernetes gives a Deployment that names no strategy (SetDefaults_Deployment).
expect('createNamespacedDeployment', summary.deployment, {
    replicas: 2,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    generation: 1,
});

// An informer, as controllers written in JavaScript use it: a list, then a watch from the
// list's resourceVersion. It must see the deployment from the list and the patch below from
// the watch. Only changes of spec.replicas are kept: controllers may update the status too.
const informer = makeInformer(kc, `/apis/apps/v1/namespaces/${ns}/deployments`, () =>
    apps.listNamespacedDeployment({ namespace: ns }));
const informed = { added: [], replicas: [], error: undefined };
let informedChanged = () => {};
const informedUntil = (predicate, what) =>
    withTimeout(
        new Promise((resolve) => {
            informedChanged = () => predicate() && resolve();
            informedChanged();
        }),
        15000,
        what);
const noteReplicas = (d) => {
    if (informed.replicas.at(-1) !== d.spec?.replicas)
        informed.replicas.push(d.spec?.replicas);
    informedChanged();
};
informer.on('add', (d) => {
    informed.added.push(d.metadata?.name);
    noteReplicas(d);
});
informer.on('update', noteReplicas);
let informerStopping = false;
informer.on('error', (err) => {
    if (informerStopping)
        return; // stop() aborts the watch request, which reports as an AbortError
    informed.error = describe(err);
    informedChanged();
});
const listedByInformer = informedUntil(() => informed.added.length > 0, "the informer's add");
await step('informer: start', () => informer.start());
await step('informer: list', () => listedByInformer);

// The generated client sends patches as JSON Patch unless told otherwise; a merge patch is what
// most programs mean by "change this field".
const watchedByInformer = informedUntil(() => informed.replicas.at(-1) === 3, "the informer's update");
const scaled = await step('patchNamespacedDeployment', () =>
    apps.patchNamespacedDeployment(
        { name: 'web', namespace: ns, body: { spec: { replicas: 3 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
expect('patchNamespacedDeployment: replicas', scaled?.spec?.replicas, 3);
expect('patchNamespacedDeployment: generation', scaled?.metadata?.generation, 2);
await step('informer: watch', () => watchedByInformer);
informerStopping = true;
await informer.stop();
summary.informer = informed;
expect('informer', informed, { added: ['web'], replicas: [2, 3], error: undefined });
const listed = await step('listNamespacedDeployment', () => apps.listNamespacedDeployment({ namespace: ns }));
expect('listNamespacedDeployment', (listed?.items ?? []).map((d) => d.metadata?.name), ['web']);
const byLabel = await step('listNamespacedConfigMap by label', () =>
    core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=web' }));
expect('listNamespacedConfigMap by label', (byLabel?.items ?? []).map((c) => c.metadata?.name), ['settings']);

// --- watch ---------------------------------------------------------------------------------------

// Watching from the list's resourceVersion sees exactly what happens after it, nothing older.
const before = await step('listNamespacedConfigMap', () => core.listNamespacedConfigMap({ namespace: ns }));
const events = [];
let sawDeletion;
const deleted = new Promise((resolve) => (sawDeletion = resolve));
let watchEnded = null;
const watch = new Watch(kc);
const abort = await step('watch', () =>
    watch.watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { resourceVersion: before?.metadata?.resourceVersion },
        (type, object) => {
            if (object?.metadata?.name !== 'watched')
                return; // the namespace's root CA config map may come and go
            events.push({ type, data: object.data ?? null, resourceVersion: object.metadata.resourceVersion });
            if (type === 'DELETED')
                sawDeletion();
        },
        (err) => {
            watchEnded = err ? describe(err) : 'closed';
            sawDeletion();
        }));
if (abort) {
    await step('watch: create', () =>
        core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'watched' }, data: { a: '1' } } }));
    await step('watch: modify', async () => {
        const current = await core.readNamespacedConfigMap({ name: 'watched', namespace: ns });
        current.data = { a: '2' };
        return core.replaceNamespacedConfigMap({ name: 'watched', namespace: ns, body: current });
    });
    await step('watch: delete', () => core.deleteNamespacedConfigMap({ name: 'watched', namespace: ns }));
    await step('watch: events', () => withTimeout(deleted, 30000, 'the DELETED event'));
    abort.abort();
}
summary.watch = events.map((e) => e.type);
expect('watch: event types', summary.watch, ['ADDED', 'MODIFIED', 'DELETED']);
expect('watch: event data', events.map((e) => e.data), [{ a: '1' }, { a: '2' }, { a: '2' }]);
const versions = events.map((e) => Number(e.resourceVersion));
if (versions.some((v, i) => !(v > (versions[i - 1] ?? 0))))
    fail('watch: resourceVersions increase', events.map((e) => e.resourceVersion));
if (watchEnded !== null && events.length < 3)
    fail('watch: ended early', watchEnded);

// --- errors --------------------------------------------------------------------------------------

const missing = await core.readNamespacedConfigMap({ name: 'watched', namespace: ns }).then(
    (cm) => ({ unexpected: cm }),
    (err) => err);
if (missing instanceof ApiException) {
    const body = parsedBody(missing.body);
    summary.notFound = {
        code: missing.code,
        kind: body?.kind,
        status: body?.status,
        reason: body?.reason,
        message: body?.message,
        details: body?.details,
    };
    expect('404', summary.notFound, {
        code: 404,
        kind: 'Status',
        status: 'Failure',
        reason: 'NotFound',
        message: 'configmaps "watched" not found',
        details: { name: 'watched', kind: 'configmaps' },
    });
} else {
    fail('404', { expected: 'an ApiException with code 404', actual: describe(missing) });
}

// --- clean-up ------------------------------------------------------------------------------------

await step('deleteNamespace', () => core.deleteNamespace({ name: ns }));

summary.ok = summary.failures.length === 0;
console.log(JSON.stringify(summary, null, 2));
process.exit(summary.ok ? 0 : 1);
