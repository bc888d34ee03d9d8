package main

import (
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// spin burns CPU for about d, doing real (unoptimisable) work.
func spin(d time.Duration) uint64 {
	var acc uint64
	var buf [64]byte
	deadline := time.Now().Add(d)
	for i := uint64(0); ; i++ {
		binary.LittleEndian.PutUint64(buf[:], i^acc)
		sum := sha256.Sum256(buf[:])
		acc += binary.LittleEndian.Uint64(sum[:])
		if i%64 == 0 && time.Now().After(deadline) {
			return acc
		}
	}
}

// sink keeps results alive so the compiler can't drop the work.
var sink any

// checksum is a small CPU-bound helper used by several scenarios.
func checksum(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}
