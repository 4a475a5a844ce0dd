#include "core/jsonpatch.h"
#include "core/mergepatch.h"
#include "core/schema.h"
#include "core/strategicmergepatch.h"
#include "core/yaml.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace timonel::core;
using namespace Qt::StringLiterals;

namespace {

// A schema in engine/core/schema's format, with the patch metadata the tables below need:
// MergeItem mirrors the type apimachinery's own strategic-merge tests use; Deployment is a
// cut-down apps/v1 Deployment with Kubernetes' real merge keys and strategies.
constexpr char testSchema[] = R"yaml(
package: io.timonel.patchtest.v1
types:
  MergeItem:
    name: string
    value: string
    other: string
    mergingList: list<MergeItem> merge=name
    nonMergingList: list<MergeItem>
    mergingIntList: list<int64> merge
    nonMergingIntList: list<int64>
    mergeItemPtr: list<MergeItem> merge=name
    keylessMergingList: list<MergeItem> merge
    simpleMap: map<string>
    replacingItem: object replace
    jsonItem: object
    retainKeysMap: RetainKeysMergeItem retainKeys
    retainKeysMergingList: list<MergeItem> merge=name retainKeys
  RetainKeysMergeItem:
    name: string
    value: string
    other: string
    simpleMap: map<string>
    mergingIntList: list<int64> merge
    mergingList: list<MergeItem> merge=name
    nonMergingList: list<MergeItem>
  Deployment:
    apiVersion: string
    kind: string
    metadata: ObjectMeta
    spec: DeploymentSpec
  ObjectMeta:
    name: string
    namespace: string
    labels: map<string>
    annotations: map<string>
    finalizers: list<string> merge
    ownerReferences: list<OwnerReference> merge=uid
  OwnerReference:
    uid: string
    kind: string
    name: string
  DeploymentSpec:
    replicas: int32
    selector: LabelSelector
    template: PodTemplateSpec
    strategy: DeploymentStrategy retainKeys
  LabelSelector:
    matchLabels: map<string>
  DeploymentStrategy:
    type: string
    rollingUpdate: RollingUpdateDeployment
  RollingUpdateDeployment:
    maxSurge: intorstring
    maxUnavailable: intorstring
  PodTemplateSpec:
    metadata: ObjectMeta
    spec: PodSpec
  PodSpec:
    containers: list<Container> merge=name
    initContainers: list<Container> merge=name
    volumes: list<Volume> merge=name retainKeys
    tolerations: list<Toleration> atomic
    nodeSelector: map<string>
  Container:
    name: string
    image: string
    args: list<string> atomic
    ports: list<ContainerPort> merge=containerPort
    env: list<EnvVar> merge=name
    volumeMounts: list<VolumeMount> merge=mountPath
    resources: ResourceRequirements
  ContainerPort:
    containerPort: int32
    name: string
    protocol: string
  EnvVar:
    name: string
    value: string
    valueFrom: object
  VolumeMount:
    name: string
    mountPath: string
  Volume:
    name: string
    emptyDir: object
    configMap: ConfigMapVolumeSource
  ConfigMapVolumeSource:
    name: string
    defaultMode: int32
  Toleration:
    key: string
    operator: string
    effect: string
  ResourceRequirements:
    limits: map<quantity>
    requests: map<quantity>
)yaml";

// ---- RFC 6902 JSON patch: the RFC's appendix A, then json-patch v4's own behaviour ----
constexpr char jsonPatchCases[] = R"yaml(
- {it: A.1 adds an object member, doc: {foo: bar}, patch: [{op: add, path: /baz, value: qux}], result: {baz: qux, foo: bar}}
- {it: A.2 inserts an array element, doc: {foo: [bar, baz]}, patch: [{op: add, path: /foo/1, value: qux}], result: {foo: [bar, qux, baz]}}
- {it: A.3 removes an object member, doc: {baz: qux, foo: bar}, patch: [{op: remove, path: /baz}], result: {foo: bar}}
- {it: A.4 removes an array element, doc: {foo: [bar, qux, baz]}, patch: [{op: remove, path: /foo/1}], result: {foo: [bar, baz]}}
- {it: A.5 replaces a value, doc: {baz: qux, foo: bar}, patch: [{op: replace, path: /baz, value: boo}], result: {baz: boo, foo: bar}}
- {it: A.6 moves a value, doc: {foo: {bar: baz, waldo: fred}, qux: {corge: grault}}, patch: [{op: move, from: /foo/waldo, path: /qux/thud}], result: {foo: {bar: baz}, qux: {corge: grault, thud: fred}}}
- {it: A.7 moves an array element, doc: {foo: [all, grass, cows, eat]}, patch: [{op: move, from: /foo/1, path: /foo/3}], result: {foo: [all, cows, eat, grass]}}
- {it: A.8 passes tests of equal values, doc: {baz: qux, foo: [a, 2, c]}, patch: [{op: test, path: /baz, value: qux}, {op: test, path: /foo/1, value: 2}], result: {baz: qux, foo: [a, 2, c]}}
- {it: A.9 fails a test of another value, doc: {baz: qux}, patch: [{op: test, path: /baz, value: bar}], error: "testing value /baz failed: test failed"}
- {it: A.10 adds a nested member object, doc: {foo: bar}, patch: [{op: add, path: /child, value: {grandchild: {}}}], result: {foo: bar, child: {grandchild: {}}}}
- {it: A.11 ignores unknown operation members, doc: {foo: bar}, patch: [{op: add, path: /baz, value: qux, xyz: 123}], result: {foo: bar, baz: qux}}
- {it: A.12 cannot add below a missing member, doc: {foo: bar}, patch: [{op: add, path: /baz/bat, value: qux}], error: 'add operation does not apply: doc is missing path: "/baz/bat": missing value'}
- {it: A.14 unescapes ~01 to ~1, doc: {"/": 9, "~1": 10}, patch: [{op: test, path: /~01, value: 10}], result: {"/": 9, "~1": 10}}
- {it: A.15 tells strings from numbers, doc: {"/": 9, "~1": 10}, patch: [{op: test, path: /~01, value: "10"}], error: "testing value /~01 failed: test failed"}
- {it: A.16 adds an array as one element, doc: {foo: [bar]}, patch: [{op: add, path: /foo/-, value: [abc, def]}], result: {foo: [bar, [abc, def]]}}
- {it: escapes a slash in a label key, doc: {metadata: {labels: {}}}, patch: [{op: add, path: /metadata/labels/app.kubernetes.io~1name, value: web}], result: {metadata: {labels: {app.kubernetes.io/name: web}}}}
- {it: removing a missing key is an error, doc: {a: 1}, patch: [{op: remove, path: /x}], error: "error in remove for path: '/x': Unable to remove nonexistent key: x: missing value"}
- {it: removing past the end is an error, doc: {a: [1, 2]}, patch: [{op: remove, path: /a/5}], error: "error in remove for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"}
- {it: removing index -1 removes the last element, doc: {a: [1, 2, 3]}, patch: [{op: remove, path: /a/-1}], result: {a: [1, 2]}}
- {it: replacing a missing key adds it, doc: {a: 1}, patch: [{op: replace, path: /b, value: 2}], result: {a: 1, b: 2}}
- {it: replacing past the end is an error, doc: {a: [1]}, patch: [{op: replace, path: /a/3, value: 2}], error: "replace operation does not apply: doc is missing key: /a/3: missing value"}
- {it: replacing the root swaps the document, doc: {a: 1}, patch: [{op: replace, path: "", value: {b: 2}}], result: {b: 2}}
- {it: adding past the end is an error, doc: {a: [1, 2]}, patch: [{op: add, path: /a/3, value: 9}], error: "error in add for path: '/a/3': Unable to access invalid index: 3: invalid index referenced"}
- {it: adding at the length appends, doc: {a: [1, 2]}, patch: [{op: add, path: /a/2, value: 9}], result: {a: [1, 2, 9]}}
- {it: adding at -1 appends, doc: {a: [1, 2]}, patch: [{op: add, path: /a/-1, value: 9}], result: {a: [1, 2, 9]}}
- {it: adding at a word index is an error, doc: {a: [1]}, patch: [{op: add, path: /a/x, value: 9}], error: 'error in add for path: ''/a/x'': value was not a proper array index: ''x'': strconv.Atoi: parsing "x": invalid syntax'}
- {it: adding without a value adds null, doc: {}, patch: [{op: add, path: /a}], result: {a: null}}
- {it: adding through a scalar is an error, doc: {a: 1}, patch: [{op: add, path: /a/b/c, value: 1}], error: 'add operation does not apply: doc is missing path: "/a/b/c": missing value'}
- {it: adding through null is an error, doc: {a: null}, patch: [{op: add, path: /a/b, value: 1}], error: 'add operation does not apply: doc is missing path: "/a/b": missing value'}
- {it: an unknown op is an error, doc: {}, patch: [{op: frobnicate, path: /a}], error: "Unexpected kind: frobnicate"}
- {it: a missing op is an error, doc: {}, patch: [{path: /a}], error: "Unexpected kind: unknown"}
- {it: add needs a path, doc: {}, patch: [{op: add, value: 1}], error: "add operation failed to decode path: missing value"}
- {it: replace needs a string path, doc: {}, patch: [{op: replace, path: 3, value: 1}], error: "replace operation failed to decode path: json: cannot unmarshal number into Go value of type string"}
- {it: move needs a from, doc: {a: 1}, patch: [{op: move, path: /b}], error: "move operation failed to decode from: operation, missing from field: missing value"}
- {it: moving a missing key is an error, doc: {a: 1}, patch: [{op: move, from: /x, path: /b}], error: "error in move for path: 'x': Unable to remove nonexistent key: x: missing value"}
- {it: moving into a missing parent is an error, doc: {a: 1}, patch: [{op: move, from: /a, path: /b/c}], error: "move operation does not apply: doc is missing destination path: /b/c: missing value"}
- {it: copying deep-copies a subtree, doc: {a: {b: [1]}}, patch: [{op: copy, from: /a, path: /c}, {op: add, path: /c/b/-, value: 2}], result: {a: {b: [1]}, c: {b: [1, 2]}}}
- {it: copying a missing key copies null, doc: {a: 1}, patch: [{op: copy, from: /x, path: /b}], result: {a: 1, b: null}}
- {it: a null test matches a missing key, doc: {a: 1}, patch: [{op: test, path: /x, value: null}], result: {a: 1}}
- {it: a value test fails on a missing key, doc: {a: 1}, patch: [{op: test, path: /x, value: 1}], error: "testing value /x failed: test failed"}
- {it: a test without value fails on a present key, doc: {a: 1}, patch: [{op: test, path: /a}], error: "testing value /a failed: test failed"}
- {it: tests compare objects deeply, doc: {a: {b: [1, {c: d}]}}, patch: [{op: test, path: /a, value: {b: [1, {c: d}]}}], result: {a: {b: [1, {c: d}]}}}
- {it: tests of the root compare the document, doc: {a: 1}, patch: [{op: test, path: "", value: {a: 2}}], error: "testing value  failed: test failed"}
- {it: a test below a missing member is an error, doc: {a: 1}, patch: [{op: test, path: /x/y, value: 1}], error: "test operation does not apply: is missing path: /x/y: missing value"}
- {it: a failing operation fails the whole patch, doc: {replicas: 1}, patch: [{op: replace, path: /replicas, value: 3}, {op: test, path: /replicas, value: 1}], error: "testing value /replicas failed: test failed"}
- {it: patches an array document, doc: [1, 2], patch: [{op: add, path: /0, value: 0}], result: [0, 1, 2]}
- {it: operations must be objects, doc: {}, patch: [add], error: "json: cannot unmarshal string into Go value of type jsonpatch.Operation"}
)yaml";

