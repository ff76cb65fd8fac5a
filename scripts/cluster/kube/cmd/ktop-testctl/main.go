// Command ktop-testctl holds the small helpers scripts/test-cluster needs
// besides the upstream binaries: free port discovery, the token webhook that
// backs the exec-plugin kubeconfig, a container log writer, and the workload
// generator that creates and scales fake nodes and pods.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

func usage() {
	fmt.Fprintln(os.Stderr, `usage: ktop-testctl <command> [flags]

commands:
  free-ports N   print N currently free loopback TCP ports, one per line
  daemon         serve the token webhook and keep appending container logs
  populate       create/scale the fake nodes and pods (idempotent)`)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "free-ports":
		err = freePorts(os.Args[2:])
	case "daemon":
		err = daemon(os.Args[2:])
	case "populate":
		err = populate(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ktop-testctl:", err)
		os.Exit(1)
	}
}

func freePorts(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("free-ports needs a count")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 {
		return fmt.Errorf("bad count %q", args[0])
	}
	// Keep every listener open until all ports are chosen so the same port
	// is never handed out twice.
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		ls = append(ls, l)
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
	}
	return nil
}
