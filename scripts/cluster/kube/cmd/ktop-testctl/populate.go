package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// Everything this generator creates carries this label, so scaling only ever
// touches its own objects.
const (
	generatedLabel   = "ktop.test/generated"
	restartLabel     = "ktop.test/restart"
	usageAnnotation  = "ktop.test/" // + "cpu.<container>" / "memory.<container>" / "net-rx.<container>" …
	steadyAnnotation = "ktop.test/steady"
	fakeNodeTaint    = "kwok.x-k8s.io/node"
	kubeVersion      = "v1.35.4"
)

// Simulated network and disk bytes per second per millicore of base CPU.
var ioPerMilli = map[string]int64{"net-rx": 300, "net-tx": 120, "fs-read": 40, "fs-write": 90}

// Namespaces populate creates (kube-system and default come with the API server). ml and
// sandbox are small and have a ResourceQuota each; the big ones have none, because quota
// admission serialises every pod create in a namespace on its quota object.
var appNamespaces = []string{"shop", "data", "monitoring", "ml", "sandbox"}

type ctr struct {
	name, image string
	req, lim    [2]string // cpu, memory; "" = unset
	use         [2]string // base simulated usage: cpu, memory
}

type app struct {
	ns, name string
	kind     string // owner kind: "" (Deployment), "StatefulSet" or "DaemonSet"
	ctrs     []ctr
	cpOK     bool // tolerates the control-plane taint
	priority string
	steady   bool // simulated usage without jitter, so every source must agree on it
	// Simulated pressure stall (PSI) of the app's first pod, per container: the "some"
	// (waiting) rate of cpu, memory and io in seconds per second ("250m" = 25 %). That pod
	// is steady too. See ktop.yaml (metrics-cadvisor) for the series it drives.
	psi map[string][3]string
}

// Workloads spread round-robin over the worker nodes: Deployments (a ReplicaSet each)
// unless kind says otherwise; an app's pods are split into workloads of at most
// --pods-per-workload pods (frontend, frontend-2, ...). The mix covers pods with no
// resources, requests only, requests and limits, several containers, and usage above
// requests.
var apps = []app{
	{ns: "shop", name: "frontend", ctrs: []ctr{
		{"nginx", "nginx:1.27", [2]string{"100m", "128Mi"}, [2]string{"500m", "256Mi"}, [2]string{"40m", "90Mi"}},
		{"envoy", "envoyproxy/envoy:v1.31", [2]string{"50m", "64Mi"}, [2]string{}, [2]string{"15m", "40Mi"}},
	}},
	{ns: "shop", name: "cart", ctrs: []ctr{
		{"cart", "ktop/cart:2.4.1", [2]string{"200m", "256Mi"}, [2]string{}, [2]string{"120m", "200Mi"}},
	}},
	{ns: "shop", name: "checkout", ctrs: []ctr{
		{"checkout", "ktop/checkout:1.9.0", [2]string{}, [2]string{}, [2]string{"30m", "150Mi"}},
	}},
	{ns: "shop", name: "catalog", psi: map[string][3]string{"catalog": {"250m", "20m", "50m"}}, ctrs: []ctr{
		{"catalog", "ktop/catalog:3.0.2", [2]string{"250m", "512Mi"}, [2]string{"1", "1Gi"}, [2]string{"180m", "420Mi"}},
	}},
	{ns: "data", name: "postgres", kind: "StatefulSet", psi: map[string][3]string{"postgres": {"30m", "100m", "400m"}}, ctrs: []ctr{
		{"postgres", "postgres:16", [2]string{"1", "2Gi"}, [2]string{"2", "4Gi"}, [2]string{"600m", "1500Mi"}},
		{"exporter", "prometheuscommunity/postgres-exporter:v0.15.0", [2]string{"10m", "32Mi"}, [2]string{"50m", "64Mi"}, [2]string{"5m", "20Mi"}},
	}},
	{ns: "data", name: "redis", ctrs: []ctr{
		{"redis", "redis:7.2", [2]string{}, [2]string{}, [2]string{"50m", "300Mi"}},
	}},
	{ns: "data", name: "kafka", kind: "StatefulSet", ctrs: []ctr{
		{"kafka", "apache/kafka:3.8.0", [2]string{"500m", "1Gi"}, [2]string{}, [2]string{"700m", "1200Mi"}},
	}},
	{ns: "monitoring", name: "prometheus", ctrs: []ctr{
		{"prometheus", "prom/prometheus:v2.54.1", [2]string{"500m", "2Gi"}, [2]string{"", "4Gi"}, [2]string{"300m", "1800Mi"}},
		{"config-reloader", "quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0", [2]string{"10m", "25Mi"}, [2]string{"10m", "50Mi"}, [2]string{"2m", "12Mi"}},
	}},
	{ns: "monitoring", name: "grafana", ctrs: []ctr{
		{"grafana", "grafana/grafana:11.2.0", [2]string{"100m", "128Mi"}, [2]string{"200m", "256Mi"}, [2]string{"20m", "110Mi"}},
	}},
	{ns: "kube-system", name: "coredns", cpOK: true, priority: "system-cluster-critical", psi: map[string][3]string{"coredns": {"10m", "", ""}}, ctrs: []ctr{
		{"coredns", "registry.k8s.io/coredns/coredns:v1.11.3", [2]string{"100m", "70Mi"}, [2]string{"", "170Mi"}, [2]string{"5m", "25Mi"}},
	}},
}