// ---- RFC 7386 merge patch: the RFC's appendix A, then json-patch v4's handling of nulls ----
constexpr char mergePatchCases[] = R"yaml(
- {it: replaces a member, target: {a: b}, patch: {a: c}, result: {a: c}}
- {it: adds a member, target: {a: b}, patch: {b: c}, result: {a: b, b: c}}
- {it: null removes a member, target: {a: b}, patch: {a: null}, result: {}}
- {it: null removes only its member, target: {a: b, b: c}, patch: {a: null}, result: {b: c}}
- {it: a scalar replaces an array, target: {a: [b]}, patch: {a: c}, result: {a: c}}
- {it: an array replaces a scalar, target: {a: c}, patch: {a: [b]}, result: {a: [b]}}
- {it: objects merge recursively, target: {a: {b: c}}, patch: {a: {b: d, c: null}}, result: {a: {b: d}}}
- {it: arrays are replaced not merged, target: {a: [{b: c}]}, patch: {a: [1]}, result: {a: [1]}}
- {it: an array patch replaces an array, target: [a, b], patch: [c, d], result: [c, d]}
- {it: an array patch replaces an object, target: {a: b}, patch: [c], result: [c]}
- {it: a null patch gives null, target: {a: foo}, patch: null, result: null}
- {it: a scalar patch gives the scalar, target: {a: foo}, patch: bar, result: bar}
- {it: existing nulls stay, target: {e: null}, patch: {a: 1}, result: {e: null, a: 1}}
- {it: an object patch over an array drops its nulls, target: [1, 2], patch: {a: b, c: null}, result: {a: b}}
- {it: nulls in new subtrees are dropped, target: {}, patch: {a: {bb: {ccc: null}}}, result: {a: {bb: {}}}}
- {it: nulls inside a new array's objects are dropped, target: {}, patch: {a: [{b: null, c: 1}, null]}, result: {a: [{c: 1}, null]}}
- {it: an array replacing an object keeps its nulls, target: {a: {x: 1}}, patch: {a: [{b: null}]}, result: {a: [{b: null}]}}
- {it: a null target member is replaced without nulls, target: {a: null}, patch: {a: {b: 1, c: null}}, result: {a: {b: 1}}}
- {it: merges labels as kubectl label does, target: {metadata: {name: web, labels: {app: web, tier: fe}}}, patch: {metadata: {labels: {tier: null, env: prod}}}, result: {metadata: {name: web, labels: {app: web, env: prod}}}}
)yaml";

constexpr char createMergePatchCases[] = R"yaml(
- {it: equal documents give an empty patch, original: {a: 1, b: {c: [1]}}, modified: {a: 1, b: {c: [1]}}, patch: {}}
- {it: changed added and removed members, original: {a: 1, b: 2}, modified: {a: 3, c: 4}, patch: {a: 3, b: null, c: 4}}
- {it: nested objects are diffed, original: {m: {labels: {a: x, b: y}}}, modified: {m: {labels: {a: x, c: z}}}, patch: {m: {labels: {b: null, c: z}}}}
- {it: arrays are sent whole, original: {l: [1, 2]}, modified: {l: [1, 2, 3]}, patch: {l: [1, 2, 3]}}
- {it: a type change sends the new value, original: {a: {b: 1}}, modified: {a: text}, patch: {a: text}}
- {it: null to value and a removed member, original: {a: null, b: 1}, modified: {a: 1}, patch: {a: 1, b: null}}
- {it: a non-object side gives modified, original: [1], modified: {a: 1}, patch: {a: 1}}
)yaml";

