<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>ApiClient</name>
    <message>
        <source>its TLS certificate is not trusted: %1</source>
        <translation>su certificado TLS no es de confianza: %1</translation>
    </message>
    <message>
        <source>no answer in time</source>
        <translation>no respondió a tiempo</translation>
    </message>
    <message>
        <source>cannot reach the Kubernetes API at %1: %2</source>
        <translation>no se puede contactar con la API de Kubernetes en %1: %2</translation>
    </message>
    <message>
        <source>the watch stream sent something that is not a watch event: %1</source>
        <translation>el flujo de observación envió algo que no es un evento: %1</translation>
    </message>
    <message>
        <source>the server&apos;s answer is not a JSON object: %1</source>
        <translation>la respuesta del servidor no es un objeto JSON: %1</translation>
    </message>
</context>
<context>
    <name>Certificates</name>
    <message>
        <source>cannot generate an ECDSA P-256 key</source>
        <translation>no se puede generar una clave ECDSA P-256</translation>
    </message>
    <message>
        <source>cannot read the CA certificate</source>
        <translation>no se puede leer el certificado de la CA</translation>
    </message>
    <message>
        <source>cannot read the CA private key</source>
        <translation>no se puede leer la clave privada de la CA</translation>
    </message>
    <message>
        <source>cannot encode the %1</source>
        <translation>no se puede codificar %1</translation>
    </message>
    <message>
        <source>cannot add %1 = %2</source>
        <translation>no se puede añadir %1 = %2</translation>
    </message>
    <message>
        <source>cannot encode DNS name %1</source>
        <translation>no se puede codificar el nombre DNS %1</translation>
    </message>
    <message>
        <source>cannot encode IP address %1</source>
        <translation>no se puede codificar la dirección IP %1</translation>
    </message>
    <message>
        <source>cannot add subjectAltName</source>
        <translation>no se puede añadir subjectAltName</translation>
    </message>
    <message>
        <source>invalid validity of %1 days for certificate &quot;%2&quot;</source>
        <translation>validez de %1 días no válida para el certificado &quot;%2&quot;</translation>
    </message>
    <message>
        <source>cannot fill in certificate &quot;%1&quot;</source>
        <translation>no se puede completar el certificado &quot;%1&quot;</translation>
    </message>
    <message>
        <source>cannot sign certificate &quot;%1&quot;</source>
        <translation>no se puede firmar el certificado &quot;%1&quot;</translation>
    </message>
</context>
<context>
    <name>Cidr</name>
    <message>
        <source>&quot;%1&quot; is not a CIDR: expected an address and a prefix length, e.g. 10.244.0.0/16</source>
        <translation>&quot;%1&quot; no es un CIDR: se esperaba una dirección y una longitud de prefijo, p. ej. 10.244.0.0/16</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a CIDR: &quot;%2&quot; is not an IPv4 address</source>
        <translation>&quot;%1&quot; no es un CIDR: &quot;%2&quot; no es una dirección IPv4</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a CIDR: the prefix length must be 0 to 32</source>
        <translation>&quot;%1&quot; no es un CIDR: la longitud del prefijo debe ser de 0 a 32</translation>
    </message>
    <message>
        <source>%1 has host bits set; the network address is %2</source>
        <translation>%1 tiene bits de host activados; la dirección de red es %2</translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message>
        <source>ERROR: %1</source>
        <translation>ERROR: %1</translation>
    </message>
    <message>
        <source>cluster name (default &quot;%1&quot;)</source>
        <translation>nombre del clúster (por defecto &quot;%1&quot;)</translation>
    </message>
    <message>
        <source>name</source>
        <translation>nombre</translation>
    </message>
    <message>
        <source>kubeconfig file to update (default $KUBECONFIG or ~/.kube/config)</source>
        <translation>archivo kubeconfig que se actualiza (por defecto $KUBECONFIG o ~/.kube/config)</translation>
    </message>
    <message>
        <source>path</source>
        <translation>ruta</translation>
    </message>
    <message>
        <source>how long to wait for the nodes to be ready, e.g. 60s or 5m (default 2m)</source>
        <translation>cuánto esperar a que los nodos estén listos, p. ej. 60s o 5m (por defecto 2m)</translation>
    </message>
    <message>
        <source>duration</source>
        <translation>duración</translation>
    </message>
    <message>
        <source> Removing what was created ...</source>
        <translation> Eliminando lo que se había creado ...</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>no se puede leer %1: %2</translation>
    </message>
    <message>
        <source>cannot read the configuration from standard input</source>
        <translation>no se puede leer la configuración de la entrada estándar</translation>
    </message>
    <message>
        <source>--workers must be a number from 0 to 50</source>
        <translation>--workers debe ser un número de 0 a 50</translation>
    </message>
    <message>
        <source>invalid --wait duration &quot;%1&quot; (use e.g. 90s or 5m)</source>
        <translation>duración de --wait no válida &quot;%1&quot; (usa p. ej. 90s o 5m)</translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; already exists; starting it if needed ...</source>
        <translation>El clúster &quot;%1&quot; ya existe; se iniciará si hace falta ...</translation>
    </message>
    <message>
        <source>Set kubectl context to &quot;%1&quot;</source>
        <translation>Contexto de kubectl establecido en &quot;%1&quot;</translation>
    </message>
    <message>
        <source>Creating cluster &quot;%1&quot; ...</source>
        <translation>Creando el clúster &quot;%1&quot; ...</translation>
    </message>
    <message>
        <source>cluster creation was interrupted; nothing was left behind</source>
        <translation>se interrumpió la creación del clúster; no ha quedado ningún resto</translation>
    </message>
    <message>
        <source>failed to create cluster: %1</source>
        <translation>no se pudo crear el clúster: %1</translation>
    </message>
    <message>
        <source>You can now use your cluster with:</source>
        <translation>Ya puedes usar tu clúster con:</translation>
    </message>
    <message>
        <source>unknown cluster &quot;%1&quot; (timonel get clusters lists them)</source>
        <translation>clúster desconocido &quot;%1&quot; (timonel get clusters los lista)</translation>
    </message>
    <message>
        <source>Deleting cluster &quot;%1&quot; ...</source>
        <translation>Eliminando el clúster &quot;%1&quot; ...</translation>
    </message>
    <message>
        <source>failed to delete cluster &quot;%1&quot;: %2</source>
        <translation>no se pudo eliminar el clúster &quot;%1&quot;: %2</translation>
    </message>
    <message>
        <source>Deleted nodes: [%1]</source>
        <translation>Nodos eliminados: [%1]</translation>
    </message>
    <message>
        <source>No clusters found.</source>
        <translation>No se encontraron clústeres.</translation>
    </message>
    <message>
        <source>No nodes found for cluster &quot;%1&quot;.</source>
        <translation>No se encontraron nodos del clúster &quot;%1&quot;.</translation>
    </message>
    <message>
        <source>Starting cluster &quot;%1&quot; ...</source>
        <translation>Iniciando el clúster &quot;%1&quot; ...</translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; is running.</source>
        <translation>El clúster &quot;%1&quot; está en ejecución.</translation>
    </message>
    <message>
        <source>Stopping cluster &quot;%1&quot; ...</source>
        <translation>Deteniendo el clúster &quot;%1&quot; ...</translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; is stopped; timonel start cluster --name %1 brings it back.</source>
        <translation>El clúster &quot;%1&quot; está detenido; timonel start cluster --name %1 lo vuelve a poner en marcha.</translation>
    </message>
    <message>
        <source>Creates a local Kubernetes cluster</source>
        <translation>Crea un clúster de Kubernetes local</translation>
    </message>
    <message>
        <source>a KinD cluster config file (kind: Cluster), or - for stdin</source>
        <translation>un archivo de configuración de clúster de KinD (kind: Cluster), o - para leer de stdin</translation>
    </message>
    <message>
        <source>file</source>
        <translation>archivo</translation>
    </message>
    <message>
        <source>worker nodes when no --config is given (default 0)</source>
        <translation>nodos worker si no se indica --config (por defecto 0)</translation>
    </message>
    <message>
        <source>count</source>
        <translation>número</translation>
    </message>
    <message>
        <source>if the cluster exists, start it and use it instead of failing</source>
        <translation>si el clúster ya existe, iniciarlo y usarlo en lugar de fallar</translation>
    </message>
    <message>
        <source>Deletes a cluster</source>
        <translation>Elimina un clúster</translation>
    </message>
    <message>
        <source>Lists existing clusters</source>
        <translation>Lista los clústeres existentes</translation>
    </message>
    <message>
        <source>Lists the nodes of a cluster</source>
        <translation>Lista los nodos de un clúster</translation>
    </message>
    <message>
        <source>Prints a cluster&apos;s kubeconfig</source>
        <translation>Muestra el kubeconfig de un clúster</translation>
    </message>
    <message>
        <source>use the control plane&apos;s address on the cluster network</source>
        <translation>usar la dirección del plano de control en la red del clúster</translation>
    </message>
    <message>
        <source>Merges a cluster&apos;s context into your kubeconfig</source>
        <translation>Fusiona el contexto de un clúster en tu kubeconfig</translation>
    </message>
    <message>
        <source>Starts a stopped cluster</source>
        <translation>Inicia un clúster detenido</translation>
    </message>
    <message>
        <source>Stops a cluster, keeping everything in it</source>
        <translation>Detiene un clúster y conserva todo su contenido</translation>
    </message>
    <message>
        <source>Usage: timonel [COMMAND]</source>
        <translation>Uso: timonel [COMANDO]</translation>
    </message>
    <message>
        <source>Without a command, opens the Timonel desktop app.</source>
        <translation>Sin comando, abre la aplicación de escritorio de Timonel.</translation>
    </message>
    <message>
        <source>Commands:</source>
        <translation>Comandos:</translation>
    </message>
    <message>
        <source>Prints the version</source>
        <translation>Muestra la versión</translation>
    </message>
    <message>
        <source>Use &quot;timonel COMMAND --help&quot; for a command&apos;s options.</source>
        <translation>Usa &quot;timonel COMANDO --help&quot; para ver las opciones de un comando.</translation>
    </message>
    <message>
        <source>unexpected argument &quot;%1&quot;</source>
        <translation>argumento inesperado &quot;%1&quot;</translation>
    </message>
    <message>
        <source>unknown command &quot;%1&quot; (timonel --help lists the commands)</source>
        <translation>comando desconocido &quot;%1&quot; (timonel --help lista los comandos)</translation>
    </message>
    <message>
        <source>name the clusters to delete, or use --all (not both)</source>
        <translation>indica los clústeres que quieres eliminar, o usa --all (no ambas cosas)</translation>
    </message>
    <message>
        <source>Deleted cluster &quot;%1&quot;</source>
        <translation>Clúster &quot;%1&quot; eliminado</translation>
    </message>
    <message>
        <source>Deletes the named clusters, or all of them</source>
        <translation>Elimina los clústeres indicados, o todos</translation>
    </message>
    <message>
        <source>delete every Timonel cluster</source>
        <translation>elimina todos los clústeres de Timonel</translation>
    </message>
    <message>
        <source>clusters to delete</source>
        <translation>clústeres que eliminar</translation>
    </message>
    <message>
        <source>Keeps a cluster as a local git repository says</source>
        <translation>Mantiene un clúster como dice un repositorio git local</translation>
    </message>
    <message>
        <source>the repository (a working tree or a bare one)</source>
        <translation>el repositorio (con árbol de trabajo o desnudo)</translation>
    </message>
    <message>
        <source>branch, tag or commit to follow (default HEAD)</source>
        <translation>rama, etiqueta o commit a seguir (por defecto HEAD)</translation>
    </message>
    <message>
        <source>revision</source>
        <translation>revisión</translation>
    </message>
    <message>
        <source>directory inside the repository (default its root)</source>
        <translation>directorio dentro del repositorio (por defecto su raíz)</translation>
    </message>
    <message>
        <source>dir</source>
        <translation>dir</translation>
    </message>
    <message>
        <source>kubeconfig context (default the current one)</source>
        <translation>contexto de kubeconfig (por defecto el actual)</translation>
    </message>
    <message>
        <source>the sync&apos;s name, labelling what it applies (default from the repository)</source>
        <translation>el nombre de la sincronización, que etiqueta lo que aplica (por defecto, el del repositorio)</translation>
    </message>
    <message>
        <source>delete what this sync applied and git no longer has</source>
        <translation>borrar lo que esta sincronización aplicó y git ya no tiene</translation>
    </message>
    <message>
        <source>apply git&apos;s version again when the cluster drifts</source>
        <translation>volver a aplicar la versión de git cuando el clúster se desvía</translation>
    </message>
    <message>
        <source>show what would change; change nothing</source>
        <translation>mostrar lo que cambiaría; no cambiar nada</translation>
    </message>
    <message>
        <source>sync once and exit (the default)</source>
        <translation>sincronizar una vez y salir (por defecto)</translation>
    </message>
    <message>
        <source>sync each new commit until interrupted</source>
        <translation>sincronizar cada commit nuevo hasta que se interrumpa</translation>
    </message>
    <message>
        <source>--repo is required</source>
        <translation>--repo es obligatorio</translation>
    </message>
    <message>
        <source>--once and --watch cannot go together</source>
        <translation>--once y --watch no pueden ir juntos</translation>
    </message>
    <message>
        <source>--self-heal needs --watch</source>
        <translation>--self-heal necesita --watch</translation>
    </message>
