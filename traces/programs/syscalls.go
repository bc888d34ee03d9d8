package main

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// syscalls: system calls without os/exec. File I/O on temp files (create,
// write, fsync, read back, stat, remove); raw blocking syscalls that keep
// the goroutine in the kernel long enough for sysmon to retake its P
// (read on a blocking pipe, nanosleep); and time.Sleep.

func init() {
	register("syscalls", &Scenario{
		Doc: "file I/O with fsync, blocking pipe reads, nanosleep, time.Sleep",
		Run: syscallsRun,
	})
}

func syscallsRun(*Env) {
	dir, err := os.MkdirTemp("", "traceprog-syscalls-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	var wg sync.WaitGroup

	// File writers: write in chunks, fsync, read back.
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			fileIO(filepath.Join(dir, "data-"+string(rune('a'+w))+".bin"), w)
		}(w)
	}

	// Blocking pipe: the reader sits in read(2) until the writer wakes up.
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		panic(err)
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		buf := make([]byte, 64)
		for i := 0; i < 5; i++ {
			if _, err := syscall.Read(fds[0], buf); err != nil {
				panic(err)
			}
		}
		syscall.Close(fds[0])
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 5; i++ {
			time.Sleep(15 * time.Millisecond)
			if _, err := syscall.Write(fds[1], []byte("ping")); err != nil {
				panic(err)
			}
		}
		syscall.Close(fds[1])
	}()

	// nanosleep(2) directly: a blocking syscall, not a runtime timer.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 4; i++ {
			ts := syscall.NsecToTimespec(int64(12 * time.Millisecond))
			syscall.Nanosleep(&ts, nil)
		}
	}()

	// time.Sleep: a runtime timer, shown as a blocked goroutine.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 10; i++ {
			time.Sleep(5 * time.Millisecond)
			spin(200 * time.Microsecond)
		}
	}()

	wg.Wait()
}

func fileIO(path string, w int) {
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	chunk := make([]byte, 16<<10)
	for i := range chunk {
		chunk[i] = byte(i + w)
	}
	for i := 0; i < 24; i++ {
		if _, err := f.Write(chunk); err != nil {
			panic(err)
		}
		if i%8 == 7 {
			if err := f.Sync(); err != nil {
				panic(err)
			}
		}
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	for pass := 0; pass < 2; pass++ {
		if _, err := os.Stat(path); err != nil {
			panic(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			panic(err)
		}
		sink = checksum(data)
	}
	if err := os.Remove(path); err != nil {
		panic(err)
	}
}