// ---- Strategic merge patch, applied. type names the schema type (none: no schema). ----
// Most rows rewrite the three-way cases of apimachinery's patch_test.go (the live object, the
// patch kubectl computed, the result) and its custom and error cases.
constexpr char strategicApplyCases[] = R"yaml(
- {it: a merge list patch element is appended after the live ones, original: {name: hi, mergingList: [{name: hello2}]}, patch: {$setElementOrder/mergingList: [{name: hello}, {name: doesntexist}], mergingList: [{name: hello}]}, result: {name: hi, mergingList: [{name: hello}, {name: hello2}]}}
- {it: deleting from a primitive list keeps live-only items, original: {mergingIntList: [1, 2, 3, 4]}, patch: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}, result: {mergingIntList: [1, 2, 4]}}
- {it: deleting from a primitive list removes every copy, original: {mergingIntList: [1, 2, 3, 3, 4]}, patch: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}, result: {mergingIntList: [1, 2, 4]}}
- {it: merge list elements merge by key and new ones follow the order list, original: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]}, patch: {$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}, result: {mergingList: [{name: 4, value: 4}, {name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}}
- {it: a changed element keeps its live fields, original: {mergingList: [{name: 1, other: a}, {name: 2, value: 3, other: b}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 2, value: 2}, {name: 3, value: 3}]}, result: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}}
- {it: live-only elements go after the ordered ones, original: {mergingList: [{name: 1, other: a}, {name: 3, value: 2, other: b}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}, result: {mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2}, {name: 3, value: 2, other: b}]}}
- {it: a delete directive removes the element, original: {mergingList: [{name: 1}, {name: 2, other: b}]}, patch: {$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 1, $patch: delete}]}, result: {mergingList: [{name: 2, other: b}]}}
- {it: deleting a missing element is harmless, original: {mergingList: [{name: 3, other: a}]}, patch: {$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 2}, {name: 1, $patch: delete}]}, result: {mergingList: [{name: 2}, {name: 3, other: a}]}}
- {it: adds and deletes elements around live ones, original: {mergingList: [{name: 1}, {name: 2, other: b}, {name: 4, other: c}]}, patch: {$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 3}, {name: 1, $patch: delete}]}, result: {mergingList: [{name: 2, other: b}, {name: 4, other: c}, {name: 3}]}}
- {it: live-only elements come first when nothing orders them, original: {mergingList: [{name: 1, other: a}, {name: 4, other: c}]}, patch: {$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 2}, {name: 3}, {name: 1, $patch: delete}]}, result: {mergingList: [{name: 4, other: c}, {name: 2}, {name: 3}]}}
- {it: null deletes a field of an element, original: {mergingList: [{name: 1, value: a, other: a}, {name: 2, value: 2}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: null}]}, result: {mergingList: [{name: 1, other: a}, {name: 2, value: 2}]}}
- {it: a list without strategy inside a merge list is replaced, original: {mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: c}]}, {name: 2, other: b}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}]}, result: {mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: 1}]}, {name: 2, other: b}]}}
- {it: merge lists nest, original: {mergingList: [{name: 1, other: a, mergingList: [{name: 1, value: a, other: c}, {name: 2, value: b, other: d}]}, {name: 2, other: b}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{$setElementOrder/mergingList: [{name: 1}, {name: 2}], name: 1, mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}]}, result: {mergingList: [{name: 1, other: a, mergingList: [{name: 1, value: 1, other: c}, {name: 2, value: 2, other: d}]}, {name: 2, other: b}]}}
- {it: a nested order list reorders the nested merge list, original: {mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}]}, {name: 2, other: b}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{$setElementOrder/mergingList: [{name: 2}, {name: 1}], name: 1, mergingList: [{name: 1, value: 1}]}]}, result: {mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}, {name: 1, value: 1}]}, {name: 2, other: b}]}}
- {it: a pointer-typed merge list merges too, original: {mergeItemPtr: [{name: 1, other: a}, {name: 3}]}, patch: {$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], mergeItemPtr: [{name: 2}]}, result: {mergeItemPtr: [{name: 1, other: a}, {name: 2}, {name: 3}]}}
- {it: new scalars slot in by the order list, original: {mergingIntList: [1, 2, 4]}, patch: {$setElementOrder/mergingIntList: [1, 2, 3], mergingIntList: [3]}, result: {mergingIntList: [1, 2, 3, 4]}}
- {it: a scalar added first stays first, original: {mergingIntList: [1, 4, 2]}, patch: {$setElementOrder/mergingIntList: [3, 1, 2], mergingIntList: [3]}, result: {mergingIntList: [3, 1, 4, 2]}}
- {it: a scalar deletion and reorder, original: {mergingIntList: [1, 2, 3]}, patch: {$setElementOrder/mergingIntList: [2, 1], $deleteFromPrimitiveList/mergingIntList: [3]}, result: {mergingIntList: [2, 1]}}
- {it: an element added first stays first, original: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]}, patch: {$setElementOrder/mergingList: [{name: 3}, {name: 1}, {name: 2}], mergingList: [{name: 3, value: 3}]}, result: {mergingList: [{name: 3, value: 3}, {name: 1, other: a}, {name: 2, value: 2, other: b}]}}
- {it: several elements interleave by the order list, original: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 4}, {name: 2}, {name: 3}], mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}, result: {mergingList: [{name: 1, other: a}, {name: 4, value: 4}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}}
- {it: deletion with reorder, original: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}, patch: {$setElementOrder/mergingList: [{name: 2}, {name: 1}], mergingList: [{name: 3, $patch: delete}]}, result: {mergingList: [{name: 2, value: 2, other: b}, {name: 1, other: a}]}}
- {it: change with reorder, original: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}, patch: {$setElementOrder/mergingList: [{name: 2}, {name: 3}, {name: 1}], mergingList: [{name: 3, value: x}]}, result: {mergingList: [{name: 2, value: 2, other: b}, {name: 3, value: x}, {name: 1, other: a}]}}
- {it: addition and deletion with reorder, original: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}, patch: {$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 1}], mergingList: [{name: 4, value: 4}, {name: 3, $patch: delete}]}, result: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2, other: b}, {name: 1, other: a}]}}
- {it: an order list alone reorders, original: {mergingList: [{name: 1, other: a}, {name: 3, value: 3}, {name: 4, value: 4}, {name: 2, value: 2}]}, patch: {$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 3}, {name: 1}]}, result: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 1, other: a}]}}
- {it: a trailing live-only element stays last, original: {mergingList: [{name: 1, other: a}, {name: 3, value: 3}, {name: 4, value: 4}, {name: 2, value: 2}, {name: 9}]}, patch: {$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 3}, {name: 1}]}, result: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 1, other: a}, {name: 9}]}}
- {it: a live-only element keeps its neighbour, original: {mergingList: [{name: 1, other: a}, {name: 2, value: 2}, {name: 9}, {name: 3, value: 3}, {name: 4, value: 4}]}, patch: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]}, result: {mergingList: [{name: 2, value: 2}, {name: 1, other: a}, {name: 9}, {name: 4, value: 4}, {name: 3, value: 3}]}}
- {it: a run of live-only elements stays together, original: {mergingList: [{name: 1, other: a}, {name: 2, value: 2}, {name: 7}, {name: 9}, {name: 8}, {name: 3, value: 3}, {name: 4, value: 4}]}, patch: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]}, result: {mergingList: [{name: 2, value: 2}, {name: 1, other: a}, {name: 7}, {name: 9}, {name: 8}, {name: 4, value: 4}, {name: 3, value: 3}]}}
- {it: scalars reorder around live-only ones, original: {mergingIntList: [1, 2, 7, 9, 8, 3, 4]}, patch: {$setElementOrder/mergingIntList: [2, 1, 4, 3]}, result: {mergingIntList: [2, 1, 7, 9, 8, 4, 3]}}
- {it: a trailing live-only scalar stays last, original: {mergingIntList: [1, 3, 4, 2, 9]}, patch: {$setElementOrder/mergingIntList: [4, 2, 3, 1]}, result: {mergingIntList: [4, 2, 3, 1, 9]}}
- {it: duplicate keys group at their first ordered position, original: {mergingList: [{name: 1}, {name: 2, value: dup1}, {name: 3}, {name: 2, value: dup2}, {name: 4}]}, patch: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}, {name: 2}]}, result: {mergingList: [{name: 2, value: dup1}, {name: 2, value: dup2}, {name: 1}, {name: 4}, {name: 3}]}}
- {it: duplicate scalars group at their first ordered position, original: {mergingIntList: [1, 2, 3, 2, 4]}, patch: {$setElementOrder/mergingIntList: [2, 1, 4, 3, 2]}, result: {mergingIntList: [2, 2, 1, 4, 3]}}
- {it: retainKeys clears fields it does not list, original: {retainKeysMap: {value: foo}}, patch: {retainKeysMap: {$retainKeys: [other], other: bar}}, result: {retainKeysMap: {other: bar}}}
- {it: retainKeys switches a discriminated union, original: {retainKeysMap: {name: type1, value: foo}}, patch: {retainKeysMap: {$retainKeys: [name, other], name: type2, other: bar}}, result: {retainKeysMap: {name: type2, other: bar}}}
- {it: retainKeys adds one field and clears another, original: {retainKeysMap: {name: foo, other: a}}, patch: {retainKeysMap: {$retainKeys: [name, value], value: bar}}, result: {retainKeysMap: {name: foo, value: bar}}}
- {it: retainKeys alone clears fields, original: {retainKeysMap: {name: foo, value: bar, other: a}}, patch: {retainKeysMap: {$retainKeys: [name, value]}}, result: {retainKeysMap: {name: foo, value: bar}}}
- {it: retainKeys keeps a listed merge list as it is, original: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}}, patch: {retainKeysMap: {$retainKeys: [mergingIntList, name, value], $setElementOrder/mergingIntList: [1, 2], value: bar}}, result: {retainKeysMap: {name: foo, value: bar, mergingIntList: [1, 2, 3]}}}
- {it: retainKeys with a primitive list change, original: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3, 4]}}, patch: {retainKeysMap: {$retainKeys: [mergingIntList, name], mergingIntList: [5], $deleteFromPrimitiveList/mergingIntList: [2], $setElementOrder/mergingIntList: [1, 3, 5]}}, result: {retainKeysMap: {name: foo, mergingIntList: [1, 3, 5, 4]}}}
- {it: retainKeys with a merge list deletion, original: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: x}]}}, patch: {retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}], mergingList: [{name: b, $patch: delete}]}}, result: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: x}]}}}
- {it: retainKeys inside merge list elements, original: {retainKeysMergingList: [{name: bar}, {name: foo, value: a, other: x}]}, patch: {$setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}], retainKeysMergingList: [{$retainKeys: [name], name: foo, value: null}]}, result: {retainKeysMergingList: [{name: bar}, {name: foo}]}}
- {it: reorders one list while deleting from another, original: {mergingList: [{name: a, value: a}, {name: b, value: b}], mergeItemPtr: [{name: c, value: c}, {name: d, value: d}]}, patch: {$setElementOrder/mergingList: [{name: b}], $setElementOrder/mergeItemPtr: [{name: d}, {name: c}], mergingList: [{$patch: delete, name: a}]}, result: {mergingList: [{name: b, value: b}], mergeItemPtr: [{name: d, value: d}, {name: c, value: c}]}}
- {it: a primitive merge list is a union, original: {mergingIntList: [1, 2]}, patch: {mergingIntList: [2, 3]}, result: {mergingIntList: [1, 2, 3]}}
- {it: patch order wins in a primitive merge list, original: {mergingIntList: [1, 2, 3]}, patch: {mergingIntList: [3, 1]}, result: {mergingIntList: [2, 3, 1]}}
- {it: patch order wins in a merge list, original: {mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]}, patch: {mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, other: x}]}, result: {mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, value: b, other: x}]}}
- {it: live-only elements lead unless ordered, original: {mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]}, patch: {mergingList: [{name: 3, value: c}, {name: 1, value: a}]}, result: {mergingList: [{name: 2, value: b}, {name: 3, value: c}, {name: 1, value: a}]}}
- {it: $patch delete on a map empties it, original: {simpleMap: {key1: 1, key2: 1}}, patch: {simpleMap: {$patch: delete}}, result: {simpleMap: {}}}
- {it: $patch replace in a list replaces the list, original: {mergingList: [{name: 1}, {name: 2}]}, patch: {mergingList: [{$patch: replace}, {name: 3, value: c}]}, result: {mergingList: [{name: 3, value: c}]}}
- {it: $patch replace alone empties a merge list, original: {mergingList: [{name: 1}, {name: 2}]}, patch: {mergingList: [{$patch: replace}]}, result: {mergingList: []}}
- {it: $patch replace on the root replaces the object, original: {name: 1, value: 1}, patch: {other: a, $patch: replace}, result: {other: a}}
- {it: $patch delete removes every element with the key, original: {mergingList: [{name: 1}, {name: 1}, {name: 2, value: a}, {name: 3}, {name: 3}]}, patch: {mergingList: [{name: 1, $patch: delete}, {name: 3, $patch: delete}]}, result: {mergingList: [{name: 2, value: a}]}}
- {it: empty merge lists stay empty, original: {mergingList: []}, patch: {mergingList: []}, result: {mergingList: []}}
- {it: a retainKeys field merges normally without the directive, original: {retainKeysMap: {name: foo, value: a}}, patch: {retainKeysMap: {value: null, other: b}}, result: {retainKeysMap: {name: foo, other: b}}}
- {it: an order list may name missing elements, original: {mergingList: [{name: 1}, {name: 3}]}, patch: {$setElementOrder/mergingList: [{name: 3}, {name: 2}, {name: 1}], mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]}, result: {mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]}}
- {it: an order list may name missing scalars, original: {mergingIntList: [1, 3]}, patch: {$setElementOrder/mergingIntList: [3, 2, 1]}, result: {mergingIntList: [3, 1]}}
- {it: deleting a missing scalar adds nothing, original: {mergingIntList: [1, 2]}, patch: {$deleteFromPrimitiveList/mergingIntList: [3]}, result: {mergingIntList: [1, 2]}}
- {it: deleting from a null list leaves it, original: {mergingIntList: null}, patch: {$deleteFromPrimitiveList/mergingIntList: [3]}, result: {mergingIntList: null}}
- {it: deleting from a missing list adds nothing, original: {foo: [bar]}, patch: {$deleteFromPrimitiveList/mergingIntList: [3]}, result: {foo: [bar]}}
- {it: deleting works on lists without merge strategy, original: {nonMergingIntList: [1, 2, 3]}, patch: {$deleteFromPrimitiveList/nonMergingIntList: [2]}, result: {nonMergingIntList: [1, 3]}}
- {it: a list without strategy is replaced, original: {nonMergingList: [{name: 1, value: a}]}, patch: {nonMergingList: [{name: 2}]}, result: {nonMergingList: [{name: 2}]}}
- {it: a replace-strategy field is replaced whole, original: {replacingItem: {Some: Generic, Field: Period}}, patch: {replacingItem: {Newly: Modified}}, result: {replacingItem: {Newly: Modified}}}
- {it: free-form objects merge like JSON, original: {jsonItem: {a: {b: 1, c: [1, 2]}}}, patch: {jsonItem: {a: {b: null, c: [3], d: 4}}}, result: {jsonItem: {a: {c: [3], d: 4}}}}
- {it: nulls in a new subtree are dropped, original: {}, patch: {complex: {key: {keynotnull: value, keynull: null}}}, result: {complex: {key: {keynotnull: value}}}}
- {it: nulls in new list elements are dropped, original: {}, patch: {items: [{inner: {one: foo, two: null}}]}, result: {items: [{inner: {one: foo}}]}}
- {it: null list elements stay, original: {}, patch: {items: [key1, null, key2]}, result: {items: [key1, null, key2]}}
- {it: nulls already in the original stay, original: {thing: null, complex: {key: null}}, patch: {nested: {value: 5}}, result: {thing: null, complex: {key: null}, nested: {value: 5}}}
- {it: a new value with a $patch marker is dropped, original: {}, patch: {simpleMap: {$patch: delete}, mergingList: [{name: 1}, {name: 2, $patch: delete}]}, result: {mergingList: [{name: 1}]}}
- {it: directives never reach the result, original: {}, patch: {mergingList: [{name: 1, $setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 2}], $retainKeys: [name]}]}, result: {mergingList: [{name: 1, mergingList: [{name: 2}]}]}}
- {it: unknown fields merge without schema, original: {unknown: {a: [1], b: 1}}, patch: {unknown: {a: [2], c: 3}}, result: {unknown: {a: [2], b: 1, c: 3}}}
- {it: without a schema lists are replaced, type: none, original: {mergingList: [{name: 1}], m: {a: 1}}, patch: {mergingList: [{name: 2}], m: {b: 2}}, result: {mergingList: [{name: 2}], m: {a: 1, b: 2}}}
- {it: without a schema directives still apply, type: none, original: {m: {a: 1}, l: [1, 2]}, patch: {m: {$patch: replace, b: 2}, $deleteFromPrimitiveList/l: [1]}, result: {m: {b: 2}, l: [2]}}
- {it: an order list that contradicts the patch list fails, original: {mergingList: [{name: 1}, {name: 3}, {name: 2}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]}, error: "The order in patch list:\n[map[name:3 value:3] map[name:1 value:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n"}
- {it: a scalar order list that contradicts the patch list fails, original: {mergingIntList: [1, 3, 2]}, patch: {$setElementOrder/mergingIntList: [1, 2, 3], mergingIntList: [3, 1]}, error: "The order in patch list:\n[3 1]\n doesn't match $setElementOrder list:\n[1 2 3]\n"}
- {it: a merge list element needs its merge key, original: {mergingList: [{name: 1, value: a}]}, patch: {mergingList: [{value: b}]}, error: "map: map[value:b] does not contain declared merge key: name"}
- {it: a delete directive needs the merge key, original: {mergingList: [{name: 1}]}, patch: {mergingList: [{value: x, $patch: delete}]}, error: "map: map[$patch:delete value:x] does not contain declared merge key: name"}
- {it: order list elements need the merge key, original: {mergingList: [{name: 1}]}, patch: {$setElementOrder/mergingList: [{value: 1}]}, error: "map: map[value:1] does not contain declared merge key: name"}
- {it: $patch merge on a map is unknown, original: {simpleMap: {a: b}}, patch: {simpleMap: {$patch: merge, c: d}}, error: "unknown patch type: merge in map: map[$patch:merge c:d]"}
- {it: $patch merge in a list is unsupported, original: {mergingList: [{name: 1}]}, patch: {mergingList: [{$patch: merge}]}, error: "merging lists cannot yet be specified in the patch"}
- {it: an unknown list directive fails, original: {mergingList: [{name: 1}]}, patch: {mergingList: [{name: 1, $patch: frob}]}, error: "unknown patch type: frob in map: map[$patch:frob name:1]"}
- {it: retainKeys must be a list, original: {retainKeysMap: {name: a}}, patch: {retainKeysMap: {$retainKeys: name}}, error: "invalid patch format of retainKeys"}
- {it: retainKeys must list every patched field, original: {retainKeysMap: {name: a}}, patch: {retainKeysMap: {$retainKeys: [name], value: b}}, error: "invalid patch format of retainKeys"}
- {it: a deletion list key needs its slash, original: {mergingIntList: [1]}, patch: {$deleteFromPrimitiveListX/mergingIntList: [1]}, error: "invalid patch format of primitive list"}
- {it: an order list must be a list, original: {mergingList: [{name: 1}]}, patch: {$setElementOrder/mergingList: x}, error: "expected a []interface {}, but received a string"}
- {it: lists of lists are unsupported, original: {mergingIntList: []}, patch: {mergingIntList: [[1]]}, error: "lists of lists are not supported"}
- {it: list element types must agree, original: {mergingIntList: [1]}, patch: {mergingIntList: [a]}, error: "list element types are not identical: [[1] [a]]"}
- {it: merging maps needs a merge key, original: {keylessMergingList: [{name: 1}]}, patch: {keylessMergingList: [{name: 2}]}, error: "cannot merge lists without merge key for struct"}
)yaml";

