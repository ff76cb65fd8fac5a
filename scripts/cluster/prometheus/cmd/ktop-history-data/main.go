// Command ktop-history-data writes days of cAdvisor-shaped history with known values as
// OpenMetrics text, for `promtool tsdb create-blocks-from openmetrics FILE DIR`, so that
// end-to-end tests of ktop-web's history source can check exact numbers read back from a
// real Prometheus.
//
// Samples are 60 s apart, from END-7d-1h to END inclusive (END: -end, a multiple of 60).
// With t a sample's time in unix seconds and h = floor(t / 3600) its hour:
//
//	CPU (cores)        cpu(t) = 0.1 * (1 + h mod 4)
//	memory (bytes)     mem(t) = (100 + 10 * (h mod 5)) * 1048576
//	network receive    rx(t)  = 1000 * (1 + h mod 3) B/s
//	network transmit   tx(t)  =  500 * (1 + h mod 3) B/s
//	disk reads         rd(t)  = 2000 * (1 + h mod 2) B/s
//	disk writes        wr(t)  = 3000 * (1 + h mod 2) B/s
//
// Memory is the gauge container_memory_working_set_bytes = mem(t). The others are
// counters (container_cpu_usage_seconds_total, container_network_receive_bytes_total,
// container_network_transmit_bytes_total, container_fs_reads_bytes_total,
// container_fs_writes_bytes_total) that are 0 at the first sample and grow by
// 60 * rate(t) from the previous sample to the sample at t: the rate of the minute that
// ends at t is that of t's hour. So rate() over a window whose samples all lie in one hour
// h (the first may lie in the hour before) is exactly the formula for h. All counter
// values are integers.
//
// Series (two pods of namespace "history" on node -node, in both label conventions):
//
//   - new convention, pod steady-new: namespace="history", pod="steady-new",
//     container="app", node=NODE, id="/kubepods/steady-new/app"; network counters are
//     the pod sandbox's: container="POD", interface="eth0", id="/kubepods/steady-new".
//   - old convention, pod steady-old: namespace="history", pod_name="steady-old",
//     container_name="app", instance=NODE, id="/kubepods/steady-old/app"; network
//     counters with container_name="POD", interface="eth0", id="/kubepods/steady-old".
//   - the node's root cgroup, id="/", node=NODE (network with interface="eth0"), every
//     value 4 times the formula; and the same with id="/", instance=-old-node in the old
//     convention.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

const (
	step  = 60
	span  = 7*24*3600 + 3600
	mib   = 1048576
	hourS = 3600
)

func hour(t int64) int64 { return t / hourS }

// Per-second rates (or the gauge's value) at time t, for one unit of scale.
func mem(t int64) int64 { return (100 + 10*(hour(t)%5)) * mib }
func rx(t int64) int64  { return 1000 * (1 + hour(t)%3) }
func tx(t int64) int64  { return 500 * (1 + hour(t)%3) }
func rd(t int64) int64  { return 2000 * (1 + hour(t)%2) }
func wr(t int64) int64  { return 3000 * (1 + hour(t)%2) }

// cpuTenths is cpu(t) = 0.1 * (1 + h mod 4) in tenths of a core, so counters stay exact.
func cpuTenths(t int64) int64 { return 1 + hour(t)%4 }

type series struct {
	labels string
	scale  int64
}

type family struct {
	name   string // the family (OpenMetrics: without _total for counters)
	kind   string // counter or gauge
	help   string
	series []series
	// value at time t of a gauge, or the counter's increase over the minute ending at t
	value func(t int64) int64
	// divisor applied when printing (CPU is counted in tenths of a second)
	div int64
}

func main() {
	end := flag.Int64("end", defaultEnd(), "unix seconds of the last sample (a multiple of 60)")
	node := flag.String("node", "kwok-node-0", "node of the pods and of the new-convention root cgroup")
	oldNode := flag.String("old-node", "history-old-node", "node of the old-convention root cgroup (empty: none)")
	out := flag.String("out", "-", "output file (- for stdout)")
	more := flag.String("pods", "", "more pods on -node, as namespace/name,...: new-convention series of the same values (benchmarks)")
	flag.Parse()
	if *end%step != 0 {
		fmt.Fprintf(os.Stderr, "ktop-history-data: -end %d is not a multiple of %d\n", *end, step)
		os.Exit(2)
	}
	w := io.Writer(os.Stdout)
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ktop-history-data:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var extra []string
	if *more != "" {
		extra = strings.Split(*more, ",")
	}
	write(bw, *end, *node, *oldNode, extra)
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "ktop-history-data:", err)
		os.Exit(1)
	}
}