</context>
<context>
    <name>ClusterConfig</name>
    <message>
        <source>true/false</source>
        <translation>true/false</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>un número</translation>
    </message>
    <message>
        <source>a string</source>
        <translation>una cadena</translation>
    </message>
    <message>
        <source>a list</source>
        <translation>una lista</translation>
    </message>
    <message>
        <source>a mapping</source>
        <translation>un mapa</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>nada</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid label key: use letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;, at most 63 characters, optionally after a domain prefix and &apos;/&apos;</source>
        <translation>&quot;%1&quot; no es una clave de etiqueta válida: usa letras, dígitos, &apos;-&apos;, &apos;_&apos; y &apos;.&apos;, como máximo 63 caracteres, opcionalmente tras un prefijo de dominio y &apos;/&apos;</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid label value: use letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;, at most 63 characters, starting and ending with a letter or digit</source>
        <translation>&quot;%1&quot; no es un valor de etiqueta válido: usa letras, dígitos, &apos;-&apos;, &apos;_&apos; y &apos;.&apos;, como máximo 63 caracteres, y empieza y termina por letra o dígito</translation>
    </message>
    <message>
        <source>expected a mapping, found %1</source>
        <translation>se esperaba un mapa, se encontró %1</translation>
    </message>
    <message>
        <source>expected a list, found %1</source>
        <translation>se esperaba una lista, se encontró %1</translation>
    </message>
    <message>
        <source>expected a string, found %1</source>
        <translation>se esperaba una cadena, se encontró %1</translation>
    </message>
    <message>
        <source>expected a number, found %1</source>
        <translation>se esperaba un número, se encontró %1</translation>
    </message>
    <message>
        <source>%1 is not a whole number</source>
        <translation>%1 no es un número entero</translation>
    </message>
    <message>
        <source>%1 is not a valid port; use 1 to 65535, or 0 for a random free port</source>
        <translation>%1 no es un puerto válido; usa de 1 a 65535, o 0 para un puerto libre aleatorio</translation>
    </message>
    <message>
        <source>%1 is not a valid port; use 1 to 65535</source>
        <translation>%1 no es un puerto válido; usa de 1 a 65535</translation>
    </message>
    <message>
        <source>expected true or false, found %1</source>
        <translation>se esperaba true o false, se encontró %1</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an IPv4 address (Timonel clusters are IPv4 only)</source>
        <translation>&quot;%1&quot; no es una dirección IPv4 (los clústeres de Timonel son solo IPv4)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; lists several subnets; Timonel clusters are IPv4 only, give one IPv4 CIDR</source>
        <translation>&quot;%1&quot; indica varias subredes; los clústeres de Timonel son solo IPv4, indica un único CIDR IPv4</translation>
    </message>
    <message>
        <source>unknown field &quot;%1&quot; (did you mean &quot;%2&quot;?)</source>
        <translation>campo desconocido &quot;%1&quot; (¿querías decir &quot;%2&quot;?)</translation>
    </message>
    <message>
        <source>unknown field &quot;%1&quot;</source>
        <translation>campo desconocido &quot;%1&quot;</translation>
    </message>
    <message>
        <source>there is no control-plane node; add a node with role: control-plane</source>
        <translation>no hay ningún nodo del plano de control; añade un nodo con role: control-plane</translation>
    </message>
    <message>
        <source>kind is missing; a KinD config has kind: %1</source>
        <translation>falta kind; una configuración de KinD tiene kind: %1</translation>
    </message>
    <message>
        <source>kind is &quot;%1&quot;; a KinD config has kind: %2</source>
        <translation>kind es &quot;%1&quot;; una configuración de KinD tiene kind: %2</translation>
    </message>
    <message>
        <source>apiVersion is missing; Timonel reads apiVersion: %1</source>
        <translation>falta apiVersion; Timonel lee apiVersion: %1</translation>
    </message>
    <message>
        <source>apiVersion is &quot;%1&quot;; Timonel reads apiVersion: %2</source>
        <translation>apiVersion es &quot;%1&quot;; Timonel lee apiVersion: %2</translation>
    </message>
    <message>
        <source>%1 is not supported: Timonel clusters are IPv4 only (remove ipFamily or set it to ipv4)</source>
        <translation>%1 no es compatible: los clústeres de Timonel son solo IPv4 (quita ipFamily o ponlo a ipv4)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an IP family; use ipv4</source>
        <translation>&quot;%1&quot; no es una familia de IP; usa ipv4</translation>
    </message>
    <message>
        <source>%1 is too small: each node gets a /%2 of the pod subnet, so use a /%2 or larger (e.g. %3)</source>
        <translation>%1 es demasiado pequeña: cada nodo recibe una /%2 de la subred de pods, así que usa una /%2 o mayor (p. ej. %3)</translation>
    </message>
    <message>
        <source>%1 is too small: use a /%2 or larger (e.g. %3)</source>
        <translation>%1 es demasiado pequeña: usa una /%2 o mayor (p. ej. %3)</translation>
    </message>
    <message>
        <source>%1 overlaps the pod subnet %2; pick subnets that do not share addresses</source>
        <translation>%1 se solapa con la subred de pods %2; elige subredes que no compartan direcciones</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid node role; use control-plane or worker</source>
        <translation>&quot;%1&quot; no es un rol de nodo válido; usa control-plane o worker</translation>
    </message>
    <message>
        <source>containerPort is missing</source>
        <translation>falta containerPort</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a protocol; use TCP, UDP or SCTP</source>
        <translation>&quot;%1&quot; no es un protocolo; usa TCP, UDP o SCTP</translation>
    </message>
    <message>
        <source>%1 is missing</source>
        <translation>falta %1</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an absolute path</source>
        <translation>&quot;%1&quot; no es una ruta absoluta</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a mount propagation; use None, HostToContainer or Bidirectional</source>
        <translation>&quot;%1&quot; no es un modo de propagación de montaje; usa None, HostToContainer o Bidirectional</translation>
    </message>
    <message numerus="yes">
        <source>%1 is too small for %n node(s): each node gets a /%2 and the cluster network %3 more; use a /%4 or larger</source>
        <translation>
            <numerusform>%1 es demasiado pequeña para %n nodo: cada nodo recibe una /%2 y la red del clúster %3 más; usa una /%4 o mayor</numerusform>
            <numerusform>%1 es demasiado pequeña para %n nodos: cada nodo recibe una /%2 y la red del clúster %3 más; usa una /%4 o mayor</numerusform>
        </translation>
    </message>
    <message>
        <source>host port %1 clashes with %2 (%3); each host address, port and protocol can be used once</source>
        <translation>el puerto de host %1 entra en conflicto con %2 (%3); cada combinación de dirección de host, puerto y protocolo solo puede usarse una vez</translation>
    </message>
    <message>
        <source>warning: Timonel ignores these KinD fields: %1</source>
        <translation>aviso: Timonel ignora estos campos de KinD: %1</translation>
    </message>
    <message>
        <source>the config is empty; a KinD config starts with kind: %1 and apiVersion: %2</source>
        <translation>la configuración está vacía; una configuración de KinD empieza con kind: %1 y apiVersion: %2</translation>
    </message>
    <message>
        <source>holds %1 YAML documents; a KinD config is a single document</source>
        <translation>contiene %1 documentos YAML; una configuración de KinD es un único documento</translation>
    </message>
    <message>
        <source>the cluster name is empty</source>
        <translation>el nombre del clúster está vacío</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid cluster name: use lowercase letters, digits and &apos;-&apos;, starting and ending with a letter or digit</source>
        <translation>&quot;%1&quot; no es un nombre de clúster válido: usa minúsculas, dígitos y &apos;-&apos;, y empieza y termina por letra o dígito</translation>
    </message>
    <message>
        <source>the cluster name &quot;%1&quot; is too long (%2 characters): at most %3, so that node names such as %1-control-plane stay valid host names</source>
        <translation>el nombre del clúster &quot;%1&quot; es demasiado largo (%2 caracteres): como máximo %3, para que los nombres de nodo como %1-control-plane sigan siendo nombres de host válidos</translation>
    </message>
