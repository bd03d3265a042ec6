// Command hello-modules greets in colour: a program whose dependencies are not
// vendored, so xhost's default pipeline downloads them once (the `modules` stage)
// and compiles offline.
package main

import (
	"fmt"
	"os"

	"github.com/fatih/color"
)

var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("hello-modules", version)
		return
	}
	color.New(color.FgBlue).Println("hello from a module-using program")
}
