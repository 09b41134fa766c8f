package ui

// MemoryLimit is the soft memory limit the terminal UI runs under
// (debug.SetMemoryLimit in tui.go; the key-wait benchmarks set it too, as
// their collections then run as the program's do). It keeps the UI's
// memory in check on big address books: the contact list's index holds
// about 163 bytes a contact, 16 MB at 100 000 and 159 MB at 1 000 000
// (BenchmarkIndexHeap, memory_bench_test.go), and without a limit the
// runtime lets the heap grow to twice that between collections. Below the
// index at a million (as 128 MiB was) the collector would run at every
// allocation; 224 MiB leaves it some 50 MB there and keeps the process
// under 300 MB resident. GOMEMLIMIT overrides it.
const MemoryLimit = 224 << 20
