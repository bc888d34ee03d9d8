//go:build !go1.23

package main

import "runtime"

func init() {
	register("iter", &Scenario{
		Doc:         "iter.Pull coroutines (GoSwitch events), Go 1.23+",
		Unsupported: "iter.Pull needs Go 1.23+, built with " + runtime.Version(),
	})
}