// Now rounded down to the minute, less 5 minutes: the history never reaches the live head
// of a Prometheus that starts scraping now.
func defaultEnd() int64 {
	return time.Now().Unix()/step*step - 5*60
}

func write(w *bufio.Writer, end int64, node, oldNode string, extra []string) {
	q := func(s string) string { return fmt.Sprintf("%q", s) }
	pods := []series{
		{fmt.Sprintf(`namespace="history",pod="steady-new",container="app",node=%s,id="/kubepods/steady-new/app"`, q(node)), 1},
		{fmt.Sprintf(`namespace="history",pod_name="steady-old",container_name="app",instance=%s,id="/kubepods/steady-old/app"`, q(node)), 1},
	}
	sandbox := []series{
		{fmt.Sprintf(`namespace="history",pod="steady-new",container="POD",interface="eth0",node=%s,id="/kubepods/steady-new"`, q(node)), 1},
		{fmt.Sprintf(`namespace="history",pod_name="steady-old",container_name="POD",interface="eth0",instance=%s,id="/kubepods/steady-old"`, q(node)), 1},
	}
	for _, key := range extra {
		ns, pod, ok := strings.Cut(key, "/")
		if !ok {
			fmt.Fprintf(os.Stderr, "ktop-history-data: -pods: %q is not namespace/name\n", key)
			os.Exit(2)
		}
		pods = append(pods, series{fmt.Sprintf(`namespace=%s,pod=%s,container="app",node=%s,id="/kubepods/%s/app"`, q(ns), q(pod), q(node), pod), 1})
		sandbox = append(sandbox, series{fmt.Sprintf(`namespace=%s,pod=%s,container="POD",interface="eth0",node=%s,id="/kubepods/%s"`, q(ns), q(pod), q(node), pod), 1})
	}
	root := []series{{fmt.Sprintf(`id="/",node=%s`, q(node)), 4}}
	rootNet := []series{{fmt.Sprintf(`id="/",interface="eth0",node=%s`, q(node)), 4}}
	if oldNode != "" {
		root = append(root, series{fmt.Sprintf(`id="/",instance=%s`, q(oldNode)), 4})
		rootNet = append(rootNet, series{fmt.Sprintf(`id="/",interface="eth0",instance=%s`, q(oldNode)), 4})
	}
	app := append(pods, root...)
	net := append(sandbox, rootNet...)

	families := []family{
		{"container_cpu_usage_seconds", "counter", "Cumulative cpu time consumed in seconds.", app,
			func(t int64) int64 { return cpuTenths(t) * step }, 10},
		{"container_memory_working_set_bytes", "gauge", "Current working set in bytes.", app, mem, 1},
		{"container_network_receive_bytes", "counter", "Cumulative count of bytes received.", net,
			func(t int64) int64 { return rx(t) * step }, 1},
		{"container_network_transmit_bytes", "counter", "Cumulative count of bytes transmitted.", net,
			func(t int64) int64 { return tx(t) * step }, 1},
		{"container_fs_reads_bytes", "counter", "Cumulative count of bytes read.", app,
			func(t int64) int64 { return rd(t) * step }, 1},
		{"container_fs_writes_bytes", "counter", "Cumulative count of bytes written.", app,
			func(t int64) int64 { return wr(t) * step }, 1},
	}
	start := end - span
	for _, f := range families {
		fmt.Fprintf(w, "# TYPE %s %s\n# HELP %s %s\n", f.name, f.kind, f.name, f.help)
		sample := f.name
		if f.kind == "counter" {
			sample += "_total"
		}
		for _, s := range f.series {
			var acc int64
			for t := start; t <= end; t += step {
				v := f.value(t) * s.scale
				if f.kind == "counter" {
					if t == start {
						v = 0
					} else {
						v += acc
					}
					acc = v
				}
				fmt.Fprintf(w, "%s{%s} %s %d\n", sample, s.labels, decimal(v, f.div), t)
			}
		}
	}
	w.WriteString("# EOF\n")
}

// decimal prints v/div exactly (div is 1 or 10).
func decimal(v, div int64) string {
	if div == 1 {
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("%d.%d", v/div, v%div)
}
