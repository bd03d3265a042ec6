// Package quotes returns a quotation for the day.
package quotes

var all = []string{
	"simplicity is prerequisite for reliability",
	"make it work, make it right, make it fast",
}

// Of returns the quotation for day n.
func Of(n int) string { return all[n%len(all)] }