// ---- Strategic merge patch, created: the two-way patch kubectl computes, then applied back
// to original (giving result, or modified when result is absent). ----
constexpr char strategicCreateCases[] = R"yaml(
- {it: everything is new, original: {}, modified: {name: 1, value: 1}, patch: {name: 1, value: 1}}
- {it: equal documents need no patch, original: {name: 1}, modified: {name: 1}, patch: {}}
- {it: an added field, original: {name: 1}, modified: {name: 1, value: 1}, patch: {value: 1}}
- {it: an added and a removed field, original: {name: 1}, modified: {value: 1}, patch: {name: null, value: 1}}
- {it: a key removed from a nested map, original: {simpleMap: {key1: 1, key2: 1}}, modified: {simpleMap: {key1: 1}}, patch: {simpleMap: {key2: null}}}
- {it: every field removed, original: {name: 1, value: 1}, modified: {}, patch: {name: null, value: null}}
- {it: a list without strategy is sent whole, original: {nonMergingIntList: [1, 2]}, modified: {nonMergingIntList: [2, 3]}, patch: {nonMergingIntList: [2, 3]}}
- {it: emptying a merge list deletes each element, original: {mergingList: [{name: 1}, {name: 2}]}, modified: {mergingList: []}, patch: {mergingList: [{name: 1, $patch: delete}, {name: 2, $patch: delete}]}}
- {it: empty merge lists need no patch, original: {mergingList: []}, modified: {mergingList: []}, patch: {}}
- {it: an explicit null is sent and removes the field, original: {name: 2}, modified: {name: 1, value: 1, other: null}, patch: {name: 1, value: 1, other: null}, result: {name: 1, value: 1}}
- {it: an unchanged retainKeys field sends nothing, original: {name: a, retainKeysMap: {name: foo}}, modified: {name: a, value: b, retainKeysMap: {name: foo}}, patch: {value: b}}
- {it: a new merge list is sent as it is, original: {name: hi}, modified: {name: hi, mergingList: [{name: hello}, {$patch: delete, name: doesntexist}]}, patch: {mergingList: [{name: hello}, {$patch: delete, name: doesntexist}]}, result: {name: hi, mergingList: [{name: hello}]}}
- {it: scalars deleted from a merge list, original: {mergingIntList: [1, 2, 3]}, modified: {mergingIntList: [1, 2]}, patch: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}}
- {it: duplicate scalars deleted once, original: {mergingIntList: [1, 2, 3, 3]}, modified: {mergingIntList: [1, 2]}, patch: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}}
- {it: scalars added and deleted, original: {mergingIntList: [1, 2, 3]}, modified: {mergingIntList: [1, 2, 4]}, patch: {$setElementOrder/mergingIntList: [1, 2, 4], $deleteFromPrimitiveList/mergingIntList: [3], mergingIntList: [4]}}
- {it: elements added to a merge list, original: {mergingList: [{name: 1}, {name: 2, value: 2}]}, modified: {mergingList: [{name: 4, value: 4}, {name: 1}, {name: 2, value: 2}, {name: 3, value: 3}]}, patch: {$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}}
- {it: a field added to an element, original: {mergingList: [{name: 1}, {name: 2, value: 2}]}, modified: {mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: 1}]}}
- {it: a field changed in an element, original: {mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}, modified: {mergingList: [{name: 1, value: a}, {name: 2, value: 2}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: a}]}}
- {it: a field removed from an element, original: {mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}, modified: {mergingList: [{name: 1}, {name: 2, value: 2}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: null}]}}
- {it: an element deleted, original: {mergingList: [{name: 1}, {name: 2}]}, modified: {mergingList: [{name: 2}]}, patch: {$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 1, $patch: delete}]}}
- {it: an element added and one deleted, original: {mergingList: [{name: 1}, {name: 2}]}, modified: {mergingList: [{name: 2}, {name: 3}]}, patch: {$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 3}, {name: 1, $patch: delete}]}}
- {it: a list without strategy inside an element, original: {mergingList: [{name: 1, nonMergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]}, modified: {mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}, {name: 2}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}]}}
- {it: a merge list inside an element, original: {mergingList: [{name: 1, mergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]}, modified: {mergingList: [{name: 1, mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}, {name: 2}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{$setElementOrder/mergingList: [{name: 1}, {name: 2}], name: 1, mergingList: [{name: 1, value: 1}]}]}}
- {it: a reordered merge list inside an element, original: {mergingList: [{name: 1, mergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]}, modified: {mergingList: [{name: 1, mergingList: [{name: 2, value: 2}, {name: 1, value: 1}]}, {name: 2}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{$setElementOrder/mergingList: [{name: 2}, {name: 1}], name: 1, mergingList: [{name: 1, value: 1}]}]}}
- {it: an element added to a pointer-typed merge list, original: {mergeItemPtr: [{name: 1}]}, modified: {mergeItemPtr: [{name: 1}, {name: 2}]}, patch: {$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], mergeItemPtr: [{name: 2}]}}
- {it: a scalar added first, original: {mergingIntList: [1, 2]}, modified: {mergingIntList: [3, 1, 2]}, patch: {$setElementOrder/mergingIntList: [3, 1, 2], mergingIntList: [3]}}
- {it: scalars added between, original: {mergingIntList: [1, 2]}, modified: {mergingIntList: [1, 4, 2, 3]}, patch: {$setElementOrder/mergingIntList: [1, 4, 2, 3], mergingIntList: [4, 3]}}
- {it: a scalar deleted and the rest reordered, original: {mergingIntList: [1, 3, 2]}, modified: {mergingIntList: [2, 1]}, patch: {$setElementOrder/mergingIntList: [2, 1], $deleteFromPrimitiveList/mergingIntList: [3]}}
- {it: a scalar added one deleted and the rest reordered, original: {mergingIntList: [1, 3, 2]}, modified: {mergingIntList: [4, 2, 1]}, patch: {$setElementOrder/mergingIntList: [4, 2, 1], mergingIntList: [4], $deleteFromPrimitiveList/mergingIntList: [3]}}
- {it: scalars only reordered, original: {mergingIntList: [1, 3, 4, 2]}, modified: {mergingIntList: [4, 2, 3, 1]}, patch: {$setElementOrder/mergingIntList: [4, 2, 3, 1]}}
- {it: an element added first, original: {mergingList: [{name: 1}, {name: 2, value: 2}]}, modified: {mergingList: [{name: 3, value: 3}, {name: 1}, {name: 2, value: 2}]}, patch: {$setElementOrder/mergingList: [{name: 3}, {name: 1}, {name: 2}], mergingList: [{name: 3, value: 3}]}}
- {it: elements added between, original: {mergingList: [{name: 1}, {name: 2, value: 2}]}, modified: {mergingList: [{name: 1}, {name: 4, value: 4}, {name: 2, value: 2}, {name: 3, value: 3}]}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 4}, {name: 2}, {name: 3}], mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}}
- {it: an element deleted and the rest reordered, original: {mergingList: [{name: 1}, {name: 3, value: 3}, {name: 2, value: 2}]}, modified: {mergingList: [{name: 2, value: 2}, {name: 1}]}, patch: {$setElementOrder/mergingList: [{name: 2}, {name: 1}], mergingList: [{name: 3, $patch: delete}]}}
- {it: an element changed and the rest reordered, original: {mergingList: [{name: 1}, {name: 3, value: 3}, {name: 2, value: 2}]}, modified: {mergingList: [{name: 2, value: 2}, {name: 3, value: x}, {name: 1}]}, patch: {$setElementOrder/mergingList: [{name: 2}, {name: 3}, {name: 1}], mergingList: [{name: 3, value: x}]}}
- {it: an element added one deleted and the rest reordered, original: {mergingList: [{name: 1}, {name: 3, value: 3}, {name: 2, value: 2}]}, modified: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2}, {name: 1}]}, patch: {$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 1}], mergingList: [{name: 4, value: 4}, {name: 3, $patch: delete}]}}
- {it: elements only reordered, original: {mergingList: [{name: 1}, {name: 3, value: 3}, {name: 4, value: 4}, {name: 2, value: 2}]}, modified: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 1}]}, patch: {$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 3}, {name: 1}]}}
- {it: duplicate keys reordered, original: {mergingList: [{name: 1}, {name: 2, value: dup1}, {name: 3}, {name: 2, value: dup2}, {name: 4}]}, modified: {mergingList: [{name: 2, value: dup1}, {name: 1}, {name: 4}, {name: 3}, {name: 2, value: dup2}]}, patch: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}, {name: 2}]}, result: {mergingList: [{name: 2, value: dup1}, {name: 2, value: dup2}, {name: 1}, {name: 4}, {name: 3}]}}
- {it: duplicate scalars reordered, original: {mergingIntList: [1, 2, 3, 2, 4]}, modified: {mergingIntList: [2, 1, 4, 3, 2]}, patch: {$setElementOrder/mergingIntList: [2, 1, 4, 3, 2]}, result: {mergingIntList: [2, 2, 1, 4, 3]}}
- {it: an unsorted unchanged scalar list still sends its order, original: {mergingIntList: [2, 1]}, modified: {mergingIntList: [2, 1]}, patch: {$setElementOrder/mergingIntList: [2, 1]}}
- {it: a new retainKeys map is sent whole, original: {}, modified: {retainKeysMap: {other: bar}}, patch: {retainKeysMap: {other: bar}}}
- {it: retainKeys lists the kept fields on addition, original: {retainKeysMap: {name: foo}}, modified: {retainKeysMap: {name: foo, value: bar}}, patch: {retainKeysMap: {$retainKeys: [name, value], value: bar}}}
- {it: retainKeys lists the kept fields on deletion, original: {retainKeysMap: {name: foo, value: bar}}, modified: {retainKeysMap: {name: foo}}, patch: {retainKeysMap: {$retainKeys: [name], value: null}}}
- {it: retainKeys is left out when nothing changed, original: {retainKeysMap: {name: foo, value: bar}}, modified: {retainKeysMap: {name: foo, value: bar}}, patch: {}}
- {it: retainKeys with a nested map change, original: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a}}}, modified: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a, key2: b}}}, patch: {retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key2: b}}}}
- {it: retainKeys with a replaced list, original: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: b}]}}, modified: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: c}, {name: b}]}}, patch: {retainKeysMap: {$retainKeys: [name, nonMergingList, value], nonMergingList: [{name: a}, {name: c}, {name: b}]}}}
- {it: retainKeys with a removed list, original: {retainKeysMap: {name: foo, nonMergingList: [{name: a}, {name: b}]}}, modified: {retainKeysMap: {name: foo, value: bar}}, patch: {retainKeysMap: {$retainKeys: [name, value], value: bar, nonMergingList: null}}}
- {it: retainKeys with a scalar added, original: {retainKeysMap: {name: foo, mergingIntList: [1, 2]}}, modified: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 4]}}, patch: {retainKeysMap: {$setElementOrder/mergingIntList: [1, 2, 4], $retainKeys: [mergingIntList, name], mergingIntList: [4]}}}
- {it: retainKeys with a scalar deleted, original: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}}, modified: {retainKeysMap: {name: foo, mergingIntList: [1, 3]}}, patch: {retainKeysMap: {$retainKeys: [mergingIntList, name], $deleteFromPrimitiveList/mergingIntList: [2], $setElementOrder/mergingIntList: [1, 3]}}}
- {it: retainKeys with an element added, original: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}]}}, modified: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: c}]}}, patch: {retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}, {name: b}, {name: c}], mergingList: [{name: c}]}}}
- {it: retainKeys with an element deleted, original: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}]}}, modified: {retainKeysMap: {name: foo, mergingList: [{name: a}]}}, patch: {retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}], mergingList: [{name: b, $patch: delete}]}}}
- {it: retainKeys inside a changed element, original: {retainKeysMergingList: [{name: bar}, {name: foo, value: old}]}, modified: {retainKeysMergingList: [{name: bar}, {name: foo, value: new}]}, patch: {$setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}], retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: new}]}}
- {it: retainKeys inside an element losing a field, original: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}, modified: {retainKeysMergingList: [{name: bar}, {name: foo}]}, patch: {$setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}], retainKeysMergingList: [{$retainKeys: [name], name: foo, value: null}]}}
- {it: retainKeys elements unchanged need nothing, original: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}, modified: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}, patch: {}}
- {it: one list loses an element while another is reordered, original: {mergingList: [{name: a, value: a}, {name: b, value: b}], mergeItemPtr: [{name: c, value: c}, {name: d, value: d}]}, modified: {mergingList: [{name: b, value: b}], mergeItemPtr: [{name: d, value: d}, {name: c, value: c}]}, patch: {$setElementOrder/mergingList: [{name: b}], $setElementOrder/mergeItemPtr: [{name: d}, {name: c}], mergingList: [{$patch: delete, name: a}]}}
- {it: a replace-strategy field is always sent, original: {name: x, replacingItem: {Some: Generic}}, modified: {name: y, replacingItem: {Some: Generic}}, patch: {name: y, replacingItem: {Some: Generic}}}
- {it: a replace-strategy field next to a merge list, original: {mergingList: [{name: 1}], replacingItem: {Some: Generic, Field: Period}}, modified: {mergingList: [{name: 1}, {name: 2}], replacingItem: {Newly: Modified}}, patch: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 2}], replacingItem: {Newly: Modified}}}
- {it: free-form objects are diffed deeply, original: {name: foo, jsonItem: {nested: {nested2: {nested3: {}}}}}, modified: {name: foo, jsonItem: {nested: {nested2: {nested3: {a: b}}}}}, patch: {jsonItem: {nested: {nested2: {nested3: {a: b}}}}}}
- {it: nulls in new values are sent and dropped on apply, original: {name: foo}, modified: {name: foo, complex: {key: {keynotnull: value, keynull: null}}}, patch: {complex: {key: {keynotnull: value, keynull: null}}}, result: {name: foo, complex: {key: {keynotnull: value}}}}
- {it: removed unknown fields are nulled, original: {name: foo, scalar: true, complex: {nested: true}}, modified: {name: foo}, patch: {complex: null, scalar: null}}
- {it: unknown fields are diffed without schema, original: {complex: {nested: true}}, modified: {complex: {nested: false}}, patch: {complex: {nested: false}}}
- {it: large integers compare exactly, original: {int32: 2147483647}, modified: {int32: 2147483647, name: newname}, patch: {name: newname}}
- {it: without a schema lists are sent whole, type: none, original: {mergingList: [{name: 1}]}, modified: {mergingList: [{name: 1}, {name: 2}]}, patch: {mergingList: [{name: 1}, {name: 2}]}}
- {it: an element without its merge key falls back to a replace, original: {mergingList: [{value: 1}]}, modified: {mergingList: [{value: 2}]}, patch: {$patch: replace, mergingList: [{value: 2}]}}
)yaml";