</context>
<context>
    <name>ClusterCreator</name>
    <message>
        <source>Checking the configuration</source>
        <translation>Comprobando la configuración</translation>
    </message>
    <message>
        <source>a cluster named &quot;%1&quot; already exists (delete it with: timonel delete cluster --name %1)</source>
        <translation>ya existe un clúster llamado &quot;%1&quot; (elimínalo con: timonel delete cluster --name %1)</translation>
    </message>
    <message>
        <source>host port %1 (%2 %3, nodes[%4].extraPortMappings) is already in use</source>
        <translation>el puerto de host %1 (%2 %3, nodes[%4].extraPortMappings) ya está en uso</translation>
    </message>
    <message>
        <source>the API server port %1 on %2 is already in use</source>
        <translation>el puerto %1 del servidor de API en %2 ya está en uso</translation>
    </message>
    <message>
        <source>podSubnet %1 overlaps Docker network &quot;%2&quot;</source>
        <translation>podSubnet %1 se solapa con la red de Docker &quot;%2&quot;</translation>
    </message>
    <message>
        <source>podSubnet %1 is too small for %2 nodes</source>
        <translation>podSubnet %1 es demasiado pequeña para %2 nodos</translation>
    </message>
    <message>
        <source>no free 10.x.0.0/16 is left for the pod network; set networking.podSubnet</source>
        <translation>no queda ninguna 10.x.0.0/16 libre para la red de pods; establece networking.podSubnet</translation>
    </message>
    <message>
        <source>Ensuring node image</source>
        <translation>Preparando la imagen de nodo</translation>
    </message>
    <message>
        <source>%1, built</source>
        <translation>%1, construida</translation>
    </message>
    <message>
        <source>Creating the cluster network</source>
        <translation>Creando la red del clúster</translation>
    </message>
    <message>
        <source>cannot create network %1: %2</source>
        <translation>no se puede crear la red %1: %2</translation>
    </message>
    <message>
        <source>Writing configuration</source>
        <translation>Escribiendo la configuración</translation>
    </message>
    <message>
        <source>Preparing nodes</source>
        <translation>Preparando los nodos</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>cancelado</translation>
    </message>
    <message>
        <source>cannot create volume %1: %2</source>
        <translation>no se puede crear el volumen %1: %2</translation>
    </message>
    <message>
        <source>cannot create node %1: %2</source>
        <translation>no se puede crear el nodo %1: %2</translation>
    </message>
    <message>
        <source>cannot write the configuration of %1: %2</source>
        <translation>no se puede escribir la configuración de %1: %2</translation>
    </message>
    <message>
        <source>Starting nodes</source>
        <translation>Iniciando los nodos</translation>
    </message>
    <message>
        <source>cannot start %1: %2</source>
        <translation>no se puede iniciar %1: %2</translation>
    </message>
    <message>
        <source>Waiting for nodes to be ready</source>
        <translation>Esperando a que los nodos estén listos</translation>
    </message>
    <message>
        <source>Writing kubeconfig</source>
        <translation>Escribiendo el kubeconfig</translation>
    </message>
    <message>
        <source>no free port for the API server on %1: %2</source>
        <translation>no hay ningún puerto libre para el servidor de API en %1: %2</translation>
    </message>
</context>
<context>
    <name>Clusters</name>
    <message>
        <source>cluster &quot;%1&quot; has no control-plane node</source>
        <translation>el clúster &quot;%1&quot; no tiene nodo del plano de control</translation>
    </message>
    <message>
        <source>cannot read the credentials of cluster &quot;%1&quot;: %2</source>
        <translation>no se pueden leer las credenciales del clúster &quot;%1&quot;: %2</translation>
    </message>
    <message>
        <source>the credentials of cluster &quot;%1&quot; are incomplete</source>
        <translation>las credenciales del clúster &quot;%1&quot; están incompletas</translation>
    </message>
    <message>
        <source>cluster &quot;%1&quot; is not running: its API server has no port yet (timonel start cluster --name %1)</source>
        <translation>el clúster &quot;%1&quot; no está en ejecución: su servidor de API aún no tiene puerto (timonel start cluster --name %1)</translation>
    </message>
    <message>
        <source>unknown cluster &quot;%1&quot;</source>
        <translation>clúster desconocido &quot;%1&quot;</translation>
    </message>
    <message>
        <source>cannot stop %1: %2</source>
        <translation>no se puede detener %1: %2</translation>
    </message>
    <message>
        <source>cannot start %1: %2</source>
        <translation>no se puede iniciar %1: %2</translation>
    </message>
    <message>
        <source>node %1 stopped (exit code %2): %3</source>
        <translation>el nodo %1 se detuvo (código de salida %2): %3</translation>
    </message>
    <message>
        <source>node %1 did not become ready in time</source>
        <translation>el nodo %1 no estuvo listo a tiempo</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>cancelado</translation>
    </message>
    <message>
        <source>the API server at %1 did not answer in time: %2</source>
        <translation>el servidor de API en %1 no respondió a tiempo: %2</translation>
    </message>
</context>
<context>
    <name>DockerClient</name>
    <message>
        <source>Docker at %1 speaks API %2; Timonel needs 1.%3 or newer (Docker 20.10+)</source>
        <translation>Docker en %1 usa la API %2; Timonel necesita la 1.%3 o posterior (Docker 20.10+)</translation>
    </message>
    <message>
        <source>Docker answered %1 %2 with unreadable JSON: %3</source>
        <translation>Docker respondió a %1 %2 con JSON ilegible: %3</translation>
    </message>
</context>
<context>
    <name>FieldValue</name>
    <message>
        <source>must be no more than 15 characters</source>
        <translation>no debe tener más de 15 caracteres</translation>
    </message>
    <message>
        <source>must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)</source>
        <translation>solo debe contener caracteres alfanuméricos (a-z, 0-9) y guiones (-)</translation>
    </message>
    <message>
        <source>must contain at least one letter (a-z)</source>
        <translation>debe contener al menos una letra (a-z)</translation>
    </message>
    <message>
        <source>must not contain consecutive hyphens</source>
        <translation>no debe contener guiones consecutivos</translation>
    </message>
    <message>
        <source>must not begin or end with a hyphen</source>
        <translation>no debe empezar ni terminar con un guion</translation>
    </message>
    <message>
        <source>Unsupported value: &quot;%1&quot;: supported values: &quot;SCTP&quot;, &quot;TCP&quot;, &quot;UDP&quot;</source>
        <translation>Valor no admitido: &quot;%1&quot;: valores admitidos: &quot;SCTP&quot;, &quot;TCP&quot;, &quot;UDP&quot;</translation>
    </message>
    <message>
        <source>must be an integer</source>
        <translation>debe ser un número entero</translation>
    </message>
    <message>
        <source>must be greater than or equal to 0</source>
        <translation>debe ser mayor o igual que 0</translation>
    </message>
    <message>
        <source>must be less than or equal to %1</source>
        <translation>debe ser menor o igual que %1</translation>
    </message>
    <message>
        <source>must be between %1 and %2, inclusive</source>
        <translation>debe estar entre %1 y %2, ambos incluidos</translation>
    </message>
</context>
<context>
    <name>GitOpsHealth</name>
    <message>
        <source>Deployment is paused</source>
        <translation>El Deployment está en pausa</translation>
    </message>
    <message>
        <source>Waiting for the rollout to be observed</source>
        <translation>Esperando a que se observe el despliegue</translation>
    </message>
    <message>
        <source>Rolling out revision %1</source>
        <translation>Desplegando la revisión %1</translation>
    </message>
    <message>
        <source>Job is suspended</source>
        <translation>El Job está suspendido</translation>
    </message>
    <message>
        <source>Job is running</source>
        <translation>El Job está en marcha</translation>
    </message>
    <message>
        <source>CronJob is suspended</source>
        <translation>El CronJob está suspendido</translation>
    </message>
    <message>
        <source>Waiting for the claim to be bound</source>
        <translation>Esperando a que la reclamación quede vinculada</translation>
    </message>
    <message>
        <source>Waiting for the load balancer&apos;s address</source>
        <translation>Esperando la dirección del balanceador de carga</translation>
    </message>
    <message>
        <source>Waiting for the ingress&apos;s address</source>
        <translation>Esperando la dirección del ingress</translation>
    </message>
</context>
<context>
    <name>GitSource</name>
    <message>
        <source>no branch, tag or commit given for %1</source>
        <translation>no se indicó rama, etiqueta ni commit para %1</translation>
    </message>
    <message>
        <source>%1 is ambiguous in %2: give more digits of the commit id</source>
        <translation>%1 es ambiguo en %2: indica más dígitos del id del commit</translation>
    </message>
    <message>
        <source>%1 has no commits yet</source>
        <translation>%1 aún no tiene commits</translation>
    </message>
    <message>
        <source>%1 is not a branch, tag or commit of %2</source>
        <translation>%1 no es una rama, etiqueta ni commit de %2</translation>
    </message>
    <message>
        <source>cannot resolve %1 in %2: %3</source>
        <translation>no se puede resolver %1 en %2: %3</translation>
    </message>
    <message>
        <source>%1 does not name a commit in %2</source>
        <translation>%1 no nombra un commit en %2</translation>
    </message>
    <message>
        <source>cannot read commit %1 of %2: %3</source>
        <translation>no se puede leer el commit %1 de %2: %3</translation>
    </message>
    <message>
        <source>unknown libgit2 error</source>
        <translation>error desconocido de libgit2</translation>
    </message>
    <message>
        <source>%1 does not exist</source>
        <translation>%1 no existe</translation>
    </message>
    <message>
        <source>%1 is not a git repository</source>
        <translation>%1 no es un repositorio git</translation>
    </message>
    <message>
        <source>%1 belongs to another user, so git refuses to read it; trust it with: git config --global --add safe.directory %2</source>
        <translation>%1 pertenece a otro usuario, así que git se niega a leerlo; confía en él con: git config --global --add safe.directory %2</translation>
    </message>
    <message>
        <source>cannot open the git repository %1: %2</source>
        <translation>no se puede abrir el repositorio git %1: %2</translation>
    </message>
    <message>
        <source>%1 climbs out of the repository %2</source>
        <translation>%1 sale fuera del repositorio %2</translation>
    </message>
    <message>
        <source>cannot read the files of commit %1 of %2: %3</source>
        <translation>no se pueden leer los archivos del commit %1 de %2: %3</translation>
    </message>
    <message>
        <source>%1 does not exist in commit %2 of %3</source>
        <translation>%1 no existe en el commit %2 de %3</translation>
    </message>
    <message>
        <source>%1 is not a directory in commit %2 of %3</source>
        <translation>%1 no es un directorio en el commit %2 de %3</translation>
    </message>
    <message>
        <source>cannot read %1 in commit %2 of %3: %4</source>
        <translation>no se puede leer %1 en el commit %2 de %3: %4</translation>
    </message>