// DaemonSets: one pod per node.
var daemons = []app{
	{ns: "kube-system", name: "kube-proxy", kind: "DaemonSet", cpOK: true, priority: "system-node-critical", steady: true, ctrs: []ctr{
		{"kube-proxy", "registry.k8s.io/kube-proxy:" + kubeVersion, [2]string{}, [2]string{}, [2]string{"3m", "30Mi"}},
	}},
	{ns: "monitoring", name: "node-exporter", kind: "DaemonSet", cpOK: true, ctrs: []ctr{
		{"node-exporter", "prom/node-exporter:v1.8.2", [2]string{"100m", "180Mi"}, [2]string{"250m", "300Mi"}, [2]string{"20m", "30Mi"}},
	}},
}

type nodeShape struct {
	cpu, mem, instance string
}

var shapes = []nodeShape{
	{"4", "16Gi", "m6i.xlarge"},
	{"8", "32Gi", "m6i.2xlarge"},
	{"16", "64Gi", "m6i.4xlarge"},
	{"8", "16Gi", "c6i.2xlarge"},
}

var zones = []string{"zone-a", "zone-b", "zone-c"}

func nodeName(i int) string { return fmt.Sprintf("kwok-node-%d", i) }

func controlPlaneCount(n int) int {
	switch {
	case n >= 50:
		return 3
	case n >= 3:
		return 1
	}
	return 0
}

func nodeRole(i, n int) string {
	if i < controlPlaneCount(n) {
		return "control-plane"
	}
	if i%4 == 1 {
		return "infra"
	}
	return "worker"
}

func q(s string) resource.Quantity { return resource.MustParse(s) }

const (
	gpuResource        = corev1.ResourceName("nvidia.com/gpu")
	pressureAnnotation = "ktop.test/pressure" // = MemoryPressure: kwok's ktop-node-pressure stage keeps it True
	psiAnnotation      = "ktop.test/psi-"     // + "cpu" / "memory" / "io" (node) or + "cpu.<container>" (pod)
)

var psiResources = [3]string{"cpu", "memory", "io"}

// The GPU node and the pressure node are fixed workers (index 4 and 3 are workers at
// every size from 5 nodes on), so a rescale never moves them; on smaller clusters the
// last worker has the GPUs and no node is under pressure.
func gpuNodeIndex(n int) int {
	if n >= 5 {
		return 4
	}
	for i := n - 1; i >= 0; i-- {
		if nodeRole(i, n) == "worker" {
			return i
		}
	}
	return n - 1
}

func pressureNodeIndex(n int) int {
	if n >= 5 {
		return 3
	}
	return -1
}

// The GPU node's shape: 8 GPUs, as on an 8-GPU cloud instance.
var gpuShape = nodeShape{"96", "1152Gi", "p4d.24xlarge"}

// Root-cgroup pressure of every node, "some" rate per resource (cpu, memory, io) in
// seconds per second, before its pods' share is added (see nodePSI).
var nodePSIBase = [3]int64{20, 10, 10}

const pressureNodeMemoryPSI = 400 // the pressure node's memory "some" base: 40 %

// nodePSI is the root cgroup's "some" rate per node in millis of a second per second: the
// base, plus the highest rate of the pods planned on it (a parent cgroup stalls at least
// as often as any child does).
func nodePSI(n int, plans []podPlan) map[string][3]int64 {
	out := map[string][3]int64{}
	top := map[string][3]int64{}
	for _, pl := range plans {
		r := podPSI(pl.pod)
		t := top[pl.pod.Spec.NodeName]
		for k := range r {
			t[k] = max(t[k], r[k])
		}
		top[pl.pod.Spec.NodeName] = t
	}
	for i := range n {
		name := nodeName(i)
		b := nodePSIBase
		if i == pressureNodeIndex(n) {
			b[1] = pressureNodeMemoryPSI
		}
		for k := range b {
			b[k] += top[name][k]
		}
		out[name] = b
	}
	return out
}

// podPSI sums a pod's ktop.test/psi-<res>.<container> annotations, in millis.
func podPSI(p *corev1.Pod) [3]int64 {
	var r [3]int64
	for _, c := range p.Spec.Containers {
		for k, res := range psiResources {
			if v, ok := p.Annotations[psiAnnotation+res+"."+c.Name]; ok {
				qv := q(v)
				r[k] += qv.MilliValue()
			}
		}
	}
	return r
}

// nodeAnnotations are the annotations populate keeps up to date on existing nodes too
// (nil: absent).
func nodeAnnotations(i, n int, psi map[string][3]int64) map[string]*string {
	ann := map[string]*string{pressureAnnotation: nil}
	if i == pressureNodeIndex(n) {
		ann[pressureAnnotation] = ptr("MemoryPressure")
	}
	rates := psi[nodeName(i)]
	for k, res := range psiResources {
		ann[psiAnnotation+res] = ptr(fmt.Sprintf("%dm", rates[k]))
	}
	return ann
}

