package main

// The objects that own the generated pods, and the namespaces' quotas. No
// controller-manager runs in this cluster, so nothing reconciles or
// garbage-collects them: populate creates them before their pods (the pods'
// ownerReferences name their real UIDs), and writes their status, and the quotas'
// used amounts, as the controllers would.

import (
	"context"
	"fmt"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// A workload: a Deployment (with its ReplicaSet), StatefulSet, DaemonSet or CronJob
// (with its Job), and the pods planned for it.
type workload struct {
	kind     string // Deployment, StatefulSet, DaemonSet, CronJob
	ns, name string
	hash     string // the ReplicaSet's pod-template-hash; a controller revision's hash
	job      string // CronJob: its Job's name
	replicas int32  // pods planned
	first    *corev1.Pod

	// Filled in by syncOwners.
	deploy *appsv1.Deployment
	rs     *appsv1.ReplicaSet
	sts    *appsv1.StatefulSet
	ds     *appsv1.DaemonSet
	cron   *batchv1.CronJob
	jobObj *batchv1.Job
}

const (
	desiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
	// The Job's name is the CronJob's schedule time in minutes since the epoch.
	etlScheduleMinutes = 29031840
	etlSchedule        = "0 0 * * *"
)

func (w *workload) key() string { return w.ns + "/" + w.name }

// podOwner is the controller reference the workload's pods carry.
func (w *workload) podOwner() metav1.OwnerReference {
	ref := func(apiVersion, kind string, o metav1.Object) metav1.OwnerReference {
		return metav1.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: o.GetName(), UID: o.GetUID(),
			Controller: ptr(true), BlockOwnerDeletion: ptr(true)}
	}
	switch w.kind {
	case "Deployment":
		return ref("apps/v1", "ReplicaSet", w.rs)
	case "StatefulSet":
		return ref("apps/v1", "StatefulSet", w.sts)
	case "DaemonSet":
		return ref("apps/v1", "DaemonSet", w.ds)
	default:
		return ref("batch/v1", "Job", w.jobObj)
	}
}

// setOwners points every planned pod at its owner's real UID.
func setOwners(plans []podPlan) {
	for _, pl := range plans {
		if pl.owner == nil {
			continue
		}
		pl.pod.OwnerReferences = []metav1.OwnerReference{pl.owner.podOwner()}
		if pl.owner.jobObj != nil {
			uid := string(pl.owner.jobObj.UID)
			pl.pod.Labels["batch.kubernetes.io/controller-uid"] = uid
			pl.pod.Labels["controller-uid"] = uid
		}
	}
}

func sameOwners(a, b []metav1.OwnerReference) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].UID != b[i].UID || a[i].Name != b[i].Name || a[i].Kind != b[i].Kind {
			return false
		}
	}
	return true
}

func generatedMeta(w *workload, name string, extra map[string]string) metav1.ObjectMeta {
	labels := map[string]string{generatedLabel: "true", "app.kubernetes.io/name": w.first.Labels["app.kubernetes.io/name"]}
	if w.kind != "CronJob" {
		labels[instanceLabel] = w.name
	}
	for k, v := range extra {
		labels[k] = v
	}
	return metav1.ObjectMeta{Name: name, Namespace: w.ns, Labels: labels}
}

// template is the workload's pod template, made from its first pod.
func (w *workload) template(extra map[string]string) corev1.PodTemplateSpec {
	labels := map[string]string{}
	for k, v := range w.first.Labels {
		switch k {
		case generatedLabel, restartLabel, "pod-template-hash", "controller-revision-hash", "pod-template-generation",
			"statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index",
			"batch.kubernetes.io/controller-uid", "controller-uid", "batch.kubernetes.io/job-name", "job-name":
			continue
		}
		labels[k] = v
	}
	for k, v := range extra {
		labels[k] = v
	}
	spec := *w.first.Spec.DeepCopy()
	spec.NodeName, spec.Hostname, spec.Subdomain = "", "", ""
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}
}

