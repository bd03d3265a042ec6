package greeting

import "testing"

func TestFor(t *testing.T) {
	got, err := For("  Gopher ")
	if err != nil || got != "Hello, Gopher!" {
		t.Fatalf("For() = %q, %v", got, err)
	}
	if _, err := For(" "); err == nil {
		t.Fatal("blank name accepted")
	}
}