</context>
<context>
    <name>Kubeconfig</name>
    <message>
        <source>cannot create the kubeconfig lock %1: %2</source>
        <translation>no se puede crear el bloqueo del kubeconfig %1: %2</translation>
    </message>
    <message>
        <source>kubeconfig %1 is locked by another program (%2 exists); if no kubectl or Timonel is writing it, delete %2</source>
        <translation>el kubeconfig %1 está bloqueado por otro programa (existe %2); si ningún kubectl ni Timonel lo está escribiendo, elimina %2</translation>
    </message>
    <message>
        <source>cannot read kubeconfig %1: %2</source>
        <translation>no se puede leer el kubeconfig %1: %2</translation>
    </message>
    <message>
        <source>cannot parse kubeconfig %1 (left unchanged; fix or move it and try again)</source>
        <translation>no se puede interpretar el kubeconfig %1 (no se ha modificado; corrígelo o muévelo y vuelve a intentarlo)</translation>
    </message>
    <message>
        <source>cannot write kubeconfig %1: %2</source>
        <translation>no se puede escribir el kubeconfig %1: %2</translation>
    </message>
    <message>
        <source>cannot add a kubeconfig entry without a name</source>
        <translation>no se puede añadir una entrada de kubeconfig sin nombre</translation>
    </message>
    <message>
        <source>cannot create the kubeconfig directory %1</source>
        <translation>no se puede crear el directorio del kubeconfig %1</translation>
    </message>
    <message>
        <source>cannot parse kubeconfig %1</source>
        <translation>no se puede interpretar el kubeconfig %1</translation>
    </message>
</context>
<context>
    <name>KubeconfigClient</name>
    <message>
        <source>%1-data is not valid base64</source>
        <translation>%1-data no es base64 válido</translation>
    </message>
    <message>
        <source>cannot read %1 %2: %3</source>
        <translation>no se puede leer %1 %2: %3</translation>
    </message>
    <message>
        <source>no server found for cluster &quot;%1&quot;</source>
        <translation>no se encontró servidor para el clúster &quot;%1&quot;</translation>
    </message>
    <message>
        <source>the server of cluster &quot;%1&quot; is not a URL: %2</source>
        <translation>el servidor del clúster &quot;%1&quot; no es una URL: %2</translation>
    </message>
    <message>
        <source>the server of cluster &quot;%1&quot; is not an http or https URL: %2</source>
        <translation>el servidor del clúster &quot;%1&quot; no es una URL http o https: %2</translation>
    </message>
    <message>
        <source>the certificate authority of cluster &quot;%1&quot; holds no PEM certificate</source>
        <translation>la autoridad de certificación del clúster &quot;%1&quot; no contiene ningún certificado PEM</translation>
    </message>
    <message>
        <source>user &quot;%1&quot; gets its credentials from a plugin (exec or auth-provider), which Timonel does not run; use a client certificate or a token</source>
        <translation>el usuario &quot;%1&quot; obtiene sus credenciales de un complemento (exec o auth-provider), que Timonel no ejecuta; use un certificado de cliente o un token</translation>
    </message>
    <message>
        <source>user &quot;%1&quot; has a client certificate or key but not both</source>
        <translation>el usuario &quot;%1&quot; tiene certificado o clave de cliente, pero no ambos</translation>
    </message>
    <message>
        <source>the client certificate of user &quot;%1&quot; is not a PEM certificate</source>
        <translation>el certificado de cliente del usuario &quot;%1&quot; no es un certificado PEM</translation>
    </message>
    <message>
        <source>the client key of user &quot;%1&quot;: %2</source>
        <translation>la clave de cliente del usuario &quot;%1&quot;: %2</translation>
    </message>
    <message>
        <source>cannot read tokenFile %1: %2</source>
        <translation>no se puede leer tokenFile %1: %2</translation>
    </message>
    <message>
        <source>encrypted private keys are not supported</source>
        <translation>las claves privadas cifradas no están admitidas</translation>
    </message>
    <message>
        <source>not a PEM private key</source>
        <translation>no es una clave privada PEM</translation>
    </message>
    <message>
        <source>the private key is neither an EC nor an RSA key</source>
        <translation>la clave privada no es ni EC ni RSA</translation>
    </message>
    <message>
        <source>no context is chosen and current-context is not set</source>
        <translation>no se eligió ningún contexto y current-context no está definido</translation>
    </message>
    <message>
        <source>context was not found for specified context: %1</source>
        <translation>no se encontró el contexto especificado: %1</translation>
    </message>
    <message>
        <source>cluster was not specified for context &quot;%1&quot;</source>
        <translation>no se indicó el clúster del contexto &quot;%1&quot;</translation>
    </message>
    <message>
        <source>cluster &quot;%1&quot; was not found for context &quot;%2&quot;</source>
        <translation>no se encontró el clúster &quot;%1&quot; del contexto &quot;%2&quot;</translation>
    </message>
    <message>
        <source>user &quot;%1&quot; was not found for context &quot;%2&quot;</source>
        <translation>no se encontró el usuario &quot;%1&quot; del contexto &quot;%2&quot;</translation>
    </message>
    <message>
        <source>%1 is empty</source>
        <translation>%1 está vacío</translation>
    </message>
</context>
<context>
    <name>NodeImage</name>
    <message>
        <source>timonel-node was not found next to this program or on PATH (set TIMONEL_NODE_BINARY)</source>
        <translation>no se encontró timonel-node junto a este programa ni en el PATH (establece TIMONEL_NODE_BINARY)</translation>
    </message>
    <message>
        <source>%1 closure failed: %2</source>
        <translation>falló %1 closure: %2</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>no se puede leer %1: %2</translation>
    </message>
    <message>
        <source>cannot create a temporary file: %1</source>
        <translation>no se puede crear un archivo temporal: %1</translation>
    </message>
    <message>
        <source>cannot package %1: %2</source>
        <translation>no se puede empaquetar %1: %2</translation>
    </message>
    <message>
        <source>cannot write the node image: %1</source>
        <translation>no se puede escribir la imagen de nodo: %1</translation>
    </message>
    <message>
        <source>importing the node image failed: %1</source>
        <translation>falló la importación de la imagen de nodo: %1</translation>
    </message>
</context>
<context>
    <name>PodStreams</name>
    <message>
        <source>no answer in time</source>
        <translation>sin respuesta a tiempo</translation>
    </message>
    <message>
        <source>cannot reach the Kubernetes API at %1: %2</source>
        <translation>no se puede acceder a la API de Kubernetes en %1: %2</translation>
    </message>
    <message>
        <source>its TLS certificate is not trusted: %1</source>
        <translation>su certificado TLS no es de confianza: %1</translation>
    </message>
    <message>
        <source>the server closed the connection without an answer</source>
        <translation>el servidor cerró la conexión sin responder</translation>
    </message>
    <message>
        <source>the answer is not HTTP</source>
        <translation>la respuesta no es HTTP</translation>
    </message>
    <message>
        <source>the WebSocket handshake failed</source>
        <translation>falló la negociación WebSocket</translation>
    </message>
    <message>
        <source>the server speaks none of the protocols %1 (it chose &quot;%2&quot;)</source>
        <translation>el servidor no habla ninguno de los protocolos %1 (eligió &quot;%2&quot;)</translation>
    </message>
    <message>
        <source>the connection to the container ended before the command did</source>
        <translation>la conexión con el contenedor terminó antes que el comando</translation>
    </message>
    <message>
        <source>this port-forward was started already</source>
        <translation>este reenvío de puertos ya se inició</translation>
    </message>
    <message>
        <source>unable to listen on port %1: %2</source>
        <translation>no se puede escuchar en el puerto %1: %2</translation>
    </message>
    <message>
        <source>unable to forward port because pod is not running. Current status=%1</source>
        <translation>no se puede reenviar el puerto porque el pod no está en ejecución. Estado actual=%1</translation>
    </message>
    <message>
        <source>lost connection to pod %1</source>
        <translation>se perdió la conexión con el pod %1</translation>
    </message>
    <message>
        <source>an error occurred forwarding %1 -&gt; %2: %3</source>
        <translation>se produjo un error al reenviar %1 -&gt; %2: %3</translation>
    </message>
    <message>
        <source>Pod &apos;%1&apos; does not have a named port &apos;%2&apos;</source>
        <translation>El pod &apos;%1&apos; no tiene un puerto llamado &apos;%2&apos;</translation>
    </message>
    <message>
        <source>Service %1 does not have a service port %2</source>
        <translation>El Service %1 no tiene un puerto de servicio %2</translation>
    </message>
    <message>
        <source>invalid service &apos;%1&apos;: Service is defined without a selector</source>
        <translation>servicio &apos;%1&apos; no válido: el Service está definido sin selector</translation>
    </message>
    <message>
        <source>no running pod backs service %1</source>
        <translation>ningún pod en ejecución respalda el servicio %1</translation>
    </message>
</context>
<context>
    <name>SyncSpec</name>
    <message>
        <source>a sync needs a name</source>
        <translation>una sincronización necesita un nombre</translation>
    </message>
    <message>
        <source>&quot;%1&quot; cannot name a sync: %2</source>
        <translation>«%1» no puede dar nombre a una sincronización: %2</translation>
    </message>
    <message>
        <source>choose a git repository</source>
        <translation>elige un repositorio git</translation>
    </message>
</context>
<context>
    <name>SyncStore</name>
    <message>
        <source>this cluster already has a sync named &quot;%1&quot;: choose another name</source>
        <translation>este clúster ya tiene una sincronización llamada «%1»: elige otro nombre</translation>
    </message>
</context>
<context>
    <name>Yaml</name>
    <message>
        <source>the document expands to too many values (aliases nested too deeply?)</source>
        <translation>el documento se expande en demasiados valores (¿alias anidados demasiado?)</translation>
    </message>
    <message>
        <source>mapping keys must be scalars</source>
        <translation>las claves de un mapa deben ser escalares</translation>
    </message>
    <message>
        <source>duplicate key &quot;%1&quot;</source>
        <translation>clave &quot;%1&quot; duplicada</translation>
    </message>
    <message>
        <source>a merge key (&lt;&lt;) takes mappings only</source>
        <translation>una clave de fusión (&lt;&lt;) solo admite mapas</translation>
    </message>
    <message>
        <source>a merge key (&lt;&lt;) takes a mapping or a list of them</source>
        <translation>una clave de fusión (&lt;&lt;) admite un mapa o una lista de mapas</translation>
    </message>
    <message>
        <source>content after the end of the document above (check the indentation, or start a new document with ---)</source>
        <translation>contenido tras el final del documento anterior (revisa la sangría o empieza un documento nuevo con ---)</translation>
    </message>
    <message>
        <source>expected one YAML document, found %1</source>
        <translation>se esperaba un documento YAML, se encontraron %1</translation>
    </message>