func (w *workload) selector(extra map[string]string) *metav1.LabelSelector {
	m := map[string]string{instanceLabel: w.name}
	for k, v := range extra {
		m[k] = v
	}
	return &metav1.LabelSelector{MatchLabels: m}
}

func controllerRef(apiVersion, kind string, o metav1.Object) []metav1.OwnerReference {
	return []metav1.OwnerReference{{APIVersion: apiVersion, Kind: kind, Name: o.GetName(), UID: o.GetUID(),
		Controller: ptr(true), BlockOwnerDeletion: ptr(true)}}
}

// upsert creates want when there is nothing yet, or updates have when fix (which copies
// what matters from want into have) says it changed something.
func upsert[T any](have, want *T, create, update func(*T) (*T, error), fix func(have, want *T) bool) (*T, error) {
	if have == nil {
		return create(want)
	}
	if fix(have, want) {
		return update(have)
	}
	return have, nil
}

func byKey[T any](items []T) map[string]*T {
	m := map[string]*T{}
	for i := range items {
		o := any(&items[i]).(metav1.Object)
		m[o.GetNamespace()+"/"+o.GetName()] = &items[i]
	}
	return m
}

// deleteUnwanted deletes the generated objects no workload wants any more. Background
// propagation: foreground or orphan deletion would wait for a garbage collector forever.
func deleteUnwanted[T any](workers int, have map[string]*T, wanted map[string]bool, del func(ns, name string, opts metav1.DeleteOptions) error) error {
	var gone []metav1.Object
	for key, o := range have {
		if !wanted[key] {
			gone = append(gone, any(o).(metav1.Object))
		}
	}
	bg := metav1.DeletePropagationBackground
	return parallel(workers, len(gone), func(i int) error {
		err := del(gone[i].GetNamespace(), gone[i].GetName(), metav1.DeleteOptions{PropagationPolicy: &bg})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
}

// syncOwners makes the workloads' objects exist as planned (and only those of generated
// ones), and fills in the workloads' object fields.
func syncOwners(ctx context.Context, cs kubernetes.Interface, workers int, workloads []*workload) ([]*workload, error) {
	sel := metav1.ListOptions{LabelSelector: generatedLabel + "=true"}
	apps, batch := cs.AppsV1(), cs.BatchV1()
	deps, err := apps.Deployments("").List(ctx, sel)
	if err != nil {
		return nil, err
	}
	rss, err := apps.ReplicaSets("").List(ctx, sel)
	if err != nil {
		return nil, err
	}
	stss, err := apps.StatefulSets("").List(ctx, sel)
	if err != nil {
		return nil, err
	}
	dss, err := apps.DaemonSets("").List(ctx, sel)
	if err != nil {
		return nil, err
	}
	crons, err := batch.CronJobs("").List(ctx, sel)
	if err != nil {
		return nil, err
	}
	jobs, err := batch.Jobs("").List(ctx, sel)
	if err != nil {
		return nil, err
	}
	haveDeps, haveRS, haveSTS := byKey(deps.Items), byKey(rss.Items), byKey(stss.Items)
	haveDS, haveCron, haveJob := byKey(dss.Items), byKey(crons.Items), byKey(jobs.Items)

	want := map[string]map[string]bool{"Deployment": {}, "ReplicaSet": {}, "StatefulSet": {}, "DaemonSet": {}, "CronJob": {}, "Job": {}}
	for _, w := range workloads {
		want[w.kind][w.key()] = true
		switch w.kind {
		case "Deployment":
			want["ReplicaSet"][w.ns+"/"+w.name+"-"+w.hash] = true
		case "CronJob":
			want["Job"][w.ns+"/"+w.job] = true
		}
	}
	dels := []error{
		deleteUnwanted(workers, haveRS, want["ReplicaSet"], func(ns, n string, o metav1.DeleteOptions) error { return apps.ReplicaSets(ns).Delete(ctx, n, o) }),
		deleteUnwanted(workers, haveDeps, want["Deployment"], func(ns, n string, o metav1.DeleteOptions) error { return apps.Deployments(ns).Delete(ctx, n, o) }),
		deleteUnwanted(workers, haveSTS, want["StatefulSet"], func(ns, n string, o metav1.DeleteOptions) error { return apps.StatefulSets(ns).Delete(ctx, n, o) }),
		deleteUnwanted(workers, haveDS, want["DaemonSet"], func(ns, n string, o metav1.DeleteOptions) error { return apps.DaemonSets(ns).Delete(ctx, n, o) }),
		deleteUnwanted(workers, haveJob, want["Job"], func(ns, n string, o metav1.DeleteOptions) error { return batch.Jobs(ns).Delete(ctx, n, o) }),
		deleteUnwanted(workers, haveCron, want["CronJob"], func(ns, n string, o metav1.DeleteOptions) error { return batch.CronJobs(ns).Delete(ctx, n, o) }),
	}
	for _, err := range dels {
		if err != nil {
			return nil, err
		}
	}

	co := metav1.CreateOptions{}
	uo := metav1.UpdateOptions{}
	// The workloads themselves, then what they own (which names their UIDs).
	err = parallel(workers, len(workloads), func(i int) error {
		w := workloads[i]
		var err error
		switch w.kind {
		case "Deployment":
			d := &appsv1.Deployment{
				ObjectMeta: generatedMeta(w, w.name, nil),
				Spec:       appsv1.DeploymentSpec{Replicas: ptr(w.replicas), Selector: w.selector(nil), Template: w.template(nil)},
			}
			d.Annotations = map[string]string{"deployment.kubernetes.io/revision": "1"}
			w.deploy, err = upsert(haveDeps[w.key()], d,
				func(o *appsv1.Deployment) (*appsv1.Deployment, error) {
					return apps.Deployments(w.ns).Create(ctx, o, co)
				},
				func(o *appsv1.Deployment) (*appsv1.Deployment, error) {
					return apps.Deployments(w.ns).Update(ctx, o, uo)
				},
				func(have, want *appsv1.Deployment) bool {
					if *have.Spec.Replicas == *want.Spec.Replicas {
						return false
					}
					have.Spec.Replicas = want.Spec.Replicas
					return true
				})
		case "StatefulSet":
			s := &appsv1.StatefulSet{
				ObjectMeta: generatedMeta(w, w.name, nil),
				Spec: appsv1.StatefulSetSpec{Replicas: ptr(w.replicas), Selector: w.selector(nil), Template: w.template(nil),
					ServiceName: w.name},
			}
			w.sts, err = upsert(haveSTS[w.key()], s,
				func(o *appsv1.StatefulSet) (*appsv1.StatefulSet, error) {
					return apps.StatefulSets(w.ns).Create(ctx, o, co)
				},
				func(o *appsv1.StatefulSet) (*appsv1.StatefulSet, error) {
					return apps.StatefulSets(w.ns).Update(ctx, o, uo)
				},
				func(have, want *appsv1.StatefulSet) bool {
					if *have.Spec.Replicas == *want.Spec.Replicas {
						return false
					}
					have.Spec.Replicas = want.Spec.Replicas
					return true
				})
		case "DaemonSet":
			d := &appsv1.DaemonSet{
				ObjectMeta: generatedMeta(w, w.name, nil),
				Spec:       appsv1.DaemonSetSpec{Selector: w.selector(nil), Template: w.template(nil)},
			}
			w.ds, err = upsert(haveDS[w.key()], d,
				func(o *appsv1.DaemonSet) (*appsv1.DaemonSet, error) { return apps.DaemonSets(w.ns).Create(ctx, o, co) },
				nil, func(_, _ *appsv1.DaemonSet) bool { return false })
		case "CronJob":
			c := &batchv1.CronJob{
				ObjectMeta: generatedMeta(w, w.name, nil),
				Spec: batchv1.CronJobSpec{Schedule: etlSchedule, ConcurrencyPolicy: batchv1.ForbidConcurrent,
					JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: w.template(nil)}}},
			}
			w.cron, err = upsert(haveCron[w.key()], c,
				func(o *batchv1.CronJob) (*batchv1.CronJob, error) { return batch.CronJobs(w.ns).Create(ctx, o, co) },
				nil, func(_, _ *batchv1.CronJob) bool { return false })
		default:
			return fmt.Errorf("unknown workload kind %q", w.kind)
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", w.kind, w.key(), err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = parallel(workers, len(workloads), func(i int) error {
		w := workloads[i]
		var err error
		switch w.kind {
		case "Deployment":
			hash := map[string]string{"pod-template-hash": w.hash}
			r := &appsv1.ReplicaSet{
				ObjectMeta: generatedMeta(w, w.name+"-"+w.hash, hash),
				Spec:       appsv1.ReplicaSetSpec{Replicas: ptr(w.replicas), Selector: w.selector(hash), Template: w.template(hash)},
			}
			r.OwnerReferences = controllerRef("apps/v1", "Deployment", w.deploy)
			r.Annotations = replicaSetAnnotations(w.replicas)
			w.rs, err = upsert(haveRS[w.ns+"/"+r.Name], r,
				func(o *appsv1.ReplicaSet) (*appsv1.ReplicaSet, error) {
					return apps.ReplicaSets(w.ns).Create(ctx, o, co)
				},
				func(o *appsv1.ReplicaSet) (*appsv1.ReplicaSet, error) {
					return apps.ReplicaSets(w.ns).Update(ctx, o, uo)
				},
				func(have, want *appsv1.ReplicaSet) bool {
					changed := *have.Spec.Replicas != *want.Spec.Replicas ||
						have.Annotations[desiredReplicasAnnotation] != want.Annotations[desiredReplicasAnnotation] ||
						!sameOwners(have.OwnerReferences, want.OwnerReferences)
					have.Spec.Replicas, have.OwnerReferences = want.Spec.Replicas, want.OwnerReferences
					if have.Annotations == nil {
						have.Annotations = map[string]string{}
					}
					for k, v := range want.Annotations {
						have.Annotations[k] = v
					}
					return changed
				})
		case "CronJob":
			scheduled := time.Unix(etlScheduleMinutes*60, 0).UTC()
			j := &batchv1.Job{
				ObjectMeta: generatedMeta(w, w.job, nil),
				Spec:       batchv1.JobSpec{Template: w.template(nil)},
			}
			j.OwnerReferences = controllerRef("batch/v1", "CronJob", w.cron)
			j.Annotations = map[string]string{"batch.kubernetes.io/cronjob-scheduled-timestamp": scheduled.Format(time.RFC3339)}
			w.jobObj, err = upsert(haveJob[w.ns+"/"+w.job], j,
				func(o *batchv1.Job) (*batchv1.Job, error) { return batch.Jobs(w.ns).Create(ctx, o, co) },
				nil, func(_, _ *batchv1.Job) bool { return false })
			if err == nil && !sameOwners(w.jobObj.OwnerReferences, j.OwnerReferences) {
				// A Job's owner references may change; its template may not.
				w.jobObj.OwnerReferences = j.OwnerReferences
				w.jobObj, err = batch.Jobs(w.ns).Update(ctx, w.jobObj, uo)
			}
		}
		if err != nil {
			return fmt.Errorf("owned by %s %s: %w", w.kind, w.key(), err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return workloads, nil
}

// As the Deployment controller annotates a ReplicaSet (maxSurge 25 %, rounded up).
func replicaSetAnnotations(replicas int32) map[string]string {
	return map[string]string{
		"deployment.kubernetes.io/revision":     "1",
		desiredReplicasAnnotation:               strconv.Itoa(int(replicas)),
		"deployment.kubernetes.io/max-replicas": strconv.Itoa(int(replicas + (replicas*25+99)/100)),
	}
}

type podCounts struct{ pods, ready, succeeded int32 }

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// writeOwnerStatus writes the status their controllers would, from the pods as they are.
func writeOwnerStatus(ctx context.Context, cs kubernetes.Interface, workers int, workloads []*workload) error {
	pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: generatedLabel + "=true", ResourceVersion: "0"})
	if err != nil {
		return err
	}
	counts := map[types.UID]*podCounts{}
	for i := range pods.Items {
		p := &pods.Items[i]
		ref := metav1.GetControllerOf(p)
		if ref == nil || p.DeletionTimestamp != nil {
			continue
		}
		c := counts[ref.UID]
		if c == nil {
			c = &podCounts{}
			counts[ref.UID] = c
		}
		switch {
		case p.Status.Phase == corev1.PodSucceeded:
			c.succeeded++
		case p.Status.Phase != corev1.PodFailed:
			c.pods++
			if podReady(p) {
				c.ready++
			}
		}
	}
	get := func(uid types.UID) podCounts {
		if c := counts[uid]; c != nil {
			return *c
		}
		return podCounts{}
	}
	now := metav1.Now()
	apps, batch := cs.AppsV1(), cs.BatchV1()
	uo := metav1.UpdateOptions{}
	go_ := metav1.GetOptions{}
	return parallel(workers, len(workloads), func(i int) error {
		w := workloads[i]
		switch w.kind {
		case "Deployment":
			c := get(w.rs.UID)
			avail := corev1.ConditionTrue
			reason, msg := "MinimumReplicasAvailable", "Deployment has minimum availability."
			if c.ready < w.replicas-w.replicas/4 { // maxUnavailable 25 %, rounded down
				avail, reason, msg = corev1.ConditionFalse, "MinimumReplicasUnavailable", "Deployment does not have minimum availability."
			}
			err := writeStatus(w.rs, func() (*appsv1.ReplicaSet, error) { return apps.ReplicaSets(w.ns).Get(ctx, w.rs.Name, go_) },
				func(o *appsv1.ReplicaSet) {
					o.Status = appsv1.ReplicaSetStatus{Replicas: c.pods, FullyLabeledReplicas: c.pods, ReadyReplicas: c.ready,
						AvailableReplicas: c.ready, ObservedGeneration: o.Generation}
				},
				func(o *appsv1.ReplicaSet) (*appsv1.ReplicaSet, error) {
					return apps.ReplicaSets(w.ns).UpdateStatus(ctx, o, uo)
				})
			if err != nil {
				return fmt.Errorf("ReplicaSet %s/%s status: %w", w.ns, w.rs.Name, err)
			}
			err = writeStatus(w.deploy, func() (*appsv1.Deployment, error) { return apps.Deployments(w.ns).Get(ctx, w.name, go_) },
				func(o *appsv1.Deployment) {
					o.Status = appsv1.DeploymentStatus{Replicas: c.pods, UpdatedReplicas: c.pods, ReadyReplicas: c.ready,
						AvailableReplicas: c.ready, UnavailableReplicas: max(0, w.replicas-c.ready), ObservedGeneration: o.Generation,
						Conditions: []appsv1.DeploymentCondition{
							{Type: appsv1.DeploymentAvailable, Status: avail, Reason: reason, Message: msg, LastUpdateTime: now, LastTransitionTime: now},
							{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable",
								Message: fmt.Sprintf("ReplicaSet %q has successfully progressed.", w.rs.Name), LastUpdateTime: now, LastTransitionTime: now},
						}}
				},
				func(o *appsv1.Deployment) (*appsv1.Deployment, error) {
					return apps.Deployments(w.ns).UpdateStatus(ctx, o, uo)
				})
			if err != nil {
				return fmt.Errorf("Deployment %s status: %w", w.key(), err)
			}
		case "StatefulSet":
			c := get(w.sts.UID)
			err := writeStatus(w.sts, func() (*appsv1.StatefulSet, error) { return apps.StatefulSets(w.ns).Get(ctx, w.name, go_) },
				func(o *appsv1.StatefulSet) {
					rev := w.name + "-" + w.hash
					o.Status = appsv1.StatefulSetStatus{Replicas: c.pods, ReadyReplicas: c.ready, CurrentReplicas: c.pods,
						UpdatedReplicas: c.pods, AvailableReplicas: c.ready, CurrentRevision: rev, UpdateRevision: rev,
						ObservedGeneration: o.Generation}
				},
				func(o *appsv1.StatefulSet) (*appsv1.StatefulSet, error) {
					return apps.StatefulSets(w.ns).UpdateStatus(ctx, o, uo)
				})
			if err != nil {
				return fmt.Errorf("StatefulSet %s status: %w", w.key(), err)
			}
		case "DaemonSet":
			c := get(w.ds.UID)
			err := writeStatus(w.ds, func() (*appsv1.DaemonSet, error) { return apps.DaemonSets(w.ns).Get(ctx, w.name, go_) },
				func(o *appsv1.DaemonSet) {
					o.Status = appsv1.DaemonSetStatus{CurrentNumberScheduled: c.pods, DesiredNumberScheduled: w.replicas,
						NumberReady: c.ready, NumberAvailable: c.ready, UpdatedNumberScheduled: c.pods,
						NumberUnavailable: max(0, w.replicas-c.ready), ObservedGeneration: o.Generation}
				},
				func(o *appsv1.DaemonSet) (*appsv1.DaemonSet, error) {
					return apps.DaemonSets(w.ns).UpdateStatus(ctx, o, uo)
				})
			if err != nil {
				return fmt.Errorf("DaemonSet %s status: %w", w.key(), err)
			}
		case "CronJob":
			c := get(w.jobObj.UID)
			done := c.succeeded > 0 && c.pods == 0
			for _, cond := range w.jobObj.Status.Conditions {
				if cond.Type == batchv1.JobComplete && cond.Status == corev1.ConditionTrue {
					done = false // written before; a finished Job's status stays as it is
				}
			}
			if done {
				start := w.jobObj.CreationTimestamp
				err := writeStatus(w.jobObj, func() (*batchv1.Job, error) { return batch.Jobs(w.ns).Get(ctx, w.job, go_) },
					func(o *batchv1.Job) {
						o.Status = batchv1.JobStatus{StartTime: &start, CompletionTime: &now, Succeeded: c.succeeded,
							Ready: ptr(int32(0)), Terminating: ptr(int32(0)), UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{},
							Conditions: []batchv1.JobCondition{
								{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, Reason: batchv1.JobReasonCompletionsReached,
									Message: "Reached expected number of succeeded pods", LastProbeTime: now, LastTransitionTime: now},
								{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: batchv1.JobReasonCompletionsReached,
									Message: "Reached expected number of succeeded pods", LastProbeTime: now, LastTransitionTime: now},
							}}
					},
					func(o *batchv1.Job) (*batchv1.Job, error) { return batch.Jobs(w.ns).UpdateStatus(ctx, o, uo) })
				if err != nil {
					return fmt.Errorf("Job %s/%s status: %w", w.ns, w.job, err)
				}
			}
			scheduled := metav1.NewTime(time.Unix(etlScheduleMinutes*60, 0).UTC())
			err := writeStatus(w.cron, func() (*batchv1.CronJob, error) { return batch.CronJobs(w.ns).Get(ctx, w.name, go_) },
				func(o *batchv1.CronJob) {
					o.Status = batchv1.CronJobStatus{LastScheduleTime: &scheduled}
					if c.succeeded > 0 {
						o.Status.LastSuccessfulTime = &now
					} else {
						o.Status.Active = []corev1.ObjectReference{{APIVersion: "batch/v1", Kind: "Job", Namespace: w.ns,
							Name: w.job, UID: w.jobObj.UID, ResourceVersion: w.jobObj.ResourceVersion}}
					}
				},
				func(o *batchv1.CronJob) (*batchv1.CronJob, error) {
					return batch.CronJobs(w.ns).UpdateStatus(ctx, o, uo)
				})
			if err != nil {
				return fmt.Errorf("CronJob %s status: %w", w.key(), err)
			}
		}
		return nil
	})
}

// writeStatus sets an object's status and writes it, reading the object again when
// someone else changed it meanwhile.
func writeStatus[T any](o *T, get func() (*T, error), set func(*T), update func(*T) (*T, error)) error {
	for attempt := 0; ; attempt++ {
		set(o)
		_, err := update(o)
		if !apierrors.IsConflict(err) || attempt >= 5 {
			return err
		}
		if o, err = get(); err != nil {
			return err
		}
	}
}

// ---------------------------------------------------------------------------
// Quotas
// ---------------------------------------------------------------------------

type quotaPlan struct {
	ns, name string
	hard     corev1.ResourceList
}

// Small namespaces only (see appNamespaces). ml: trainerReplicas pods of 4/32Gi
// requests, 6/48Gi limits and one GPU each; sandbox: two notebooks of 250m/512Mi
// requests and 1/2Gi limits.
var quotas = []quotaPlan{
	{ns: "ml", name: "ml-quota", hard: corev1.ResourceList{
		corev1.ResourceRequestsCPU:                     q("24"),
		corev1.ResourceRequestsMemory:                  q("192Gi"),
		corev1.ResourceLimitsCPU:                       q("32"),
		corev1.ResourceLimitsMemory:                    q("256Gi"),
		corev1.ResourceName("requests.nvidia.com/gpu"): q("6"),
		corev1.ResourcePods:                            q("8"),
	}},
	{ns: "sandbox", name: "sandbox-quota", hard: corev1.ResourceList{
		corev1.ResourceRequestsCPU:    q("2"),
		corev1.ResourceRequestsMemory: q("4Gi"),
		corev1.ResourceLimitsCPU:      q("4"),
		corev1.ResourceLimitsMemory:   q("8Gi"),
		corev1.ResourcePods:           q("6"),
	}},
}

// quotaUsed is what the quota controller would count: the namespace's pods that are not
// finished or being deleted.
func quotaUsed(pods []corev1.Pod, hard corev1.ResourceList) corev1.ResourceList {
	used := corev1.ResourceList{}
	for name := range hard {
		used[name] = *resource.NewQuantity(0, resource.DecimalSI)
	}
	add := func(name corev1.ResourceName, v resource.Quantity) {
		if u, ok := used[name]; ok {
			u.Add(v)
			used[name] = u
		}
	}
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		add(corev1.ResourcePods, q("1"))
		for _, c := range p.Spec.Containers {
			for res, v := range c.Resources.Requests {
				add(corev1.ResourceName("requests."+string(res)), v)
				if res == corev1.ResourceCPU || res == corev1.ResourceMemory {
					add(res, v)
				}
			}
			for res, v := range c.Resources.Limits {
				add(corev1.ResourceName("limits."+string(res)), v)
			}
		}
	}
	return used
}

// syncQuotas makes the quotas exist as planned and sets their status from the pods there are.
func syncQuotas(ctx context.Context, cs kubernetes.Interface) error {
	for _, qp := range quotas {
		api := cs.CoreV1().ResourceQuotas(qp.ns)
		rq, err := api.Get(ctx, qp.name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			rq, err = api.Create(ctx, &corev1.ResourceQuota{
				ObjectMeta: metav1.ObjectMeta{Name: qp.name, Namespace: qp.ns, Labels: map[string]string{generatedLabel: "true"}},
				Spec:       corev1.ResourceQuotaSpec{Hard: qp.hard},
			}, metav1.CreateOptions{})
		} else if err == nil && !sameList(rq.Spec.Hard, qp.hard) {
			rq.Spec.Hard = qp.hard
			rq, err = api.Update(ctx, rq, metav1.UpdateOptions{})
		}
		if err != nil {
			return fmt.Errorf("quota %s/%s: %w", qp.ns, qp.name, err)
		}
		err = retry(func() error {
			pods, err := cs.CoreV1().Pods(qp.ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return err
			}
			rq.Status = corev1.ResourceQuotaStatus{Hard: qp.hard, Used: quotaUsed(pods.Items, qp.hard)}
			_, err = api.UpdateStatus(ctx, rq, metav1.UpdateOptions{})
			if apierrors.IsConflict(err) {
				// Quota admission wrote its count in between: read it again and retry.
				if fresh, gerr := api.Get(ctx, qp.name, metav1.GetOptions{}); gerr == nil {
					rq = fresh
				}
				return apierrors.NewServiceUnavailable("quota status conflict")
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("quota %s/%s status: %w", qp.ns, qp.name, err)
		}
	}
	return nil
}

func sameList(a, b corev1.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w.Cmp(v) != 0 {
			return false
		}
	}
	return true
}