// ---- What kubectl sends to a Deployment ----
constexpr char deploymentOriginal[] = R"yaml(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: frontend}
  annotations: {kubectl.kubernetes.io/last-applied-configuration: '{"old":true}'}
  finalizers: [example.com/a, example.com/b]
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: "nginx:1.26"
        ports: [{containerPort: 80, protocol: TCP}]
        env: [{name: A, value: "1"}]
        volumeMounts: [{name: data, mountPath: /data}]
        resources: {limits: {cpu: 500m}}
        terminationMessagePath: /dev/termination-log
      volumes:
      - {name: data, emptyDir: {}}
      tolerations: [{key: a, operator: Exists}]
      nodeSelector: {disk: ssd}
)yaml";

constexpr char deploymentCases[] = R"yaml(
- it: kubectl apply changes only the image
  patch: {metadata: {annotations: {kubectl.kubernetes.io/last-applied-configuration: '{"new":true}'}}, spec: {template: {spec: {$setElementOrder/containers: [{name: c}], containers: [{image: "nginx:1.27", name: c}]}}}}
  changes: {metadata: {annotations: {kubectl.kubernetes.io/last-applied-configuration: '{"new":true}'}}, spec: {template: {spec: {containers: [{name: c, image: "nginx:1.27", ports: [{containerPort: 80, protocol: TCP}], env: [{name: A, value: "1"}], volumeMounts: [{name: data, mountPath: /data}], resources: {limits: {cpu: 500m}}, terminationMessagePath: /dev/termination-log}]}}}}
