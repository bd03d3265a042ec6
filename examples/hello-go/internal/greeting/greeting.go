// Package greeting builds the greeting hello prints.
package greeting

import (
	"errors"
	"fmt"
	"strings"
)

// For returns the greeting for name, which must not be blank.
func For(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errors.New("name must not be blank")
	}
	return fmt.Sprintf("Hello, %s!", name), nil
}