</context>
<context>
    <name>YamlEdit</name>
    <message>
        <source>invalid field path &quot;%1&quot;</source>
        <translation>ruta de campo no válida &quot;%1&quot;</translation>
    </message>
    <message>
        <source>%1: the value above it is not a map</source>
        <translation>%1: el valor que lo contiene no es un mapa</translation>
    </message>
    <message>
        <source>%1: the value above it is not a list</source>
        <translation>%1: el valor que lo contiene no es una lista</translation>
    </message>
    <message numerus="yes">
        <source>%1: the list has %n item(s)</source>
        <translation>
            <numerusform>%1: la lista tiene %n elemento</numerusform>
            <numerusform>%1: la lista tiene %n elementos</numerusform>
        </translation>
    </message>
    <message>
        <source>unexpected content</source>
        <translation>contenido inesperado</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>línea %1: %2</translation>
    </message>
    <message>
        <source>expected a key</source>
        <translation>se esperaba una clave</translation>
    </message>
    <message>
        <source>unexpected indentation</source>
        <translation>sangría inesperada</translation>
    </message>
    <message>
        <source>unterminated value</source>
        <translation>valor sin terminar</translation>
    </message>
    <message>
        <source>%1: the list has no items</source>
        <translation>%1: la lista no tiene elementos</translation>
    </message>
    <message>
        <source>the file has no such document</source>
        <translation>el archivo no tiene ese documento</translation>
    </message>
    <message>
        <source>the document is not valid YAML: %1</source>
        <translation>el documento no es YAML válido: %1</translation>
    </message>
    <message>
        <source>%1 cannot be changed in place in this document</source>
        <translation>%1 no se puede cambiar en su sitio en este documento</translation>
    </message>
    <message>
        <source>%1 is not a list</source>
        <translation>%1 no es una lista</translation>
    </message>
    <message>
        <source>%1 has no item %2</source>
        <translation>%1 no tiene el elemento %2</translation>
    </message>
</context>
<context>
    <name>timonel::client::Applier</name>
    <message>
        <source>%1/%2 not applied: the run was cancelled</source>
        <translation>%1/%2 sin aplicar: se canceló la ejecución</translation>
    </message>
    <message>
        <source>created</source>
        <translation>creado</translation>
    </message>
    <message>
        <source>configured</source>
        <translation>configurado</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>sin cambios</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fallido</translation>
    </message>
    <message>
        <source>not applied</source>
        <translation>sin aplicar</translation>
    </message>
    <message>
        <source>not applied: the run was cancelled</source>
        <translation>sin aplicar: se canceló la ejecución</translation>
    </message>
    <message>
        <source>there is nothing to apply</source>
        <translation>no hay nada que aplicar</translation>
    </message>
</context>
<context>
    <name>timonel::docker::DockerCall</name>
    <message>
        <source>could not read the data to upload: %1</source>
        <translation>no se pudieron leer los datos que se iban a subir: %1</translation>
    </message>
    <message>
        <source>bad answer from Docker: %1</source>
        <translation>respuesta no válida de Docker: %1</translation>
    </message>
    <message>
        <source>Docker closed the connection without answering</source>
        <translation>Docker cerró la conexión sin responder</translation>
    </message>
    <message>
        <source>Docker closed the connection early: %1</source>
        <translation>Docker cerró la conexión antes de tiempo: %1</translation>
    </message>
    <message>
        <source>Docker is not running at %1 (%2). Start it with &quot;sudo systemctl start docker&quot; or &quot;sudo dockerd &amp;&quot;.</source>
        <translation>Docker no está en ejecución en %1 (%2). Inícialo con &quot;sudo systemctl start docker&quot; o &quot;sudo dockerd &amp;&quot;.</translation>
    </message>
    <message>
        <source>Docker did not answer %1 %2 in time</source>
        <translation>Docker no respondió a %1 %2 a tiempo</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>cancelado</translation>
    </message>
</context>
<context>
    <name>timonel::gitops::Syncer</name>
    <message>
        <source>prune skipped: git&apos;s state is incomplete (see the problems above)</source>
        <translation>limpieza omitida: el estado de git está incompleto (ver los problemas de arriba)</translation>
    </message>
    <message>
        <source>prune: %1</source>
        <translation>limpieza: %1</translation>
    </message>
    <message numerus="yes">
        <source>%1 %2 (%3): %4, %5, %n object(s) in %6 ms</source>
        <translation>
            <numerusform>%1 %2 (%3): %4, %5, %n objeto en %6 ms</numerusform>
            <numerusform>%1 %2 (%3): %4, %5, %n objetos en %6 ms</numerusform>
        </translation>
    </message>
    <message>
        <source>Dry run of</source>
        <translation>Prueba en seco de</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Sincronizado</translation>
    </message>
</context>
<context>
    <name>timonel::gui</name>
    <message>
        <source>nginx with probes</source>
        <translation>nginx con sondas</translation>
    </message>
    <message>
        <source>The course&apos;s nginx pod with a startup, a readiness and a liveness probe.</source>
        <translation>El pod nginx del curso con sondas de inicio, de preparación y de vida.</translation>
    </message>
    <message>
        <source>Flask + Redis (ambassador)</source>
        <translation>Flask + Redis (embajador)</translation>
    </message>
    <message>
        <source>A Flask app that talks to Redis on localhost through an nginx ambassador container, which finds the redis Service through a ConfigMap.</source>
        <translation>Una aplicación Flask que habla con Redis en localhost a través de un contenedor embajador nginx, que encuentra el Service redis mediante un ConfigMap.</translation>
    </message>
    <message>
        <source>dockercoins</source>
        <translation>dockercoins</translation>
    </message>
    <message>
        <source>Workers mine coins through an rng and a hasher service, counted in Redis; the web UI charts hashes per second on its LoadBalancer address. Scale worker and rng to watch it grow.</source>
        <translation>Los workers minan monedas a través de los servicios rng y hasher, contadas en Redis; la interfaz web grafica los hashes por segundo en su dirección LoadBalancer. Escala worker y rng para verlo crecer.</translation>
    </message>
    <message>
        <source>Image %1 is present</source>
        <translation>La imagen %1 ya existe</translation>
    </message>
    <message>
        <source>Building image %1 on %2 ...</source>
        <translation>Construyendo la imagen %1 sobre %2 ...</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Cannot build image %1: %2</source>
        <translation>No se puede construir la imagen %1: %2</translation>
    </message>
</context>
<context>
    <name>timonel::gui::ClusterConnection</name>
    <message>
        <source>Cannot watch %1: %2</source>
        <translation>No se puede observar %1: %2</translation>
    </message>
</context>
<context>
    <name>timonel::gui::ClustersPanel</name>
    <message>
        <source>running</source>
        <translation>en marcha</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>detenido</translation>
    </message>
    <message>
        <source>%1 of %2 nodes running</source>
        <translation>%1 de %2 nodos en marcha</translation>
    </message>
    <message>
        <source>Cluster / node</source>
        <translation>Clúster / nodo</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Dirección</translation>
    </message>
    <message>
        <source>Create...</source>
        <translation>Crear...</translation>
    </message>
    <message>
        <source>Create a cluster (timonel create cluster)</source>
        <translation>Crear un clúster (timonel create cluster)</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Conectar</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Iniciar</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>Delete...</source>
        <translation>Eliminar...</translation>
    </message>
    <message>
        <source>Stop node</source>
        <translation>Detener el nodo</translation>
    </message>
    <message>
        <source>Start node</source>
        <translation>Iniciar el nodo</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualizar</translation>
    </message>
    <message>
        <source>Reading clusters from Docker ...</source>
        <translation>Leyendo los clústeres de Docker ...</translation>
    </message>
    <message>
        <source>kubectl context: %1</source>
        <translation>contexto de kubectl: %1</translation>
    </message>
    <message>
        <source>Other kubeconfig contexts</source>
        <translation>Otros contextos de kubeconfig</translation>
    </message>
    <message>
        <source>No clusters yet: create one with &quot;Create...&quot;.</source>
        <translation>Aún no hay clústeres: crea uno con &quot;Crear...&quot;.</translation>
    </message>
    <message numerus="yes">
        <source>%n cluster(s)</source>
        <translation>
            <numerusform>%n clúster</numerusform>
            <numerusform>%n clústeres</numerusform>
        </translation>
    </message>
    <message>
        <source>Starting cluster &quot;%1&quot; ...</source>
        <translation>Iniciando el clúster &quot;%1&quot; ...</translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; started</source>
        <translation>Clúster &quot;%1&quot; iniciado</translation>
    </message>
    <message>
        <source>Stopping cluster &quot;%1&quot; ...</source>
        <translation>Deteniendo el clúster &quot;%1&quot; ...</translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; stopped</source>
        <translation>Clúster &quot;%1&quot; detenido</translation>
    </message>
    <message>
        <source>Delete cluster</source>
        <translation>Eliminar el clúster</translation>
    </message>
    <message>
        <source>Delete cluster &quot;%1&quot; with all its nodes, workloads and volumes? This cannot be undone.</source>
        <translation>¿Eliminar el clúster &quot;%1&quot; con todos sus nodos, cargas de trabajo y volúmenes? No se puede deshacer.</translation>
    </message>
    <message>
        <source>Deleting cluster &quot;%1&quot; ...</source>
        <translation>Eliminando el clúster &quot;%1&quot; ...</translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; deleted</source>
        <translation>Clúster &quot;%1&quot; eliminado</translation>
    </message>
    <message>
        <source>Stopping node &quot;%1&quot; ...</source>
        <translation>Deteniendo el nodo &quot;%1&quot; ...</translation>
    </message>
    <message>
        <source>Node &quot;%1&quot; stopped: its pods will be rescheduled once it is NotReady</source>
        <translation>Nodo &quot;%1&quot; detenido: sus pods se reprogramarán cuando esté NotReady</translation>
    </message>
    <message>
        <source>Starting node &quot;%1&quot; ...</source>
        <translation>Iniciando el nodo &quot;%1&quot; ...</translation>
    </message>
    <message>
        <source>Node &quot;%1&quot; started</source>
        <translation>Nodo &quot;%1&quot; iniciado</translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; created</source>
        <translation>Clúster &quot;%1&quot; creado</translation>
    </message>
