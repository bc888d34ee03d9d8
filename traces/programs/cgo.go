//go:build cgo

package main

/*
#cgo LDFLAGS: -lpthread
#include <pthread.h>
#include <unistd.h>

extern int goCallback(int);

// Called from Go: calls back into Go on the same thread, several times.
static int sumViaGo(int n) {
	int s = 0;
	for (int i = 0; i < n; i++) s += goCallback(i);
	usleep(2000); // time spent in C, outside Go
	return s;
}

static void *threadMain(void *arg) {
	int n = (int)(long)arg;
	int s = 0;
	for (int i = 0; i < n; i++) s += goCallback(i);
	return (void *)(long)s;
}

// Called from Go: starts C threads that call into Go (the runtime sees
// goroutines appear in a syscall), and waits for them in C.
static int runCThreads(int threads, int calls) {
	pthread_t th[16];
	if (threads > 16) threads = 16;
	for (int i = 0; i < threads; i++) pthread_create(&th[i], 0, threadMain, (void *)(long)calls);
	long total = 0;
	for (int i = 0; i < threads; i++) {
		void *r;
		pthread_join(th[i], &r);
		total += (long)r;
	}
	return (int)total;
}
*/
import "C"

import (
	"context"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

// cgo: Go -> C -> Go callbacks on goroutine threads, and C-created pthreads
// calling into Go (goroutines created/destroyed "in syscall").

func init() {
	register("cgo", &Scenario{
		Doc: "cgo calls, C->Go callbacks via //export, C threads calling Go",
		Run: cgoRun,
	})
}

//export goCallback
func goCallback(i C.int) C.int {
	b := make([]byte, 256+int(i)*8)
	for j := range b {
		b[j] = byte(j) ^ byte(i)
	}
	if i%4 == 0 {
		runtime.Gosched()
	}
	return C.int(checksum(b) & 0xff)
}

func cgoRun(*Env) {
	ctx, task := trace.NewTask(context.Background(), "cgoWork")
	defer task.End()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := 0; k < 5; k++ {
				trace.WithRegion(ctx, "sumViaGo", func() {
					sink = int(C.sumViaGo(C.int(10 + g)))
				})
			}
		}(g)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := 0; k < 3; k++ {
			trace.WithRegion(ctx, "runCThreads", func() {
				sink = int(C.runCThreads(4, 20))
			})
			time.Sleep(2 * time.Millisecond)
		}
	}()
	wg.Wait()
}
