// Command hello greets someone and reports the version it was built as.
package main

import (
	"flag"
	"fmt"
	"os"

	"example.com/hello/internal/greeting"
)

// version is set at link time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	name := flag.String("name", "world", "who to greet")
	flag.Parse()
	if *showVersion {
		fmt.Printf("hello %s\n", version)
		return
	}
	msg, err := greeting.For(*name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(2)
	}
	fmt.Println(msg)
}