</context>
<context>
    <name>timonel::gui::CreateClusterDialog</name>
    <message>
        <source>Create a cluster</source>
        <translation>Crear un clúster</translation>
    </message>
    <message>
        <source>Lowercase letters, digits and &apos;-&apos;; nodes are named after it</source>
        <translation>Minúsculas, dígitos y &apos;-&apos;; los nodos toman su nombre</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>&amp;Control planes:</source>
        <translation>Planos de &amp;control:</translation>
    </message>
    <message>
        <source>&amp;Workers:</source>
        <translation>&amp;Workers:</translation>
    </message>
    <message>
        <source>Container port</source>
        <translation>Puerto del contenedor</translation>
    </message>
    <message>
        <source>Host port</source>
        <translation>Puerto del host</translation>
    </message>
    <message>
        <source>Listen address</source>
        <translation>Dirección de escucha</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocolo</translation>
    </message>
    <message>
        <source>Ports of the first control plane published on this machine (KinD&apos;s extraPortMappings); an empty host port picks a free one</source>
        <translation>Puertos del primer plano de control publicados en esta máquina (extraPortMappings de KinD); un puerto del host vacío elige uno libre</translation>
    </message>
    <message>
        <source>Add port</source>
        <translation>Añadir puerto</translation>
    </message>
    <message>
        <source>Remove port</source>
        <translation>Quitar puerto</translation>
    </message>
    <message>
        <source>Port mappings:</source>
        <translation>Mapeos de puertos:</translation>
    </message>
    <message>
        <source>optional: a KinD config file instead of the above</source>
        <translation>opcional: un archivo de configuración de KinD en lugar de lo anterior</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Examinar...</translation>
    </message>
    <message>
        <source>KinD &amp;config:</source>
        <translation>&amp;Configuración de KinD:</translation>
    </message>
    <message>
        <source>Make it kubectl&apos;s current context</source>
        <translation>Hacerlo el contexto actual de kubectl</translation>
    </message>
    <message>
        <source>The same from a terminal</source>
        <translation>Lo mismo desde una terminal</translation>
    </message>
    <message>
        <source>Command line:</source>
        <translation>Línea de órdenes:</translation>
    </message>
    <message>
        <source>C&amp;reate</source>
        <translation>C&amp;rear</translation>
    </message>
    <message>
        <source>KinD config file</source>
        <translation>Archivo de configuración de KinD</translation>
    </message>
    <message>
        <source>YAML files (*.yaml *.yml);;All files (*)</source>
        <translation>Archivos YAML (*.yaml *.yml);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>No se puede leer %1: %2</translation>
    </message>
    <message>
        <source>Port mapping %1: the container port must be a number from 1 to 65535</source>
        <translation>Mapeo de puerto %1: el puerto del contenedor debe ser un número de 1 a 65535</translation>
    </message>
    <message>
        <source>Port mapping %1: the host port must be empty or a number from 1 to 65535</source>
        <translation>Mapeo de puerto %1: el puerto del host debe estar vacío o ser un número de 1 a 65535</translation>
    </message>
    <message>
        <source>Port mapping %1: &quot;%2&quot; is not an IP address</source>
        <translation>Mapeo de puerto %1: &quot;%2&quot; no es una dirección IP</translation>
    </message>
    <message>
        <source>Port mapping %1: host port %2/%3 is already mapped above</source>
        <translation>Mapeo de puerto %1: el puerto del host %2/%3 ya está mapeado arriba</translation>
    </message>
    <message>
        <source>Give the cluster a name</source>
        <translation>Dale un nombre al clúster</translation>
    </message>
    <message>
        <source>Creating cluster &quot;%1&quot; ...</source>
        <translation>Creando el clúster &quot;%1&quot; ...</translation>
    </message>
    <message>
        <source>Removing what was created ...</source>
        <translation>Quitando lo que se creó ...</translation>
    </message>
    <message>
        <source>Cluster creation was cancelled; nothing was left behind.</source>
        <translation>Se canceló la creación del clúster; no quedó nada.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Cluster &quot;%1&quot; is ready. kubectl context: %2</source>
        <translation>El clúster &quot;%1&quot; está listo. Contexto de kubectl: %2</translation>
    </message>
    <message>
        <source>Cancelling ...</source>
        <translation>Cancelando ...</translation>
    </message>
</context>
<context>
    <name>timonel::gui::DiffView</name>
    <message>
        <source>%1 %2: %3</source>
        <comment>kind name: why it could not be compared</comment>
        <translation>%1 %2: %3</translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) would be created</source>
        <translation>
            <numerusform>se crearía %n objeto</numerusform>
            <numerusform>se crearían %n objetos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) would change</source>
        <translation>
            <numerusform>cambiaría %n objeto</numerusform>
            <numerusform>cambiarían %n objetos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) unchanged</source>
        <translation>
            <numerusform>%n objeto sin cambios</numerusform>
            <numerusform>%n objetos sin cambios</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) could not be compared</source>
        <translation>
            <numerusform>no se pudo comparar %n objeto</numerusform>
            <numerusform>no se pudieron comparar %n objetos</numerusform>
        </translation>
    </message>
    <message>
        <source>The file has no objects to compare.</source>
        <translation>El archivo no tiene objetos que comparar.</translation>
    </message>
    <message>
        <source>No differences: the cluster has every object as the file says.</source>
        <translation>Sin diferencias: el clúster tiene cada objeto tal como dice el archivo.</translation>
    </message>
</context>
<context>
    <name>timonel::gui::EventsPanel</name>
    <message>
        <source>Last seen</source>
        <translation>Visto por última vez</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>Objeto</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Documento</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Línea</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Eventos</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Problemas</translation>
    </message>
    <message>
        <source>Events (%1)</source>
        <translation>Eventos (%1)</translation>
    </message>
    <message>
        <source>Problems (%1)</source>
        <translation>Problemas (%1)</translation>
    </message>
    <message>
        <source>Deploy</source>
        <translation>Despliegue</translation>
    </message>
    <message>
        <source>Deploy results</source>
        <translation>Resultados del despliegue</translation>
    </message>
</context>
<context>
    <name>timonel::gui::FindBar</name>
    <message>
        <source>Match case</source>
        <translation>Distinguir mayúsculas</translation>
    </message>
    <message>
        <source>Regular expression</source>
        <translation>Expresión regular</translation>
    </message>
    <message>
        <source>Replace:</source>
        <translation>Reemplazar:</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Reemplazar</translation>
    </message>
    <message>
        <source>Replace All</source>
        <translation>Reemplazar todo</translation>
    </message>
    <message>
        <source>Text to find</source>
        <translation>Texto a buscar</translation>
    </message>
    <message>
        <source>Replacement</source>
        <translation>Reemplazo</translation>
    </message>
    <message>
        <source>Previous match (Shift+F3)</source>
        <translation>Coincidencia anterior (Mayús+F3)</translation>
    </message>
    <message>
        <source>Next match (F3)</source>
        <translation>Coincidencia siguiente (F3)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Cerrar (Esc)</translation>
    </message>
    <message>
        <source>Find:</source>
        <translation>Buscar:</translation>
    </message>
    <message numerus="yes">
        <source>Replaced %n occurrence(s)</source>
        <translation>
            <numerusform>Reemplazada %n coincidencia</numerusform>
            <numerusform>Reemplazadas %n coincidencias</numerusform>
        </translation>
    </message>
    <message>
        <source>Not a valid regular expression: %1</source>
        <translation>No es una expresión regular válida: %1</translation>
    </message>
    <message>
        <source>No matches</source>
        <translation>Sin coincidencias</translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n coincidencia</numerusform>
            <numerusform>%n coincidencias</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
</context>
<context>
    <name>timonel::gui::GitOpsPanel</name>
    <message>
        <source>Sync</source>
        <translation>Sincronización</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Salud</translation>
    </message>
    <message>
        <source>Commit</source>
        <translation>Commit</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Origen</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Última sincronización</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>Namespace</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Resultado</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Resumen</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>Autor</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Fecha</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Sincronizado</translation>
    </message>
    <message>
        <source>&amp;Add sync...</source>
        <translation>&amp;Añadir sincronización...</translation>
    </message>
    <message>
        <source>Follow a git repository on this computer</source>
        <translation>Seguir un repositorio git de este equipo</translation>
    </message>
    <message>
        <source>Sync &amp;now</source>
        <translation>Sincronizar &amp;ahora</translation>
    </message>
    <message>
        <source>Apply the branch&apos;s commit now</source>
        <translation>Aplicar ahora el commit de la rama</translation>
    </message>
    <message>
        <source>&amp;Diff</source>
        <translation>&amp;Diferencias</translation>
    </message>
    <message>
        <source>Compare git with the cluster</source>
        <translation>Comparar git con el clúster</translation>
    </message>
    <message>
        <source>Show in &amp;graph</source>
        <translation>Mostrar en el &amp;grafo</translation>
    </message>
    <message>
        <source>The graph with this sync&apos;s objects only</source>
        <translation>El grafo solo con los objetos de esta sincronización</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Quitar</translation>
    </message>
    <message>
        <source>Stop syncing; what was applied stays in the cluster</source>
        <translation>Dejar de sincronizar; lo aplicado se queda en el clúster</translation>
    </message>
    <message>
        <source>Sync to &amp;this commit</source>
        <translation>Sincronizar con es&amp;te commit</translation>
    </message>
    <message>
        <source>Apply the selected commit (a rollback); Sync now goes back to the branch</source>
        <translation>Aplicar el commit elegido (una vuelta atrás); Sincronizar ahora vuelve a la rama</translation>
    </message>
    <message>
        <source>Objects</source>
        <translation>Objetos</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historial</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Registro</translation>
    </message>
    <message>
        <source>Auto-sync</source>
        <translation>Sincronización automática</translation>
    </message>
    <message>
        <source>Prune</source>
        <translation>Podar</translation>
    </message>
    <message>
        <source>Self-heal</source>
        <translation>Autorreparación</translation>
    </message>
    <message>
        <source>Connect to a cluster first (double-click it in the clusters panel).</source>
        <translation>Conéctate primero a un clúster (doble clic en el panel de clústeres).</translation>
    </message>
    <message>
        <source>Sync &quot;%1&quot; added</source>
        <translation>Sincronización «%1» añadida</translation>
    </message>
    <message>
        <source>Sync &quot;%1&quot; removed; what it applied stays in the cluster</source>
        <translation>Sincronización «%1» quitada; lo que aplicó se queda en el clúster</translation>
    </message>
    <message>
        <source>Syncing &quot;%1&quot; ...</source>
        <translation>Sincronizando «%1» ...</translation>
    </message>
    <message>
        <source>Syncing &quot;%1&quot; to commit %2 ...</source>
        <translation>Sincronizando «%1» con el commit %2 ...</translation>
    </message>
    <message>
        <source>Cannot compare with git: %1</source>
        <translation>No se puede comparar con git: %1</translation>
    </message>
    <message>
        <source>Diff of %1 at %2</source>
        <translation>Diferencias de %1 en %2</translation>
    </message>
    <message>
        <source>Asking the cluster ...</source>
        <translation>Consultando al clúster ...</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) of git could not be read; first: %1:%2: %3</source>
        <translation>
            <numerusform>No se pudo leer %n archivo de git: %1:%2: %3</numerusform>
            <numerusform>No se pudieron leer %n archivos de git; el primero: %1:%2: %3</numerusform>
        </translation>
    </message>
    <message>
        <source>Sync &quot;%1&quot; failed: %2</source>
        <translation>La sincronización «%1» falló: %2</translation>
    </message>
    <message>
        <source>Sync &quot;%1&quot;: commit %2 is not applied yet</source>
        <translation>Sincronización «%1»: el commit %2 aún no está aplicado</translation>
    </message>
    <message>
        <source>Sync &quot;%1&quot;: %2 at %3, %4</source>
        <translation>Sincronización «%1»: %2 en %3, %4</translation>
    </message>
    <message>
        <source>auto-sync</source>
        <translation>automática</translation>
    </message>
    <message>
        <source>manual</source>
        <translation>manual</translation>
    </message>
    <message>
        <source>prune</source>
        <translation>poda</translation>
    </message>
    <message>
        <source>self-heal</source>
        <translation>autorreparación</translation>
    </message>
    <message>
        <source>Syncing</source>
        <translation>Sincronizando</translation>
    </message>
    <message>
        <source>Applying commit %1</source>
        <translation>Aplicando el commit %1</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En espera</translation>
    </message>
    <message>
        <source>The cluster has commit %1; %2 is at %3</source>
        <translation>El clúster tiene el commit %1; %2 está en %3</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 en %2</translation>
    </message>
    <message>
        <source>not read</source>
        <translation>no leído</translation>
    </message>
    <message>
        <source>%1 (dry run)</source>
        <translation>%1 (simulación)</translation>
    </message>
    <message>
        <source>pruned</source>
        <translation>podado</translation>
    </message>
    <message>
        <source>The cluster has this commit</source>
        <translation>El clúster tiene este commit</translation>
    </message>
    <message>
        <source>Sync to this commit</source>
        <translation>Sincronizar con este commit</translation>
    </message>
    <message>
        <source>Copy commit id</source>
        <translation>Copiar el id del commit</translation>
    </message>
    <message>
        <source>%1, %2 (%3)</source>
        <translation>%1, %2 (%3)</translation>
    </message>
