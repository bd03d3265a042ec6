// hello-cgo greets through C: its own C file and a vendored module that uses cgo.
package main

/*
#include "add.h"
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"

	"example.com/cgreet"
)

func main() {
	name := "world"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	fmt.Printf("%s 2+3=%d (%s/%s, cgo)\n", cgreet.Greeting(name), C.add(2, 3), runtime.GOOS, runtime.GOARCH)
}