func buildNode(i, n int, psi map[string][3]int64) *corev1.Node {
	name := nodeName(i)
	shape := shapes[i%len(shapes)]
	gpu := i == gpuNodeIndex(n)
	if gpu {
		shape = gpuShape
	}
	role := nodeRole(i, n)
	capCPU, capMem := q(shape.cpu), q(shape.mem)
	// Reserve a little for the system, like kubelet's defaults do.
	allocCPU := capCPU.DeepCopy()
	allocCPU.Sub(q("80m"))
	allocMem := capMem.DeepCopy()
	allocMem.Sub(q("740Mi"))
	taints := []corev1.Taint{{Key: fakeNodeTaint, Value: "fake", Effect: corev1.TaintEffectNoSchedule}}
	if role == "control-plane" {
		taints = append(taints, corev1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule})
	}
	if i == pressureNodeIndex(n) {
		// What the node lifecycle controller adds for the condition (TaintNodesByCondition).
		taints = append(taints, corev1.Taint{Key: "node.kubernetes.io/memory-pressure", Effect: corev1.TaintEffectNoSchedule})
	}
	created := metav1.NewTime(time.Now())
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Labels: map[string]string{
				generatedLabel:                     "true",
				"type":                             "kwok",
				"kubernetes.io/hostname":           name,
				"kubernetes.io/os":                 "linux",
				"kubernetes.io/arch":               "amd64",
				"beta.kubernetes.io/os":            "linux",
				"beta.kubernetes.io/arch":          "amd64",
				"node.kubernetes.io/instance-type": shape.instance,
				"topology.kubernetes.io/zone":      zones[i%len(zones)],
				"node-role.kubernetes.io/" + role:  "",
			},
			Annotations: map[string]string{
				"kwok.x-k8s.io/node":                                     "fake",
				"node.alpha.kubernetes.io/ttl":                           "0",
				"metrics.k8s.io/resource-metrics-path":                   "/metrics/nodes/" + name + "/metrics/resource",
				"volumes.kubernetes.io/controller-managed-attach-detach": "true",
			},
		},
		Spec: corev1.NodeSpec{
			PodCIDR:  fmt.Sprintf("10.244.%d.0/24", i%256),
			PodCIDRs: []string{fmt.Sprintf("10.244.%d.0/24", i%256)},
			Taints:   taints,
		},
		Status: corev1.NodeStatus{
			Capacity: corev1.ResourceList{
				corev1.ResourceCPU:              capCPU,
				corev1.ResourceMemory:           capMem,
				corev1.ResourcePods:             q("110"),
				corev1.ResourceEphemeralStorage: q("100Gi"),
			},
			Allocatable: corev1.ResourceList{
				corev1.ResourceCPU:              allocCPU,
				corev1.ResourceMemory:           allocMem,
				corev1.ResourcePods:             q("110"),
				corev1.ResourceEphemeralStorage: q("92Gi"),
			},
			// Documentation range (RFC 5737): never routed; metrics-server and
			// the API server reach kwok through the Hostname address kwok adds.
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("192.0.2.%d", i%250+1)}},
			NodeInfo: corev1.NodeSystemInfo{
				// Leading letter: kwok re-renders these unquoted through YAML.
				MachineID:               fmt.Sprintf("ec2%029x", i+1),
				SystemUUID:              fmt.Sprintf("ec2%05d-0000-4000-8000-%012d", i, i),
				BootID:                  fmt.Sprintf("b007%04d-%04d-4000-8000-000000000000", i%10000, created.Unix()%10000),
				KernelVersion:           "6.1.0-25-cloud-amd64",
				OSImage:                 "Debian GNU/Linux 12 (bookworm)",
				ContainerRuntimeVersion: "containerd://1.7.22",
				KubeletVersion:          kubeVersion,
				KubeProxyVersion:        kubeVersion,
				OperatingSystem:         "linux",
				Architecture:            "amd64",
			},
		},
	}
	for k, v := range nodeAnnotations(i, n, psi) {
		if v != nil {
			node.Annotations[k] = *v
		}
	}
	if gpu {
		// As the NVIDIA device plugin and GPU feature discovery report them; kwok's node
		// stages copy capacity and allocatable as they are.
		node.Status.Capacity[gpuResource] = q("8")
		node.Status.Allocatable[gpuResource] = q("8")
		node.Labels["nvidia.com/gpu.present"] = "true"
		node.Labels["nvidia.com/gpu.count"] = "8"
		node.Labels["nvidia.com/gpu.product"] = "NVIDIA-A100-SXM4-40GB"
	}
	return node
}

// k8s-style random suffix alphabet, used deterministically.
const suffixAlphabet = "bcdfghjklmnpqrstvwxz2456789"

