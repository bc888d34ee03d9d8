package main

import (
	"context"
	"os"
	"runtime/trace"
	"time"
)

// Traces for a little over two seconds, so that the runtime starts a new
// generation about every second: a small trace with three generations.
func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx, task := trace.NewTask(context.Background(), "multigen")
	done := make(chan bool)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
				trace.Logf(ctx, "tick", "%d", i)
			}
		}
	}()
	time.Sleep(2100 * time.Millisecond)
	done <- true
	task.End()
	trace.Stop()
	f.Close()
}
