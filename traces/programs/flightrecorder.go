//go:build go1.25

package main

import (
	"context"
	"io"
	"runtime"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

// flightrecorder: the window of a trace.FlightRecorder (Go 1.25+), written
// with WriteTo instead of a trace.Start trace. The window starts at a
// generation boundary the program forces in the middle of things, so the
// trace begins mid-everything:
//
//   - a GC mark phase running at the window's start (GCActive first);
//   - a goroutine sitting in a blocking read(2) at the start (status
//     Syscall), which returns inside the window;
//   - a task ("session") and a region ("recording") begun before the
//     window and ended inside it (ends without begins);
//   - a region ("tail") and a task ("drain") still open at the end;
//   - goroutines created inside a region, a goroutine blocked forever
//     (select{}: reason "forever"), request tasks with regions and logs.
//
// The recorder keeps MinAge of history: the window holds the last two
// generations (from the forced boundary mid-GC to WriteTo).

const (
	frGen    = 200 * time.Millisecond // time between the forced generation boundaries
	frMinAge = 300 * time.Millisecond // keeps the last two generations, not the third
)

func init() {
	register("flightrecorder", &Scenario{
		Doc:        "trace.FlightRecorder window starting mid-GC and mid-syscall, Go 1.25+",
		SelfTraced: true,
		Run:        flightRecorderRun,
	})
}

var frRetained *node

func flightRecorderRun(env *Env) {
	// A large pointer-heavy heap makes a GC mark phase last long enough to
	// cut a generation in the middle of it.
	frRetained = buildTree(16)

	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: frMinAge, MaxBytes: 64 << 20})
	if err := fr.Start(); err != nil {
		panic(err)
	}
	defer fr.Stop()

	ctx, session := trace.NewTask(context.Background(), "session")
	stop := make(chan struct{})
	var wg sync.WaitGroup

	// Begun before the window, ended inside it.
	recording := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer trace.StartRegion(ctx, "recording").End()
		<-recording
	}()

	// In read(2) on a blocking pipe across the window's start.
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		panic(err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 16)
		for {
			n, err := syscall.Read(fds[0], buf)
			if err != nil || n == 0 {
				return
			}
		}
	}()

	// Request tasks all along, with regions, logs and garbage.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			frRequest(ctx, i)
			time.Sleep(2 * time.Millisecond)
		}
	}()

	time.Sleep(frGen)

	// Boundary 1, in the middle of a GC mark phase: the window starts here.
	gcDone := make(chan struct{})
	go func() {
		runtime.GC()
		close(gcDone)
	}()
	time.Sleep(500 * time.Microsecond) // past the GC's first stop-the-world, into marking
	if _, err := fr.WriteTo(io.Discard); err != nil {
		panic(err)
	}
	<-gcDone

	syscall.Write(fds[1], []byte("wake"))
	close(recording)
	session.End()

	// Goroutines created inside a region inherit it; one of them blocks forever.
	trace.WithRegion(ctx, "spawn", func() {
		wg.Add(2)
		go func() {
			defer wg.Done()
			spin(time.Millisecond)
		}()
		go func() {
			defer wg.Done()
			time.Sleep(5 * time.Millisecond)
		}()
		go func() { select {} }()
	})
	time.Sleep(frGen)

	// Boundary 2.
	if _, err := fr.WriteTo(io.Discard); err != nil {
		panic(err)
	}
	dctx, _ := trace.NewTask(context.Background(), "drain") // never ended
	tail := trace.StartRegion(dctx, "tail")                  // never ended
	time.Sleep(frGen)

	// The window: boundary 1 to now.
	if _, err := fr.WriteTo(env.Out); err != nil {
		panic(err)
	}
	_ = tail
	close(stop)
	syscall.Close(fds[1])
	wg.Wait()
	syscall.Close(fds[0])
	sink = frRetained
}

func frRequest(ctx context.Context, i int) {
	rctx, task := trace.NewTask(ctx, "handleRequest")
	defer task.End()
	trace.Logf(rctx, "request", "id=%d", i)
	trace.WithRegion(rctx, "decode", func() { sink = make([]byte, 8<<10) })
	trace.WithRegion(rctx, "compute", func() { spin(100 * time.Microsecond) })
}