</context>
<context>
    <name>timonel::gui::LogView</name>
    <message>
        <source>&amp;Follow</source>
        <translation>&amp;Seguir</translation>
    </message>
    <message>
        <source>&amp;Timestamps</source>
        <translation>&amp;Marcas de tiempo</translation>
    </message>
    <message>
        <source>Search (Enter: next match)</source>
        <translation>Buscar (Intro: siguiente coincidencia)</translation>
    </message>
    <message>
        <source>Container:</source>
        <translation>Contenedor:</translation>
    </message>
    <message>
        <source>Logs: %1</source>
        <translation>Registros: %1</translation>
    </message>
    <message>
        <source>following</source>
        <translation>siguiendo</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>terminado</translation>
    </message>
</context>
<context>
    <name>timonel::gui::MainWindow</name>
    <message>
        <source>Timonel</source>
        <translation>Timonel</translation>
    </message>
    <message>
        <source>Clusters</source>
        <translation>Clústeres</translation>
    </message>
    <message>
        <source>Resources</source>
        <translation>Recursos</translation>
    </message>
    <message>
        <source>Events and problems</source>
        <translation>Eventos y problemas</translation>
    </message>
    <message>
        <source>No context</source>
        <translation>Sin contexto</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;New manifest</source>
        <translation>&amp;Nuevo manifiesto</translation>
    </message>
    <message>
        <source>&amp;Open...</source>
        <translation>&amp;Abrir...</translation>
    </message>
    <message>
        <source>Open a manifest</source>
        <translation>Abrir un manifiesto</translation>
    </message>
    <message>
        <source>YAML files (*.yaml *.yml);;All files (*)</source>
        <translation>Archivos YAML (*.yaml *.yml);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>Abrir &amp;reciente</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Guardar</translation>
    </message>
    <message>
        <source>Save &amp;as...</source>
        <translation>Guardar &amp;como...</translation>
    </message>
    <message>
        <source>Open a &amp;sample</source>
        <translation>Abrir un &amp;ejemplo</translation>
    </message>
    <message>
        <source>&amp;Cluster</source>
        <translation>&amp;Clúster</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualizar</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Preferencias</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Idioma</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Idioma del sistema</translation>
    </message>
    <message>
        <source>English</source>
        <translation>English</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <source>&amp;About Timonel</source>
        <translation>&amp;Acerca de Timonel</translation>
    </message>
    <message>
        <source>About Timonel</source>
        <translation>Acerca de Timonel</translation>
    </message>
    <message>
        <source>Timonel %1: local Kubernetes clusters on Docker, with a YAML editor, a live topology graph and GitOps.</source>
        <translation>Timonel %1: clústeres de Kubernetes locales sobre Docker, con un editor YAML, un grafo de topología en vivo y GitOps.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>The new language applies the next time Timonel starts.</source>
        <translation>El nuevo idioma se aplica la próxima vez que se inicie Timonel.</translation>
    </message>
    <message>
        <source>Command line: %1</source>
        <translation>Línea de órdenes: %1</translation>
    </message>
    <message>
        <source>Cannot use context &quot;%1&quot;: %2</source>
        <translation>No se puede usar el contexto &quot;%1&quot;: %2</translation>
    </message>
    <message>
        <source>Context: %1</source>
        <translation>Contexto: %1</translation>
    </message>
    <message>
        <source>Showing the log of %1</source>
        <translation>Mostrando el registro de %1</translation>
    </message>
    <message>
        <source>Save the manifest</source>
        <translation>Guardar el manifiesto</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>Guardado %1</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>%1 has changes that are not saved. Close it anyway?</source>
        <translation>%1 tiene cambios sin guardar. ¿Cerrarlo de todos modos?</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <source>A cluster operation is still running. Quit anyway?</source>
        <translation>Todavía hay una operación de clúster en curso. ¿Salir de todos modos?</translation>
    </message>
    <message>
        <source>Some manifests have changes that are not saved. Quit anyway?</source>
        <translation>Algunos manifiestos tienen cambios sin guardar. ¿Salir de todos modos?</translation>
    </message>
    <message>
        <source>&amp;Manifest</source>
        <translation>&amp;Manifiesto</translation>
    </message>
    <message>
        <source>&amp;Deploy</source>
        <translation>&amp;Desplegar</translation>
    </message>
    <message>
        <source>D&amp;ry run</source>
        <translation>&amp;Prueba en seco</translation>
    </message>
    <message>
        <source>Deploy a &amp;sample</source>
        <translation>Desplegar un &amp;ejemplo</translation>
    </message>
    <message>
        <source>Deploy a sample</source>
        <translation>Desplegar un ejemplo</translation>
    </message>
    <message>
        <source>Namespace:</source>
        <translation>Namespace:</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n object(s) applied</source>
        <translation>
            <numerusform>%1: %n objeto aplicado</numerusform>
            <numerusform>%1: %n objetos aplicados</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 applied, %3 failed</source>
        <translation>%1: %2 aplicados, %3 fallidos</translation>
    </message>
    <message>
        <source>Connect to a cluster first (double-click it in the clusters panel).</source>
        <translation>Conéctate primero a un clúster (doble clic en el panel de clústeres).</translation>
    </message>
    <message>
        <source>Line %1: %2: nothing was deployed</source>
        <translation>Línea %1: %2: no se desplegó nada</translation>
    </message>
    <message>
        <source>Dry run of %1 ...</source>
        <translation>Prueba en seco de %1 ...</translation>
    </message>
    <message>
        <source>Deploying %1 ...</source>
        <translation>Desplegando %1 ...</translation>
    </message>
    <message>
        <source>Dry run of %1</source>
        <translation>Prueba en seco de %1</translation>
    </message>
    <message>
        <source>Deploy of %1</source>
        <translation>Despliegue de %1</translation>
    </message>
    <message>
        <source>Preparing the images of %1 ...</source>
        <translation>Preparando las imágenes de %1 ...</translation>
    </message>
    <message>
        <source>Deploy of %1 into %2</source>
        <translation>Despliegue de %1 en %2</translation>
    </message>
    <message>
        <source>New from &amp;template</source>
        <translation>Nuevo desde &amp;plantilla</translation>
    </message>
    <message>
        <source>&amp;Topology</source>
        <translation>&amp;Topología</translation>
    </message>
    <message>
        <source>Node &quot;%1&quot; is not a Timonel node container on this machine</source>
        <translation>El nodo &quot;%1&quot; no es un contenedor de nodo de Timonel en esta máquina</translation>
    </message>
    <message>
        <source>Topology</source>
        <translation>Topología</translation>
    </message>
    <message>
        <source>Port forwards</source>
        <translation>Redirecciones de puertos</translation>
    </message>
    <message>
        <source>D&amp;iff against cluster</source>
        <translation>&amp;Comparar con el clúster</translation>
    </message>
    <message>
        <source>Opening a shell in %1</source>
        <translation>Abriendo una shell en %1</translation>
    </message>
    <message>
        <source>Port-forward</source>
        <translation>Redirigir un puerto</translation>
    </message>
    <message>
        <source>Port of %1 to forward:</source>
        <translation>Puerto de %1 que redirigir:</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a port: give a number from 1 to 65535</source>
        <translation>&quot;%1&quot; no es un puerto: indica un número del 1 al 65535</translation>
    </message>
    <message>
        <source>GitOps</source>
        <translation>GitOps</translation>
    </message>
</context>
<context>
    <name>timonel::gui::ManifestTab</name>
    <message>
        <source>Untitled</source>
        <translation>Sin título</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>No se puede abrir %1: %2</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>No se puede guardar %1: %2</translation>
    </message>
    <message>
        <source>Object &amp;form</source>
        <translation>&amp;Formulario del objeto</translation>
    </message>
    <message>
        <source>Show or hide the form of the object under the cursor</source>
        <translation>Muestra u oculta el formulario del objeto bajo el cursor</translation>
    </message>
    <message>
        <source>Diff of %1</source>
        <translation>Diferencias de %1</translation>
    </message>
    <message>
        <source>Line %1: %2: nothing was compared</source>
        <translation>Línea %1: %2: no se comparó nada</translation>
    </message>
    <message numerus="yes">
        <source>Comparing %n object(s) with the cluster...</source>
        <translation>
            <numerusform>Comparando %n objeto con el clúster...</numerusform>
            <numerusform>Comparando %n objetos con el clúster...</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>timonel::gui::ObjectDetails</name>
    <message>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <source>YAML</source>
        <translation>YAML</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Eventos</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Registro</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Visto por última vez</translation>
    </message>
</context>
<context>
    <name>timonel::gui::ObjectForm</name>
    <message>
        <source>The document is not valid YAML at the moment; the form shows it as it was last read.</source>
        <translation>El documento no es YAML válido en este momento; el formulario lo muestra tal como se leyó la última vez.</translation>
    </message>
</context>
<context>
    <name>timonel::gui::PortForwardsPanel</name>
    <message>
        <source>Forwarding</source>
        <translation>Reenviando</translation>
    </message>
    <message>
        <source>Local address</source>
        <translation>Dirección local</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Open in browser</source>
        <translation>Abrir en el navegador</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>Starting ...</source>
        <translation>Iniciando ...</translation>
    </message>
    <message>
        <source>Forwarding %1 ...</source>
        <translation>Reenviando %1 ...</translation>
    </message>
    <message>
        <source>Forwarding from 127.0.0.1:%1</source>
        <translation>Reenviando desde 127.0.0.1:%1</translation>
    </message>