func suffix(seed string, n int) string {
	h := fnv.New64a()
	h.Write([]byte(seed))
	v := h.Sum64()
	b := make([]byte, n)
	for i := range b {
		b[i] = suffixAlphabet[v%uint64(len(suffixAlphabet))]
		v /= uint64(len(suffixAlphabet))
		if v == 0 {
			v = uint64(i+7) * 0x9e3779b97f4a7c15
		}
	}
	return string(b)
}

// scale multiplies a quantity string by f, for per-pod variety in usage.
func scaleQ(s string, f float64) string {
	v := q(s)
	if strings.HasSuffix(s, "m") || !strings.ContainsAny(s, "KMGTi") {
		return fmt.Sprintf("%dm", int64(float64(v.MilliValue())*f)+1)
	}
	return fmt.Sprintf("%dKi", int64(float64(v.Value())*f/1024)+1)
}

func resources(c ctr) corev1.ResourceRequirements {
	var r corev1.ResourceRequirements
	add := func(l *corev1.ResourceList, vals [2]string) {
		for i, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if vals[i] == "" {
				continue
			}
			if *l == nil {
				*l = corev1.ResourceList{}
			}
			(*l)[name] = q(vals[i])
		}
	}
	add(&r.Requests, c.req)
	add(&r.Limits, c.lim)
	return r
}

type podPlan struct {
	pod   *corev1.Pod
	note  string    // "pending" for the unschedulable pod
	owner *workload // nil: a bare pod
}

