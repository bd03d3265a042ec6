// Package cgreet greets through C.
package cgreet

/*
#include <stdio.h>
#include <stdlib.h>

static char *greeting(const char *name) {
	char *out = malloc(256);
	snprintf(out, 256, "Hello, %s!", name);
	return out;
}
*/
import "C"

import "unsafe"

// Greeting returns "Hello, NAME!", formatted by C's snprintf.
func Greeting(name string) string {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	out := C.greeting(cname)
	defer C.free(unsafe.Pointer(out))
	return C.GoString(out)
}
