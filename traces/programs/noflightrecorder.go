//go:build !go1.25

package main

import "runtime"

func init() {
	register("flightrecorder", &Scenario{
		Doc:         "trace.FlightRecorder window starting mid-GC and mid-syscall, Go 1.25+",
		Unsupported: "trace.FlightRecorder needs Go 1.25+, built with " + runtime.Version(),
	})
}