// buildPod is a pod of app a; withPSI gives it the app's pressure stall annotations (and
// makes it steady). Its ownerReferences are set once its owner exists (setOwners).
func buildPod(a app, name, node string, variety float64, withPSI bool, extraLabels map[string]string) *corev1.Pod {
	labels := map[string]string{generatedLabel: "true", "app.kubernetes.io/name": a.name, "app": a.name}
	for k, v := range extraLabels {
		labels[k] = v
	}
	ann := map[string]string{}
	var containers []corev1.Container
	for _, c := range a.ctrs {
		ann[usageAnnotation+"cpu."+c.name] = scaleQ(c.use[0], variety)
		ann[usageAnnotation+"memory."+c.name] = scaleQ(c.use[1], variety)
		// Network and disk in proportion to CPU (bytes/s per millicore), so busy
		// containers move more bytes.
		cpu := q(scaleQ(c.use[0], variety))
		milli := cpu.MilliValue()
		for res, perMilli := range ioPerMilli {
			ann[usageAnnotation+res+"."+c.name] = fmt.Sprint(milli * perMilli)
		}
		if rates, ok := a.psi[c.name]; ok && withPSI {
			for k, res := range psiResources {
				if rates[k] != "" {
					ann[psiAnnotation+res+"."+c.name] = rates[k]
				}
			}
		}
		containers = append(containers, corev1.Container{
			Name:                     c.name,
			Image:                    c.image,
			Resources:                resources(c),
			ImagePullPolicy:          corev1.PullIfNotPresent,
			TerminationMessagePath:   "/dev/termination-log",
			TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		})
	}
	tolerations := []corev1.Toleration{
		{Key: fakeNodeTaint, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr(int64(300))},
		{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr(int64(300))},
	}
	if a.kind == "DaemonSet" {
		// The DaemonSet controller adds these to its pods.
		tolerations = append(tolerations, corev1.Toleration{Key: "node.kubernetes.io/memory-pressure", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
	}
	if a.cpOK {
		tolerations = append(tolerations, corev1.Toleration{Key: "node-role.kubernetes.io/control-plane", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
	}
	if a.steady || (withPSI && len(a.psi) > 0) {
		ann[steadyAnnotation] = "true"
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Namespace:   a.ns,
			Labels:      labels,
			Annotations: ann,
		},
		Spec: corev1.PodSpec{
			NodeName:                      node,
			Containers:                    containers,
			Tolerations:                   tolerations,
			PriorityClassName:             a.priority,
			RestartPolicy:                 corev1.RestartPolicyAlways,
			DNSPolicy:                     corev1.DNSClusterFirst,
			SchedulerName:                 corev1.DefaultSchedulerName,
			TerminationGracePeriodSeconds: ptr(int64(30)),
			EnableServiceLinks:            ptr(false),
		},
	}
}

func ptr[T any](v T) *T { return &v }

// planner collects pod plans and the workloads that own them, in a fixed order.
type planner struct {
	plans     []podPlan
	workloads []*workload
	byKey     map[string]*workload
}

func (pl *planner) workload(kind, ns, name, hash string) *workload {
	key := kind + "/" + ns + "/" + name
	if w, ok := pl.byKey[key]; ok {
		return w
	}
	w := &workload{kind: kind, ns: ns, name: name, hash: hash}
	pl.byKey[key] = w
	pl.workloads = append(pl.workloads, w)
	return w
}

func (pl *planner) add(p *corev1.Pod, w *workload, note string) {
	pl.plans = append(pl.plans, podPlan{pod: p, owner: w, note: note})
}

// deploymentPod plans replica i of Deployment w: the pod is named after its ReplicaSet.
func (pl *planner) deploymentPod(a app, wname string, replica int, node string, withPSI bool, extra map[string]string) *corev1.Pod {
	hash := suffix(a.ns+"/"+wname+"-rs", 10)
	w := pl.workload("Deployment", a.ns, wname, hash)
	name := wname + "-" + hash + "-" + suffix(fmt.Sprintf("%s-%d@%s", a.name, replica, node), 5)
	labels := map[string]string{"pod-template-hash": hash, instanceLabel: wname}
	for k, v := range extra {
		labels[k] = v
	}
	p := buildPod(a, name, node, 0.6+0.8*frac(name), withPSI, labels)
	pl.add(p, w, "")
	return p
}

// statefulPod plans ordinal i of StatefulSet wname: named <wname>-<ordinal>.
func (pl *planner) statefulPod(a app, wname string, ordinal int, node string, withPSI bool) *corev1.Pod {
	hash := suffix(a.ns+"/"+wname+"-rev", 10)
	w := pl.workload("StatefulSet", a.ns, wname, hash)
	name := fmt.Sprintf("%s-%d", wname, ordinal)
	p := buildPod(a, name, node, 0.6+0.8*frac(name), withPSI, map[string]string{
		instanceLabel:                        wname,
		"controller-revision-hash":           wname + "-" + hash,
		"statefulset.kubernetes.io/pod-name": name,
		"apps.kubernetes.io/pod-index":       fmt.Sprint(ordinal),
	})
	p.Spec.Hostname = name
	p.Spec.Subdomain = wname
	pl.add(p, w, "")
	return p
}

const instanceLabel = "app.kubernetes.io/instance"

// desiredPods returns the pods for a cluster of n nodes and p pods, in a
// fixed order: the special cases first, then one per node per daemon, then
// workload replicas; the first p are kept. A pod's name depends on its
// node, so a pod moved by a rescale gets a new name: kwok acts on queued
// events by name, and a reused name can get the new pod deleted. (StatefulSet
// pods are named by ordinal, as their controller names them: one moved by a
// rescale keeps its name, and waitSettled creates it again if kwok deletes it.)
// perWorkload splits an app's replicas into workloads of at most that many pods.
// The workloads returned own at least one of the pods kept.
func desiredPods(n, p, perWorkload int) ([]podPlan, []*workload) {
	pl := &planner{byKey: map[string]*workload{}}
	var workers []string
	for i := range n {
		if nodeRole(i, n) != "control-plane" {
			workers = append(workers, nodeName(i))
		}
	}
	if len(workers) == 0 {
		for i := range n {
			workers = append(workers, nodeName(i))
		}
	}
	if n == 0 {
		return nil, nil
	}
	perWorkload = max(perWorkload, 1)

	// Restarts periodically (a kwok Stage bumps restartCount).
	payments := app{ns: "shop", name: "payments", ctrs: []ctr{
		{"payments", "ktop/payments:5.2.0", [2]string{"200m", "256Mi"}, [2]string{"500m", "512Mi"}, [2]string{"90m", "230Mi"}},
	}}
	ph := suffix("payments-rs", 10)
	pw := pl.workload("Deployment", "shop", "payments", ph)
	pl.add(buildPod(payments, "payments-"+ph+"-"+suffix("payments0@"+workers[0], 5), workers[0], 1, false,
		map[string]string{restartLabel: "true", "pod-template-hash": ph, instanceLabel: "payments"}), pw, "")

	// A CronJob's Job's pod, so kwok's pod-complete stage moves it to Succeeded.
	etl := app{ns: "data", name: "etl-nightly", ctrs: []ctr{
		{"etl", "ktop/etl:0.8.3", [2]string{"500m", "1Gi"}, [2]string{"1", "2Gi"}, [2]string{"400m", "700Mi"}},
	}}
	etlNode := workers[len(workers)/2]
	ew := pl.workload("CronJob", "data", "etl-nightly", "")
	ew.job = "etl-nightly-29031840"
	etlPod := buildPod(etl, ew.job+"-"+suffix("etl@"+etlNode, 5), etlNode, 1, false,
		map[string]string{"batch.kubernetes.io/job-name": ew.job, "job-name": ew.job})
	etlPod.Spec.RestartPolicy = corev1.RestartPolicyNever
	pl.add(etlPod, ew, "")

	// No nodeName and no scheduler: stays Pending; marked Unschedulable.
	report := app{ns: "data", name: "report-builder", ctrs: []ctr{
		{"report-builder", "ktop/report-builder:1.0.0", [2]string{"2", "8Gi"}, [2]string{"4", "8Gi"}, [2]string{"1", "6Gi"}},
	}}
	rh := suffix("report-rs", 10)
	rw := pl.workload("Deployment", "data", "report-builder", rh)
	pending := buildPod(report, "report-builder-"+rh+"-"+suffix("report0", 5), "", 1, false,
		map[string]string{"pod-template-hash": rh, instanceLabel: "report-builder"})
	pending.Spec.NodeSelector = map[string]string{"disktype": "nvme-xl"}
	pl.add(pending, rw, "pending")

	// A bare pod: no owner at all.
	debug := app{ns: "default", name: "debug-shell", ctrs: []ctr{
		{"shell", "busybox:1.36", [2]string{"10m", "16Mi"}, [2]string{}, [2]string{"1m", "4Mi"}},
	}}
	debugNode := workers[len(workers)-1]
	pl.add(buildPod(debug, "debug-shell", debugNode, 1, false, nil), nil, "")

	// GPU training on the GPU node, under the ml namespace's quota (see quotas).
	trainer := app{ns: "ml", name: "trainer", kind: "StatefulSet", steady: true,
		psi: map[string][3]string{"trainer": {"300m", "60m", "150m"}}, ctrs: []ctr{
			{"trainer", "ktop/trainer:2.1.0-cuda12", [2]string{"4", "32Gi"}, [2]string{"6", "48Gi"}, [2]string{"3500m", "28Gi"}},
		}}
	gpuNode := nodeName(gpuNodeIndex(n))
	for i := range trainerReplicas {
		tp := pl.statefulPod(trainer, "trainer", i, gpuNode, i == 0)
		c := &tp.Spec.Containers[0]
		// Extended resources: requests must equal limits.
		c.Resources.Requests[gpuResource] = q("1")
		c.Resources.Limits[gpuResource] = q("1")
		tp.Spec.NodeSelector = map[string]string{"nvidia.com/gpu.present": "true"}
		tp.Spec.Tolerations = append(tp.Spec.Tolerations, corev1.Toleration{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
	}

	// A small team namespace under a quota of its own.
	notebook := app{ns: "sandbox", name: "notebook", ctrs: []ctr{
		{"jupyter", "quay.io/jupyter/base-notebook:2024-10-07", [2]string{"250m", "512Mi"}, [2]string{"1", "2Gi"}, [2]string{"60m", "380Mi"}},
	}}
	for i := range 2 {
		pl.deploymentPod(notebook, "notebook", i, workers[(i+1)%len(workers)], false, nil)
	}

	for i := range n {
		for _, d := range daemons {
			hash := suffix(d.name+"-rev", 10)
			w := pl.workload("DaemonSet", d.ns, d.name, hash)
			name := d.name + "-" + suffix(fmt.Sprintf("%s-%d", d.name, i), 5)
			pl.add(buildPod(d, name, nodeName(i), 0.8+0.4*frac(name), false,
				map[string]string{"controller-revision-hash": hash, instanceLabel: d.name, "pod-template-generation": "1"}), w, "")
		}
	}

	for k := 0; len(pl.plans) < p; k++ {
		a := apps[k%len(apps)]
		replica := k / len(apps)
		wname := a.name
		if d := replica / perWorkload; d > 0 {
			wname = fmt.Sprintf("%s-%d", a.name, d+1)
		}
		node := workers[k%len(workers)]
		if a.kind == "StatefulSet" {
			pl.statefulPod(a, wname, replica%perWorkload, node, replica == 0)
		} else {
			pl.deploymentPod(a, wname, replica, node, replica == 0, nil)
		}
	}
	plans := pl.plans
	if len(plans) > p {
		plans = plans[:p]
	}
	var workloads []*workload
	for _, pp := range plans {
		if w := pp.owner; w != nil {
			if w.replicas == 0 {
				w.first = pp.pod
				workloads = append(workloads, w)
			}
			w.replicas++
		}
	}
	return plans, workloads
}

const trainerReplicas = 4

func frac(s string) float64 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return float64(h.Sum32()%1000) / 1000
}

func populate(args []string) error {
	fs := flag.NewFlagSet("populate", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", os.Getenv("KUBECONFIG"), "admin kubeconfig")
	nodes := fs.Int("nodes", 5, "number of fake nodes")
	pods := fs.Int("pods", 60, "number of generated pods")
	perWorkload := fs.Int("pods-per-workload", 10, "most pods per Deployment or StatefulSet (an app's replicas are split)")
	workers := fs.Int("workers", 32, "parallel API requests")
	wait := fs.Duration("wait", 10*time.Minute, "how long to wait for nodes Ready and pods Running (0: don't wait)")
	_ = fs.Parse(args)

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = 2000, 4000
	cfg.UserAgent = "ktop-testctl-populate"
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	start := time.Now()

	for _, ns := range appNamespaces {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			Name: ns, Labels: map[string]string{generatedLabel: "true"},
		}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("namespace %s: %w", ns, err)
		}
	}

	sel := metav1.ListOptions{LabelSelector: generatedLabel + "=true"}
	existingNodes, err := cs.CoreV1().Nodes().List(ctx, sel)
	if err != nil {
		return err
	}
	existingPods, err := cs.CoreV1().Pods("").List(ctx, sel)
	if err != nil {
		return err
	}

	wantNodes := map[string]int{}
	for i := range *nodes {
		wantNodes[nodeName(i)] = i
	}
	plans, workloads := desiredPods(*nodes, *pods, *perWorkload)
	wantPods := map[string]podPlan{}
	for _, pl := range plans {
		wantPods[pl.pod.Namespace+"/"+pl.pod.Name] = pl
	}

	// Pods first: a pod whose node changes or disappears is recreated.
	havePods := map[string]*corev1.Pod{}
	var delPods []corev1.Pod
	for i, p := range existingPods.Items {
		key := p.Namespace + "/" + p.Name
		pl, ok := wantPods[key]
		if ok && pl.pod.Spec.NodeName == p.Spec.NodeName && p.DeletionTimestamp == nil {
			havePods[key] = &existingPods.Items[i]
			continue
		}
		delPods = append(delPods, p)
	}
	var delCount atomic.Int64
	err = parallel(*workers, len(delPods), func(i int) error {
		p := delPods[i]
		err := cs.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		delCount.Add(1)
		return nil
	})
	if err != nil {
		return err
	}
	if len(delPods) > 0 {
		if err := waitGone(ctx, cs, delPods); err != nil {
			return err
		}
	}

	var delNodes []string
	haveNodes := map[string]bool{}
	psi := nodePSI(*nodes, plans)
	var annotateNodes []corev1.Node
	for _, nd := range existingNodes.Items {
		i, ok := wantNodes[nd.Name]
		if !ok {
			delNodes = append(delNodes, nd.Name)
			continue
		}
		haveNodes[nd.Name] = true
		for k, v := range nodeAnnotations(i, *nodes, psi) {
			if have, ok := nd.Annotations[k]; ok != (v != nil) || (v != nil && have != *v) {
				annotateNodes = append(annotateNodes, nd)
				break
			}
		}
	}
	err = parallel(*workers, len(delNodes), func(i int) error {
		err := cs.CoreV1().Nodes().Delete(ctx, delNodes[i], metav1.DeleteOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	// Pods that moved change the pressure stall their nodes' root cgroups report.
	err = parallel(*workers, len(annotateNodes), func(i int) error {
		nd := annotateNodes[i]
		patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
			"annotations": nodeAnnotations(wantNodes[nd.Name], *nodes, psi)}})
		if err != nil {
			return err
		}
		_, err = cs.CoreV1().Nodes().Patch(ctx, nd.Name, types.MergePatchType, patch, metav1.PatchOptions{})
		return err
	})
	if err != nil {
		return err
	}

	var newNodes []*corev1.Node
	for i := range *nodes {
		if !haveNodes[nodeName(i)] {
			newNodes = append(newNodes, buildNode(i, *nodes, psi))
		}
	}
	err = parallel(*workers, len(newNodes), func(i int) error {
		_, err := cs.CoreV1().Nodes().Create(ctx, newNodes[i], metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}

	// Owners before their pods, so the pods can name their real UIDs.
	owners, err := syncOwners(ctx, cs, *workers, workloads)
	if err != nil {
		return err
	}
	setOwners(plans)
	// Kept pods whose owner was made again (or never existed) point at its new UID.
	var repoint []podPlan
	for _, pl := range plans {
		have := havePods[pl.pod.Namespace+"/"+pl.pod.Name]
		if have != nil && !sameOwners(have.OwnerReferences, pl.pod.OwnerReferences) {
			repoint = append(repoint, pl)
		}
	}
	err = parallel(*workers, len(repoint), func(i int) error {
		pl := repoint[i]
		patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"ownerReferences": pl.pod.OwnerReferences}})
		if err != nil {
			return err
		}
		_, err = cs.CoreV1().Pods(pl.pod.Namespace).Patch(ctx, pl.pod.Name, types.MergePatchType, patch, metav1.PatchOptions{})
		return err
	})
	if err != nil {
		return err
	}
	// Quota admission refuses pods while a quota has no status, and counts creates into
	// its status itself, but nothing here ever subtracts deleted pods: it is set from the
	// pods there are before creating more, and again once they run.
	if err := syncQuotas(ctx, cs); err != nil {
		return err
	}

	var newPods []podPlan
	for _, pl := range plans {
		if havePods[pl.pod.Namespace+"/"+pl.pod.Name] == nil {
			newPods = append(newPods, pl)
		}
	}
	var created atomic.Int64
	err = parallel(*workers, len(newPods), func(i int) error {
		pl := newPods[i]
		p, err := cs.CoreV1().Pods(pl.pod.Namespace).Create(ctx, pl.pod, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("create pod %s/%s: %w", pl.pod.Namespace, pl.pod.Name, err)
		}
		if n := created.Add(1); n%5000 == 0 {
			fmt.Fprintf(os.Stderr, "populate: created %d/%d pods\n", n, len(newPods))
		}
		if pl.note == "pending" {
			return markUnschedulable(ctx, cs, p, *nodes)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "populate: nodes %d (+%d -%d), pods %d (+%d -%d), workloads %d in %s\n",
		*nodes, len(newNodes), len(delNodes), len(plans), created.Load(), delCount.Load(), len(workloads),
		time.Since(start).Round(time.Millisecond))

	if *wait > 0 {
		if err := waitSettled(ctx, cs, *nodes, plans, *wait); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "populate: settled in %s\n", time.Since(start).Round(time.Millisecond))
	}
	// What the controllers this cluster does not run would write.
	if err := writeOwnerStatus(ctx, cs, *workers, owners); err != nil {
		return err
	}
	return syncQuotas(ctx, cs)
}

func markUnschedulable(ctx context.Context, cs kubernetes.Interface, p *corev1.Pod, n int) error {
	p.Status.Conditions = []corev1.PodCondition{{
		Type:               corev1.PodScheduled,
		Status:             corev1.ConditionFalse,
		Reason:             corev1.PodReasonUnschedulable,
		LastTransitionTime: metav1.Now(),
		Message: fmt.Sprintf("0/%d nodes are available: %d node(s) didn't match Pod's node affinity/selector. "+
			"preemption: 0/%d nodes are available: %d Preemption is not helpful for scheduling.", n, n, n, n),
	}}
	_, err := cs.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{})
	return err
}

func parallel(workers, n int, f func(i int) error) error {
	if n == 0 {
		return nil
	}
	var (
		next     atomic.Int64
		firstErr error
		mu       sync.Mutex
		wg       sync.WaitGroup
	)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := retry(func() error { return f(i) }); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// retry rides out the brief 429/5xx/timeouts a busy two-core API server
// gives under bulk load.
func retry(f func() error) error {
	var err error
	for attempt := range 8 {
		err = f()
		if err == nil {
			return nil
		}
		if !(apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) ||
			apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err) || strings.Contains(err.Error(), "connection refused")) {
			return err
		}
		time.Sleep(time.Duration(100*(attempt+1)) * time.Millisecond)
	}
	return err
}

func waitGone(ctx context.Context, cs kubernetes.Interface, pods []corev1.Pod) error {
	deadline := time.Now().Add(5 * time.Minute)
	uids := map[types.UID]bool{}
	for _, p := range pods {
		uids[p.UID] = true
	}
	for time.Now().Before(deadline) {
		list, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: generatedLabel + "=true"})
		if err != nil {
			return err
		}
		left := 0
		for _, p := range list.Items {
			if uids[p.UID] {
				left++
			}
		}
		if left == 0 {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("deleted pods still present after 5m")
}

func waitSettled(ctx context.Context, cs kubernetes.Interface, n int, plans []podPlan, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	want := map[string]bool{}
	byKey := map[string]podPlan{}
	for _, pl := range plans {
		key := pl.pod.Namespace + "/" + pl.pod.Name
		byKey[key] = pl
		if pl.pod.Spec.NodeName != "" {
			want[key] = true
		}
	}
	var last string
	for {
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: generatedLabel + "=true", ResourceVersion: "0"})
		if err != nil {
			return err
		}
		ready := 0
		// The pressure node reports MemoryPressure from its first heartbeat after Ready.
		pressured := pressureNodeIndex(n) < 0
		for _, nd := range nodes.Items {
			for _, c := range nd.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
					ready++
				}
				if c.Type == corev1.NodeMemoryPressure && c.Status == corev1.ConditionTrue && nd.Name == nodeName(pressureNodeIndex(n)) {
					pressured = true
				}
			}
		}
		pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: generatedLabel + "=true", ResourceVersion: "0"})
		if err != nil {
			return err
		}
		started := 0
		var notYet []string
		seen := map[string]bool{}
		for _, p := range pods.Items {
			key := p.Namespace + "/" + p.Name
			seen[key] = true
			if !want[key] {
				continue
			}
			if p.Status.Phase == corev1.PodRunning || p.Status.Phase == corev1.PodSucceeded {
				started++
			} else if len(notYet) < 3 {
				notYet = append(notYet, key)
			}
		}
		// Pods deleted behind our back (see desiredPods) are created again. The list
		// above comes from the API server's cache (resourceVersion 0), which may not
		// have a pod created a moment ago yet, so each is first read from storage: a
		// second create of a pod that exists is refused by quota admission before it
		// can be refused as existing.
		var missing []podPlan
		for key, pl := range byKey {
			if !seen[key] {
				missing = append(missing, pl)
			}
		}
		if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "populate: %d pods not listed yet; creating those that are gone\n", len(missing))
			err := parallel(32, len(missing), func(i int) error {
				pl := missing[i]
				_, err := cs.CoreV1().Pods(pl.pod.Namespace).Get(ctx, pl.pod.Name, metav1.GetOptions{})
				if err == nil {
					return nil
				}
				if !apierrors.IsNotFound(err) {
					return err
				}
				p, err := cs.CoreV1().Pods(pl.pod.Namespace).Create(ctx, pl.pod.DeepCopy(), metav1.CreateOptions{})
				if apierrors.IsAlreadyExists(err) {
					return nil
				}
				if err != nil {
					return err
				}
				if pl.note == "pending" {
					return markUnschedulable(ctx, cs, p, n)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if ready == n && started == len(want) && pressured {
			return nil
		}
		sort.Strings(notYet)
		last = fmt.Sprintf("nodes ready %d/%d, pods started %d/%d %v, memory pressure reported: %v", ready, n, started, len(want), notYet, pressured)
		if time.Now().After(deadline) {
			return fmt.Errorf("not settled after %s: %s", timeout, last)
		}
		// Listing tens of thousands of pods every second would itself
		// load the API server.
		time.Sleep(time.Second + time.Duration(len(want)/5000)*time.Second)
	}
}
