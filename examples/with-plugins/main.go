// Command greeter prints a greeting and the version it was built as.
package main

import (
	"fmt"
	"os"
)

var version = "dev"

func main() {
	who := "world"
	if len(os.Args) > 1 {
		who = os.Args[1]
	}
	fmt.Printf("Hello, %s! (greeter %s)\n", who, version)
}