</context>
<context>
    <name>timonel::gui::ResourceTree</name>
    <message>
        <source>Resource</source>
        <translation>Recurso</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>Clúster</translation>
    </message>
    <message>
        <source>Namespace %1</source>
        <translation>Namespace %1</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Ready</translation>
    </message>
    <message>
        <source>NotReady</source>
        <translation>NotReady</translation>
    </message>
</context>
<context>
    <name>timonel::gui::SyncDialog</name>
    <message>
        <source>&amp;Auto-sync: apply each new commit</source>
        <translation>Sincronización &amp;automática: aplicar cada commit nuevo</translation>
    </message>
    <message>
        <source>&amp;Prune: delete what git no longer has</source>
        <translation>&amp;Podar: borrar lo que git ya no tiene</translation>
    </message>
    <message>
        <source>&amp;Self-heal: undo changes made in the cluster</source>
        <translation>Auto&amp;rreparación: deshacer los cambios hechos en el clúster</translation>
    </message>
    <message>
        <source>Add a GitOps sync</source>
        <translation>Añadir una sincronización GitOps</translation>
    </message>
    <message>
        <source>a local git repository</source>
        <translation>un repositorio git local</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Examinar...</translation>
    </message>
    <message>
        <source>&amp;Repository:</source>
        <translation>&amp;Repositorio:</translation>
    </message>
    <message>
        <source>A branch, a tag or a commit; HEAD follows the checked-out branch</source>
        <translation>Una rama, una etiqueta o un commit; HEAD sigue la rama activa</translation>
    </message>
    <message>
        <source>&amp;Branch:</source>
        <translation>Ra&amp;ma:</translation>
    </message>
    <message>
        <source>the repository&apos;s root</source>
        <translation>la raíz del repositorio</translation>
    </message>
    <message>
        <source>The directory whose manifests (or kustomization) the sync applies</source>
        <translation>El directorio cuyos manifiestos (o kustomization) aplica la sincronización</translation>
    </message>
    <message>
        <source>&amp;Directory:</source>
        <translation>&amp;Directorio:</translation>
    </message>
    <message>
        <source>Labels every object the sync applies (gitops.timonel.dev/sync)</source>
        <translation>Etiqueta cada objeto que aplica la sincronización (gitops.timonel.dev/sync)</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>Within a second of each commit; otherwise only on Sync now</source>
        <translation>Antes de un segundo tras cada commit; si no, solo con Sincronizar ahora</translation>
    </message>
    <message>
        <source>Only objects this sync applied are ever deleted</source>
        <translation>Solo se borran objetos que aplicó esta sincronización</translation>
    </message>
    <message>
        <source>The same from a terminal</source>
        <translation>Lo mismo desde una terminal</translation>
    </message>
    <message>
        <source>Command line:</source>
        <translation>Línea de órdenes:</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Añadir</translation>
    </message>
    <message>
        <source>Git repository</source>
        <translation>Repositorio git</translation>
    </message>
    <message>
        <source>At commit %1: %2</source>
        <translation>En el commit %1: %2</translation>
    </message>
</context>
<context>
    <name>timonel::gui::TerminalTab</name>
    <message>
        <source>&amp;Restart</source>
        <translation>&amp;Reiniciar</translation>
    </message>
    <message>
        <source>Run the command again in this terminal</source>
        <translation>Ejecutar el comando de nuevo en este terminal</translation>
    </message>
    <message>
        <source>Terminal: %1</source>
        <translation>Terminal: %1</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Conectando con %1…</translation>
    </message>
    <message>
        <source>Connected to pod %1</source>
        <translation>Conectado al pod %1</translation>
    </message>
    <message>
        <source>Connected to container %1 of pod %2</source>
        <translation>Conectado al contenedor %1 del pod %2</translation>
    </message>
    <message>
        <source>The command ended with exit code %1.</source>
        <translation>El comando terminó con el código de salida %1.</translation>
    </message>
    <message>
        <source>The connection to the container was lost: %1</source>
        <translation>Se perdió la conexión con el contenedor: %1</translation>
    </message>
    <message>
        <source>Could not open a terminal: %1</source>
        <translation>No se pudo abrir un terminal: %1</translation>
    </message>
</context>
<context>
    <name>timonel::gui::TopologyTab</name>
    <message>
        <source>All namespaces</source>
        <translation>Todos los namespaces</translation>
    </message>
    <message>
        <source>Label selector, e.g. app=web</source>
        <translation>Selector de etiquetas, p. ej. app=web</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++)</source>
        <translation>Acercar (Ctrl++)</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+-)</source>
        <translation>Alejar (Ctrl+-)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Ajustar</translation>
    </message>
    <message>
        <source>Show the whole graph (F)</source>
        <translation>Mostrar todo el grafo (F)</translation>
    </message>
    <message>
        <source>Namespace:</source>
        <translation>Namespace:</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>Ver el registro</translation>
    </message>
    <message>
        <source>Open a shell</source>
        <translation>Abrir una shell</translation>
    </message>
    <message>
        <source>Port-forward…</source>
        <translation>Redirigir un puerto…</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>Abrir %1</translation>
    </message>
    <message>
        <source>Stop node</source>
        <translation>Detener el nodo</translation>
    </message>
    <message>
        <source>Start node</source>
        <translation>Iniciar el nodo</translation>
    </message>
</context>
<context>
    <name>timonel::gui::form::ContainersSection</name>
    <message>
        <source>Containers</source>
        <translation>Contenedores</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Añadir</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Imagen</translation>
    </message>
    <message>
        <source>CPU request</source>
        <translation>Petición de CPU</translation>
    </message>
    <message>
        <source>Memory request</source>
        <translation>Petición de memoria</translation>
    </message>
    <message>
        <source>CPU limit</source>
        <translation>Límite de CPU</translation>
    </message>
    <message>
        <source>Memory limit</source>
        <translation>Límite de memoria</translation>
    </message>
    <message>
        <source>Ports</source>
        <translation>Puertos</translation>
    </message>
    <message>
        <source>Container port</source>
        <translation>Puerto del contenedor</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocolo</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>Entorno</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valor</translation>
    </message>
    <message>
        <source>Liveness probe</source>
        <translation>Sonda de vida</translation>
    </message>
    <message>
        <source>Readiness probe</source>
        <translation>Sonda de preparación</translation>
    </message>
    <message>
        <source>(unnamed)</source>
        <translation>(sin nombre)</translation>
    </message>
</context>
<context>
    <name>timonel::gui::form::FormBinding</name>
    <message>
        <source>%1:</source>
        <comment>a field&apos;s label</comment>
        <translation>%1:</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Clave</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valor</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Añadir</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <comment>a field&apos;s label: the problem with its value</comment>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Duplicate value: &quot;%1&quot;</source>
        <translation>Valor duplicado: &quot;%1&quot;</translation>
    </message>
</context>
<context>
    <name>timonel::gui::form::MetadataSection</name>
    <message>
        <source>Object</source>
        <translation>Objeto</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>Tipo:</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>Namespace</translation>
    </message>
    <message>
        <source>Replicas</source>
        <translation>Réplicas</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Etiquetas</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <comment>kind (apiVersion)</comment>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Parallelism:</source>
        <translation>Paralelismo:</translation>
    </message>
    <message>
        <source>Replicas:</source>
        <translation>Réplicas:</translation>
    </message>
</context>
<context>
    <name>timonel::gui::form::ProbeSection</name>
    <message>
        <source>None</source>
        <translation>Ninguna</translation>
    </message>
    <message>
        <source>HTTP GET</source>
        <translation>HTTP GET</translation>
    </message>
    <message>
        <source>TCP socket</source>
        <translation>Socket TCP</translation>
    </message>
    <message>
        <source>Other (exec, gRPC)</source>
        <translation>Otra (exec, gRPC)</translation>
    </message>
    <message>
        <source>Check:</source>
        <translation>Comprobación:</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Ruta</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Puerto</translation>
    </message>
    <message>
        <source>Initial delay (s)</source>
        <translation>Retardo inicial (s)</translation>
    </message>
    <message>
        <source>Period (s)</source>
        <translation>Periodo (s)</translation>
    </message>
</context>
<context>
    <name>timonel::gui::form::ServiceSection</name>
    <message>
        <source>Service</source>
        <translation>Servicio</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>ClusterIP (default)</source>
        <translation>ClusterIP (predeterminado)</translation>
    </message>
    <message>
        <source>Selector</source>
        <translation>Selector</translation>
    </message>
    <message>
        <source>Ports</source>
        <translation>Puertos</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Puerto</translation>
    </message>
    <message>
        <source>Target port</source>
        <translation>Puerto de destino</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocolo</translation>
    </message>
    <message>
        <source>Node port</source>
        <translation>Puerto del nodo</translation>
    </message>
</context>
<context>
    <name>timonel::manifest</name>
    <message>
        <source>The API group and version of this object.</source>
        <translation>El grupo y la versión de la API de este objeto.</translation>
    </message>
    <message>
        <source>The kind of this object.</source>
        <translation>El tipo de este objeto.</translation>
    </message>
    <message>
        <source>Deployment</source>
        <translation>Deployment</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>ConfigMap</source>
        <translation>ConfigMap</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Secret</translation>
    </message>
    <message>
        <source>Ingress</source>
        <translation>Ingress</translation>
    </message>
    <message>
        <source>Pod (nginx with probes)</source>
        <translation>Pod (nginx con sondas)</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>Job</translation>
    </message>
    <message>
        <source>CronJob</source>
        <translation>CronJob</translation>
    </message>
    <message>
        <source>StatefulSet with a headless Service</source>
        <translation>StatefulSet con un Service headless</translation>
    </message>
    <message>
        <source>DaemonSet</source>
        <translation>DaemonSet</translation>
    </message>
    <message>
        <source>PersistentVolumeClaim</source>
        <translation>PersistentVolumeClaim</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>Namespace</translation>
    </message>
</context>
<context>
    <name>timonel::topology::TopologyLayout</name>
    <message>
        <source>Graphviz could not lay the graph out</source>
        <translation>Graphviz no pudo disponer el grafo</translation>
    </message>
</context>
<context>
    <name>timonel::topology::TopologyScene</name>
    <message>
        <source>not yet deployed</source>
        <translation>aún sin desplegar</translation>
    </message>
    <message>
        <source>control plane</source>
        <translation>plano de control</translation>
    </message>
    <message>
        <source>Not scheduled</source>
        <translation>Sin planificar</translation>
    </message>
    <message>
        <source>From git, by the GitOps sync &quot;%1&quot;</source>
        <translation>Desde git, por la sincronización GitOps «%1»</translation>
    </message>
</context>
</TS>