- it: kubectl apply adds a sidecar before the container
  patch: {spec: {template: {spec: {$setElementOrder/containers: [{name: log}, {name: c}], containers: [{name: log, image: busybox}]}}}}
  changes: {spec: {template: {spec: {containers: [{name: log, image: busybox}, {name: c, image: "nginx:1.26", ports: [{containerPort: 80, protocol: TCP}], env: [{name: A, value: "1"}], volumeMounts: [{name: data, mountPath: /data}], resources: {limits: {cpu: 500m}}, terminationMessagePath: /dev/termination-log}]}}}}
- it: env merges by name and ports by number
  patch: {spec: {template: {spec: {containers: [{name: c, env: [{name: B, value: "2"}, {name: A, value: "3"}], ports: [{containerPort: 443}, {containerPort: 80, $patch: delete}]}]}}}}
  changes: {spec: {template: {spec: {containers: [{name: c, image: "nginx:1.26", ports: [{containerPort: 443}], env: [{name: B, value: "2"}, {name: A, value: "3"}], volumeMounts: [{name: data, mountPath: /data}], resources: {limits: {cpu: 500m}}, terminationMessagePath: /dev/termination-log}]}}}}
- it: a retainKeys volume switches its source
  patch: {spec: {template: {spec: {$setElementOrder/volumes: [{name: data}], volumes: [{$retainKeys: [configMap, name], configMap: {name: cm}, name: data}]}}}}
  changes: {spec: {template: {spec: {volumes: [{name: data, configMap: {name: cm}}]}}}}
