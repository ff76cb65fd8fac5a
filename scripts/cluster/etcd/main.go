// Command etcd is the upstream etcd server entry point, built from the module
// proxy so the test cluster needs no release download.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
