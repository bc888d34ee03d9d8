//go:build !cgo

package main

func init() {
	register("cgo", &Scenario{
		Doc:         "cgo calls, C->Go callbacks via //export, C threads calling Go",
		Unsupported: "built without cgo (CGO_ENABLED=0 or no C compiler)",
	})
}
