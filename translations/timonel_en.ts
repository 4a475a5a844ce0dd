<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ApiClient</name>
    <message>
        <source>its TLS certificate is not trusted: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>no answer in time</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot reach the Kubernetes API at %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>the watch stream sent something that is not a watch event: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>the server&apos;s answer is not a JSON object: %1</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>Certificates</name>
    <message>
        <source>cannot generate an ECDSA P-256 key</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot read the CA certificate</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot read the CA private key</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot encode the %1</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot add %1 = %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot encode DNS name %1</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot encode IP address %1</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot add subjectAltName</source>
        <translation></translation>
    </message>
    <message>
        <source>invalid validity of %1 days for certificate &quot;%2&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot fill in certificate &quot;%1&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot sign certificate &quot;%1&quot;</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>Cidr</name>
    <message>
        <source>&quot;%1&quot; is not a CIDR: expected an address and a prefix length, e.g. 10.244.0.0/16</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a CIDR: &quot;%2&quot; is not an IPv4 address</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a CIDR: the prefix length must be 0 to 32</source>
        <translation></translation>
    </message>
    <message>
        <source>%1 has host bits set; the network address is %2</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message>
        <source>ERROR: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>cluster name (default &quot;%1&quot;)</source>
        <translation></translation>
    </message>
    <message>
        <source>name</source>
        <translation></translation>
    </message>
    <message>
        <source>kubeconfig file to update (default $KUBECONFIG or ~/.kube/config)</source>
        <translation></translation>
    </message>
    <message>
        <source>path</source>
        <translation></translation>
    </message>
    <message>
        <source>how long to wait for the nodes to be ready, e.g. 60s or 5m (default 2m)</source>
        <translation></translation>
    </message>
    <message>
        <source>duration</source>
        <translation></translation>
    </message>
    <message>
        <source> Removing what was created ...</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot read the configuration from standard input</source>
        <translation></translation>
    </message>
    <message>
        <source>--workers must be a number from 0 to 50</source>
        <translation></translation>
    </message>
    <message>
        <source>invalid --wait duration &quot;%1&quot; (use e.g. 90s or 5m)</source>
        <translation></translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; already exists; starting it if needed ...</source>
        <translation></translation>
    </message>
    <message>
        <source>Set kubectl context to &quot;%1&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>Creating cluster &quot;%1&quot; ...</source>
        <translation></translation>
    </message>
    <message>
        <source>cluster creation was interrupted; nothing was left behind</source>
        <translation></translation>
    </message>
    <message>
        <source>failed to create cluster: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>You can now use your cluster with:</source>
        <translation></translation>
    </message>
    <message>
        <source>unknown cluster &quot;%1&quot; (timonel get clusters lists them)</source>
        <translation></translation>
    </message>
    <message>
        <source>Deleting cluster &quot;%1&quot; ...</source>
        <translation></translation>
    </message>
    <message>
        <source>failed to delete cluster &quot;%1&quot;: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>Deleted nodes: [%1]</source>
        <translation></translation>
    </message>
    <message>
        <source>No clusters found.</source>
        <translation></translation>
    </message>
    <message>
        <source>No nodes found for cluster &quot;%1&quot;.</source>
        <translation></translation>
    </message>
    <message>
        <source>Starting cluster &quot;%1&quot; ...</source>
        <translation></translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; is running.</source>
        <translation></translation>
    </message>
    <message>
        <source>Stopping cluster &quot;%1&quot; ...</source>
        <translation></translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; is stopped; timonel start cluster --name %1 brings it back.</source>
        <translation></translation>
    </message>
    <message>
        <source>Creates a local Kubernetes cluster</source>
        <translation></translation>
    </message>
    <message>
        <source>a KinD cluster config file (kind: Cluster), or - for stdin</source>
        <translation></translation>
    </message>
    <message>
        <source>file</source>
        <translation></translation>
    </message>
    <message>
        <source>worker nodes when no --config is given (default 0)</source>
        <translation></translation>
    </message>
    <message>
        <source>count</source>
        <translation></translation>
    </message>
    <message>
        <source>if the cluster exists, start it and use it instead of failing</source>
        <translation></translation>
    </message>
    <message>
        <source>Deletes a cluster</source>
        <translation></translation>
    </message>
    <message>
        <source>Lists existing clusters</source>
        <translation></translation>
    </message>
    <message>
        <source>Lists the nodes of a cluster</source>
        <translation></translation>
    </message>
    <message>
        <source>Prints a cluster&apos;s kubeconfig</source>
        <translation></translation>
    </message>
    <message>
        <source>use the control plane&apos;s address on the cluster network</source>
        <translation></translation>
    </message>
    <message>
        <source>Merges a cluster&apos;s context into your kubeconfig</source>
        <translation></translation>
    </message>
    <message>
        <source>Starts a stopped cluster</source>
        <translation></translation>
    </message>
    <message>
        <source>Stops a cluster, keeping everything in it</source>
        <translation></translation>
    </message>
    <message>
        <source>Usage: timonel [COMMAND]</source>
        <translation></translation>
    </message>
    <message>
        <source>Without a command, opens the Timonel desktop app.</source>
        <translation></translation>
    </message>
    <message>
        <source>Commands:</source>
        <translation></translation>
    </message>
    <message>
        <source>Prints the version</source>
        <translation></translation>
    </message>
    <message>
        <source>Use &quot;timonel COMMAND --help&quot; for a command&apos;s options.</source>
        <translation></translation>
    </message>
    <message>
        <source>unexpected argument &quot;%1&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>unknown command &quot;%1&quot; (timonel --help lists the commands)</source>
        <translation></translation>
    </message>
    <message>
        <source>name the clusters to delete, or use --all (not both)</source>
        <translation></translation>
    </message>
    <message>
        <source>Deleted cluster &quot;%1&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>Deletes the named clusters, or all of them</source>
        <translation></translation>
    </message>
    <message>
        <source>delete every Timonel cluster</source>
        <translation></translation>
    </message>
    <message>
        <source>clusters to delete</source>
        <translation></translation>
    </message>
    <message>
        <source>Keeps a cluster as a local git repository says</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the repository (a working tree or a bare one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>branch, tag or commit to follow (default HEAD)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>revision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>directory inside the repository (default its root)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>kubeconfig context (default the current one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the sync&apos;s name, labelling what it applies (default from the repository)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delete what this sync applied and git no longer has</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>apply git&apos;s version again when the cluster drifts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>show what would change; change nothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sync once and exit (the default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sync each new commit until interrupted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--repo is required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--once and --watch cannot go together</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--self-heal needs --watch</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ClusterConfig</name>
    <message>
        <source>true/false</source>
        <translation></translation>
    </message>
    <message>
        <source>a number</source>
        <translation></translation>
    </message>
    <message>
        <source>a string</source>
        <translation></translation>
    </message>
    <message>
        <source>a list</source>
        <translation></translation>
    </message>
    <message>
        <source>a mapping</source>
        <translation></translation>
    </message>
    <message>
        <source>nothing</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid label key: use letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;, at most 63 characters, optionally after a domain prefix and &apos;/&apos;</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid label value: use letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;, at most 63 characters, starting and ending with a letter or digit</source>
        <translation></translation>
    </message>
    <message>
        <source>expected a mapping, found %1</source>
        <translation></translation>
    </message>
    <message>
        <source>expected a list, found %1</source>
        <translation></translation>
    </message>
    <message>
        <source>expected a string, found %1</source>
        <translation></translation>
    </message>
    <message>
        <source>expected a number, found %1</source>
        <translation></translation>
    </message>
    <message>
        <source>%1 is not a whole number</source>
        <translation></translation>
    </message>
    <message>
        <source>%1 is not a valid port; use 1 to 65535, or 0 for a random free port</source>
        <translation></translation>
    </message>
    <message>
        <source>%1 is not a valid port; use 1 to 65535</source>
        <translation></translation>
    </message>
    <message>
        <source>expected true or false, found %1</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an IPv4 address (Timonel clusters are IPv4 only)</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; lists several subnets; Timonel clusters are IPv4 only, give one IPv4 CIDR</source>
        <translation></translation>
    </message>
    <message>
        <source>unknown field &quot;%1&quot; (did you mean &quot;%2&quot;?)</source>
        <translation></translation>
    </message>
    <message>
        <source>unknown field &quot;%1&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>there is no control-plane node; add a node with role: control-plane</source>
        <translation></translation>
    </message>
    <message>
        <source>kind is missing; a KinD config has kind: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>kind is &quot;%1&quot;; a KinD config has kind: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>apiVersion is missing; Timonel reads apiVersion: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>apiVersion is &quot;%1&quot;; Timonel reads apiVersion: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>%1 is not supported: Timonel clusters are IPv4 only (remove ipFamily or set it to ipv4)</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an IP family; use ipv4</source>
        <translation></translation>
    </message>
    <message>
        <source>%1 is too small: each node gets a /%2 of the pod subnet, so use a /%2 or larger (e.g. %3)</source>
        <translation></translation>
    </message>
    <message>
        <source>%1 is too small: use a /%2 or larger (e.g. %3)</source>
        <translation></translation>
    </message>
    <message>
        <source>%1 overlaps the pod subnet %2; pick subnets that do not share addresses</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid node role; use control-plane or worker</source>
        <translation></translation>
    </message>
    <message>
        <source>containerPort is missing</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a protocol; use TCP, UDP or SCTP</source>
        <translation></translation>
    </message>
    <message>
        <source>%1 is missing</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an absolute path</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a mount propagation; use None, HostToContainer or Bidirectional</source>
        <translation></translation>
    </message>
    <message numerus="yes">
        <source>%1 is too small for %n node(s): each node gets a /%2 and the cluster network %3 more; use a /%4 or larger</source>
        <translation>
            <numerusform>%1 is too small for %n node: each node gets a /%2 and the cluster network %3 more; use a /%4 or larger</numerusform>
            <numerusform>%1 is too small for %n nodes: each node gets a /%2 and the cluster network %3 more; use a /%4 or larger</numerusform>
        </translation>
    </message>
    <message>
        <source>host port %1 clashes with %2 (%3); each host address, port and protocol can be used once</source>
        <translation></translation>
    </message>
    <message>
        <source>warning: Timonel ignores these KinD fields: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>the config is empty; a KinD config starts with kind: %1 and apiVersion: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>holds %1 YAML documents; a KinD config is a single document</source>
        <translation></translation>
    </message>
    <message>
        <source>the cluster name is empty</source>
        <translation></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid cluster name: use lowercase letters, digits and &apos;-&apos;, starting and ending with a letter or digit</source>
        <translation></translation>
    </message>
    <message>
        <source>the cluster name &quot;%1&quot; is too long (%2 characters): at most %3, so that node names such as %1-control-plane stay valid host names</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>ClusterCreator</name>
    <message>
        <source>Checking the configuration</source>
        <translation></translation>
    </message>
    <message>
        <source>a cluster named &quot;%1&quot; already exists (delete it with: timonel delete cluster --name %1)</source>
        <translation></translation>
    </message>
    <message>
        <source>host port %1 (%2 %3, nodes[%4].extraPortMappings) is already in use</source>
        <translation></translation>
    </message>
    <message>
        <source>the API server port %1 on %2 is already in use</source>
        <translation></translation>
    </message>
    <message>
        <source>podSubnet %1 overlaps Docker network &quot;%2&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>podSubnet %1 is too small for %2 nodes</source>
        <translation></translation>
    </message>
    <message>
        <source>no free 10.x.0.0/16 is left for the pod network; set networking.podSubnet</source>
        <translation></translation>
    </message>
    <message>
        <source>Ensuring node image</source>
        <translation></translation>
    </message>
    <message>
        <source>%1, built</source>
        <translation></translation>
    </message>
    <message>
        <source>Creating the cluster network</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot create network %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>Writing configuration</source>
        <translation></translation>
    </message>
    <message>
        <source>Preparing nodes</source>
        <translation></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot create volume %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot create node %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot write the configuration of %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>Starting nodes</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot start %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>Waiting for nodes to be ready</source>
        <translation></translation>
    </message>
    <message>
        <source>Writing kubeconfig</source>
        <translation></translation>
    </message>
    <message>
        <source>no free port for the API server on %1: %2</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>Clusters</name>
    <message>
        <source>cluster &quot;%1&quot; has no control-plane node</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot read the credentials of cluster &quot;%1&quot;: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>the credentials of cluster &quot;%1&quot; are incomplete</source>
        <translation></translation>
    </message>
    <message>
        <source>cluster &quot;%1&quot; is not running: its API server has no port yet (timonel start cluster --name %1)</source>
        <translation></translation>
    </message>
    <message>
        <source>unknown cluster &quot;%1&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot stop %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot start %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>node %1 stopped (exit code %2): %3</source>
        <translation></translation>
    </message>
    <message>
        <source>node %1 did not become ready in time</source>
        <translation></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation></translation>
    </message>
    <message>
        <source>the API server at %1 did not answer in time: %2</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>DockerClient</name>
    <message>
        <source>Docker at %1 speaks API %2; Timonel needs 1.%3 or newer (Docker 20.10+)</source>
        <translation></translation>
    </message>
    <message>
        <source>Docker answered %1 %2 with unreadable JSON: %3</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>FieldValue</name>
    <message>
        <source>must be no more than 15 characters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must contain at least one letter (a-z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must not contain consecutive hyphens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must not begin or end with a hyphen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsupported value: &quot;%1&quot;: supported values: &quot;SCTP&quot;, &quot;TCP&quot;, &quot;UDP&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be an integer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be greater than or equal to 0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be less than or equal to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be between %1 and %2, inclusive</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GitOpsHealth</name>
    <message>
        <source>Deployment is paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the rollout to be observed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rolling out revision %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job is suspended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job is running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CronJob is suspended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the claim to be bound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the load balancer&apos;s address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the ingress&apos;s address</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GitSource</name>
    <message>
        <source>no branch, tag or commit given for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is ambiguous in %2: give more digits of the commit id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no commits yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a branch, tag or commit of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot resolve %1 in %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not name a commit in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot read commit %1 of %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown libgit2 error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not exist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a git repository</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 belongs to another user, so git refuses to read it; trust it with: git config --global --add safe.directory %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot open the git repository %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 climbs out of the repository %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot read the files of commit %1 of %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not exist in commit %2 of %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a directory in commit %2 of %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot read %1 in commit %2 of %3: %4</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Kubeconfig</name>
    <message>
        <source>cannot create the kubeconfig lock %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>kubeconfig %1 is locked by another program (%2 exists); if no kubectl or Timonel is writing it, delete %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot read kubeconfig %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot parse kubeconfig %1 (left unchanged; fix or move it and try again)</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot write kubeconfig %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot add a kubeconfig entry without a name</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot create the kubeconfig directory %1</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot parse kubeconfig %1</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>KubeconfigClient</name>
    <message>
        <source>%1-data is not valid base64</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot read %1 %2: %3</source>
        <translation></translation>
    </message>
    <message>
        <source>no server found for cluster &quot;%1&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>the server of cluster &quot;%1&quot; is not a URL: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>the server of cluster &quot;%1&quot; is not an http or https URL: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>the certificate authority of cluster &quot;%1&quot; holds no PEM certificate</source>
        <translation></translation>
    </message>
    <message>
        <source>user &quot;%1&quot; gets its credentials from a plugin (exec or auth-provider), which Timonel does not run; use a client certificate or a token</source>
        <translation></translation>
    </message>
    <message>
        <source>user &quot;%1&quot; has a client certificate or key but not both</source>
        <translation></translation>
    </message>
    <message>
        <source>the client certificate of user &quot;%1&quot; is not a PEM certificate</source>
        <translation></translation>
    </message>
    <message>
        <source>the client key of user &quot;%1&quot;: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot read tokenFile %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>encrypted private keys are not supported</source>
        <translation></translation>
    </message>
    <message>
        <source>not a PEM private key</source>
        <translation></translation>
    </message>
    <message>
        <source>the private key is neither an EC nor an RSA key</source>
        <translation></translation>
    </message>
    <message>
        <source>no context is chosen and current-context is not set</source>
        <translation></translation>
    </message>
    <message>
        <source>context was not found for specified context: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>cluster was not specified for context &quot;%1&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>cluster &quot;%1&quot; was not found for context &quot;%2&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>user &quot;%1&quot; was not found for context &quot;%2&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>%1 is empty</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>NodeImage</name>
    <message>
        <source>timonel-node was not found next to this program or on PATH (set TIMONEL_NODE_BINARY)</source>
        <translation></translation>
    </message>
    <message>
        <source>%1 closure failed: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot create a temporary file: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot package %1: %2</source>
        <translation></translation>
    </message>
    <message>
        <source>cannot write the node image: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>importing the node image failed: %1</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>PodStreams</name>
    <message>
        <source>no answer in time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot reach the Kubernetes API at %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its TLS certificate is not trusted: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the server closed the connection without an answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the answer is not HTTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the WebSocket handshake failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the server speaks none of the protocols %1 (it chose &quot;%2&quot;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the connection to the container ended before the command did</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this port-forward was started already</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unable to listen on port %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unable to forward port because pod is not running. Current status=%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lost connection to pod %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an error occurred forwarding %1 -&gt; %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pod &apos;%1&apos; does not have a named port &apos;%2&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service %1 does not have a service port %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>invalid service &apos;%1&apos;: Service is defined without a selector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no running pod backs service %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SyncSpec</name>
    <message>
        <source>a sync needs a name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; cannot name a sync: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>choose a git repository</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SyncStore</name>
    <message>
        <source>this cluster already has a sync named &quot;%1&quot;: choose another name</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Yaml</name>
    <message>
        <source>the document expands to too many values (aliases nested too deeply?)</source>
        <translation></translation>
    </message>
    <message>
        <source>mapping keys must be scalars</source>
        <translation></translation>
    </message>
    <message>
        <source>duplicate key &quot;%1&quot;</source>
        <translation></translation>
    </message>
    <message>
        <source>a merge key (&lt;&lt;) takes mappings only</source>
        <translation></translation>
    </message>
    <message>
        <source>a merge key (&lt;&lt;) takes a mapping or a list of them</source>
        <translation></translation>
    </message>
    <message>
        <source>content after the end of the document above (check the indentation, or start a new document with ---)</source>
        <translation></translation>
    </message>
    <message>
        <source>expected one YAML document, found %1</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>YamlEdit</name>
    <message>
        <source>invalid field path &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the value above it is not a map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the value above it is not a list</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1: the list has %n item(s)</source>
        <translation>
            <numerusform>%1: the list has %n item</numerusform>
            <numerusform>%1: the list has %n items</numerusform>
        </translation>
    </message>
    <message>
        <source>unexpected content</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected a key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unexpected indentation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unterminated value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the list has no items</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the file has no such document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the document is not valid YAML: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be changed in place in this document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no item %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::client::Applier</name>
    <message>
        <source>%1/%2 not applied: the run was cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>configured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not applied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not applied: the run was cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>there is nothing to apply</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::docker::DockerCall</name>
    <message>
        <source>could not read the data to upload: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>bad answer from Docker: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>Docker closed the connection without answering</source>
        <translation></translation>
    </message>
    <message>
        <source>Docker closed the connection early: %1</source>
        <translation></translation>
    </message>
    <message>
        <source>Docker is not running at %1 (%2). Start it with &quot;sudo systemctl start docker&quot; or &quot;sudo dockerd &amp;&quot;.</source>
        <translation></translation>
    </message>
    <message>
        <source>Docker did not answer %1 %2 in time</source>
        <translation></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation></translation>
    </message>
</context>
<context>
    <name>timonel::gitops::Syncer</name>
    <message>
        <source>prune skipped: git&apos;s state is incomplete (see the problems above)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>prune: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 %2 (%3): %4, %5, %n object(s) in %6 ms</source>
        <translation>
            <numerusform>%1 %2 (%3): %4, %5, %n object in %6 ms</numerusform>
            <numerusform>%1 %2 (%3): %4, %5, %n objects in %6 ms</numerusform>
        </translation>
    </message>
    <message>
        <source>Dry run of</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Synced</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui</name>
    <message>
        <source>nginx with probes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The course&apos;s nginx pod with a startup, a readiness and a liveness probe.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flask + Redis (ambassador)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Flask app that talks to Redis on localhost through an nginx ambassador container, which finds the redis Service through a ConfigMap.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dockercoins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workers mine coins through an rng and a hasher service, counted in Redis; the web UI charts hashes per second on its LoadBalancer address. Scale worker and rng to watch it grow.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image %1 is present</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Building image %1 on %2 ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot build image %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::ClusterConnection</name>
    <message>
        <source>Cannot watch %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::ClustersPanel</name>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 nodes running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cluster / node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create a cluster (timonel create cluster)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading clusters from Docker ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>kubectl context: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other kubeconfig contexts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No clusters yet: create one with &quot;Create...&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n cluster(s)</source>
        <translation>
            <numerusform>%n cluster</numerusform>
            <numerusform>%n clusters</numerusform>
        </translation>
    </message>
    <message>
        <source>Starting cluster &quot;%1&quot; ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping cluster &quot;%1&quot; ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete cluster &quot;%1&quot; with all its nodes, workloads and volumes? This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleting cluster &quot;%1&quot; ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping node &quot;%1&quot; ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Node &quot;%1&quot; stopped: its pods will be rescheduled once it is NotReady</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting node &quot;%1&quot; ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Node &quot;%1&quot; started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; created</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::CreateClusterDialog</name>
    <message>
        <source>Create a cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lowercase letters, digits and &apos;-&apos;; nodes are named after it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Control planes:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Workers:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Container port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ports of the first control plane published on this machine (KinD&apos;s extraPortMappings); an empty host port picks a free one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port mappings:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional: a KinD config file instead of the above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KinD &amp;config:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make it kubectl&apos;s current context</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The same from a terminal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Command line:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;reate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KinD config file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>YAML files (*.yaml *.yml);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port mapping %1: the container port must be a number from 1 to 65535</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port mapping %1: the host port must be empty or a number from 1 to 65535</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port mapping %1: &quot;%2&quot; is not an IP address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port mapping %1: host port %2/%3 is already mapped above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the cluster a name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating cluster &quot;%1&quot; ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing what was created ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cluster creation was cancelled; nothing was left behind.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; is ready. kubectl context: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling ...</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::DiffView</name>
    <message>
        <source>%1 %2: %3</source>
        <comment>kind name: why it could not be compared</comment>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) would be created</source>
        <translation>
            <numerusform>%n object would be created</numerusform>
            <numerusform>%n objects would be created</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) would change</source>
        <translation>
            <numerusform>%n object would change</numerusform>
            <numerusform>%n objects would change</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) unchanged</source>
        <translation>
            <numerusform>%n object unchanged</numerusform>
            <numerusform>%n objects unchanged</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) could not be compared</source>
        <translation>
            <numerusform>%n object could not be compared</numerusform>
            <numerusform>%n objects could not be compared</numerusform>
        </translation>
    </message>
    <message>
        <source>The file has no objects to compare.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No differences: the cluster has every object as the file says.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::EventsPanel</name>
    <message>
        <source>Last seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy results</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::FindBar</name>
    <message>
        <source>Match case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Regular expression</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text to find</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replacement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous match (Shift+F3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next match (F3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find:</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Replaced %n occurrence(s)</source>
        <translation>
            <numerusform>Replaced %n occurrence</numerusform>
            <numerusform>Replaced %n occurrences</numerusform>
        </translation>
    </message>
    <message>
        <source>Not a valid regular expression: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No matches</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n match</numerusform>
            <numerusform>%n matches</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::GitOpsPanel</name>
    <message>
        <source>Sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Health</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Author</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Synced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add sync...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow a git repository on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync &amp;now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply the branch&apos;s commit now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Diff</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare git with the cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show in &amp;graph</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The graph with this sync&apos;s objects only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop syncing; what was applied stays in the cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync to &amp;this commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply the selected commit (a rollback); Sync now goes back to the branch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Objects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Auto-sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prune</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Self-heal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to a cluster first (double-click it in the clusters panel).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync &quot;%1&quot; added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync &quot;%1&quot; removed; what it applied stays in the cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Syncing &quot;%1&quot; ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Syncing &quot;%1&quot; to commit %2 ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot compare with git: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diff of %1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the cluster ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) of git could not be read; first: %1:%2: %3</source>
        <translation>
            <numerusform>%n file of git could not be read; first: %1:%2: %3</numerusform>
            <numerusform>%n files of git could not be read; first: %1:%2: %3</numerusform>
        </translation>
    </message>
    <message>
        <source>Sync &quot;%1&quot; failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync &quot;%1&quot;: commit %2 is not applied yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync &quot;%1&quot;: %2 at %3, %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto-sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>manual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>prune</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>self-heal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Syncing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applying commit %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The cluster has commit %1; %2 is at %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (dry run)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pruned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The cluster has this commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync to this commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy commit id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::LogView</name>
    <message>
        <source>&amp;Follow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Timestamps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search (Enter: next match)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Container:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logs: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>following</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ended</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::MainWindow</name>
    <message>
        <source>Timonel</source>
        <translation></translation>
    </message>
    <message>
        <source>Clusters</source>
        <translation></translation>
    </message>
    <message>
        <source>Resources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events and problems</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No context</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New manifest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a manifest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>YAML files (*.yaml *.yml);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save &amp;as...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a &amp;sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>English</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Timonel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Timonel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timonel %1: local Kubernetes clusters on Docker, with a YAML editor, a live topology graph and GitOps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new language applies the next time Timonel starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Command line: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot use context &quot;%1&quot;: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Context: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Showing the log of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the manifest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has changes that are not saved. Close it anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A cluster operation is still running. Quit anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Some manifests have changes that are not saved. Quit anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Manifest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Deploy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>D&amp;ry run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy a &amp;sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy a sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Namespace:</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1: %n object(s) applied</source>
        <translation>
            <numerusform>%1: %n object applied</numerusform>
            <numerusform>%1: %n objects applied</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 applied, %3 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to a cluster first (double-click it in the clusters panel).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line %1: %2: nothing was deployed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dry run of %1 ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploying %1 ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dry run of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preparing the images of %1 ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy of %1 into %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New from &amp;template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Topology</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Node &quot;%1&quot; is not a Timonel node container on this machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Topology</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port forwards</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>D&amp;iff against cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening a shell in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port-forward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port of %1 to forward:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a port: give a number from 1 to 65535</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GitOps</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::ManifestTab</name>
    <message>
        <source>Untitled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Object &amp;form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show or hide the form of the object under the cursor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diff of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line %1: %2: nothing was compared</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Comparing %n object(s) with the cluster...</source>
        <translation>
            <numerusform>Comparing %n object with the cluster...</numerusform>
            <numerusform>Comparing %n objects with the cluster...</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>timonel::gui::ObjectDetails</name>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>YAML</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::ObjectForm</name>
    <message>
        <source>The document is not valid YAML at the moment; the form shows it as it was last read.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::PortForwardsPanel</name>
    <message>
        <source>Forwarding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open in browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forwarding %1 ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forwarding from 127.0.0.1:%1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::ResourceTree</name>
    <message>
        <source>Resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Namespace %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NotReady</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::SyncDialog</name>
    <message>
        <source>&amp;Auto-sync: apply each new commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Prune: delete what git no longer has</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Self-heal: undo changes made in the cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a GitOps sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a local git repository</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Repository:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A branch, a tag or a commit; HEAD follows the checked-out branch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Branch:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the repository&apos;s root</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The directory whose manifests (or kustomization) the sync applies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Directory:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels every object the sync applies (gitops.timonel.dev/sync)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Within a second of each commit; otherwise only on Sync now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only objects this sync applied are ever deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The same from a terminal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Command line:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Git repository</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At commit %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::TerminalTab</name>
    <message>
        <source>&amp;Restart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the command again in this terminal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Terminal: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected to pod %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected to container %1 of pod %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The command ended with exit code %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to the container was lost: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open a terminal: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::TopologyTab</name>
    <message>
        <source>All namespaces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label selector, e.g. app=web</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+-)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the whole graph (F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Namespace:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a shell</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port-forward…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start node</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::form::ContainersSection</name>
    <message>
        <source>Containers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Container port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Liveness probe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Readiness probe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(unnamed)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::form::FormBinding</name>
    <message>
        <source>%1:</source>
        <comment>a field&apos;s label</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <comment>a field&apos;s label: the problem with its value</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate value: &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::form::MetadataSection</name>
    <message>
        <source>Object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replicas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <comment>kind (apiVersion)</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parallelism:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replicas:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::form::ProbeSection</name>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP GET</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TCP socket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other (exec, gRPC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initial delay (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Period (s)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::gui::form::ServiceSection</name>
    <message>
        <source>Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ClusterIP (default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Selector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Node port</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::manifest</name>
    <message>
        <source>The API group and version of this object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The kind of this object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deployment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ConfigMap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ingress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pod (nginx with probes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CronJob</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>StatefulSet with a headless Service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DaemonSet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PersistentVolumeClaim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::topology::TopologyLayout</name>
    <message>
        <source>Graphviz could not lay the graph out</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>timonel::topology::TopologyScene</name>
    <message>
        <source>not yet deployed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>control plane</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not scheduled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From git, by the GitOps sync &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