- it: switching to Recreate drops rollingUpdate
  patch: {spec: {strategy: {$retainKeys: [type], rollingUpdate: null, type: Recreate}}}
  changes: {spec: {strategy: {type: Recreate, rollingUpdate: null}}}
- it: tolerations are replaced as a whole
  patch: {spec: {template: {spec: {tolerations: [{key: b, operator: Equal, effect: NoSchedule}]}}}}
  changes: {spec: {template: {spec: {tolerations: [{key: b, operator: Equal, effect: NoSchedule}]}}}}
- it: finalizers are a union and delete by value
  patch: {metadata: {finalizers: [example.com/c, example.com/a], $deleteFromPrimitiveList/finalizers: [example.com/b]}}
  changes: {metadata: {finalizers: [example.com/c, example.com/a]}}
- it: kubectl label removes and adds labels
  patch: {metadata: {labels: {tier: null, env: prod}}}
  changes: {metadata: {labels: {tier: null, env: prod}}}
- it: $patch replace replaces a map
  patch: {spec: {template: {spec: {nodeSelector: {$patch: replace, zone: a}}}}}
  changes: {spec: {template: {spec: {nodeSelector: {disk: null, zone: a}}}}}
- it: $patch replace replaces the containers
  patch: {spec: {template: {spec: {containers: [{$patch: replace}, {name: x, image: busybox}]}}}}
  changes: {spec: {template: {spec: {containers: [{name: x, image: busybox}]}}}}
- it: kubectl patch sets the replicas
  patch: {spec: {replicas: 5}}
  changes: {spec: {replicas: 5}}
- it: a container without a name is rejected
  patch: {spec: {template: {spec: {containers: [{image: nginx}]}}}}
  error: "map: map[image:nginx] does not contain declared merge key: name"
)yaml";

// What the GUI's form editor changes in the Deployment, and the patch kubectl would send.
constexpr char deploymentEdits[] = R"yaml(
- it: a new image
  changes: {spec: {template: {spec: {containers: [{name: c, image: "nginx:1.27", ports: [{containerPort: 80, protocol: TCP}], env: [{name: A, value: "1"}], volumeMounts: [{name: data, mountPath: /data}], resources: {limits: {cpu: 500m}}, terminationMessagePath: /dev/termination-log}]}}}}
  patch: {spec: {template: {spec: {$setElementOrder/containers: [{name: c}], containers: [{image: "nginx:1.27", name: c}]}}}}
- it: a label removed
  changes: {metadata: {labels: {tier: null}}}
  patch: {metadata: {labels: {tier: null}}}
- it: a finalizer removed
  changes: {metadata: {finalizers: [example.com/a]}}
  patch: {metadata: {$deleteFromPrimitiveList/finalizers: [example.com/b], $setElementOrder/finalizers: [example.com/a]}}
- it: the strategy switched to Recreate
  changes: {spec: {strategy: {type: Recreate, rollingUpdate: null}}}
  patch: {spec: {strategy: {$retainKeys: [type], rollingUpdate: null, type: Recreate}}}
- it: a volume switched to a ConfigMap
  changes: {spec: {template: {spec: {volumes: [{name: data, configMap: {name: cm}}]}}}}
  patch: {spec: {template: {spec: {$setElementOrder/volumes: [{name: data}], volumes: [{$retainKeys: [configMap, name], configMap: {name: cm}, emptyDir: null, name: data}]}}}}
- it: replicas and a new env var
  changes: {spec: {replicas: 3, template: {spec: {containers: [{name: c, image: "nginx:1.26", ports: [{containerPort: 80, protocol: TCP}], env: [{name: A, value: "1"}, {name: B, value: "2"}], volumeMounts: [{name: data, mountPath: /data}], resources: {limits: {cpu: 500m}}, terminationMessagePath: /dev/termination-log}]}}}}
  patch: {spec: {replicas: 3, template: {spec: {$setElementOrder/containers: [{name: c}], containers: [{$setElementOrder/env: [{name: A}, {name: B}], env: [{name: B, value: "2"}], name: c}]}}}}
)yaml";

QJsonArray table(const char *yaml)
{
    auto parsed = parseYaml(QByteArray(yaml));
    if (!parsed || !parsed->isArray())
        qFatal("bad test table: %s", qPrintable(parsed ? u"not a list"_s : parsed.error().message));
    return parsed->toArray();
}

QJsonObject parseObject(const char *yaml)
{
    auto parsed = parseYaml(QByteArray(yaml));
    if (!parsed || !parsed->isObject())
        qFatal("bad test document");
    return parsed->toObject();
}

// original with changes merged in by plain JSON rules (lists replaced, null removes), so a
// Deployment case states its expected result by what differs.
QJsonObject overlay(QJsonObject original, const QJsonObject &changes)
{
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        if (it.value().isNull())
            original.remove(it.key());
        else if (it.value().isObject() && original.value(it.key()).isObject())
            original.insert(it.key(),
                            overlay(original.value(it.key()).toObject(), it.value().toObject()));
        else
            original.insert(it.key(), it.value());
    }
    return original;
}

QByteArray compact(const QJsonValue &v)
{
    return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact).chopped(1).mid(1);
}

} // namespace

class TestPatches : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void jsonPatchFollowsKubernetes_data();
    void jsonPatchFollowsKubernetes();
    void jsonPatchLimitsCopiedBytes();
    void mergePatchFollowsRfc7386_data();
    void mergePatchFollowsRfc7386();
    void mergePatchIsCreatedFromTwoDocuments_data();
    void mergePatchIsCreatedFromTwoDocuments();

    void strategicPatchMergesBySchema_data();
    void strategicPatchMergesBySchema();
    void strategicPatchIsCreatedAsKubectlDoes_data();
    void strategicPatchIsCreatedAsKubectlDoes();
    void strategicPatchAppliesKubectlPatchesToDeployments_data();
    void strategicPatchAppliesKubectlPatchesToDeployments();
    void strategicPatchRoundTripsDeploymentEdits_data();
    void strategicPatchRoundTripsDeploymentEdits();

private:
    const SchemaType *type(const QString &name) const;

    std::optional<SchemaRegistry> m_registry;
};

void TestPatches::initTestCase()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(u"patchtest.yaml"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(testSchema);
    file.close();
    auto loaded = SchemaRegistry::load({file.fileName()});
    QVERIFY2(loaded.has_value(), qPrintable(loaded ? QString() : loaded.error()));
    m_registry = std::move(*loaded);
    QVERIFY(type(u"MergeItem"_s));
    QCOMPARE(type(u"PodSpec"_s)->field(u"volumes")->patchStrategy, u"merge,retainKeys"_s);
}

const SchemaType *TestPatches::type(const QString &name) const
{
    if (name == u"none")
        return nullptr;
    return m_registry->type(u"io.timonel.patchtest.v1."_s + name);
}

