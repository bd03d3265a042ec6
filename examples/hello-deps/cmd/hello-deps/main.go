// Command hello-deps prints a quotation, title-cased, and the version it was built as.
package main

import (
	"flag"
	"fmt"
	"time"

	"example.com/quotes"
	"example.com/strutil"
)

var version = "dev"

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println("hello-deps", version)
		return
	}
	fmt.Println(strutil.Title(quotes.Of(time.Now().YearDay())))
}