void TestPatches::jsonPatchFollowsKubernetes_data()
{
    QTest::addColumn<QJsonValue>("document");
    QTest::addColumn<QJsonArray>("patch");
    QTest::addColumn<QJsonValue>("result");
    QTest::addColumn<QString>("error");
    for (const QJsonValue &row : table(jsonPatchCases)) {
        const QJsonObject c = row.toObject();
        QTest::newRow(qPrintable(c.value("it"_L1).toString()))
            << c.value("doc"_L1) << c.value("patch"_L1).toArray() << c.value("result"_L1)
            << c.value("error"_L1).toString();
    }
}

void TestPatches::jsonPatchFollowsKubernetes()
{
    QFETCH(QJsonValue, document);
    QFETCH(QJsonArray, patch);
    QFETCH(QJsonValue, result);
    QFETCH(QString, error);
    const auto patched = applyJsonPatch(document, patch);
    if (!error.isEmpty()) {
        QVERIFY2(!patched, patched ? compact(*patched).constData() : "");
        QCOMPARE(patched.error(), error);
        return;
    }
    QVERIFY2(patched, qPrintable(patched ? QString() : patched.error()));
    QCOMPARE(compact(*patched), compact(result));
}

void TestPatches::jsonPatchLimitsCopiedBytes()
{
    // Each copy adds 1 MiB + 2 quote bytes; the third goes past kube-apiserver's 3 MiB.
    const QJsonObject document{{u"big"_s, QString(1024 * 1024, u'x')}};
    QJsonArray copies;
    for (int i = 0; i < 3; ++i)
        copies.append(QJsonObject{
            {u"op"_s, u"copy"_s}, {u"from"_s, u"/big"_s}, {u"path"_s, u"/c%1"_s.arg(i)}});
    QVERIFY(applyJsonPatch(document, QJsonArray{copies.at(0), copies.at(1)}));
    const auto patched = applyJsonPatch(document, copies);
    QVERIFY(!patched);
    QCOMPARE(patched.error(),
             u"Unable to complete the copy, the accumulated size increase of copy is 3145734, "
             "exceeding the limit 3145728"_s);
}

void TestPatches::mergePatchFollowsRfc7386_data()
{
    QTest::addColumn<QJsonValue>("target");
    QTest::addColumn<QJsonValue>("patch");
    QTest::addColumn<QJsonValue>("result");
    for (const QJsonValue &row : table(mergePatchCases)) {
        const QJsonObject c = row.toObject();
        QTest::newRow(qPrintable(c.value("it"_L1).toString()))
            << c.value("target"_L1) << c.value("patch"_L1) << c.value("result"_L1);
    }
}

void TestPatches::mergePatchFollowsRfc7386()
{
    QFETCH(QJsonValue, target);
    QFETCH(QJsonValue, patch);
    QFETCH(QJsonValue, result);
    QCOMPARE(compact(applyMergePatch(target, patch)), compact(result));
}

void TestPatches::mergePatchIsCreatedFromTwoDocuments_data()
{
    QTest::addColumn<QJsonValue>("original");
    QTest::addColumn<QJsonValue>("modified");
    QTest::addColumn<QJsonValue>("patch");
    for (const QJsonValue &row : table(createMergePatchCases)) {
        const QJsonObject c = row.toObject();
        QTest::newRow(qPrintable(c.value("it"_L1).toString()))
            << c.value("original"_L1) << c.value("modified"_L1) << c.value("patch"_L1);
    }
}

void TestPatches::mergePatchIsCreatedFromTwoDocuments()
{
    QFETCH(QJsonValue, original);
    QFETCH(QJsonValue, modified);
    QFETCH(QJsonValue, patch);
    const QJsonValue created = createMergePatch(original, modified);
    QCOMPARE(compact(created), compact(patch));
    QCOMPARE(compact(applyMergePatch(original, created)), compact(modified));
}

void TestPatches::strategicPatchMergesBySchema_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QJsonObject>("original");
    QTest::addColumn<QJsonObject>("patch");
    QTest::addColumn<QJsonObject>("result");
    QTest::addColumn<QString>("error");
    for (const QJsonValue &row : table(strategicApplyCases)) {
        const QJsonObject c = row.toObject();
        QTest::newRow(qPrintable(c.value("it"_L1).toString()))
            << c.value("type"_L1).toString(u"MergeItem"_s) << c.value("original"_L1).toObject()
            << c.value("patch"_L1).toObject() << c.value("result"_L1).toObject()
            << c.value("error"_L1).toString();
    }
}

void TestPatches::strategicPatchMergesBySchema()
{
    QFETCH(QString, type);
    QFETCH(QJsonObject, original);
    QFETCH(QJsonObject, patch);
    QFETCH(QJsonObject, result);
    QFETCH(QString, error);
    const auto merged = applyStrategicMergePatch(original, patch, this->type(type));
    if (!error.isEmpty()) {
        QVERIFY2(!merged, merged ? compact(*merged).constData() : "");
        QCOMPARE(merged.error(), error);
        return;
    }
    QVERIFY2(merged, qPrintable(merged ? QString() : merged.error()));
    QCOMPARE(compact(*merged), compact(result));
}

void TestPatches::strategicPatchIsCreatedAsKubectlDoes_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QJsonObject>("original");
    QTest::addColumn<QJsonObject>("modified");
    QTest::addColumn<QJsonObject>("patch");
    QTest::addColumn<QJsonObject>("result");
    for (const QJsonValue &row : table(strategicCreateCases)) {
        const QJsonObject c = row.toObject();
        QTest::newRow(qPrintable(c.value("it"_L1).toString()))
            << c.value("type"_L1).toString(u"MergeItem"_s) << c.value("original"_L1).toObject()
            << c.value("modified"_L1).toObject() << c.value("patch"_L1).toObject()
            << c.value(c.contains("result"_L1) ? "result"_L1 : "modified"_L1).toObject();
    }
}

void TestPatches::strategicPatchIsCreatedAsKubectlDoes()
{
    QFETCH(QString, type);
    QFETCH(QJsonObject, original);
    QFETCH(QJsonObject, modified);
    QFETCH(QJsonObject, patch);
    QFETCH(QJsonObject, result);
    const QJsonObject created = createStrategicMergePatch(original, modified, this->type(type));
    QCOMPARE(compact(created), compact(patch));
    const auto applied = applyStrategicMergePatch(original, created, this->type(type));
    QVERIFY2(applied, qPrintable(applied ? QString() : applied.error()));
    QCOMPARE(compact(*applied), compact(result));
}

void TestPatches::strategicPatchAppliesKubectlPatchesToDeployments_data()
{
    QTest::addColumn<QJsonObject>("patch");
    QTest::addColumn<QJsonObject>("changes");
    QTest::addColumn<QString>("error");
    for (const QJsonValue &row : table(deploymentCases)) {
        const QJsonObject c = row.toObject();
        QTest::newRow(qPrintable(c.value("it"_L1).toString()))
            << c.value("patch"_L1).toObject() << c.value("changes"_L1).toObject()
            << c.value("error"_L1).toString();
    }
}

void TestPatches::strategicPatchAppliesKubectlPatchesToDeployments()
{
    QFETCH(QJsonObject, patch);
    QFETCH(QJsonObject, changes);
    QFETCH(QString, error);
    const QJsonObject original = parseObject(deploymentOriginal);
    const auto merged = applyStrategicMergePatch(original, patch, type(u"Deployment"_s));
    if (!error.isEmpty()) {
        QVERIFY(!merged);
        QCOMPARE(merged.error(), error);
        return;
    }
    QVERIFY2(merged, qPrintable(merged ? QString() : merged.error()));
    QCOMPARE(compact(*merged), compact(overlay(original, changes)));
}

void TestPatches::strategicPatchRoundTripsDeploymentEdits_data()
{
    QTest::addColumn<QJsonObject>("changes");
    QTest::addColumn<QJsonObject>("patch");
    for (const QJsonValue &row : table(deploymentEdits)) {
        const QJsonObject c = row.toObject();
        QTest::newRow(qPrintable(c.value("it"_L1).toString()))
            << c.value("changes"_L1).toObject() << c.value("patch"_L1).toObject();
    }
}

void TestPatches::strategicPatchRoundTripsDeploymentEdits()
{
    QFETCH(QJsonObject, changes);
    QFETCH(QJsonObject, patch);
    const QJsonObject original = parseObject(deploymentOriginal);
    const QJsonObject modified = overlay(original, changes);
    const QJsonObject created =
        createStrategicMergePatch(original, modified, type(u"Deployment"_s));
    QCOMPARE(compact(created), compact(patch));
    const auto applied = applyStrategicMergePatch(original, created, type(u"Deployment"_s));
    QVERIFY2(applied, qPrintable(applied ? QString() : applied.error()));
    QCOMPARE(compact(*applied), compact(modified));
}

QTEST_GUILESS_MAIN(TestPatches)
#include "tst_patches.moc"
